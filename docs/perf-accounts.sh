#!/usr/bin/env bash
# The "Accounts" measurement of docs/performance.md: the ticket list as a logged-in agent on the
# network desk (CAMPUSDESK_AUTH=accounts: a session cookie checked against tickets.db on every
# request) against the same page on the campus desk (open mode: the role is a cookie), over the same
# 100,000 tickets, with the same gateway binary. The two modes alternate (open, accounts, open,
# accounts, ...) so a change in the machine's load hits both; the figure is the ratio.
# Usage: docs/perf-accounts.sh .build/release/campusdesk [ROUNDS]   (needs wrk, python3)
set -u
BIN=$1; ROUNDS=${2:-3}; P=/tmp/perf-accounts; REPO="$(cd "$(dirname "$0")/.." && pwd)"
rm -rf $P; mkdir -p $P
python3 "$REPO/docs/perf-gateway-data.py" $P/spool 100000 >/dev/null
export CAMPUSDESK_SPOOL=$P/spool CAMPUSDESK_DATA=$P/data
# The worker runs in accounts mode: it applies the import (role admin = the operator) and the accounts.
CAMPUSDESK_AUTH=accounts $BIN ticket-worker 2>$P/tw.log & WORKER=$!
t0=$SECONDS
while [ -n "$(ls $P/spool/queues/commands/new 2>/dev/null)" ]; do sleep 1; done
echo "import of 100k drained in $((SECONDS-t0)) s"
PASSWORD="correct horse battery staple"
printf '%s\n' "$PASSWORD" | $BIN users add --role agent --email agent@example.test --name "Bench agent" --wait 60 >/dev/null
OPEN_COOKIE="Cookie: cd_browser=0123456789abcdef0123456789abcdef; cd_role=agent"

gateway() { # gateway MODE: starts the gateway on port 18491 in that mode and waits until it answers
    CAMPUSDESK_AUTH=$1 PORT=18491 $BIN gateway 2>>$P/gw-$1.log & GW=$!
    for _ in $(seq 1 100); do curl -fsS http://127.0.0.1:18491/healthz >/dev/null 2>&1 && return; sleep 0.1; done
}
measure() { # measure LABEL HEADER: requests per second of /tickets over 10 s, 16 connections
    local rps
    rps=$(wrk -t2 -c16 -d10s --latency -H "$2" http://127.0.0.1:18491/tickets | tee -a $P/wrk-$1.log | awk '/Requests\/sec/ {print $2}')
    grep -q "Non-2xx" $P/wrk-$1.log && { echo "non-2xx answers in $1, see $P/wrk-$1.log" >&2; }
    echo "$rps"
}
echo "load: $(cat /proc/loadavg)"
for r in $(seq 1 "$ROUNDS"); do
    gateway open; o=$(measure open "$OPEN_COOKIE"); kill $GW; wait $GW 2>/dev/null
    gateway accounts
    TOKEN=$(curl -fsS -X POST http://127.0.0.1:18491/api/auth/token --data-urlencode username=agent@example.test \
        --data-urlencode "password=$PASSWORD" | python3 -c 'import json,sys; print(json.load(sys.stdin)["access_token"])')
    a=$(measure accounts "Cookie: cd_session=$TOKEN"); kill $GW; wait $GW 2>/dev/null
    echo "round $r: open $o req/s, accounts $a req/s, accounts/open $(python3 -c "print(f'{$a/$o:.3f}')")"
done
echo "load: $(cat /proc/loadavg)"
kill $WORKER; wait
