#!/usr/bin/env bash
# Build and run the libFuzzer targets. See docs/fuzzing.md.
#
#   Fuzz/fuzz.sh build [target...]          build (all targets when none named)
#   Fuzz/fuzz.sh run [target...]            build, then run each for FUZZ_SECONDS (default 60)
#   Fuzz/fuzz.sh replay [target...]         build, then run each over its committed corpus once
#   Fuzz/fuzz.sh list                       print the target names
#   FUZZ_JOBS=N                             targets built and run at once (default: the number of cores)
#   FUZZ_SKIP_BUILD=1                       run/replay the binaries already built (CI: .ci/prebuild)
#
# Each target is compiled with `swiftc -sanitize=fuzzer,address` from its entry file in
# Fuzz/Targets plus an explicit list of library sources (below), as one module, so the entry can
# see internal symbols. A new dependency of the code under test shows up as a build error here,
# never as a silently skipped target. Any crash, sanitizer report, leak, timeout or broken
# invariant makes the script exit non-zero; the input is kept under .build/fuzz/artifacts/.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
export PATH="/opt/swift/usr/bin:$PATH"
# Without this the Swift runtime's backtracer takes over the crash signal and the fuzzer hangs.
export SWIFT_BACKTRACE=enable=no

FUZZ_SECONDS=${FUZZ_SECONDS:-60}
FUZZ_JOBS=${FUZZ_JOBS:-$(nproc)}
OUT=${FUZZ_OUT:-$ROOT/.build/fuzz}
TARGETS=(http-parser form-decoding csv-import envelope multipart)

# --- sources per target (a glob of a whole module, or single files) -------------------------
sources_for() {
    case "$1" in
        http-parser)
            ls Sources/HTTPServer/*.swift
            echo Fuzz/Targets/FuzzHTTPParser.swift ;;
        form-decoding)
            # Self-contained on purpose (pure, stdlib only); a new dependency fails this build.
            echo Sources/WebGateway/FormDecoding.swift
            echo Fuzz/Targets/FuzzFormDecoding.swift ;;
        csv-import)
            # The CSV code and the domain types it maps rows to; no SQLite, no resources.
            ls Sources/CSV/*.swift Sources/Domain/*.swift
            echo Fuzz/Targets/FuzzCSVImport.swift ;;
        envelope)
            # The envelope, its JSON scanner, the queue name rules and the domain types.
            ls Sources/SpoolBroker/{Envelope,Envelope+JSON,QueueName,SpoolError}.swift Sources/Domain/*.swift
            echo Fuzz/Targets/FuzzEnvelope.swift ;;
        multipart)
            # The whole Uploads module: pure, stdlib only (a new dependency fails this build).
            ls Sources/Uploads/*.swift
            echo Fuzz/Targets/FuzzMultipart.swift ;;
        *) echo "fuzz: unknown target '$1' (known: ${TARGETS[*]})" >&2; return 64 ;;
    esac
    echo Fuzz/Targets/FuzzCheck.swift
}

# Extra swiftc flags per target (C modules, libraries).
flags_for() {
    case "$1" in
        *) ;;
    esac
}

# --- toolchain check: fail loudly, never skip ------------------------------------------------
check_toolchain() {
    command -v swiftc >/dev/null || { echo "fuzz: swiftc not found on PATH" >&2; exit 1; }
    local probe; probe=$(mktemp -d)
    printf '@_cdecl("LLVMFuzzerTestOneInput") public func f(_ d: UnsafePointer<UInt8>, _ n: Int) -> CInt { 0 }\n' >"$probe/p.swift"
    if ! swiftc -sanitize=fuzzer,address -parse-as-library -module-name Probe $LINKER "$probe/p.swift" -o "$probe/p" >"$probe/log" 2>&1; then
        echo "fuzz: this toolchain cannot build libFuzzer targets (swiftc -sanitize=fuzzer,address failed):" >&2
        cat "$probe/log" >&2
        rm -rf "$probe"; exit 1
    fi
    rm -rf "$probe"
}

# lld links quietly; gold prints hundreds of harmless "Cannot export local symbol __asan_*" lines.
LINKER=""
if command -v ld.lld >/dev/null; then LINKER="-use-ld=lld"; fi

# The sources of one target come from several SwiftPM modules but compile here as ONE module, so
# their imports of each other (`import Domain`) are dropped in a copy under $OUT/src/<target>.
OWN_MODULES=$(cd Sources && ls -d */ | tr -d / | paste -sd'|')
flatten() {
    local t=$1 dir="$OUT/src/$t" f
    rm -rf "$dir"; mkdir -p "$dir"
    for f in $(sources_for "$t"); do
        sed -E "/^import ($OWN_MODULES)\$/d" \
            "$f" >"$dir/$(echo "$f" | tr '/' '_')"
        echo "$dir/$(echo "$f" | tr '/' '_')"
    done
}

build_one() {
    local t=$1 srcs
    srcs=$(flatten "$t")
    mkdir -p "$OUT/bin"
    echo "fuzz: building $t"
    # -O: the fuzzer's speed is its reach. -g: symbolized stack traces in reports.
    # shellcheck disable=SC2046,SC2086
    # Its own log: builds run side by side, and a failure shows one target's errors whole.
    mkdir -p "$OUT/logs"
    if ! swiftc -sanitize=fuzzer,address -parse-as-library -O -g -swift-version 6 \
        -module-name "Fuzz_${t//-/_}" $LINKER $(flags_for "$t") \
        $srcs -o "$OUT/bin/$t" >"$OUT/logs/$t.build.log" 2>&1; then
        echo "fuzz: building $t FAILED:" >&2; cat "$OUT/logs/$t.build.log" >&2; return 1
    fi
}

run_one() {
    local t=$1 seconds=$2 work="$OUT/corpus/$t" art="$OUT/artifacts/$t/" log="$OUT/logs/$t.log"
    mkdir -p "$work" "$art" "$(dirname "$log")"
    local dict=(); [[ -f Fuzz/Dictionaries/$t.dict ]] && dict=(-dict="Fuzz/Dictionaries/$t.dict")
    echo "fuzz: running $t for ${seconds}s (log $log)"
    local rc=0
    # New inputs go to the work dir (git-ignored); the committed seeds are read only.
    "$OUT/bin/$t" "${dict[@]}" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
        -max_len=8192 -print_final_stats=1 -artifact_prefix="$art" \
        "$work" "Fuzz/Corpus/$t" >"$log" 2>&1 || rc=$?
    summarize "$t" "$log"
    if [[ $rc -ne 0 ]]; then
        echo "fuzz: $t FAILED (exit $rc); input saved under $art" >&2
        grep -E -A30 'fuzz invariant failed|ERROR: (AddressSanitizer|libFuzzer)|Fatal error|deadly signal' "$log" | head -60 >&2 || tail -40 "$log" >&2
        return 1
    fi
}

replay_one() {
    local t=$1 log="$OUT/logs/$t.replay.log"
    mkdir -p "$(dirname "$log")"
    echo "fuzz: replaying the committed corpus of $t"
    if ! "$OUT/bin/$t" -runs=0 "Fuzz/Corpus/$t" >"$log" 2>&1; then
        echo "fuzz: $t FAILED on its committed corpus" >&2; tail -40 "$log" >&2; return 1
    fi
}

summarize() {
    local t=$1 log=$2 execs secs cov ft units
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
    secs=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
    cov=$(grep -oE 'cov: [0-9]+' "$log" | tail -1 | awk '{print $2}')
    ft=$(grep -oE 'ft: [0-9]+' "$log" | tail -1 | awk '{print $2}')
    units=$(grep -oE 'corp: [0-9]+' "$log" | tail -1 | awk '{print $2}')
    echo "fuzz: $t runs=${execs:-?} exec/s=${secs:-?} cov=${cov:-?} ft=${ft:-?} corpus=${units:-?}"
}

cmd=${1:-run}; shift || true
selected=("$@"); [[ ${#selected[@]} -eq 0 ]] && selected=("${TARGETS[@]}")
case "$cmd" in
    list) printf '%s\n' "${TARGETS[@]}"; exit 0 ;;
    build|run|replay) ;;
    *) echo "usage: Fuzz/fuzz.sh build|run|replay|list [target...]" >&2; exit 64 ;;
esac
[[ "$FUZZ_SECONDS" =~ ^[0-9]+$ ]] || { echo "fuzz: FUZZ_SECONDS must be a whole number, got '$FUZZ_SECONDS'" >&2; exit 64; }
[[ "$FUZZ_JOBS" =~ ^[1-9][0-9]*$ ]] || { echo "fuzz: FUZZ_JOBS must be a positive whole number, got '$FUZZ_JOBS'" >&2; exit 64; }

# each_target FN ARGS...: FN TARGET ARGS... for every selected target, FUZZ_JOBS at a time (default:
# the number of cores). Each target builds and fuzzes on one core, so on CI's 2 cores two at once
# halve the wall time at the same inputs per target. Exits non-zero when any of them failed.
each_target() {
    local fn=$1 t pid failed=0; shift
    local -a running=()
    for t in "${selected[@]}"; do
        if [[ ${#running[@]} -ge $FUZZ_JOBS ]]; then
            wait "${running[0]}" || failed=1
            running=("${running[@]:1}")
        fi
        "$fn" "$t" "$@" &
        running+=($!)
    done
    for pid in "${running[@]}"; do wait "$pid" || failed=1; done
    return $failed
}

check_toolchain
# FUZZ_SKIP_BUILD=1 (CI, after .ci/prebuild built them): run the binaries already built, when all are there.
prebuilt=1
for t in "${selected[@]}"; do [[ -x "$OUT/bin/$t" ]] || prebuilt=0; done
if [[ "${FUZZ_SKIP_BUILD:-0}" == 1 && $prebuilt == 1 ]]; then
    echo "fuzz: using the targets built before (FUZZ_SKIP_BUILD=1)"
else
    each_target build_one || { echo "fuzz: a target failed to build" >&2; exit 1; }
fi
case "$cmd" in
    build) exit 0 ;;
    run) each_target run_one "$FUZZ_SECONDS" ;;
    replay) each_target replay_one ;;
esac
