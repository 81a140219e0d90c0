#!/usr/bin/env bash
# Two builds side by side in one run, for a change that must cost nothing (issue 12's "before and after").
# Usage: docs/perf-compare.sh OLD_DIR NEW_DIR   (each a .build/release directory holding campusdesk
#        and, for builds after the bench split, campusdesk-bench). Needs wrk, nginx, python3.
# Both gateways read the same 100,000-ticket database; nginx serving a 5 KB file is measured before,
# between and after, so each figure is also a share of nginx in the same minute. Pages alternate
# old/new twice; writes run each build's own gateway and ticket worker; the broker benchmark alternates.
set -u
OLD=$1; NEW=$2; REPO=$(cd "$(dirname "$0")/.." && pwd); P=/tmp/perf-compare
bench() { if [ -x "$1/campusdesk-bench" ]; then "$1/campusdesk-bench" "${@:2}"; else "$1/campusdesk" bench "${@:2}"; fi; }
rm -rf $P; mkdir -p $P
. "$(dirname "$0")/perf-lib.sh"
perf_nginx $P
python3 $REPO/docs/perf-gateway-data.py $P/spool 100000 >/dev/null
export CAMPUSDESK_SPOOL=$P/spool CAMPUSDESK_DATA=$P/data
start_workers() {
    $1/campusdesk ticket-worker 2>>$P/tw.log & W="$!"
    for a in open-tickets resolution-time category-load; do $1/campusdesk analytics $a 2>>$P/$a.log & W="$W $!"; done
}
start_workers $NEW
t0=$SECONDS
while [ -n "$(ls $P/spool/queues/commands/new 2>/dev/null)" ]; do sleep 1; done
echo "import of 100k drained in $((SECONDS-t0)) s"; sleep 15
PORT=18481 $OLD/campusdesk gateway 2>$P/gw-old.log & GO=$!
PORT=18482 $NEW/campusdesk gateway 2>$P/gw-new.log & GN=$!
nginx -c $P/nginx.conf -p $P; sleep 2
C="Cookie: cd_browser=0123456789abcdef0123456789abcdef; cd_role=staff"
# cpu PID: the process's user+system CPU in clock ticks (1/100 s), from /proc; steadier than req/s on a shared machine.
cpu() { awk '{print $14 + $15}' /proc/$1/stat; }
# w [PID] WRK_ARGS...: one wrk run (CONNS connections, default 16); with a gateway PID also its CPU per request.
w() {
    local pid="" c0 out
    if [[ "$1" =~ ^[0-9]+$ ]]; then pid=$1; shift; c0=$(cpu $pid); fi
    out=$(wrk -t2 -c"${CONNS:-16}" -d8s --latency "$@")
    echo "$out" | awk -v pid="$pid" -v c0="${c0:-0}" -v c1="$([ -n "$pid" ] && cpu $pid || echo 0)" '
        /requests in/{n=$1} /Requests\/sec/{r=$2} / 50%/{p50=$2} / 99%/{p99=$2} /Non-2xx/{e=$0}
        END{printf "%s req/s, p50 %s, p99 %s", r, p50, p99; if (pid != "" && n > 0) printf ", gateway CPU %.0f us/request", (c1-c0)*10000/n; printf " %s\n", e}'
}
echo "load: $(cat /proc/loadavg)"
echo "nginx: $(w http://127.0.0.1:18480/static.txt)"
for round in 1 2; do
  for p in /tickets /tickets/1 /dashboard; do
    echo "old $p: $(w $GO -H "$C" http://127.0.0.1:18481$p)"
    echo "new $p: $(w $GN -H "$C" http://127.0.0.1:18482$p)"
  done
  echo "nginx: $(w http://127.0.0.1:18480/static.txt)"
done
perf_post_lua $P/post.lua
for round in 1 2; do
  kill $W; wait $W 2>/dev/null; start_workers $OLD; sleep 3
  echo "old POST 64 clients: $(CONNS=64 w -s $P/post.lua http://127.0.0.1:18481/api/tickets)"
  kill $W; wait $W 2>/dev/null; start_workers $NEW; sleep 3
  echo "new POST 64 clients: $(CONNS=64 w -s $P/post.lua http://127.0.0.1:18482/api/tickets)"
done
grep -o 'http.path=/api/tickets http.status=[0-9]*' $P/gw-old.log | sort | uniq -c | sed 's/^/old /'
grep -o 'http.path=/api/tickets http.status=[0-9]*' $P/gw-new.log | sort | uniq -c | sed 's/^/new /'
kill $(cat $P/nginx.pid); kill $GO $GN $W; wait 2>/dev/null
for round in 1 2; do
  echo "## old broker"; bench $OLD broker --dir $P/broker-old 2>&1; rm -rf $P/broker-old
  echo "## new broker"; bench $NEW broker --dir $P/broker-new 2>&1; rm -rf $P/broker-new
done
echo "load: $(cat /proc/loadavg)"
