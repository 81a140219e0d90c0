#!/usr/bin/env bash
# The gateway's CPU time per request, OLD against NEW, for the URLs of docs/perf-search-filters.sh:
# a figure a shared, loaded machine does not distort as it does latency. Runs on the copies
# docs/perf-search-filters.sh left in WORKDIR (already migrated by each build). Per URL and build:
# 3 requests to warm, then N sequential requests (curl); CPU = the gateway process's utime + stime
# (/proc/PID/stat, clock ticks) before and after, divided by N; and the median wall time.
# Usage: docs/perf-search-cpu.sh OLD_BIN NEW_BIN [N] [WORKDIR]   (N default 30)
set -u
OLD=$1; NEW=$2; N=${3:-30}; P=${4:-/tmp/perf-search-filters}
C="Cookie: cd_browser=0123456789abcdef0123456789abcdef; cd_role=staff"
A="X-CampusDesk-Role: agent"
HZ=$(getconf CLK_TCK)
CAMPUSDESK_SPOOL=$P/old/spool CAMPUSDESK_DATA=$P/old/data PORT=18481 $OLD gateway 2>$P/old/gw-cpu.log & GO=$!
CAMPUSDESK_SPOOL=$P/new/spool CAMPUSDESK_DATA=$P/new/data PORT=18482 $NEW gateway 2>$P/new/gw-cpu.log & GN=$!
sleep 3
cpu() { awk '{print $14 + $15}' /proc/$1/stat; }
# m PID PORT HEADER PATH: "CPU ms per request (wall median ms)"
m() {
    for _ in 1 2 3; do curl -s -o /dev/null -H "$3" "http://127.0.0.1:$2$4"; done
    local c0; c0=$(cpu $1)
    local med; med=$(for _ in $(seq 1 "$N"); do curl -s -o /dev/null -w '%{time_total}\n' -H "$3" "http://127.0.0.1:$2$4"; done |
        sort -n | awk '{a[NR]=$1} END{printf "%.2f", a[int((NR+1)/2)]*1000}')
    local c1; c1=$(cpu $1)
    awk -v t=$((c1 - c0)) -v n=$N -v hz=$HZ -v w=$med 'BEGIN{printf "%.2f ms CPU (wall %s ms)", t * 1000 / hz / n, w}'
}
echo "load: $(cat /proc/loadavg); $(date -u +%FT%TZ); N=$N"
for path in "/tickets?q=projector&category=facility" "/tickets?q=projector&category=facility&status=open" \
            "/tickets?q=projector&category=facility&sort=priority" "/tickets?q=projector&category=facility&sort=status" \
            "/tickets?q=projector&priority=P1" "/tickets?q=projector&status=closed" "/tickets?q=projector&status=active" \
            "/tickets?q=projector" "/tickets?q=projector+library" "/tickets?q=zebra" \
            "/api/tickets?q=projector&category=facility" "/api/tickets/similar?location=Main+hall&text=projector+flickers" \
            "/tickets?sla=at_risk" "/tickets?sla=on_track" "/tickets?sla=breached"; do
    h=$C; case $path in /api/*) h=$A;; esac
    echo "$path | old $(m $GO 18481 "$h" "$path") | new $(m $GN 18482 "$h" "$path")"
done
echo "load: $(cat /proc/loadavg); $(date -u +%FT%TZ)"
kill -TERM $GO $GN; wait $GO $GN 2>/dev/null
