#!/usr/bin/env bash
# Instructions per staff list page, OLD against NEW, on the same 100,000 tickets (docs/performance.md,
# "The list a staff member works from"): NEW's ticket worker imports docs/perf-gateway-data.py's
# tickets (no engineers), then for each (binary, page) one gateway runs under callgrind with
# instrumentation off, serves 5 warm-up pages, and is measured over 200 pages (`callgrind_control
# -i on/off` around them). Prints instructions per page and the page's size.
# Usage: docs/perf-list-callgrind.sh OLD_BIN NEW_BIN   (needs valgrind, curl, python3)
# Pages: OLD_PAGES / NEW_PAGES (space-separated paths) override the defaults below; REUSE=1 keeps
# the data of the previous run.
set -u
OLD=$1; NEW=$2; P=/tmp/perf-list-cg; REPO=$(cd "$(dirname "$0")/.." && pwd)
OLD_PAGES=${OLD_PAGES-"/tickets /tickets?sort=newest"}
NEW_PAGES=${NEW_PAGES-"/tickets /tickets?sort=newest /tickets?sort=due /tickets?sort=due&page=last /tickets?sla=breached"}
export CAMPUSDESK_SPOOL=$P/spool CAMPUSDESK_DATA=$P/data
if [ -z "${REUSE:-}" ]; then
    rm -rf $P; mkdir -p $P
    python3 "$REPO/docs/perf-gateway-data.py" $P/stage 100000 0 >/dev/null
    $NEW ticket-worker 2>$P/tw.log & W=$!
    sleep 3
    mkdir -p $P/spool/queues/commands/{tmp,new,cur,deferred,dead}
    mv $P/stage/queues/commands/new/* $P/spool/queues/commands/new/
    t0=$SECONDS
    while [ -n "$(ls $P/spool/queues/commands/new 2>/dev/null)" ]; do sleep 1; done
    echo "import of 100k drained in $((SECONDS-t0)) s"; sleep 10
    kill -TERM $W; wait $W
fi
C="Cookie: cd_browser=0123456789abcdef0123456789abcdef; cd_role=staff"
# measure BIN LABEL PATH: one gateway under callgrind, 5 warm-up pages, 200 measured.
measure() {
    local bin=$1 label=$2 path=$3 out=$P/cg.$RANDOM
    PORT=18483 valgrind --tool=callgrind --instr-atstart=no --callgrind-out-file=$out $bin gateway 2>$P/gw.log & local g=$!
    for _ in $(seq 1 600); do curl -fsS -o /dev/null -H "$C" "http://127.0.0.1:18483/tickets" 2>/dev/null && break; sleep 0.5; done
    for _ in 1 2 3 4; do curl -fsS -o /dev/null -H "$C" "http://127.0.0.1:18483$path"; done
    local bytes; bytes=$(curl -fsS -H "$C" "http://127.0.0.1:18483$path" | wc -c)
    callgrind_control -i on $g >/dev/null
    for _ in $(seq 1 200); do curl -fsS -o /dev/null -H "$C" "http://127.0.0.1:18483$path"; done
    callgrind_control -d $g >/dev/null
    callgrind_control -i off $g >/dev/null
    kill -TERM $g; wait $g
    local total; total=$(grep -h '^summary:' $out.1 | awk '{print $2}')
    printf "%s %s: %s instructions per page (%s bytes)\n" "$label" "$path" "$(python3 -c "print(f'{$total/200:,.0f}')")" "$bytes"
    rm -f $out*
}
for path in $OLD_PAGES; do measure $OLD OLD "$path"; done
for path in $NEW_PAGES; do measure $NEW NEW "$path"; done
