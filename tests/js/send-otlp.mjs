#!/usr/bin/env node
// Sends a fixed, documented set of traces, logs and metrics through the real OpenTelemetry JS SDK
// and OTLP exporters, then prints a one-line JSON summary describing exactly what was sent.
//
//   node send-otlp.mjs --endpoint http://127.0.0.1:4318 --protocol grpc|http/protobuf|http/json
//                      [--signals traces,logs,metrics] [--headers k=v,...] [--run-id ID]
//                      [--compression none|gzip]
//
// Exit codes: 0 every export succeeded; 1 an export failed (stderr says which); 2 bad arguments.
import { context, trace, SpanKind, SpanStatusCode, TraceFlags } from '@opentelemetry/api';
import { SeverityNumber } from '@opentelemetry/api-logs';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider } from '@opentelemetry/sdk-trace-base';
import { LoggerProvider } from '@opentelemetry/sdk-logs';
import { MeterProvider } from '@opentelemetry/sdk-metrics';
import { SIGNALS, hrTime, unixNanoString } from './lib/otlp.mjs';
import { Harness } from './lib/harness.mjs';

const SCOPE = { name: 'js-interop', version: '1.0.0' };
// Linked span context: the W3C trace-context example ids, so tests can assert them literally.
const LINK = { traceId: '0af7651916cd43dd8448eb211c80319c', spanId: 'b7ad6b7169203331' };
const TRICKY_STRING = 'line1\nline2\t"quoted" \\ back\'slash ünïcødé ✓';

const harness = new Harness('send-otlp');
const options = harness.checkOptions(harness.readOptions({ signals: SIGNALS.join(','), compression: 'none' }));
const { runId, signals } = options;
const serviceName = `js-interop-${options.protocol}`;

const resourceAttributes = {
  'service.name': serviceName,
  'service.version': '1.2.3',
  'otelllm.test.run_id': runId,
  'test.resource.string': 'resource-value',
  'test.resource.int': 42,
  'test.resource.double': 3.5,
  'test.resource.bool': true,
  'test.resource.array': ['a', 'b', 'c'],
};
const resource = resourceFromAttributes(resourceAttributes);

// All timestamps are explicit offsets from one base so durations are exact.
const baseMs = Date.now() - 5000;
const times = {
  serverStart: baseMs, clientStart: baseMs + 10, event: baseMs + 60, clientLog: baseMs + 70,
  clientEnd: baseMs + 110, serverLog: baseMs + 150, serverEnd: baseMs + 200,
};

const summary = {
  runId, serviceName, protocol: options.protocol, signals, scope: SCOPE, resourceAttributes,
  counts: { spans: 0, logs: 0, metricPoints: 0 },
};

// ---- traces ---------------------------------------------------------------------------------
const tracerProvider = signals.includes('traces')
  ? new BasicTracerProvider({ resource, spanProcessors: [harness.spanProcessor()] })
  : undefined;
// Without the traces signal spans are still created (no-op ids are all zero) so logs keep a context.
const tracer = tracerProvider ? tracerProvider.getTracer(SCOPE.name, SCOPE.version) : trace.getTracer(SCOPE.name);

const clientAttributes = {
  'otelllm.test.run_id': runId,
  'test.string': TRICKY_STRING,
  'test.empty_string': '',
  'test.int': 1234567890123,
  'test.negative_int': -7,
  'test.double': 2.5,
  'test.bool_true': true,
  'test.bool_false': false,
  'test.string_array': ['x', 'y', 'z'],
  'test.int_array': [1, 2, 3],
  'test.double_array': [1.5, 2.5],
  'test.bool_array': [true, false],
};
const serverAttributes = { 'otelllm.test.run_id': runId, 'http.request.method': 'POST', 'url.path': '/chat' };
const eventSpec = { name: 'js-interop.event', attributes: { 'event.string': 'event-value', 'event.int': 7 } };
const linkSpec = { ...LINK, attributes: { 'link.string': 'link-value' } };
const status = { code: 'Error', message: 'simulated failure' };

const server = tracer.startSpan('js-interop server', { kind: SpanKind.SERVER, attributes: serverAttributes, startTime: hrTime(times.serverStart) });
const serverContext = trace.setSpan(context.active(), server);
const client = tracer.startSpan('js-interop client', {
  kind: SpanKind.CLIENT,
  attributes: clientAttributes,
  startTime: hrTime(times.clientStart),
  links: [{ context: { traceId: LINK.traceId, spanId: LINK.spanId, traceFlags: TraceFlags.SAMPLED, isRemote: true }, attributes: linkSpec.attributes }],
}, serverContext);
const clientContext = trace.setSpan(serverContext, client);
client.addEvent(eventSpec.name, eventSpec.attributes, hrTime(times.event));
client.setStatus({ code: SpanStatusCode.ERROR, message: status.message });

if (tracerProvider) {
  summary.traceId = server.spanContext().traceId;
  summary.spanIds = { server: server.spanContext().spanId, client: client.spanContext().spanId };
  summary.spans = [
    {
      role: 'server', name: 'js-interop server', kind: 'Server', spanId: summary.spanIds.server, parentSpanId: '',
      startTimeUnixNano: unixNanoString(times.serverStart), endTimeUnixNano: unixNanoString(times.serverEnd),
      durationNanos: unixNanoString(times.serverEnd - times.serverStart), attributes: serverAttributes, status: { code: 'Unset', message: '' },
    },
    {
      role: 'client', name: 'js-interop client', kind: 'Client', spanId: summary.spanIds.client, parentSpanId: summary.spanIds.server,
      startTimeUnixNano: unixNanoString(times.clientStart), endTimeUnixNano: unixNanoString(times.clientEnd),
      durationNanos: unixNanoString(times.clientEnd - times.clientStart), attributes: clientAttributes, status,
      events: [{ ...eventSpec, timeUnixNano: unixNanoString(times.event) }], links: [linkSpec],
    },
  ];
  summary.counts.spans = 2;
}

// ---- logs -----------------------------------------------------------------------------------
let loggerProvider;
if (signals.includes('logs')) {
  loggerProvider = new LoggerProvider({ resource, processors: [harness.logProcessor()] });
  const logger = loggerProvider.getLogger(SCOPE.name, SCOPE.version);
  const logs = [
    {
      role: 'client', eventName: 'js_interop.log_event', severityNumber: SeverityNumber.INFO, severityText: 'INFO',
      body: 'js interop log inside client span', timeMs: times.clientLog, ctx: clientContext, span: client,
      attributes: { 'otelllm.test.run_id': runId, 'log.string': 'log-value', 'log.int': 5, 'log.double': 0.25, 'log.bool': true, 'log.string_array': ['p', 'q'] },
    },
    {
      role: 'server', eventName: undefined, severityNumber: SeverityNumber.WARN, severityText: 'WARN',
      body: 'js interop warning inside server span', timeMs: times.serverLog, ctx: serverContext, span: server,
      attributes: { 'otelllm.test.run_id': runId, 'log.string': 'warn-value' },
    },
  ];
  summary.logs = [];
  for (const log of logs) {
    logger.emit({
      eventName: log.eventName, severityNumber: log.severityNumber, severityText: log.severityText, body: log.body,
      attributes: log.attributes, timestamp: hrTime(log.timeMs), context: log.ctx,
    });
    summary.logs.push({
      role: log.role, eventName: log.eventName ?? '', severityNumber: log.severityNumber, severityText: log.severityText, body: log.body,
      attributes: log.attributes, timeUnixNano: unixNanoString(log.timeMs),
      traceId: tracerProvider ? log.span.spanContext().traceId : '', spanId: tracerProvider ? log.span.spanContext().spanId : '',
    });
  }
  summary.counts.logs = logs.length;
}

client.end(hrTime(times.clientEnd));
server.end(hrTime(times.serverEnd));

// ---- metrics --------------------------------------------------------------------------------
let meterProvider;
if (signals.includes('metrics')) {
  // One export only: the reader's interval is far away, so the single collection happens at shutdown.
  meterProvider = new MeterProvider({ resource, readers: [harness.metricReader()] });
  const meter = meterProvider.getMeter(SCOPE.name, SCOPE.version);
  const attrs = { 'otelllm.test.run_id': runId, route: '/chat' };
  const buckets = [0, 10, 50, 100, 500, 1000];

  const counter = meter.createCounter('js_interop.requests', { unit: '{request}', description: 'Requests handled' });
  counter.add(5, attrs);
  counter.add(2, attrs);
  const histogram = meter.createHistogram('js_interop.latency', { unit: 'ms', description: 'Request latency', advice: { explicitBucketBoundaries: buckets } });
  for (const v of [5, 20, 80, 400]) histogram.record(v, attrs);
  const upDown = meter.createUpDownCounter('js_interop.active', { unit: '{request}', description: 'Requests in flight' });
  upDown.add(5, attrs);
  upDown.add(-2, attrs);
  meter.createGauge('js_interop.temperature', { unit: 'Cel', description: 'Last temperature' }).record(21.5, attrs);

  summary.metrics = [
    { name: 'js_interop.requests', type: 'Sum', monotonic: true, temporality: 'Cumulative', unit: '{request}', description: 'Requests handled', attributes: attrs, value: 7 },
    {
      name: 'js_interop.latency', type: 'Histogram', temporality: 'Cumulative', unit: 'ms', description: 'Request latency', attributes: attrs,
      count: 4, sum: 505, min: 5, max: 400, explicitBounds: buckets, bucketCounts: [0, 1, 1, 1, 1, 0, 0],
    },
    { name: 'js_interop.active', type: 'Sum', monotonic: false, temporality: 'Cumulative', unit: '{request}', description: 'Requests in flight', attributes: attrs, value: 3 },
    { name: 'js_interop.temperature', type: 'Gauge', unit: 'Cel', description: 'Last temperature', attributes: attrs, value: 21.5 },
  ];
  summary.counts.metricPoints = summary.metrics.length;
}

// ---- shut down, report ---------------------------------------------------------------------------
await harness.shutDown({ traces: tracerProvider, logs: loggerProvider, metrics: meterProvider }, signals);
summary.exports = harness.results.length;
harness.finish(summary);
