#!/usr/bin/env bash
# Query API benchmark (issue: query API). One machine: redis-server, the API, and the load drivers.
#   bench/api.sh [--records N] [--seconds S] [--redis-cluster]
# --redis-cluster: the API (and redis-benchmark) against a Redis Cluster of 3 primaries and 3 replicas
#                  (bench/redis-cluster.sh) instead of one redis-server
# Last line: api: <req/s> req/s saturated, p99 <ms> ms at 5k req/s, redis GET <req/s> req/s
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
ROOT=$PWD
RECORDS=100000
CLUSTER=
SECONDS_PER_RATE=30
# Unmeasured warm-up at each rate first: the API starts cold, and JIT compilation competing for the
# 2 cores turns the first seconds into 504s (API_QUERY_TIMEOUT_MS is 50 ms).
WARMUP_SECONDS=15
while [[ $# -gt 0 ]]; do
    case $1 in
        --records) RECORDS=$2; shift 2 ;;
        --seconds) SECONDS_PER_RATE=$2; shift 2 ;;
        --redis-cluster) CLUSTER=1; shift ;;
        *) echo "usage: bench/api.sh [--records N] [--seconds S] [--redis-cluster]" >&2; exit 64 ;;
    esac
done

need() { command -v "$1" >/dev/null 2>&1; }
missing=()
need redis-server || missing+=(redis-server)
need redis-benchmark || missing+=(redis-tools)
need wrk || missing+=(wrk)
if [[ ${#missing[@]} -gt 0 ]]; then
    if [[ $(id -u) -eq 0 ]]; then
        apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
    else
        echo "missing tools; run: sudo apt-get install -y ${missing[*]}" >&2; exit 1
    fi
fi

API_JAR=$ROOT/api/target/correlation-station-api-0.2.0-SNAPSHOT.jar
BENCH_JAR=$ROOT/bench/target/correlation-station-bench-0.2.0-SNAPSHOT.jar
if [[ ! -f $API_JAR || ! -f $BENCH_JAR ]]; then
    mvn -B -ntp -q -DskipTests -pl api,bench -am package
fi

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
WORK=$(mktemp -d)
REDIS_PORT=$(free_port)
API_PORT=$(free_port)
cleanup() {
    [[ -n ${API_PID:-} ]] && kill "$API_PID" 2>/dev/null || true
    if [[ -n ${CLUSTER:-} ]]; then
        bench/redis-cluster.sh stop --dir "$WORK/cluster" || true
    else
        redis-cli -p "$REDIS_PORT" shutdown nosave >/dev/null 2>&1 || true
    fi
    rm -rf "$WORK"
}
trap cleanup EXIT

if [[ -n ${CLUSTER:-} ]]; then
    # six consecutive free ports, each with its cluster bus port (+10000) free
    while :; do
        REDIS_PORT=$(( (RANDOM % 10000) + 30000 ))
        ok=1
        for p in $(seq "$REDIS_PORT" $((REDIS_PORT + 5))); do
            for q in "$p" $((p + 10000)); do (echo >"/dev/tcp/127.0.0.1/$q") 2>/dev/null && ok=; done
        done
        [[ -n $ok ]] && break
    done
    REDIS_URL=$(bench/redis-cluster.sh start --dir "$WORK/cluster" --base-port "$REDIS_PORT" | sed -n 's/^REDIS_URL=//p')
    REDIS_BENCHMARK=(redis-benchmark --cluster -p "$REDIS_PORT")
    REDIS_DESCRIBED="a Redis Cluster (3 primaries, 3 replicas)"
else
    redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --save "" --appendonly no --daemonize yes \
        --dir "$WORK" --logfile "$WORK/redis.log"
    until redis-cli -p "$REDIS_PORT" ping >/dev/null 2>&1; do sleep 0.1; done
    REDIS_URL=redis://127.0.0.1:$REDIS_PORT
    REDIS_BENCHMARK=(redis-benchmark -p "$REDIS_PORT")
    REDIS_DESCRIBED="one redis-server"
fi

echo "== seeding $RECORDS records through the job's Redis writer"
java -cp "$BENCH_JAR" org.correlationstation.bench.api.SeedRedis \
    --redis-url "$REDIS_URL" --count "$RECORDS" --out "$WORK/ids.txt"

echo "== starting the API on :$API_PORT (rate limit off)"
PORT=$API_PORT REDIS_URL=$REDIS_URL API_RATE_LIMIT_RPS=0 LOG_LEVEL=warn \
    java -Xms512m -Xmx1g -jar "$API_JAR" > "$WORK/api.log" 2>&1 &
API_PID=$!
for _ in $(seq 1 300); do
    curl -fsS "http://127.0.0.1:$API_PORT/health/ready" >/dev/null 2>&1 && break
    sleep 0.1
done
curl -fsS "http://127.0.0.1:$API_PORT/health/ready" >/dev/null || { cat "$WORK/api.log"; exit 1; }

loadavg() { cut -d' ' -f1-3 /proc/loadavg; }
load() {
    java -cp "$BENCH_JAR" org.correlationstation.bench.api.ConstantRateLoad \
        --url "http://127.0.0.1:$API_PORT" --ids "$WORK/ids.txt" --rate "$1" --seconds "$SECONDS_PER_RATE" \
        --warmup-seconds "$WARMUP_SECONDS" | tail -2 | paste -sd' ' -  # "errors by status: {…}" when there were errors
}
# The machine's load before each run goes into the results: other work on a 2-core machine moves
# every figure here, and the load says how much.
L1K=$(loadavg); echo "== constant rate 1000/s for ${SECONDS_PER_RATE}s (load $L1K)"
R1K=$(load 1000); echo "$R1K"
L5K=$(loadavg); echo "== constant rate 5000/s for ${SECONDS_PER_RATE}s (load $L5K)"
R5K=$(load 5000); echo "$R5K"

LSAT=$(loadavg); echo "== saturation (wrk, 2 threads, 64 connections, 20 s) (load $LSAT)"
cat > "$WORK/lookup.lua" <<LUA
local ids = {}
for line in io.lines("$WORK/ids.txt") do ids[#ids + 1] = line end
local i = 0
request = function()
  i = i + 1
  return wrk.format("GET", "/api/correlations?trace_id=" .. ids[(i % #ids) + 1])
end
LUA
WRK_OUT=$(wrk -t2 -c64 -d20s -s "$WORK/lookup.lua" "http://127.0.0.1:$API_PORT")
echo "$WRK_OUT"
SAT=$(awk '/Requests\/sec/ {print $2}' <<<"$WRK_OUT")
SAT_NON2XX=$(awk '/Non-2xx/ {print $5}' <<<"$WRK_OUT"); SAT_NON2XX=${SAT_NON2XX:-0}
SAT_TOTAL=$(awk '/requests in/ {print $1}' <<<"$WRK_OUT")

LRB=$(loadavg); echo "== redis-benchmark GET on the same machine (load $LRB)"
RB=$("${REDIS_BENCHMARK[@]}" -t get -n 300000 --csv | awk -F'"' '/^"GET"/ {print $4}')
echo "GET: $RB requests per second"

P99_5K=$(sed -E 's/.*p99_ms=([0-9.]+).*/\1/' <<<"$R5K")
mkdir -p bench/results
RESULT=bench/results/api-$(date -u +%Y%m%d-%H%M%S).md
{
    echo "# Query API benchmark, $(date -u +%FT%TZ)"
    echo
    echo "Machine: $(nproc) cores, $(free -g | awk '/Mem/ {print $2}') GiB; records: $RECORDS; one API JVM (-Xmx1g), $REDIS_DESCRIBED, drivers on the same machine."
    echo
    echo "| measure | load before (1/5/15 min) | result |"
    echo "|---|---|---|"
    echo "| constant 1k req/s (CO-corrected) | $L1K | $R1K |"
    echo "| constant 5k req/s (CO-corrected) | $L5K | $R5K |"
    echo "| saturation (wrk -t2 -c64 -d20s) | $LSAT | $SAT req/s ($SAT_NON2XX of $SAT_TOTAL answers not 2xx) |"
    echo "| redis-benchmark -t get | $LRB | $RB req/s |"
    echo
    echo "Command: \`bench/api.sh --records $RECORDS --seconds $SECONDS_PER_RATE${CLUSTER:+ --redis-cluster}\`"
} > "$RESULT"
echo "results in $RESULT"
echo "api: $SAT req/s saturated, p99 $P99_5K ms at 5k req/s, redis GET $RB req/s"
