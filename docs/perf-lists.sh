#!/usr/bin/env bash
# Staff's list with each row filter, and the API's list, on a 1,000,000-ticket tickets.db: OLD's and
# NEW's gateways side by side in one run, each on its own copy of the file (NEW's migrated by NEW's
# ticket worker). Per URL and build: the median of N sequential requests' times (curl), then for the
# fast paths a wrk run (16 connections) for p50 and req/s, alternating old and new.
# Usage: docs/perf-lists.sh OLD_BIN NEW_BIN TICKETS_DB [N]   (TICKETS_DB is copied, never written; needs wrk)
set -u
OLD=$1; NEW=$2; DB=$3; N=${4:-5}; P=/tmp/perf-lists
rm -rf $P; mkdir -p $P/old/data $P/new/data $P/old/spool $P/new/spool
cp "$DB" $P/old/data/tickets.db; cp "$DB" $P/new/data/tickets.db
# NEW's ticket worker runs NEW's migrations on its copy, then stops.
CAMPUSDESK_SPOOL=$P/new/spool CAMPUSDESK_DATA=$P/new/data $NEW ticket-worker 2>$P/new/tw.log & W=$!
V0=$(sqlite3 $P/old/data/tickets.db 'PRAGMA user_version')
for _ in $(seq 1 120); do [ "$(sqlite3 $P/new/data/tickets.db 'PRAGMA user_version' 2>/dev/null)" != "$V0" ] && break; sleep 1; done; sleep 2
kill -TERM $W; wait $W
echo "schema: old $(sqlite3 $P/old/data/tickets.db 'PRAGMA user_version'), new $(sqlite3 $P/new/data/tickets.db 'PRAGMA user_version')"
CAMPUSDESK_SPOOL=$P/old/spool CAMPUSDESK_DATA=$P/old/data PORT=18491 $OLD gateway 2>$P/old/gw.log & GO=$!
CAMPUSDESK_SPOOL=$P/new/spool CAMPUSDESK_DATA=$P/new/data PORT=18492 $NEW gateway 2>$P/new/gw.log & GN=$!
sleep 3
C="Cookie: cd_browser=0123456789abcdef0123456789abcdef; cd_role=staff"
A="X-CampusDesk-Role: agent"
# t PORT HEADER PATH: the median time of N requests in ms (after one to warm the pages), and the status.
t() {
    curl -s -o /dev/null -m 120 -H "$2" "http://127.0.0.1:$1$3" >/dev/null
    for _ in $(seq 1 "$N"); do curl -s -o /dev/null -m 120 -w '%{time_total} %{http_code}\n' -H "$2" "http://127.0.0.1:$1$3"; done |
        sort -n | awk '{a[NR]=$1; c=$2} END{printf "%.1f ms (%s)", a[int((NR+1)/2)]*1000, c}'
}
echo "load: $(cat /proc/loadavg); $(date -u +%FT%TZ)"
for path in "/tickets" "/tickets?confidence=low" "/tickets?sla=at_risk" "/tickets?sla=on_track" "/tickets?severity=critical" \
            "/tickets?priority=P4" "/tickets?status=open,closed" "/tickets?status=open,active,closed" "/tickets?status=active,closed&category=it" \
            "/tickets?confidence=low&status=closed" "/tickets?sort=newest&confidence=low" \
            "/api/tickets" "/api/tickets?sort=priority" "/api/tickets?sort=priority&confidence=low" "/api/tickets?sort=priority&status=open,closed"; do
    h=$C; case $path in /api/*) h=$A;; esac
    echo "$path | old $(t 18491 "$h" "$path") | new $(t 18492 "$h" "$path")"
done
# wrk: the API list against the same list as a page, both builds, alternating.
w() { wrk -t2 -c16 -d6s --latency -H "$1" "$2" | awk '/Requests\/sec/{r=$2} / 50%/{p=$2} END{printf "%s req/s, p50 %s", r, p}'; }
for round in 1 2; do
    for path in "/tickets?sort=newest" "/api/tickets" "/api/tickets?sort=priority"; do
        h=$C; case $path in /api/*) h=$A;; esac
        echo "round $round $path | old $(w "$h" http://127.0.0.1:18491$path) | new $(w "$h" http://127.0.0.1:18492$path)"
    done
done
echo "load: $(cat /proc/loadavg)"
kill -TERM $GO $GN; wait $GO $GN 2>/dev/null
