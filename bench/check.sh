#!/usr/bin/env bash
# Verifies the correlation records in Redis against a load generator manifest:
#   bench/check.sh --redis-url redis://localhost:6379 --manifest sent.tsv [--api-url http://localhost:8080 [--api-token T] [--since-ms EPOCH_MS]]
#   bench/check.sh --records api --api-url http://localhost:8080 --manifest sent.tsv   (records through the query API: local mode)
# --api-url: also the service graph (GET /api/graph since --since-ms, default 24 h ago): every parent→child
#            pair's calls and errors as sent
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
exec java -cp "bench/target/classes:$(cat bench/target/e2e-classpath.txt)" org.correlationstation.bench.check.RecordChecker "$@"
