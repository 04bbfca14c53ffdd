// Shared plumbing: command-line parsing and OTLP exporters (all three signals, all three
// protocols) whose export results are recorded, so a script can exit non-zero when any export
// failed instead of trusting the SDK to log it.
import { Metadata } from '@grpc/grpc-js';
import { ExportResultCode } from '@opentelemetry/core';
import { OTLPTraceExporter as TraceGrpc } from '@opentelemetry/exporter-trace-otlp-grpc';
import { OTLPTraceExporter as TraceProto } from '@opentelemetry/exporter-trace-otlp-proto';
import { OTLPTraceExporter as TraceJson } from '@opentelemetry/exporter-trace-otlp-http';
import { OTLPLogExporter as LogsGrpc } from '@opentelemetry/exporter-logs-otlp-grpc';
import { OTLPLogExporter as LogsProto } from '@opentelemetry/exporter-logs-otlp-proto';
import { OTLPLogExporter as LogsJson } from '@opentelemetry/exporter-logs-otlp-http';
import { OTLPMetricExporter as MetricsGrpc } from '@opentelemetry/exporter-metrics-otlp-grpc';
import { OTLPMetricExporter as MetricsProto } from '@opentelemetry/exporter-metrics-otlp-proto';
import { OTLPMetricExporter as MetricsJson } from '@opentelemetry/exporter-metrics-otlp-http';

export const PROTOCOLS = ['grpc', 'http/protobuf', 'http/json'];
export const SIGNALS = ['traces', 'logs', 'metrics'];

const EXPORTERS = {
  grpc: { traces: TraceGrpc, logs: LogsGrpc, metrics: MetricsGrpc },
  'http/protobuf': { traces: TraceProto, logs: LogsProto, metrics: MetricsProto },
  'http/json': { traces: TraceJson, logs: LogsJson, metrics: MetricsJson },
};

/** Parses `--name value` pairs; throws on unknown names so typos fail loudly. */
export function parseArgs(argv, defaults) {
  const options = { ...defaults };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (!arg.startsWith('--')) throw new Error(`unexpected argument '${arg}'`);
    const eq = arg.indexOf('=');
    const name = eq > 0 ? arg.slice(2, eq) : arg.slice(2);
    const key = name.replace(/-([a-z])/g, (_, c) => c.toUpperCase());
    if (!(key in defaults)) throw new Error(`unknown option '--${name}'`);
    const value = eq > 0 ? arg.slice(eq + 1) : argv[++i];
    if (value === undefined) throw new Error(`option '--${name}' needs a value`);
    options[key] = value;
  }
  return options;
}

/** `k=v,k2=v2` -> { k: 'v', k2: 'v2' } (values may contain '='). */
export function parseHeaders(text) {
  const headers = {};
  if (!text) return headers;
  for (const pair of text.split(',')) {
    if (!pair) continue;
    const eq = pair.indexOf('=');
    if (eq <= 0) throw new Error(`bad header '${pair}', expected key=value`);
    headers[pair.slice(0, eq).trim()] = decodeURIComponent(pair.slice(eq + 1).trim());
  }
  return headers;
}

export function defaultRunId() {
  return `js-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 10)}`;
}

/**
 * Creates an exporter for one signal. gRPC: `endpoint` is the h2c server (http://host:port).
 * HTTP: the exporter URL is `endpoint` + `/v1/<signal>`.
 * Every export result is pushed to `results` as { signal, ok, error? }.
 */
export function createExporter(signal, { endpoint, protocol, headers, compression }, results) {
  const Exporter = EXPORTERS[protocol]?.[signal];
  if (!Exporter) throw new Error(`unsupported protocol '${protocol}' or signal '${signal}'`);
  const base = endpoint.replace(/\/+$/, '');
  const config = { timeoutMillis: 15000, compression: compression === 'gzip' ? 'gzip' : 'none' };
  if (protocol === 'grpc') {
    config.url = base;
    const metadata = new Metadata();
    for (const [k, v] of Object.entries(headers)) metadata.set(k, v);
    config.metadata = metadata;
  } else {
    config.url = `${base}/v1/${signal}`;
    config.headers = headers;
  }
  const exporter = new Exporter(config);
  const originalExport = exporter.export.bind(exporter);
  exporter.export = (items, done) => {
    originalExport(items, (result) => {
      const ok = result.code === ExportResultCode.SUCCESS;
      results.push({ signal, ok, error: ok ? undefined : String(result.error?.message ?? result.error ?? 'export failed') });
      done(result);
    });
  };
  return exporter;
}

/** Throws with one line per failed export, or when an expected signal was never exported. */
export function checkResults(results, expectedSignals) {
  const failures = results.filter((r) => !r.ok).map((r) => `${r.signal}: ${r.error}`);
  for (const signal of expectedSignals) {
    if (!results.some((r) => r.signal === signal && r.ok)) failures.push(`${signal}: nothing was exported`);
  }
  if (failures.length > 0) throw new Error(`OTLP export failed:\n  ${failures.join('\n  ')}`);
}

/** ms since epoch -> [seconds, nanoseconds] HrTime, and the matching decimal nanosecond string. */
export function hrTime(ms) {
  return [Math.floor(ms / 1000), (ms % 1000) * 1e6];
}

export function unixNanoString(ms) {
  return (BigInt(ms) * 1000000n).toString();
}
