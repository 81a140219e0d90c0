#!/usr/bin/env bash
# docs/performance.md, "Notifications: the header's unread count". The list page (GET /tickets, 100,000
# tickets) for a named campus visitor whose inbox holds 5,000 entries (3,000 unread) among 205,000
# rows, against the same visitor without a name (no inbox, no count). CPU per request from /proc.
#   docs/perf-inbox-count.sh [BINARY] [REPO]     (a release build; needs wrk, sqlite3, python3)
set -euo pipefail
BIN=${1:-.build/release/campusdesk}
REPO=${2:-.}
W=/tmp/inboxperf
rm -rf $W; mkdir -p $W
python3 $REPO/docs/perf-gateway-data.py $W/spool 100000 >/dev/null
export CAMPUSDESK_SPOOL=$W/spool CAMPUSDESK_DATA=$W/data
$BIN ticket-worker 2>$W/tw.log & TW=$!
for _ in $(seq 1 600); do [ -z "$(ls -A $W/spool/queues/commands/new 2>/dev/null)" ] && [ -f $W/data/tickets.db ] && break; sleep 0.5; done
sleep 2
$BIN notify-prefs 1 --channels default >/dev/null     # creates and migrates notifications.db
DIGEST=$(printf %s 0123456789abcdef0123456789abcdef | sha256sum | cut -d' ' -f1)
sqlite3 $W/data/notifications.db <<SQL
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 200000)
INSERT INTO inbox (key, recipient_key, event_seq, ticket_id, kind, subject, excerpt, created_at, read_at)
SELECT i || ':user:' || (i % 997) || ':web', 'user:' || (i % 997), i, 1 + i % 100000, 'status_changed', 'Ticket #' || i || ' is now active', 'x', 0,
       CASE WHEN i % 3 = 0 THEN NULL ELSE 1 END FROM n;
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 5000)
INSERT INTO inbox (key, recipient_key, event_seq, ticket_id, kind, subject, excerpt, created_at, read_at)
SELECT (300000 + i) || ':reporter:$DIGEST:web', 'reporter:$DIGEST', 300000 + i, 1 + i, 'ticket_created', 'Ticket #' || i || ' has been created', 'x', 0,
       CASE WHEN i <= 3000 THEN NULL ELSE 1 END FROM n;
SQL
PORT=18491 $BIN gateway 2>$W/gw.log & GW=$!
sleep 2
NAMED="Cookie: cd_browser=0123456789abcdef0123456789abcdef; cd_role=staff; cd_name=Bench"
ANON="Cookie: cd_browser=0123456789abcdef0123456789abcdef; cd_role=staff"
curl -s -H "$NAMED" http://127.0.0.1:18491/tickets | grep -o 'Notifications ([^<]*' | head -1
curl -s -H "$ANON" http://127.0.0.1:18491/tickets | grep -c 'href="/notifications"' || true
wrk -t2 -c16 -d3s -H "$ANON" http://127.0.0.1:18491/tickets >/dev/null
for round in 1 2 3; do
  for who in ANON NAMED; do
    H=${!who}
    c0=$(awk '{print $14+$15}' /proc/$GW/stat)
    out=$(wrk -t2 -c16 -d8s --latency -H "$H" http://127.0.0.1:18491/tickets)
    c1=$(awk '{print $14+$15}' /proc/$GW/stat)
    reqs=$(sed -n 's/^ *\([0-9]*\) requests in.*/\1/p' <<<"$out")
    rps=$(sed -n 's/^Requests\/sec: *//p' <<<"$out")
    p50=$(awk '$1=="50%"{print $2}' <<<"$out"); p99=$(awk '$1=="99%"{print $2}' <<<"$out")
    echo "round $round $who: $rps req/s, p50 $p50, p99 $p99, CPU $(( (c1 - c0) * 10000 / reqs )) us/request ($reqs requests)"
  done
done
kill $GW $TW; wait 2>/dev/null || true
