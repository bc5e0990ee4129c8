#!/usr/bin/env bash
# Front-door benchmark: local mode end to end (OTLP/HTTP in → the job → records served by its API), saturated with
# protobuf and with JSON bodies, then CPU per record at a constant rate (see bench/README.md).
#   bench/frontdoor.sh [--events N] [--json-events N] [--warmup-events N] [--connections N] [--rate RECORDS_PER_S]
#                      [--rate-seconds S] [--rate-warmup S] [--round-events N]
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
ARGS=()
ASPROF=""
while [[ $# -gt 0 ]]; do
    case $1 in
        --asprof) ASPROF=1; shift ;;
        -h|--help) sed -n 2,12p "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        --*) [[ $# -ge 2 ]] || { echo "$1 needs a value" >&2; exit 64; }; ARGS+=("$1" "$2"); shift 2 ;;
        *) echo "unexpected argument $1 (see bench/frontdoor.sh --help)" >&2; exit 64 ;;
    esac
done

CP_FILE=$ROOT/bench/target/e2e-classpath.txt
LOCAL_JAR=$ROOT/local/target/correlation-station-local-0.2.0-SNAPSHOT.jar
if [[ ! -f $CP_FILE || ! -f $LOCAL_JAR || -n ${E2E_REBUILD:-} ]]; then
    mvn -B -ntp -q -o -DskipTests -Djacoco.skip=true -pl local,bench -am package ||
        mvn -B -ntp -q -DskipTests -Djacoco.skip=true -pl local,bench -am package
fi
mkdir -p "$ROOT/bench/results"
if [[ -n $ASPROF ]]; then
    # The profiler ships inside the Pyroscope agent the job already depends on (observability/): no download.
    AGENT_JAR=$(ls "$HOME"/.m2/repository/io/pyroscope/agent/*/agent-*.jar | sort -V | tail -1)
    LIB=$ROOT/bench/target/libasyncProfiler.so
    [[ -f $LIB ]] || unzip -p "$AGENT_JAR" libasyncProfiler-linux-x64.so > "$LIB"
    ARGS+=(--asprof-lib "$LIB")
fi
echo "command: $COMMAND" >&2
exec java -Xms3g -Xmx3g -XX:+UseG1GC -Dlog4j2.configurationFile="$ROOT/bench/target/classes/e2e-log4j2.properties" \
    -cp "$ROOT/bench/target/classes:$(cat "$CP_FILE")" org.correlationstation.bench.frontdoor.FrontdoorBenchmark \
    --root "$ROOT" --command "$COMMAND" --local-java-opts "${LOCAL_JAVA_OPTS:-}" "${ARGS[@]}"
