#!/usr/bin/env bash
# Front-door benchmark: local mode end to end (OTLP/HTTP in → the job → records served by its API), saturated with
# protobuf and with JSON bodies, then CPU per record at a constant rate (see bench/README.md).
#   bench/frontdoor.sh [--events N] [--json-events N] [--warmup-events N] [--connections N] [--rate RECORDS_PER_S]
#                      [--rate-seconds S] [--rate-warmup S (default: the correlation window + 20)] [--round-events N]
#                      [--old-service DIR [--old-service-app MODULE:APP] [--old-service-env K=V,K=V]] [--asprof]
# --old-service: the old Python service's checkout, started with uvicorn (exporters off) and measured the same way
#                (JSON bodies); without it, our figures are compared with those the issue quoted for it
# --asprof: async-profiler CPU profile of local mode during the constant-rate measured run, to
#           bench/results/frontdoor-<stamp>-constant.collapsed (bench/asprof-top.sh FILE)
# LOCAL_JAVA_OPTS: JVM options of local mode (its JAVA_OPTS; default none, as the launcher runs it)
# Last line: frontdoor: <N> records/s protobuf, <N> records/s JSON, <µs> CPU per record at 12000/s
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
ROOT=$PWD
COMMAND="bench/frontdoor.sh${*:+ $*}${LOCAL_JAVA_OPTS:+ (LOCAL_JAVA_OPTS=$LOCAL_JAVA_OPTS)}"
# shellcheck source=bench/lib.sh
source bench/lib.sh
bench_args "bench/frontdoor.sh" asprof "$@"
CP_FILE=$ROOT/bench/target/e2e-classpath.txt
bench_build local "$ROOT/local/target/correlation-station-local-0.2.0-SNAPSHOT.jar"
if [[ -n $ASPROF ]]; then
    ARGS+=(--asprof-lib "$(bench_asprof_lib)")
fi
echo "command: $COMMAND" >&2
exec java -Xms3g -Xmx3g -XX:+UseG1GC -Dlog4j2.configurationFile="$ROOT/bench/target/classes/e2e-log4j2.properties" \
    -cp "$ROOT/bench/target/classes:$(cat "$CP_FILE")" org.correlationstation.bench.frontdoor.FrontdoorBenchmark \
    --root "$ROOT" --command "$COMMAND" --local-java-opts "${LOCAL_JAVA_OPTS:-}" "${ARGS[@]}"
