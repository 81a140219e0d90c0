#!/usr/bin/env bash
# The list page with the triage columns against the list page before them (issue 15: "stays within
# 10 % of today's ratio to nginx"), in one run: both gateways read the same 100,000 tickets (built by
# NEW's ticket worker: migration 8; four engineers with about 50 open tickets each, triage on most
# tickets), and every round measures nginx serving a 5 KB file, OLD's staff /tickets
# (newest first, every status, five columns), NEW's staff /tickets (the work queue by priority, eight
# columns) and NEW's /tickets?sort=newest (newest first with the eight columns), then nginx again.
# Each gateway figure is a share of the mean of the round's two nginx runs; the summary is the median
# over the rounds. ENGINEERS=0 gives the data set of the earlier gateway runs instead (no accounts,
# no triage: the new columns all say None, Not triaged, Unassigned).
# OWN_SCHEMA=1: OLD reads the same tickets imported by OLD's own ticket worker (its own schema and
# indexes, as it ran on its day) instead of NEW's file, whose later indexes also speed OLD up.
# Usage: docs/perf-list.sh OLD_BIN NEW_BIN [ROUNDS] [ENGINEERS]   (needs wrk, nginx, python3)
set -u
OLD=$1; NEW=$2; ROUNDS=${3:-7}; ENGINEERS=${4:-4}; P=/tmp/perf-list; REPO=$(cd "$(dirname "$0")/.." && pwd)
rm -rf $P; mkdir -p $P
. "$REPO/docs/perf-lib.sh"
perf_nginx $P
# The import waits in a staging spool until the engineers it assigns to exist.
python3 "$REPO/docs/perf-gateway-data.py" $P/stage 100000 $ENGINEERS >/dev/null
# import BIN SUFFIX: BIN's ticket worker imports a copy of the staged commands into data$SUFFIX.
import() {
    local bin=$1 sfx=$2
    export CAMPUSDESK_SPOOL=$P/spool$sfx CAMPUSDESK_DATA=$P/data$sfx
    $bin ticket-worker 2>$P/tw$sfx.log & W=$!
    for e in $(seq 1 "$ENGINEERS"); do
        $bin users add --role engineer --email "engineer$e@example.test" --name "Engineer <$e> O'Neil" --no-password --wait 60 >/dev/null
    done
    mkdir -p $P/spool$sfx/queues/commands/{tmp,new,cur,deferred,dead}    # as perf-gateway-data.py makes them
    cp -r $P/stage/queues/commands/new/. $P/spool$sfx/queues/commands/new/
    t0=$SECONDS
    while [ -n "$(ls $P/spool$sfx/queues/commands/new 2>/dev/null)" ]; do sleep 1; done
    echo "import of 100k by $bin drained in $((SECONDS-t0)) s"; sleep 10
    kill -TERM $W; wait $W
}
import $NEW ""
OLD_SFX=""
if [ -n "${OWN_SCHEMA:-}" ]; then import $OLD "-old"; OLD_SFX="-old"; fi
export CAMPUSDESK_SPOOL=$P/spool CAMPUSDESK_DATA=$P/data
$NEW ticket-worker 2>>$P/tw.log & W=$!
CAMPUSDESK_SPOOL=$P/spool$OLD_SFX CAMPUSDESK_DATA=$P/data$OLD_SFX PORT=18481 $OLD gateway 2>$P/gw-old.log & GO=$!
PORT=18482 $NEW gateway 2>$P/gw-new.log & GN=$!
nginx -c $P/nginx.conf -p $P; sleep 2
C="Cookie: cd_browser=0123456789abcdef0123456789abcdef; cd_role=staff"
cpu() { awk '{print $14 + $15}' /proc/$1/stat; }
# w [PID] URL...: requests per second of one wrk run, then the gateway's CPU per request in µs (or -).
w() {
    local pid="" c0 out
    if [[ "$1" =~ ^[0-9]+$ ]]; then pid=$1; shift; c0=$(cpu $pid); fi
    out=$(wrk -t2 -c16 -d8s --latency "$@")
    echo "$out" | grep -q "Non-2xx" && echo "non-2xx answers: $*" >&2
    echo "$out" | awk -v pid="$pid" -v c0="${c0:-0}" -v c1="$([ -n "$pid" ] && cpu $pid || echo 0)" '
        /requests in/{n=$1} /Requests\/sec/{r=$2}
        END{printf "%s %s\n", r, (pid != "" && n > 0) ? sprintf("%.0f", (c1-c0)*10000/n) : "-"}'
}
curl -fsS -H "$C" http://127.0.0.1:18481/tickets -o $P/old.html; curl -fsS -H "$C" http://127.0.0.1:18482/tickets -o $P/new.html
echo "page bytes: old $(wc -c <$P/old.html), new $(wc -c <$P/new.html); load: $(cat /proc/loadavg)"
for r in $(seq 1 "$ROUNDS"); do
    read -r n1 _ < <(w http://127.0.0.1:18480/static.txt)
    read -r o oc < <(w $GO -H "$C" http://127.0.0.1:18481/tickets)
    read -r p pc < <(w $GN -H "$C" http://127.0.0.1:18482/tickets)
    read -r s sc < <(w $GN -H "$C" "http://127.0.0.1:18482/tickets?sort=newest")
    read -r n2 _ < <(w http://127.0.0.1:18480/static.txt)
    echo "$r $n1 $n2 $o $oc $p $pc $s $sc" | tee -a $P/rounds
done
python3 - $P/rounds <<'PY'
import statistics, sys
rows = [list(map(lambda x: float(x) if x != "-" else 0.0, l.split())) for l in open(sys.argv[1])]
for r, n1, n2, o, oc, p, pc, s, sc in rows:
    n = (n1 + n2) / 2
    print(f"round {int(r)}: nginx {n:,.0f}/s; old {o:,.0f}/s = {o/n:.1%} ({oc:.0f} µs); priority {p:,.0f}/s = {p/n:.1%} ({pc:.0f} µs), "
          f"x{p/o:.3f} of old's ratio; newest+columns {s:,.0f}/s = {s/n:.1%} ({sc:.0f} µs), x{s/o:.3f}")
med = lambda xs: statistics.median(xs)
n = [(r[1] + r[2]) / 2 for r in rows]
print(f"median share of nginx: old {med([r[3]/m for r, m in zip(rows, n)]):.1%}, new priority {med([r[5]/m for r, m in zip(rows, n)]):.1%}, "
      f"new newest {med([r[7]/m for r, m in zip(rows, n)]):.1%}")
print(f"median new/old ratio: priority {med([r[5]/r[3] for r in rows]):.3f}, newest+columns {med([r[7]/r[3] for r in rows]):.3f}; "
      f"CPU per request median: old {med([r[4] for r in rows]):.0f} µs, priority {med([r[6] for r in rows]):.0f} µs, newest {med([r[8] for r in rows]):.0f} µs")
PY
echo "load: $(cat /proc/loadavg)"
kill $(cat $P/nginx.pid); kill $GO $GN $W; wait 2>/dev/null
