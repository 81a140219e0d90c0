# Sourced by CI scripts that need the whole product running: `start_system BIN [ENV=VALUE...]`
# starts `campusdesk up` on a free port with a fresh spool and data directory and waits for
# /readyz; `stop_system` stops it with SIGTERM and checks the clean exit; `system_logs` prints
# the tail of every process's output (the supervisor prefixes each line with its process name).
# Sets WORK, PORT, BASE, UP_PID.

start_system() {
    local bin=$1; shift
    WORK="$(mktemp -d /tmp/campusdesk-ci.XXXXXX)"
    PORT="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
    BASE="http://127.0.0.1:$PORT"
    env "$@" PORT="$PORT" HOST=127.0.0.1 CAMPUSDESK_SPOOL="$WORK/spool" CAMPUSDESK_DATA="$WORK/data" \
        CAMPUSDESK_TZ="${CAMPUSDESK_TZ:-Europe/Berlin}" "$bin" up >"$WORK/up.log" 2>&1 &
    UP_PID=$!
    for _ in $(seq 1 300); do
        if curl -fsS "$BASE/readyz" >/dev/null 2>&1; then return 0; fi
        if ! kill -0 "$UP_PID" 2>/dev/null; then echo "campusdesk up exited early" >&2; system_logs; return 1; fi
        sleep 0.2
    done
    echo "/readyz never answered 200 within 60 s" >&2
    system_logs
    return 1
}

system_logs() {
    echo "---- last lines of campusdesk up ($WORK/up.log) ----" >&2
    tail -n 80 "$WORK/up.log" >&2 || true
}

stop_system() {
    [ -n "${UP_PID:-}" ] || return 0
    kill -TERM "$UP_PID" 2>/dev/null || true
    for _ in $(seq 1 50); do kill -0 "$UP_PID" 2>/dev/null || break; sleep 0.2; done
    if kill -0 "$UP_PID" 2>/dev/null; then kill -9 "$UP_PID"; echo "campusdesk up did not stop within 10 s" >&2; return 1; fi
    wait "$UP_PID" 2>/dev/null || true
    UP_PID=""
}
