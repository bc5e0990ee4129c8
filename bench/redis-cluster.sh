#!/usr/bin/env bash
# A local Redis Cluster from Debian's redis-server, for trying the job, local mode and the API on one:
#   bench/redis-cluster.sh start [--dir D] [--base-port P] [--primaries N] [--replicas R]
#   bench/redis-cluster.sh stop  [--dir D]
# Prints the REDIS_URL to use (redis://127.0.0.1:P,…?cluster=true). Node ports are P, P+1, …; the
# cluster bus uses port+10000. Persistence is off; a node killed with `kill -9` and started again
# (`bench/redis-cluster.sh restart --port X`) rejoins as a replica.
set -euo pipefail
cmd=${1:-}; shift || true
dir=/tmp/redis-cluster; base=37000; primaries=3; replicas=1; port=
while [[ $# -gt 0 ]]; do
  case $1 in
    --dir) dir=$2; shift 2;; --base-port) base=$2; shift 2;;
    --primaries) primaries=$2; shift 2;; --replicas) replicas=$2; shift 2;;
    --port) port=$2; shift 2;;
    *) echo "unknown argument $1" >&2; exit 2;;
  esac
done
node() {
  local p=$1
  redis-server --port "$p" --bind 127.0.0.1 --cluster-enabled yes --cluster-config-file "nodes-$p.conf" \
    --cluster-node-timeout 2000 --save "" --appendonly no --dir "$dir" --daemonize yes \
    --pidfile "$dir/redis-$p.pid" --logfile "$dir/redis-$p.log"
}
case $cmd in
  start)
    mkdir -p "$dir"
    n=$(( primaries * (1 + replicas) )); hosts=()
    for i in $(seq 0 $((n - 1))); do node $((base + i)); hosts+=("127.0.0.1:$((base + i))"); done
    for h in "${hosts[@]}"; do until redis-cli -p "${h##*:}" ping >/dev/null 2>&1; do sleep 0.1; done; done
    redis-cli --cluster create "${hosts[@]}" --cluster-replicas "$replicas" --cluster-yes >"$dir/create.log"
    for h in "${hosts[@]}"; do until redis-cli -p "${h##*:}" cluster info | grep -q cluster_state:ok; do sleep 0.2; done; done
    echo "REDIS_URL=redis://$(IFS=,; echo "${hosts[*]}")?cluster=true"
    ;;
  restart)
    [[ -n $port ]] || { echo "restart needs --port" >&2; exit 2; }
    node "$port"
    ;;
  stop)
    for pid in "$dir"/redis-*.pid; do [[ -f $pid ]] && kill "$(cat "$pid")" 2>/dev/null || true; done
    ;;
  *) sed -n 2,7p "$0"; exit 2;;
esac
