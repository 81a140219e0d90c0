#!/usr/bin/env bash
# The "Replicas of tickets.db" measurement of docs/performance.md: on one nats-server, the ticket
# worker and two gateways: A beside the worker (CAMPUSDESK_GATEWAY_FILES=shared, reads the worker's
# tickets.db) and B with a data directory of its own (=own, reads its replica). Then
#  1. POST /api/tickets one at a time (each answered only once the change is readable from the
#     gateway's file), alternately on A and B: the latency read-your-writes costs on B;
#  2. wrk posting for 10 s on A (16 connections) while the replica follows: how far B's replica
#     falls behind the worker (batches) and how long it takes to catch up once the load stops.
# Usage: docs/perf-replica.sh .build/release/campusdesk [ROUNDS]   (needs nats-server, wrk, sqlite3, python3)
set -u
BIN=$1; ROUNDS=${2:-3}; P=/tmp/perf-replica; REPO="$(cd "$(dirname "$0")/.." && pwd)"
. "$REPO/docs/perf-lib.sh"
rm -rf $P; mkdir -p $P/js $P/a $P/b
NATS_PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
nats-server -js -a 127.0.0.1 -p $NATS_PORT -sd $P/js 2>$P/nats.log & NATS=$!
sleep 1
export CAMPUSDESK_BROKER=nats://127.0.0.1:$NATS_PORT CAMPUSDESK_SPOOL=$P/spool
CAMPUSDESK_DATA=$P/a $BIN ticket-worker 2>$P/tw.log & WORKER=$!
sleep 2
CAMPUSDESK_DATA=$P/a PORT=18501 $BIN gateway 2>$P/gw-a.log & GWA=$!
CAMPUSDESK_DATA=$P/b PORT=18502 CAMPUSDESK_GATEWAY_FILES=own $BIN gateway 2>$P/gw-b.log & GWB=$!
trap 'kill $GWA $GWB $WORKER $NATS 2>/dev/null; wait 2>/dev/null' EXIT
for port in 18501 18502; do
    for _ in $(seq 1 100); do curl -fsS http://127.0.0.1:$port/healthz >/dev/null 2>&1 && break; sleep 0.1; done
done

latency() { # latency PORT N: p50 and p99 in ms of N sequential POSTs on one keep-alive connection
    python3 - "$1" "$2" <<'PY'
import http.client, json, sys, time
port, n = int(sys.argv[1]), int(sys.argv[2])
c = http.client.HTTPConnection("127.0.0.1", port)
times = []
for i in range(n):
    body = json.dumps({"description": f"The projector in room {i} flickers when the HDMI cable moves"})
    t = time.perf_counter()
    c.request("POST", "/api/tickets", body, {"Content-Type": "application/json", "X-CampusDesk-Role": "customer"})
    r = c.getresponse(); r.read()
    times.append((time.perf_counter() - t) * 1000)
    if r.status != 201: print(f"status {r.status}", file=sys.stderr)
times.sort()
print(f"{times[len(times)//2]:.2f} {times[int(len(times)*0.99)]:.2f}")
PY
}
seq_of() { sqlite3 "file:$1?mode=ro" "SELECT seq FROM replication_state" 2>/dev/null || echo 0; }

for r in $(seq 1 $ROUNDS); do
    a=$(latency 18501 300); b=$(latency 18502 300)
    echo "round $r: POST p50/p99 ms, A (shared): $a; B (own replica): $b"
done

perf_post_lua $P/post.lua
wrk -t2 -c16 -d10s -s $P/post.lua http://127.0.0.1:18501/ > $P/wrk.log &
WRK=$!
maxlag=0
while kill -0 $WRK 2>/dev/null; do
    lag=$(( $(seq_of $P/a/tickets.db) - $(seq_of $P/b/tickets.db) ))
    [ $lag -gt $maxlag ] && maxlag=$lag
    sleep 0.2
done
t0=$(date +%s.%N)
written=$(seq_of $P/a/tickets.db)
while [ "$(seq_of $P/b/tickets.db)" -lt "$written" ]; do sleep 0.01; done
t1=$(date +%s.%N)
echo "wrk on A: $(awk '/Requests\/sec/ {print $2}' $P/wrk.log) POST/s; batches written $written; B's replica at most $maxlag batches behind (sampled every 0.2 s), caught up $(python3 -c "print(f'{($t1-$t0)*1000:.0f}')") ms after the load stopped"
grep -c "replica behind the reply" $P/gw-b.log | sed 's/^/gateway B answers that waited past 5 s: /'
