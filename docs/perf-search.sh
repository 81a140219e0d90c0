#!/usr/bin/env bash
# Search at scale (issue 22): wrk against the staff list page and the API with `q`, on a tickets.db
# of N tickets from docs/perf-gateway-data.py (ten "things", seven places: "projector" is in one
# ticket in ten, "broken" and "room" in every ticket), next to the list without `q`.
#
#   docs/perf-search.sh make BIN DIR [N]   imports N (default 1,000,000) tickets into DIR through BIN's
#                                          ticket worker (four engineers, triage) and waits for the
#                                          background search pass; DIR/data/tickets.db is then reused
#   docs/perf-search.sh run BIN DIR [SECONDS]
#                                          copies DIR/data to /tmp/perf-search (BIN's worker migrates
#                                          the copy, never DIR), starts BIN's worker and gateway and
#                                          runs `wrk -t2 -c16 -d SECONDS --latency` on each URL below;
#                                          prints requests/s and p50/p99 per URL
#   docs/perf-search.sh compare OLD_BIN OLD_DIR NEW_BIN NEW_DIR [SECONDS]
#                                          `run` for each binary, one after the other, twice (old, new,
#                                          old, new; PERF_SEARCH_ROUNDS=1: once): before and after in one run, each on its own
#                                          migrated copy (a DIR whose file the binary has migrated
#                                          already starts at once)
# PERF_SEARCH_DIR (default /tmp/perf-search) and PERF_SEARCH_PORT (18490): where a run copies the
# data and listens, so that two people can measure at once.
# Needs wrk, sqlite3, python3.
set -u
MODE=$1; BIN=$2; DIR=$3; REPO=$(cd "$(dirname "$0")/.." && pwd)
if [ "$MODE" = make ]; then
    N=${4:-1000000}; mkdir -p "$DIR"
    [ -d "$DIR/stage" ] || python3 "$REPO/docs/perf-gateway-data.py" "$DIR/stage" "$N" 4 >/dev/null
    export CAMPUSDESK_SPOOL=$DIR/spool CAMPUSDESK_DATA=$DIR/data
    "$BIN" ticket-worker 2>"$DIR/tw.log" & W=$!
    for e in 1 2 3 4; do
        "$BIN" users add --role engineer --email "engineer$e@example.test" --name "Engineer $e" --no-password --wait 60 >/dev/null
    done
    mkdir -p "$DIR/spool/queues/commands/"{tmp,new,cur,deferred,dead}
    t0=$SECONDS
    find "$DIR/stage/queues/commands/new" -name '*.json' -exec mv -t "$DIR/spool/queues/commands/new/" {} +
    while [ -n "$(ls "$DIR/spool/queues/commands/new")" ]; do sleep 5; done
    echo "import of $N drained in $((SECONDS-t0)) s"
    while [ "$(sqlite3 "file:$DIR/data/tickets.db?mode=ro" 'SELECT count(*) FROM tickets WHERE search_indexed = 0')" != 0 ]; do sleep 5; done
    echo "search pass done at $((SECONDS-t0)) s"
    kill -TERM $W; wait $W
    exit 0
fi
if [ "$MODE" = compare ]; then
    for round in $(seq "${PERF_SEARCH_ROUNDS:-2}"); do
        echo "== round $round, before: $2"; "$0" run "$2" "$3" "${6:-10}"
        echo "== round $round, after: $4"; "$0" run "$4" "$5" "${6:-10}"
    done
    exit 0
fi
SECS=${4:-10}; P=${PERF_SEARCH_DIR:-/tmp/perf-search}
rm -rf $P; mkdir -p $P/spool; cp -r "$DIR/data" $P/data
export CAMPUSDESK_SPOOL=$P/spool CAMPUSDESK_DATA=$P/data
"$BIN" ticket-worker 2>$P/tw.log & W=$!
sleep 5   # the worker migrates the copy before the gateway reads it
PORT=${PERF_SEARCH_PORT:-18490} "$BIN" gateway 2>$P/gw.log & G=$!
sleep 3
C="Cookie: cd_browser=0123456789abcdef0123456789abcdef; cd_role=staff"
U=http://127.0.0.1:${PERF_SEARCH_PORT:-18490}
# The fifth page of a search: four Next links followed from the first page.
url="/tickets?q=projector"
for _ in 1 2 3 4; do
    next=$(curl -fsS -H "$C" "$U$url" | grep -o 'href="/tickets?[^"]*" rel="next"' | head -1 | sed 's/^href="//; s/" rel="next"$//; s/&amp;/\&/g; s/#results$//')
    [ -n "$next" ] || { echo "no Next link on $url" >&2; break; }
    url=$next
done
PAGE5=$url
# The fifth page of the open tickets that match, and of the search in the work queue's order.
fifth() {
    local url=$1
    for _ in 1 2 3 4; do
        next=$(curl -fsS -H "$C" "$U$url" | grep -o 'href="/tickets?[^"]*" rel="next"' | head -1 | sed 's/^href="//; s/" rel="next"$//; s/&amp;/\&/g; s/#results$//')
        [ -n "$next" ] || { echo "no Next link on $url" >&2; break; }
        url=$next
    done
    echo "$url"
}
OPEN5=$(fifth "/tickets?q=projector&status=open")
PRIO5=$(fifth "/tickets?q=projector&sort=priority")
# w LABEL URL [HEADER]: one wrk run; requests/s, p50 and p99.
w() {
    local label=$1 path=$2 header=${3:-$C} out
    out=$(wrk -t2 -c16 -d"${SECS}s" --latency -H "$header" "$U$path")
    echo "$out" | grep -q "Non-2xx" && echo "non-2xx answers: $path" >&2
    echo "$out" | awk -v l="$label" '/Requests\/sec/{r=$2} $1=="50%"{p50=$2} $1=="99%"{p99=$2} END{printf "%-34s %10s req/s  p50 %8s  p99 %8s\n", l, r, p50, p99}'
}
echo "tickets: $(sqlite3 "file:$P/data/tickets.db?mode=ro" 'SELECT count(*) FROM tickets'); load: $(cat /proc/loadavg); $(date -u +%FT%TZ)"
w "list, newest (no q)" "/tickets?sort=newest"
# SKIP_COMMON=1: without the words in every ticket (the gateway before issue 22 crashed on them).
if [ -z "${SKIP_COMMON:-}" ]; then
    w "q=broken (every ticket)" "/tickets?q=broken"
    w "q=room (every ticket)" "/tickets?q=room"
fi
w "q=projector (1 in 10)" "/tickets?q=projector"
w "q=projector library" "/tickets?q=projector+library"
w "q=projector&status=open" "/tickets?q=projector&status=open"
w "q=projector&category=it" "/tickets?q=projector&category=it"
[ -z "${SKIP_COMMON:-}" ] && w "q=broken&status=closed&category=facility" "/tickets?q=broken&status=closed&category=facility"
w "q=projector, 5th page" "$PAGE5"
w "q=projector&status=open, 5th page" "$OPEN5"
w "API q=projector" "/api/tickets?q=projector" "X-CampusDesk-Role: agent"
[ -z "${SKIP_COMMON:-}" ] && w "API q=broken" "/api/tickets?q=broken" "X-CampusDesk-Role: agent"
w "API q=projector library" "/api/tickets?q=projector+library" "X-CampusDesk-Role: agent"
w "API q=projector&status=open" "/api/tickets?q=projector&status=open" "X-CampusDesk-Role: agent"
w "API, no q (reference)" "/api/tickets" "X-CampusDesk-Role: agent"
# Last: before issue 22's second round these took seconds each, and wrk's queued requests kept the
# gateway busy for whatever ran after them.
w "q=projector&sort=priority" "/tickets?q=projector&sort=priority"
w "q=projector&sort=priority, 5th page" "$PRIO5"
w "q=broken&sort=priority" "/tickets?q=broken&sort=priority"
echo "load: $(cat /proc/loadavg)"
kill $G $W; wait 2>/dev/null
