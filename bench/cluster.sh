#!/usr/bin/env bash
# Inserts into one server, one shard (2 replicas) and two shards (2 x 2 replicas) side by side on the local cluster
# (scripts/clickhouse-cluster.sh), and into two shards directly to each shard's replicated tables instead of through the
# Distributed tables. The same RowBinary llm_calls batches go to each; reported: rows/s and ClickHouse CPU-seconds of all
# four servers (replication included: the run ends when every replica has fetched every part).
#   bench/cluster.sh [--batches N] [--rows-per-batch N] [--concurrency N] [--out FILE]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
artifacts="${OTELLLM_ARTIFACTS:-$root/artifacts}"
receiver="$artifacts/bin/OtelLlm.Receiver/release/OtelLlm.Receiver.dll"
home="${CLICKHOUSE_CLUSTER_HOME:-$root/.local/clickhouse-cluster}"
batches=40 rows=10000 concurrency=2 out=""
while [ $# -gt 0 ]; do
  case "$1" in
    --batches) batches="$2"; shift ;;
    --rows-per-batch) rows="$2"; shift ;;
    --concurrency) concurrency="$2"; shift ;;
    --out) out="$2"; shift ;;
    *) echo "usage: $0 [--batches N] [--rows-per-batch N] [--concurrency N] [--out FILE]" >&2; exit 2 ;;
  esac
  shift
done

"$root/scripts/clickhouse-cluster.sh" start >/dev/null
[ -f "$receiver" ] || dotnet build "$root/receiver/OtelLlm.Receiver" -c Release -nologo -v quiet -clp:ErrorsOnly
work="$(mktemp -d)"; trap 'rm -rf "$work"' EXIT
node=http://127.0.0.1:8131
q() { curl -fsS "$1/?wait_end_of_query=1" --data-binary "$2"; }
nodes_of() { # cluster: the servers of that cluster, as the receiver's Endpoints
  case "$1" in
    otel_llm_cluster) echo "http://127.0.0.1:8131,http://127.0.0.1:8132,http://127.0.0.1:8133,http://127.0.0.1:8134" ;;
    otel_llm_cluster_one_shard) echo "http://127.0.0.1:8131,http://127.0.0.1:8132" ;;
    *) echo "$node" ;;
  esac
}
migrate() { # database [cluster]
  dotnet "$receiver" migrate "--OtelLlm:ClickHouse:Endpoints=$(nodes_of "${2:-}")" \
    "--OtelLlm:ClickHouse:Database=$1" "--OtelLlm:ClickHouse:Cluster=${2:-}" --Logging:LogLevel:Default=Warning >/dev/null
}
drop() { # database [cluster]
  local on=""; [ -n "${2:-}" ] && on=" ON CLUSTER $2"
  q $node "DROP DATABASE IF EXISTS $1$on" >/dev/null; q $node "DROP DATABASE IF EXISTS ${1}_local$on" >/dev/null
}
cpu() { # CPU seconds of the four servers so far
  local total=0 pid ticks
  for p in 8131 8132 8133 8134; do
    pid="$(cat "$home/node-$p/clickhouse.pid")"
    ticks=$(awk '{print $14 + $15}' "/proc/$pid/stat")
    total=$((total + ticks))
  done
  awk -v t="$total" -v hz="$(getconf CLK_TCK)" 'BEGIN { printf "%.2f", t / hz }'
}
sync_replicas() { # database
  local p t
  for p in 8131 8132 8133 8134; do
    for t in $(q "http://127.0.0.1:$p" "SELECT name FROM system.tables WHERE database = '${1}_local' AND engine LIKE 'Replicated%'" 2>/dev/null); do
      q "http://127.0.0.1:$p" "SYSTEM SYNC REPLICA ${1}_local.$t" >/dev/null
    done
  done
}

# The batches: llm_calls rows of 10 services, 5 models, realistic token counts, one call per trace, written once into a
# scratch database on one server and read back as RowBinary files.
drop bench_cluster_stage; migrate bench_cluster_stage
columns="$(q $node "SELECT arrayStringConcat(groupArray(name), ', ') FROM system.columns WHERE database = 'bench_cluster_stage' AND table = 'llm_calls'")"
q $node "INSERT INTO bench_cluster_stage.llm_calls (Project, Timestamp, StartTimeUnixNano, Duration, TraceId, SpanId, ServiceName, Environment, Operation, Provider, RequestModel, InputTokens, OutputTokens, TotalTokens, CostUsd, UserId, ConversationId, StatusCode, SourceFormat)
  SELECT 'default', toDateTime(1764576000 + intDiv(number, 50)), (1764576000 + intDiv(number, 50)) * 1000000000 + number % 1000000000, 200000000 + (number * 7919) % 8000000000,
         lower(hex(MD5(toString(number)))), lower(hex(substring(MD5(concat('s', toString(number))), 1, 8))), concat('service-', toString(number % 10)), 'production', 'chat',
         ['openai', 'anthropic'][1 + number % 2], ['gpt-4o', 'gpt-4o-mini', 'claude-sonnet-4-5', 'claude-haiku-4-5', 'gemini-2.5-flash'][1 + number % 5],
         50 + number % 4000, 10 + number % 1500, 60 + number % 5500, (number % 1000) / 100000.0, concat('user-', toString(number % 500)), concat('conv-', toString(number % 5000)),
         if(number % 12 = 0, 'Error', 'Unset'), 'otel-genai-1.37'
  FROM numbers($((batches * rows)))"
for i in $(seq 0 $((batches - 1))); do
  q $node "SELECT * FROM bench_cluster_stage.llm_calls ORDER BY SpanId LIMIT $rows OFFSET $((i * rows)) FORMAT RowBinary" >"$work/batch-$i.bin"
  # The same rows split as cityHash64(TraceId) splits them between the two shards (weights 1 and 1).
  for s in 0 1; do
    q $node "SELECT * FROM (SELECT * FROM bench_cluster_stage.llm_calls ORDER BY SpanId LIMIT $rows OFFSET $((i * rows))) WHERE cityHash64(TraceId) % 2 = $s FORMAT RowBinary" >"$work/batch-$i-shard-$s.bin"
  done
done
bytes=$(cat "$work"/batch-[0-9]*.bin | wc -c)
drop bench_cluster_stage

post() { # url database file
  local query
  query="$(python3 -c 'import sys, urllib.parse; print(urllib.parse.quote(sys.argv[1]))' "INSERT INTO $2.llm_calls ($columns) FORMAT RowBinary")"
  curl -fsS "$1/?wait_end_of_query=1&insert_distributed_sync=1&query=$query" --data-binary @"$3" >/dev/null
}
export -f post; export columns

run() { # name database cluster mode
  local name="$1" db="$2" cluster="$3" mode="$4" start end c0 c1 stored
  drop "$db" "$cluster"; migrate "$db" "$cluster"
  c0=$(cpu); start=$(date +%s.%N)
  case "$mode" in
    distributed) # round the servers of the cluster, as the receiver does
      local urls=(http://127.0.0.1:8131 http://127.0.0.1:8132 http://127.0.0.1:8133 http://127.0.0.1:8134)
      [ "$cluster" = otel_llm_cluster_one_shard ] && urls=(http://127.0.0.1:8131 http://127.0.0.1:8132)
      [ -z "$cluster" ] && urls=(http://127.0.0.1:8131)
      for i in $(seq 0 $((batches - 1))); do echo "${urls[$((i % ${#urls[@]}))]} $db $work/batch-$i.bin"; done ;;
    direct) # each shard's part straight into a replica of that shard
      for i in $(seq 0 $((batches - 1))); do
        echo "http://127.0.0.1:$((8131 + (i % 2))) ${db}_local $work/batch-$i-shard-0.bin"
        echo "http://127.0.0.1:$((8133 + (i % 2))) ${db}_local $work/batch-$i-shard-1.bin"
      done ;;
  esac | xargs -P "$concurrency" -L 1 bash -c 'post "$0" "$1" "$2"'
  end=$(date +%s.%N)
  [ -n "$cluster" ] && sync_replicas "$db"
  c1=$(cpu)
  stored=$(q $node "SELECT count() FROM $db.llm_calls")
  awk -v n="$name" -v rows=$((batches * rows)) -v stored="$stored" -v s="$start" -v e="$end" -v c0="$c0" -v c1="$c1" 'BEGIN {
    t = e - s; cpu = c1 - c0;
    printf "| %s | %d | %d | %.2f | %.0f | %.2f | %.0f | %.1f |\n", n, rows, stored, t, rows / t, cpu, rows / cpu, cpu / rows * 1e6 }'
  drop "$db" "$cluster"
}

{
  echo "Local cluster, $batches batches of $rows llm_calls rows ($((bytes / 1024 / 1024)) MiB RowBinary), $concurrency inserts at once, $(nproc) cores, load $(cut -d' ' -f1 /proc/loadavg) at start"
  echo
  echo "| target | rows sent | rows stored | seconds | rows/s | ClickHouse CPU-s (4 servers) | rows per ClickHouse CPU-s | µs ClickHouse CPU per row |"
  echo "|---|---:|---:|---:|---:|---:|---:|---:|"
  run "one server (MergeTree, node 8131)" bench_cluster_single "" distributed
  run "1 shard × 2 replicas, Distributed insert" bench_cluster_one otel_llm_cluster_one_shard distributed
  run "2 shards × 2 replicas, Distributed insert" bench_cluster_two otel_llm_cluster distributed
  run "2 shards × 2 replicas, straight to each shard's replica" bench_cluster_direct otel_llm_cluster direct
} | tee ${out:+"$out"}
