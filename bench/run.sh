#!/usr/bin/env bash
# Runs the whole benchmark suite: builds in Release, then the BenchmarkDotNet micro-benchmarks, the ingest load
# test (receiver as a child process, gRPC and HTTP, content off and on, plus the direct-ClickHouse ceiling), the
# dashboard-query benchmark over 10 million llm_calls rows and the export benchmark over 1 million calls with content.
# Results land in bench/results/raw/ (ignored by git).
#
#   bench/run.sh            full run (about 20-30 minutes on 2 cores, most of it the first 10M-row insert; ingest phases warm up 75 s)
#   bench/run.sh --quick    smoke run: 8 s phases, 1M dashboard rows, two micro-benchmarks (about 6 minutes)
#
# Needs ClickHouse on http://127.0.0.1:8123 (override with CLICKHOUSE_URL). Build output goes to
# $OTELLLM_ARTIFACTS (default: artifacts/ in the repository).
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
artifacts="${OTELLLM_ARTIFACTS:-$root/artifacts}"
export OTELLLM_ARTIFACTS="$artifacts"
clickhouse="${CLICKHOUSE_URL:-http://127.0.0.1:8123}"
out="$root/bench/results/raw"
mkdir -p "$out"

quick=false
if [[ "${1:-}" == "--quick" ]]; then quick=true; fi

echo "== machine: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg)"

dotnet build -c Release receiver/OtelLlm.Receiver -v quiet -nologo
dotnet build -c Release bench/OtelLlm.LoadGen -v quiet -nologo
dotnet build -c Release bench/OtelLlm.Benchmarks -v quiet -nologo

loadgen="$artifacts/bin/OtelLlm.LoadGen/release/OtelLlm.LoadGen.dll"
benchmarks="$artifacts/bin/OtelLlm.Benchmarks/release/OtelLlm.Benchmarks.dll"

if $quick; then
  dotnet "$loadgen" ingest --clickhouse "$clickhouse" --duration 8 --warmup 6 --out "$out/ingest-quick"
  dotnet "$loadgen" dashboards --clickhouse "$clickhouse" --rows 1000000 --database otel_llm_bench_quick --runs 1 --out "$out/dashboards-quick"
  dotnet "$loadgen" export --clickhouse "$clickhouse" --rows 100000 --database otel_llm_bench_export_quick --out "$out/export-quick"
  (cd "$out" && dotnet "$benchmarks" --filter '*ReceiverPathBenchmarks.DecodeAndEncodeRows*' '*ChatClientBenchmarks.Instrumented*')
else
  (cd "$out" && dotnet "$benchmarks" --filter '*')
  dotnet "$loadgen" ingest --clickhouse "$clickhouse" --out "$out/ingest"
  dotnet "$loadgen" dashboards --clickhouse "$clickhouse" --out "$out/dashboards"
  dotnet "$loadgen" export --clickhouse "$clickhouse" --out "$out/export"
fi

echo "== done; results in $out (load average now $(cut -d' ' -f1-3 /proc/loadavg))"
