#!/usr/bin/env bash
# The main command: shows the whole product working on this machine.
#   ./run.sh                 ClickHouse, build, schema, receiver, demo traffic, terminal summary
#   ./run.sh --keep-running  the same, and leave the receiver (and its console, http://127.0.0.1:4320/) running afterwards
#   ./run.sh --calls N       how many demo calls to make (default 300)
#   ./run.sh report [--since 1h | --from ISO --to ISO] [--project P]
#                            print the summary (calls, cost, p95 latency, error rate by model) for any
#                            ClickHouse (CLICKHOUSE_URL) and database (OtelLlm__ClickHouse__Database)
# Settings come from the environment, e.g. OtelLlm__ClickHouse__Database=otel_llm, OtelLlm__Receiver__GrpcPort=4317,
# OtelLlm__Console__Port=4320.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$root"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
artifacts="${OTELLLM_ARTIFACTS:-$root/artifacts}"
receiver_dll="$artifacts/bin/OtelLlm.Receiver/release/OtelLlm.Receiver.dll"
demo_dll="$artifacts/bin/OtelLlm.Demo/release/OtelLlm.Demo.dll"
clickhouse_url="${CLICKHOUSE_URL:-http://127.0.0.1:8123}"
database="${OtelLlm__ClickHouse__Database:-otel_llm}"
grpc_port="${OtelLlm__Receiver__GrpcPort:-4317}"
http_port="${OtelLlm__Receiver__HttpPort:-4318}"
console_port="${OtelLlm__Console__Port:-4320}"
export OtelLlm__ClickHouse__Url="$clickhouse_url" OtelLlm__ClickHouse__Database="$database"

step() { printf '\n==> %s\n' "$*"; }

build() {
  dotnet build "$@" -c Release -nologo -v quiet -clp:ErrorsOnly
}

if [ "${1:-}" = "report" ]; then
  shift
  [ -f "$demo_dll" ] || build demo/OtelLlm.Demo
  exec dotnet "$demo_dll" summary --clickhouse "$clickhouse_url" --database "$database" "$@"
fi

keep_running=false
calls=300
while [ $# -gt 0 ]; do
  case "$1" in
    --keep-running) keep_running=true ;;
    --calls) calls="$2"; shift ;;
    *) echo "usage: $0 [--keep-running] [--calls N] | report [summary options]" >&2; exit 2 ;;
  esac
  shift
done

step "1/5 ClickHouse at $clickhouse_url"
scripts/clickhouse.sh start

step "2/5 Build the receiver and the demo"
build receiver/OtelLlm.Receiver
build demo/OtelLlm.Demo

step "3/5 Apply the schema to database '$database'"
dotnet "$receiver_dll" migrate

step "4/5 Start the receiver (OTLP/gRPC :$grpc_port, OTLP/HTTP :$http_port, console :$console_port)"
receiver_pid=""
log_dir="$root/.local/receiver"
mkdir -p "$log_dir"
if curl -fsS --max-time 2 "http://127.0.0.1:$http_port/readyz" >/dev/null 2>&1; then
  echo "a receiver already answers on :$http_port; using it"
else
  (cd "$log_dir" && exec dotnet "$receiver_dll" --contentRoot "$log_dir") >"$log_dir/receiver.log" 2>&1 &
  receiver_pid=$!
  for _ in $(seq 1 120); do
    curl -fsS --max-time 2 "http://127.0.0.1:$http_port/readyz" >/dev/null 2>&1 && break
    kill -0 "$receiver_pid" 2>/dev/null || { echo "the receiver exited; its log:" >&2; tail -n 30 "$log_dir/receiver.log" >&2; exit 1; }
    sleep 0.5
  done
  curl -fsS --max-time 2 "http://127.0.0.1:$http_port/readyz" >/dev/null || { echo "the receiver did not become ready; log: $log_dir/receiver.log" >&2; exit 1; }
  echo "receiver ready (pid $receiver_pid, log $log_dir/receiver.log)"
fi

stop_receiver() {
  if [ -n "$receiver_pid" ] && kill -0 "$receiver_pid" 2>/dev/null; then
    kill -TERM "$receiver_pid"; wait "$receiver_pid" 2>/dev/null || true
  fi
}
$keep_running || trap stop_receiver EXIT

step "5/5 Demo traffic through the OtelLlm instrumentation ($calls calls), then the summary"
dotnet "$demo_dll" run --endpoint "http://127.0.0.1:$grpc_port" --clickhouse "$clickhouse_url" --database "$database" --calls "$calls"

cat <<MSG
  or, with Grafana of your own: add the ClickHouse data source (grafana-clickhouse-datasource) for
  $clickhouse_url and import dashboards/json/*.json
Summary again later: ./run.sh report --since 1h
MSG

# The costliest call of the demo, read through the console's own API, as a place to start.
console="http://127.0.0.1:$console_port"
since="$(date -u -d '-1 hour' +%Y-%m-%dT%H:%M:%SZ)"
costliest="$(curl -fsS --max-time 10 "$console/api/v1/calls?sort=cost&limit=1&from=$since" 2>/dev/null || true)"
trace_id="$(printf '%s' "$costliest" | sed -n 's/.*"traceId":"\([0-9a-f]\{32\}\)","spanId":"\([0-9a-f]\{16\}\)".*/\1/p')"
span_id="$(printf '%s' "$costliest" | sed -n 's/.*"traceId":"\([0-9a-f]\{32\}\)","spanId":"\([0-9a-f]\{16\}\)".*/\2/p')"
echo
echo "Console:           $console/"
if [ -n "$trace_id" ]; then
  echo "The costliest call: $console/calls/$trace_id/$span_id"
fi
if $keep_running && [ -n "$receiver_pid" ]; then
  echo "The receiver keeps running (pid $receiver_pid): OTLP/gRPC http://127.0.0.1:$grpc_port, OTLP/HTTP http://127.0.0.1:$http_port, console $console/. Stop it with: kill $receiver_pid"
elif ! $keep_running; then
  echo "(The receiver stops now; run ./run.sh --keep-running to keep the console up.)"
fi
