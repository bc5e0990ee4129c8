#!/usr/bin/env bash
# The load generator: realistic OTLP traffic to Kafka or an OTLP/HTTP receiver (bench/load.sh --help).
#   bench/load.sh --bootstrap-servers localhost:9092 --rate 20000 --time 60 --manifest sent.tsv
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
ROOT=$PWD
CP_FILE=$ROOT/bench/target/e2e-classpath.txt
if [[ ! -f $CP_FILE || -n ${E2E_REBUILD:-} ]]; then
    mvn -B -ntp -q -o -DskipTests -pl bench -am package || mvn -B -ntp -q -DskipTests -pl bench -am package
fi
exec java -Dlog4j2.configurationFile="$ROOT/bench/target/classes/e2e-log4j2.properties" \
    -cp "$ROOT/bench/target/classes:$(cat "$CP_FILE")" org.correlationstation.bench.load.LoadGenerator "$@"
