"""A real HTTP server for the notifier's webhook tests (Python's http.server, no packages).

usage: /usr/bin/python3 webhook_server.py DIR [--port N] [--statuses 503,429,...] [--status N] [--tls CERT KEY]

Listens on 127.0.0.1 (port N, or a free one) and prints `port=<n>` on stdout once it accepts
connections. Each POST is answered, in order, with the next of --statuses, then with --status
(default 204; 0: no answer at all, the connection left open); each POST answered 2xx is written to DIR/<n>.json: its path, its headers as
ordered pairs and its body (as text). Every POST, whatever the answer, is counted in DIR/attempts.
--tls serves HTTPS with that certificate and key. Runs until the test closes its stdin (or kills it).
"""
import http.server, json, os, ssl, sys, threading, time

directory = sys.argv[1]
port = int(sys.argv[sys.argv.index("--port") + 1]) if "--port" in sys.argv else 0
statuses = [int(s) for s in sys.argv[sys.argv.index("--statuses") + 1].split(",")] if "--statuses" in sys.argv else []
final = int(sys.argv[sys.argv.index("--status") + 1]) if "--status" in sys.argv else 204
state = {"attempts": 0, "accepted": 0}
lock = threading.Lock()


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_POST(self):
        length = int(self.headers.get("Content-Length", "0"))
        body = self.rfile.read(length)
        with lock:
            state["attempts"] += 1
            n = state["attempts"]
            status = statuses[n - 1] if n <= len(statuses) else final
            with open(os.path.join(directory, "attempts"), "w") as f:
                f.write(str(n))
            if 200 <= status < 300:
                state["accepted"] += 1
                info = {"path": self.path, "headers": [[k, v] for k, v in self.headers.items()], "body": body.decode("utf-8")}
                tmp = os.path.join(directory, "%d.json.tmp" % state["accepted"])
                with open(tmp, "w") as f:
                    json.dump(info, f)
                os.rename(tmp, os.path.join(directory, "%d.json" % state["accepted"]))
        if status == 0:
            # sleep-ok: status 0 is "never answer"; holding the request open is what lets the test
            # see the notifier's own request timeout fire (it waits on that, not on this sleep).
            time.sleep(60)
            return
        self.send_response(status)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, format, *args):
        pass


server = http.server.ThreadingHTTPServer(("127.0.0.1", port), Handler)
if "--tls" in sys.argv:
    at = sys.argv.index("--tls")
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(sys.argv[at + 1], sys.argv[at + 2])
    server.socket = context.wrap_socket(server.socket, server_side=True)
print("port=%d" % server.server_address[1], flush=True)
threading.Thread(target=server.serve_forever, daemon=True).start()
sys.stdin.read()
server.shutdown()
