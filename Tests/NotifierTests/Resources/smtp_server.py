"""A real SMTP server for the notifier's tests (aiosmtpd, Debian's python3-aiosmtpd).

usage: /usr/bin/python3 smtp_server.py DIR [--tempfail N] [--reject] [--auth USER:PASSWORD] [--no-ehlo]

Listens on 127.0.0.1, a free port, and prints `port=<n>` on stdout once it accepts connections.
Each accepted message is written to DIR/<n>.eml (the raw bytes as received, after the dot
un-stuffing) and DIR/<n>.json (envelope, and the Subject and body as Python's email package
decodes them, so the test checks our encoding against an independent reader).
--auth USER:PASSWORD requires AUTH (PLAIN or LOGIN, without TLS: a test on loopback).
--no-ehlo answers EHLO with 502, as a server that knows only HELO (RFC 5321 §4.1.4).
--tempfail N answers the first N RCPT TO with 451, then accepts; --reject answers every RCPT TO with 550.
"""
import asyncio, email, email.policy, json, os, sys, warnings
from aiosmtpd.smtp import SMTP, AuthResult

# AUTH without TLS is what the test wants (loopback); aiosmtpd warns about it on stderr.
warnings.filterwarnings("ignore")

directory = sys.argv[1]
tempfail = int(sys.argv[sys.argv.index("--tempfail") + 1]) if "--tempfail" in sys.argv else 0
reject = "--reject" in sys.argv
no_ehlo = "--no-ehlo" in sys.argv
auth = sys.argv[sys.argv.index("--auth") + 1] if "--auth" in sys.argv else None
state = {"rcpt": 0, "count": 0}


class Handler:
    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        state["rcpt"] += 1
        if reject:
            return "550 5.1.1 no such mailbox"
        if state["rcpt"] <= tempfail:
            return "451 4.3.0 try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        state["count"] += 1
        n = state["count"]
        raw = envelope.original_content or envelope.content
        message = email.message_from_bytes(raw, policy=email.policy.default)
        info = {
            "mail_from": envelope.mail_from,
            "rcpt_tos": envelope.rcpt_tos,
            "helo": session.host_name,
            "subject": str(message["subject"]),
            "message_id": str(message["message-id"]),
            "body": message.get_content().replace("\r\n", "\n"),
        }
        with open(os.path.join(directory, f"{n}.eml.tmp"), "wb") as f:
            f.write(raw)
        with open(os.path.join(directory, f"{n}.json"), "w") as f:
            json.dump(info, f)
        os.rename(os.path.join(directory, f"{n}.eml.tmp"), os.path.join(directory, f"{n}.eml"))
        return "250 2.0.0 queued as %d" % n


class HeloOnly(SMTP):
    async def smtp_EHLO(self, hostname):
        await self.push("502 5.5.1 EHLO not implemented")


async def main():
    loop = asyncio.get_running_loop()
    def factory():
        if no_ehlo:
            return HeloOnly(Handler(), hostname="relay.test")
        if auth is None:
            return SMTP(Handler(), hostname="relay.test")
        user, password = auth.split(":", 1)

        def check(server, session, envelope, mechanism, data):
            ok = data.login.decode() == user and data.password.decode() == password
            return AuthResult(success=ok, handled=False)  # handled=False: aiosmtpd answers 235 or 535 itself

        return SMTP(Handler(), hostname="relay.test", authenticator=check, auth_required=True, auth_require_tls=False)

    server = await loop.create_server(factory, "127.0.0.1", 0)
    print(f"port={server.sockets[0].getsockname()[1]}", flush=True)
    # Runs until the test closes our stdin (or kills us).
    await loop.run_in_executor(None, sys.stdin.read)
    server.close()


asyncio.run(main())
