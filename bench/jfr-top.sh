#!/usr/bin/env bash
# Top costs in a JFR recording from bench/e2e.sh --jfr: bench/jfr-top.sh FILE [N] [THREAD-NAME-PART]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
exec java -cp "bench/target/classes:$(cat bench/target/e2e-classpath.txt)" org.correlationstation.bench.profile.JfrTop "$@"
