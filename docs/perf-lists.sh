#!/usr/bin/env bash
# Staff's list with each row filter, and the API's list, on a 1,000,000-ticket tickets.db: OLD's and
# NEW's gateways side by side in one run, each on its own copy of the file (NEW's migrated by NEW's
# ticket worker; OLD's by OLD's). Per URL and build: the median of N sequential requests' times (curl), then for the
# fast paths a wrk run (16 connections) for p50 and req/s, alternating old and new; then new reports
# through each build's own gateway and ticket worker (the write cost of migration 21's index).
# Usage: docs/perf-lists.sh OLD_BIN NEW_BIN TICKETS_DB [N]   (TICKETS_DB is copied, never written; needs wrk)
set -u
OLD=$1; NEW=$2; DB=$3; N=${4:-5}; P=/tmp/perf-lists
rm -rf $P; mkdir -p $P/old/data $P/new/data $P/old/spool $P/new/spool
cp "$DB" $P/old/data/tickets.db; cp "$DB" $P/new/data/tickets.db
# Each build's ticket worker runs its own migrations on its copy, then stops.
V0=$(sqlite3 "$DB" 'PRAGMA user_version')
for b in old new; do
    bin=$OLD; [ $b = new ] && bin=$NEW
    CAMPUSDESK_SPOOL=$P/$b/spool CAMPUSDESK_DATA=$P/$b/data $bin ticket-worker 2>$P/$b/tw.log & W=$!
    for _ in $(seq 1 300); do [ "$(sqlite3 $P/$b/data/tickets.db 'PRAGMA user_version' 2>/dev/null)" != "$V0" ] && break; sleep 1; done; sleep 2
    kill -TERM $W; wait $W
done
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
# Writes: each build's ticket worker and gateway on its own copy, new reports POSTed by 16 clients
# for 8 s, alternating twice; one report in four is text the classifier is unsure of (low confidence:
# a row of migration 21's index). Creates/s = 201 answers per second (the gateway waits for the
# worker's reply, so this is the worker's commit rate).
cat > $P/post.lua <<'LUA'
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["X-CampusDesk-Role"] = "customer"
local n = 0
local texts = {"The projector in room %d flickers when the HDMI cable moves", "Water leaks from the ceiling of room %d",
               "Cannot log in to the wifi in building %d", "Please help, number %d"}
request = function()
  n = n + 1
  return wrk.format(nil, "/api/tickets", nil, string.format('{"description":"' .. texts[n % 4 + 1] .. '","location":"Main hall"}', n))
end
LUA
for round in 1 2; do
    for b in old new; do
        bin=$OLD; port=18491; [ $b = new ] && bin=$NEW && port=18492
        export CAMPUSDESK_SPOOL=$P/$b/spool CAMPUSDESK_DATA=$P/$b/data
        $bin ticket-worker 2>>$P/$b/tw.log & W=$!
        PORT=$port $bin gateway 2>>$P/$b/gw.log & G=$!
        sleep 5
        echo "round $round $b POST: $(wrk -t2 -c16 -d8s -s $P/post.lua http://127.0.0.1:$port/api/tickets | awk '/Requests\/sec/{r=$2} / 50%/{p=$2} /Non-2xx/{e=$0} END{printf "%s creates/s %s", r, e}')"
        kill -TERM $G $W; wait $G $W 2>/dev/null
    done
done
echo "low-confidence tickets: old $(sqlite3 $P/old/data/tickets.db "SELECT count(*) FROM tickets WHERE category_source = 'auto' AND category_confidence < 0.6"), new $(sqlite3 $P/new/data/tickets.db "SELECT count(*) FROM tickets INDEXED BY tickets_low_confidence_by_priority WHERE category_source = 'auto' AND category_confidence < 0.6")"
echo "load: $(cat /proc/loadavg)"
