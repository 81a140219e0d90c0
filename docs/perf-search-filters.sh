#!/usr/bin/env bash
# Search with a rare filter, similar tickets and sla=at_risk at 1,000,000 tickets (issue 22, findings
# 11 and 12): OLD's and NEW's gateways side by side in one run, each on its own copy of TICKETS_DB
# (each build's ticket worker migrates its own copy first; TICKETS_DB is never written).
#   1. the answers: each API URL's body from both builds, compared (same rows, order and counts);
#   2. per URL, `wrk -t2 -c4 -d SECONDS --latency`, old then new, twice: p50, p99, requests/s;
#   3. writes: status changes (PUT /api/tickets/{id}/status, open → active) and new reports, 16
#      clients for 8 s through each build's own worker, old then new, twice (the cost of keeping
#      migration 22's filter words and migration 23's index).
# Usage: docs/perf-search-filters.sh OLD_BIN NEW_BIN TICKETS_DB [SECONDS] [WORKDIR]   (needs wrk, sqlite3)
# PHASES=writes: only 3 (on the copies a first run left in WORKDIR).
set -u
OLD=$1; NEW=$2; DB=$3; S=${4:-4}; P=${5:-/tmp/perf-search-filters}
C="Cookie: cd_browser=0123456789abcdef0123456789abcdef; cd_role=staff"
A="X-CampusDesk-Role: agent"
V0=$(sqlite3 "file:$DB?mode=ro" 'PRAGMA user_version')
for b in old new; do
    bin=$OLD; [ $b = new ] && bin=$NEW
    if [ ! -f $P/$b/data/tickets.db ]; then
        mkdir -p $P/$b/data $P/$b/spool; cp "$DB" $P/$b/data/tickets.db
    fi
    t0=$SECONDS
    CAMPUSDESK_SPOOL=$P/$b/spool CAMPUSDESK_DATA=$P/$b/data $bin ticket-worker 2>>$P/$b/tw.log & W=$!
    for _ in $(seq 1 900); do grep -q "ticket worker started" $P/$b/tw.log 2>/dev/null && break; sleep 1; done
    kill -TERM $W; wait $W
    echo "$b: schema $V0 → $(sqlite3 $P/$b/data/tickets.db 'PRAGMA user_version') (worker start and migrations: $((SECONDS-t0)) s)"
done
if [ "${PHASES:-all}" = all ]; then
CAMPUSDESK_SPOOL=$P/old/spool CAMPUSDESK_DATA=$P/old/data PORT=18481 $OLD gateway 2>$P/old/gw.log & GO=$!
CAMPUSDESK_SPOOL=$P/new/spool CAMPUSDESK_DATA=$P/new/data PORT=18482 $NEW gateway 2>$P/new/gw.log & GN=$!
sleep 3
echo "load: $(cat /proc/loadavg); $(date -u +%FT%TZ)"
# 1. The answers: the API's JSON from both builds.
for path in "/api/tickets?q=projector&category=facility" "/api/tickets?q=projector&category=facility&status=closed" \
            "/api/tickets?q=projector&status=closed" "/api/tickets?q=projector&status=active&sort=priority" \
            "/api/tickets?q=projector&priority=P1" "/api/tickets?q=projector&category=facility&sort=oldest" \
            "/api/tickets?q=projector+library&category=services" "/api/tickets?q=projector" \
            "/api/tickets/similar?location=Main+hall&text=projector+flickers" "/api/tickets?sla=at_risk&sort=priority" "/api/tickets?sla=on_track&sort=priority"; do
    o=$(curl -s -H "$A" "http://127.0.0.1:18481$path" | md5sum | cut -c1-12)
    n=$(curl -s -H "$A" "http://127.0.0.1:18482$path" | md5sum | cut -c1-12)
    c=$(curl -s -H "$A" "http://127.0.0.1:18482$path" | grep -o '"id"' | wc -l)
    [ "$o" = "$n" ] && echo "same answer ($c ids): $path" || echo "DIFFERENT answer: $path ($o / $n)"
done
# 2. Latency.
w() { wrk -t2 -c4 -d${S}s --latency -H "$1" "$2" | awk '/Requests\/sec/{r=$2} / 50%/{p=$2} / 99%/{q=$2} END{printf "%s / %s · %s/s", p, q, r}'; }
for round in 1 2; do
    for path in "/tickets?q=projector&category=facility" "/tickets?q=projector&category=facility&status=open" \
                "/tickets?q=projector&status=closed" "/tickets?q=projector&status=active" "/tickets?q=projector&status=open" \
                "/tickets?q=projector&priority=P1" "/tickets?q=projector&category=facility&sort=priority" "/tickets?q=projector&category=facility&sort=status" \
                "/tickets?q=projector" "/tickets?q=projector+library" "/tickets?q=zebra" \
                "/api/tickets?q=projector&category=facility" "/api/tickets?q=projector&status=closed" \
                "/api/tickets/similar?location=Main+hall&text=projector+flickers" \
                "/tickets?sla=at_risk" "/tickets?sla=on_track" "/tickets?sla=breached"; do
        h=$C; case $path in /api/*) h=$A;; esac
        echo "round $round | $path | old $(w "$h" "http://127.0.0.1:18481$path") | new $(w "$h" "http://127.0.0.1:18482$path")"
    done
done
echo "load: $(cat /proc/loadavg)"
kill -TERM $GO $GN; wait $GO $GN 2>/dev/null
fi
# 3. Writes.
cat > $P/post.lua <<'LUA'
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["X-CampusDesk-Role"] = "customer"
local n = 0
request = function()
  n = n + 1
  return wrk.format(nil, "/api/tickets", nil, string.format('{"description":"The projector in room %d flickers when the HDMI cable moves","location":"Main hall"}', n))
end
LUA
# status_script COPY: 40,000 tickets still open in that build's copy, each thread (2) from its own
# half, so every request is a real open → active change (none refused).
status_script() {
    IDS=$(sqlite3 "file:$1?mode=ro" "SELECT group_concat(id) FROM (SELECT id FROM tickets WHERE status = 'open' ORDER BY id DESC LIMIT 40000)")
    cat > $P/status.lua <<LUA
wrk.method = "PUT"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["X-CampusDesk-Role"] = "agent"
local ids = {$IDS}
local threads = 0
function setup(thread) thread:set("offset", threads * 20000); threads = threads + 1 end
local n = 0
request = function()
  n = n + 1
  return wrk.format(nil, "/api/tickets/" .. ids[(offset + n) % #ids + 1] .. "/status", nil, '{"status":"active"}')
end
LUA
}
for script in status post status post; do
    for b in old new; do
        bin=$OLD; port=18481; [ $b = new ] && bin=$NEW && port=18482
        [ $script = status ] && status_script $P/$b/data/tickets.db
        export CAMPUSDESK_SPOOL=$P/$b/spool CAMPUSDESK_DATA=$P/$b/data
        $bin ticket-worker 2>>$P/$b/tw.log & W=$!
        PORT=$port $bin gateway 2>>$P/$b/gw.log & G=$!
        sleep 4
        echo "$script $b: $(wrk -t2 -c16 -d8s --latency -s $P/$script.lua http://127.0.0.1:$port/api/tickets | awk '/Requests\/sec/{r=$2} / 50%/{p=$2} /Non-2xx/{e=$0} END{printf "%s/s, p50 %s %s", r, p, e}')"
        kill -TERM $G $W; wait $G $W 2>/dev/null
    done
done
echo "load: $(cat /proc/loadavg); $(date -u +%FT%TZ)"
