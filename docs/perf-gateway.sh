#!/usr/bin/env bash
# The "Gateway" measurements of docs/performance.md as one script (needs wrk, nginx, python3).
# Usage: docs/perf-gateway.sh .build/release/campusdesk .   (binary, repository root)
set -u
BIN=$1; REPO=$2; P=/tmp/perf
rm -rf $P; mkdir -p $P
. "$(dirname "$0")/perf-lib.sh"
perf_nginx $P
python3 $REPO/docs/perf-gateway-data.py $P/spool 100000 >/dev/null
export CAMPUSDESK_SPOOL=$P/spool CAMPUSDESK_DATA=$P/data
$BIN ticket-worker 2>$P/tw.log & PIDS="$!"
for a in open-tickets resolution-time category-load; do $BIN analytics $a 2>$P/$a.log & PIDS="$PIDS $!"; done
t0=$SECONDS
while [ -n "$(ls $P/spool/queues/commands/new 2>/dev/null)" ]; do sleep 1; done
echo "import of 100k drained in $((SECONDS-t0)) s"
sleep 15
PORT=18481 $BIN gateway 2>$P/gw.log & GW=$!
sleep 2
nginx -c $P/nginx.conf -p $P
C="Cookie: cd_browser=0123456789abcdef0123456789abcdef; cd_role=staff"
echo "load: $(cat /proc/loadavg)"
echo "## nginx before"; wrk -t2 -c16 -d10s --latency http://127.0.0.1:18480/static.txt | grep -E "Requests/sec|50%|99%"
for p in /tickets /tickets/1 /dashboard; do echo "## $p"; wrk -t2 -c16 -d10s --latency -H "$C" http://127.0.0.1:18481$p | grep -E "Requests/sec|50%|99%|Non-2xx"; done
echo "## nginx after"; wrk -t2 -c16 -d10s --latency http://127.0.0.1:18480/static.txt | grep -E "Requests/sec|50%|99%"
grep -E 'VmRSS|VmHWM|RssAnon|RssFile' /proc/$GW/status
perf_post_lua $P/post.lua
echo "## POST 64 clients"; wrk -t2 -c64 -d10s --latency -s $P/post.lua http://127.0.0.1:18481/api/tickets | grep -E "Requests/sec|50%|99%|Non-2xx"
sleep 2
grep -o 'http.path=/api/tickets http.status=[0-9]*' $P/gw.log | sort | uniq -c
echo "## paced 200/s"; $(dirname $BIN)/campusdesk-bench gateway --port 18481 --rate 200 --duration 10 --connections 64 2>&1 | tail -5
grep -E 'VmRSS|VmHWM|RssAnon|RssFile' /proc/$GW/status
echo "## 6 s idle (the gateway trims its heap every 5 s)"; sleep 6
grep -E 'VmRSS|RssAnon|RssFile' /proc/$GW/status
echo "load: $(cat /proc/loadavg)"
kill $(cat $P/nginx.pid); kill $GW $PIDS; wait
