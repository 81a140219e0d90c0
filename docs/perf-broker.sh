#!/usr/bin/env bash
# The broker side by side in one run (issue 19; docs/performance.md, "The spool, one NATS node and
# a three-node cluster in one run"): single durable sends, batched throughput and request/reply
# p50/p99 on the spool, on one nats-server and on three clustered on loopback (replicas 3).
# Usage: docs/perf-broker.sh .build/release/campusdesk-bench   (needs Debian's nats-server)
set -u
BENCH=$1
P=/tmp/perf-broker; rm -rf $P; mkdir -p $P
NATS=$(command -v nats-server || echo /usr/sbin/nats-server)
PIDS=""
trap 'kill $PIDS 2>/dev/null; wait $PIDS 2>/dev/null' EXIT
for port in 24981 24971 24972 24973 26971 26972 26973; do
    if (echo >/dev/tcp/127.0.0.1/$port) 2>/dev/null; then echo "port $port is taken"; exit 1; fi
done
$NATS -js -a 127.0.0.1 -p 24981 -sd $P/single >$P/single.log 2>&1 & PIDS="$PIDS $!"
for i in 1 2 3; do
    routes=$(for j in 1 2 3; do [ $j != $i ] && printf 'nats://127.0.0.1:2697%d,' $j; done)
    $NATS -js -a 127.0.0.1 -p 2497$i -sd $P/n$i --cluster nats://127.0.0.1:2697$i --routes ${routes%,} \
        --cluster_name perf --server_name n$i >$P/n$i.log 2>&1 & PIDS="$PIDS $!"
done
# The cluster is usable once its meta group has a leader (the broker also rides out elections).
for _ in $(seq 1 60); do grep -q "JetStream cluster new metadata leader\|Self is new JetStream cluster metadata leader" $P/n*.log && break; sleep 0.5; done
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs); $(uname -sr); $(date -u '+%F %H:%M UTC'); load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "nats-server $($NATS --version | awk '{print $2}')"
$BENCH broker --dir $P/spool --nats nats://127.0.0.1:24981 \
    --nats 'nats://127.0.0.1:24971,127.0.0.1:24972,127.0.0.1:24973?replicas=3'
echo "load at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
