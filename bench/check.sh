#!/usr/bin/env bash
# Verifies the correlation records in Redis against a load generator manifest:
#   bench/check.sh --redis-url redis://localhost:6379 --manifest sent.tsv
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
exec java -cp "bench/target/classes:$(cat bench/target/e2e-classpath.txt)" org.correlationstation.bench.check.RecordChecker "$@"
