#!/usr/bin/env bash
# State per trace, byte by byte: the correlator's keyed state per state name in RocksDB (the job's options),
# after the e2e benchmark's traffic went through it and closed, flushed and fully compacted (StateFootprint).
#   bench/state.sh [--traces N] [--spans-per-trace N] [--long-tail SHARE] [--phase open|closed] [--flink KEY=VALUE]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
ROOT=$PWD
# shellcheck source=bench/lib.sh
source bench/lib.sh
bench_args bench/state.sh "" "$@"
CP_FILE=$ROOT/bench/target/e2e-classpath.txt
bench_build ""
# The traffic is generated and held on the heap before it goes through: 2 GiB for the default 20,000 traces,
# ~10 GiB for 100,000 (STATE_HEAP, e.g. STATE_HEAP=10g).
exec java "-Xmx${STATE_HEAP:-2g}" -Dlog4j2.configurationFile="$ROOT/bench/target/classes/e2e-log4j2.properties" \
    -cp "$ROOT/bench/target/classes:$(cat "$CP_FILE")" org.correlationstation.bench.state.StateFootprint "${ARGS[@]}"
