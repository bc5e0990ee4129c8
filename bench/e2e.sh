#!/usr/bin/env bash
# End-to-end benchmark: broker, redis-server, the job on a MiniCluster, counting Loki/Tempo receivers,
# the reference pipeline, all in one JVM (see bench/README.md).
#   bench/e2e.sh [--duration SECONDS] [--soak SECONDS] [--soak-rate EVENTS_PER_S] [--warmup SECONDS] [--rounds N] [--warmup-rounds N] [--parallelism 1,2]
#                [--preload EVENTS] [--redis-cluster PRIMARIES] [--jfr | --asprof] [generator options, e.g. --spans-per-trace 20]
# --redis-cluster 3: the job also runs against a Redis Cluster of 3 primaries in every round, beside one redis-server
# --asprof: async-profiler CPU profile (Java, native and kernel frames, per thread) as collapsed stacks;
#           bench/asprof-top.sh FILE prints where each thread's CPU goes; ASPROF_EVENT=wall (with e.g.
#           ASPROF_INTERVAL=5ms) samples wall-clock time instead, which shows what a thread waits for
# Last line: e2e: <events/s> events/s, <ratio> of reference, freshness p99 <ms> ms[; redis cluster <events/s> events/s (<ratio> of one redis-server)]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
ROOT=$PWD
# shellcheck source=bench/lib.sh
source bench/lib.sh
bench_args bench/e2e.sh "asprof jfr" "$@"

if ! command -v redis-server >/dev/null 2>&1; then
    if [[ $(id -u) -eq 0 ]]; then
        apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server >/dev/null
    else
        echo "redis-server missing; run: sudo apt-get install -y redis-server" >&2; exit 1
    fi
fi

CP_FILE=$ROOT/bench/target/e2e-classpath.txt
bench_build ""
JAVA_OPTS=(-Xms3g -Xmx3g -XX:+UseG1GC -XX:+AlwaysPreTouch
    -Dlog4j2.configurationFile=$ROOT/bench/target/classes/e2e-log4j2.properties)
# Extra JVM flags for experiments, e.g. E2E_JAVA_OPTS="-XX:ReservedCodeCacheSize=512m"
read -r -a EXTRA <<<"${E2E_JAVA_OPTS:-}"
JAVA_OPTS+=("${EXTRA[@]}")
if [[ -n $JFR ]]; then
    STAMP=$(date +%Y%m%d-%H%M%S)
    JAVA_OPTS+=("-XX:StartFlightRecording=filename=$ROOT/bench/results/e2e-$STAMP.jfr,settings=profile,dumponexit=true")
    echo "JFR recording → bench/results/e2e-$STAMP.jfr (bench/jfr-top.sh FILE prints the top frames)" >&2
fi
if [[ -n $ASPROF ]]; then
    LIB=$(bench_asprof_lib)
    STAMP=$(date +%Y%m%d-%H%M%S)
    JAVA_OPTS+=("-agentpath:$LIB=start,event=${ASPROF_EVENT:-cpu},interval=${ASPROF_INTERVAL:-10ms},threads,file=$ROOT/bench/results/e2e-$STAMP.collapsed")
    echo "async-profiler → bench/results/e2e-$STAMP.collapsed (bench/asprof-top.sh FILE prints the top frames)" >&2
fi
echo "command: bench/e2e.sh ${ARGS[*]:-}${JFR:+ --jfr}${ASPROF:+ --asprof}" >&2
exec java "${JAVA_OPTS[@]}" -cp "$ROOT/bench/target/classes:$(cat "$CP_FILE")" \
    org.correlationstation.bench.e2e.E2eBenchmark --command "bench/e2e.sh ${ARGS[*]:-}${JFR:+ --jfr}${ASPROF:+ --asprof}" "${ARGS[@]}"
