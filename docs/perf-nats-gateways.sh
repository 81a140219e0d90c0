#!/usr/bin/env bash
# POST throughput of one gateway on the spool against two gateways on NATS JetStream (one node,
# then a three-node cluster with replicas 3), side by side in one run (issue 19; docs/performance.md,
# "Two gateways on NATS"). Needs wrk and nats-server (Debian's nats-server).
# Usage: docs/perf-nats-gateways.sh .build/release/campusdesk [ROUNDS] [SECONDS]
# Each setup runs the ticket worker, the four analytics workers and its gateway(s) on a fresh data
# directory; wrk POSTs a new ticket per request through the JSON API (perf_post_lua) with 64
# connections in all: 64 on the spool's gateway, 32 on each of the two NATS gateways (same data
# directory, ports 28491 and 28492). The setups alternate ROUNDS times (default 2) so each sees
# the same load from the rest of the machine. Each line also gives the CPU every process used
# during the run (ms of user+system per second of wall time: 1000 is one whole core).
set -u
BIN=$(cd "$(dirname "$1")" && pwd)/$(basename "$1"); ROUNDS=${2:-2}; SECS=${3:-10}
P=/tmp/perf-nats-gateways; HERE=$(cd "$(dirname "$0")" && pwd)
rm -rf $P; mkdir -p $P
. "$HERE/perf-lib.sh"
perf_post_lua $P/post.lua
NATS=$(command -v nats-server || echo /usr/sbin/nats-server)
PIDS=""; NAMES=""

# run NAME CMD...: starts a process in the background, its log in $P/<setup>/NAME.log.
run() { local n=$1; shift; "$@" >$D/$n.log 2>&1 & PIDS="$PIDS $!"; NAMES="$NAMES $n"; }
cpu() { awk '{print $14 + $15}' /proc/$1/stat 2>/dev/null || echo 0; }
ready() {  # ready PORT: waits (up to 120 s) for /readyz 200
    for _ in $(seq 1 240); do
        [ "$(curl -s --max-time 2 -o /dev/null -w '%{http_code}' http://127.0.0.1:$1/readyz)" = 200 ] && return 0; sleep 0.5
    done
    echo "gateway on $1 not ready"; return 1
}
stop_all() { kill $PIDS 2>/dev/null; wait $PIDS 2>/dev/null; PIDS=""; NAMES=""; }

# setup NAME BROKER GATEWAYS: a fresh data directory, the workers, 1 or 2 gateways, then wrk.
setup() {
    local name=$1 broker=$2 gateways=$3
    D=$P/$name-$round; mkdir -p $D/spool $D/data
    export CAMPUSDESK_SPOOL=$D/spool CAMPUSDESK_DATA=$D/data CAMPUSDESK_BROKER=$broker
    for port in 28491 28492 24991 24992 24993; do
        if (echo >/dev/tcp/127.0.0.1/$port) 2>/dev/null; then echo "port $port is taken"; return; fi
    done
    if [ "$name" = nats1 ]; then
        run nats $NATS -js -a 127.0.0.1 -p 24991 -sd $D/n1
    elif [ "$name" = nats3 ]; then
        for i in 1 2 3; do
            routes=$(for j in 1 2 3; do [ $j != $i ] && printf 'nats://127.0.0.1:2699%d,' $j; done)
            run nats$i $NATS -js -a 127.0.0.1 -p 2499$i -sd $D/n$i --cluster nats://127.0.0.1:2699$i \
                --routes ${routes%,} --cluster_name c --server_name n$i
        done
    fi
    run ticket-worker $BIN ticket-worker
    for a in open-tickets resolution-time category-load service-levels; do run $a $BIN analytics $a; done
    for g in $(seq 1 $gateways); do run gateway$g env PORT=2849$g $BIN gateway; done
    for g in $(seq 1 $gateways); do ready 2849$g || { stop_all; return; }; done
    sleep 2
    local before=() i=0
    for p in $PIDS; do before[$i]=$(cpu $p); i=$((i+1)); done
    local t0=$(date +%s.%N) conns=$((64 / gateways)) loads=""
    for g in $(seq 1 $gateways); do
        wrk -t1 -c$conns -d${SECS}s --latency -s $P/post.lua http://127.0.0.1:2849$g/api/tickets >$D/wrk$g.txt 2>&1 &
        loads="$loads $!"
    done
    wait $loads
    local wall=$(echo "$(date +%s.%N) - $t0" | bc)
    local rps=$(cat $D/wrk*.txt | awk '/Requests\/sec/{s+=$2} END{printf "%.0f", s}')
    local p50=$(cat $D/wrk*.txt | awk '/ 50%/{printf "%s ", $2}') p99=$(cat $D/wrk*.txt | awk '/ 99%/{printf "%s ", $2}')
    local usage="" j=0 names=($NAMES)
    for p in $PIDS; do
        usage="$usage ${names[$j]}=$(echo "($(cpu $p) - ${before[$j]}) * 10 / $wall" | bc)"; j=$((j+1))
    done
    sleep 3
    local answers=$(cat $D/gateway*.log | grep -o 'http.path=/api/tickets http.status=[0-9]*' | sed 's/.*=//' | sort | uniq -c | awk '{printf "%s×%s ", $1, $2}')
    stop_all
    # The worker's group commit: commands per committed batch (from its stop line).
    local batches=$(grep -o 'commands.processed=[0-9]* batches.committed=[0-9]*' $D/ticket-worker.log | tr -dc '0-9 =' | awk -F'[ =]+' '{if ($3 > 0) printf "%d commands in %d batches (%.1f per batch)", $2, $3, $2/$3}')
    echo "$name round $round: $rps POST/s (p50 $p50, p99 $p99); answers $answers; worker $batches; CPU ms/s:$usage"

}

echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs); $(uname -sr); $(date -u '+%F %H:%M UTC'); load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "nats-server $($NATS --version | awk '{print $2}'); wrk -c64 in all, ${SECS} s per run"
for round in $(seq 1 $ROUNDS); do
    setup spool "" 1
    setup nats1 nats://127.0.0.1:24991 2
    setup nats3 "nats://127.0.0.1:24991,127.0.0.1:24992,127.0.0.1:24993?replicas=3" 2
done
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
