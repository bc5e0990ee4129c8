#!/usr/bin/env bash
# Ingest service benchmark: the ingest JVM (bin/correlation-station ingest) against a Kafka broker JVM,
# driven over OTLP/HTTP protobuf, OTLP/gRPC and OTLP/HTTP JSON, saturated and at a constant rate (see bench/README.md).
#   bench/ingest.sh [--seconds S] [--warmup S] [--jvm-warmup S] [--rate EVENTS_PER_S] [--rate-seconds S] [--rate-warmup S]
#                   [--protocols protobuf,grpc,json] [--connections N] [--grpc-channels N] [--grpc-in-flight N]
#                   [--partitions N] [--round-events N] [--asprof]
# --rate: the constant-rate phases' rate (default: half of each protocol's saturated rate)
# --asprof: async-profiler CPU profile of the ingest JVM during each saturated measured run (collapsed stacks, per thread)
#           to bench/results/ingest-<stamp>-<protocol>.collapsed; bench/asprof-top.sh FILE prints where each thread's CPU goes
# INGEST_JAVA_OPTS: JVM options of the ingest service (its JAVA_OPTS; default none, as the launcher runs it)
# Last line: ingest: <N> events/s OTLP/HTTP protobuf, <N> events/s OTLP/gRPC, <N> events/s OTLP/HTTP JSON
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
ROOT=$PWD
COMMAND="bench/ingest.sh${*:+ $*}${INGEST_JAVA_OPTS:+ (INGEST_JAVA_OPTS=$INGEST_JAVA_OPTS)}"
# shellcheck source=bench/lib.sh
source bench/lib.sh
bench_args "bench/ingest.sh" asprof "$@"
CP_FILE=$ROOT/bench/target/e2e-classpath.txt
bench_build ingest "$ROOT/ingest/target/correlation-station-ingest-0.2.0-SNAPSHOT.jar"
if [[ -n $ASPROF ]]; then
    # The bench loads it into the running ingest JVM (jcmd JVMTI.agent_load) around each measured run.
    ARGS+=(--asprof-lib "$(bench_asprof_lib)")
fi
echo "command: $COMMAND" >&2
exec java -Xms2g -Xmx2g -XX:+UseG1GC -Dlog4j2.configurationFile="$ROOT/bench/target/classes/e2e-log4j2.properties" \
    -cp "$ROOT/bench/target/classes:$(cat "$CP_FILE")" org.correlationstation.bench.ingest.IngestBenchmark \
    --root "$ROOT" --command "$COMMAND" --ingest-java-opts "${INGEST_JAVA_OPTS:-}" "${ARGS[@]}"
