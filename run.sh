#!/usr/bin/env bash
# Sets up OtelLlm locally: ClickHouse, the receiver build, the schema. Then says how to start the receiver.
# Settings come from the environment, e.g. OtelLlm__ClickHouse__Database=otel_llm, OtelLlm__Receiver__GrpcPort=4317.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$root"
artifacts="${OTELLLM_ARTIFACTS:-$root/artifacts}"
receiver_dll="$artifacts/bin/OtelLlm.Receiver/release/OtelLlm.Receiver.dll"

step() { printf '\n==> %s\n' "$*"; }

step "1/3 ClickHouse"
scripts/clickhouse.sh start

step "2/3 Build the receiver"
dotnet build receiver/OtelLlm.Receiver -c Release --nologo -v quiet

step "3/3 Apply the schema"
dotnet "$receiver_dll" migrate

grpc_port="${OtelLlm__Receiver__GrpcPort:-4317}"
http_port="${OtelLlm__Receiver__HttpPort:-4318}"
cat <<MSG

Ready. Start the receiver with:
  dotnet $receiver_dll
It listens on 127.0.0.1 (set OtelLlm__Receiver__ListenAddress=0.0.0.0 for all interfaces):
  OTLP/gRPC  http://127.0.0.1:$grpc_port
  OTLP/HTTP  http://127.0.0.1:$http_port/v1/traces | /v1/logs | /v1/metrics  (protobuf or JSON)
  health     http://127.0.0.1:$http_port/healthz  and  /readyz
Point an OpenTelemetry SDK at it with OTEL_EXPORTER_OTLP_ENDPOINT=http://127.0.0.1:$grpc_port
MSG
