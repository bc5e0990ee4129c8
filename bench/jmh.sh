#!/usr/bin/env bash
# JMH microbenchmarks of the hot paths (OTLP decode, correlator update, Redis record encode, Loki push
# encode), short configuration: bench/jmh.sh [JMH options, e.g. a benchmark regex or -prof gc]
# Writes bench/results/jmh-<timestamp>.txt (and .json); prints the table.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
ROOT=$PWD
CP_FILE=$ROOT/bench/target/e2e-classpath.txt
if [[ ! -f $CP_FILE || -n ${E2E_REBUILD:-} ]]; then
    mvn -B -ntp -q -o -DskipTests -pl bench -am package || mvn -B -ntp -q -DskipTests -pl bench -am package
fi
mkdir -p bench/results
STAMP=$(date +%Y%m%d-%H%M%S)
OUT=bench/results/jmh-$STAMP
CMD="java -cp bench/target/classes:\$(cat bench/target/e2e-classpath.txt) org.openjdk.jmh.Main -f 1 -wi 2 -i 3 -w 2s -r 3s $*"
{
    echo "# JMH $STAMP"
    echo "command: bench/jmh.sh $*  →  $CMD"
    echo "load average at start: $(cat /proc/loadavg)"
} | tee "$OUT.txt"
java -Dlog4j2.configurationFile="$ROOT/bench/target/classes/e2e-log4j2.properties" \
    -cp "bench/target/classes:$(cat "$CP_FILE")" org.openjdk.jmh.Main \
    -f 1 -wi 2 -i 3 -w 2s -r 3s -rf json -rff "$OUT.json" "$@" 2>&1 | tee -a "$OUT.txt"
echo "load average at end: $(cat /proc/loadavg)" | tee -a "$OUT.txt"
