import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startHttpSink, startGrpcSink } from '../sink.mjs';
import { runScript, summaryOf, flatten, jsonBodies, attributesOf, anyValue } from './helpers.mjs';

const SIGNALS = ['traces', 'logs', 'metrics'];

async function withSink(start, fn) {
  const sink = await start();
  try {
    return await fn(sink);
  } finally {
    await sink.close();
  }
}

/** Sends every signal to the sink with send-otlp.mjs; checks the run id, the service name and one request per signal. */
async function sendEverySignal(sink, protocol, runId, extraArgs) {
  const summary = summaryOf(await runScript('send-otlp.mjs', ['--endpoint', sink.url, '--protocol', protocol, '--run-id', runId, ...extraArgs]));
  assert.equal(summary.runId, runId);
  assert.equal(summary.serviceName, `js-interop-${protocol}`);
  assert.deepEqual(sink.requests.map((r) => r.signal).sort(), [...SIGNALS].sort());
  return summary;
}

test('http/json: every signal arrives once and matches the summary field by field', () => withSink(startHttpSink, async (sink) => {
  const summary = await sendEverySignal(sink, 'http/json', `json-${process.pid}`, ['--headers', 'x-otelllm-key=secret,x-other=a%3Db']);
  assert.deepEqual(summary.counts, { spans: 2, logs: 2, metricPoints: 4 });
  for (const r of sink.requests) {
    assert.match(r.contentType, /^application\/json/);
    assert.equal(r.headers['x-otelllm-key'], 'secret');
    assert.equal(r.headers['x-other'], 'a=b');
  }

  const spans = flatten(jsonBodies(sink, 'traces'), 'traces');
  assert.equal(spans.length, 2);
  for (const { resource, scope } of spans) {
    for (const [k, v] of Object.entries(summary.resourceAttributes)) assert.deepEqual(resource[k], v, k);
    assert.equal(scope.name, summary.scope.name);
    assert.equal(scope.version, summary.scope.version);
  }
  for (const expected of summary.spans) {
    const { item } = spans.find((s) => s.item.spanId === expected.spanId);
    assert.equal(item.traceId, summary.traceId);
    assert.equal(item.name, expected.name);
    assert.equal(item.parentSpanId ?? '', expected.parentSpanId);
    assert.equal(String(item.startTimeUnixNano), expected.startTimeUnixNano);
    assert.equal(String(item.endTimeUnixNano), expected.endTimeUnixNano);
    assert.equal(item.kind, { Server: 2, Client: 3 }[expected.kind]);
    assert.deepEqual(attributesOf(item.attributes), expected.attributes);
    assert.equal(item.status?.code ?? 0, { Unset: 0, Error: 2 }[expected.status.code]);
    assert.equal(item.status?.message ?? '', expected.status.message);
  }
  const client = spans.find((s) => s.item.spanId === summary.spanIds.client).item;
  const typed = Object.fromEntries(client.attributes.map((kv) => [kv.key, Object.keys(kv.value)[0]]));
  assert.equal(typed['test.string'], 'stringValue');
  assert.equal(typed['test.int'], 'intValue');
  assert.equal(typed['test.double'], 'doubleValue');
  assert.equal(typed['test.bool_true'], 'boolValue');
  assert.equal(typed['test.string_array'], 'arrayValue');
  assert.equal(client.events.length, 1);
  assert.equal(client.events[0].name, summary.spans[1].events[0].name);
  assert.equal(String(client.events[0].timeUnixNano), summary.spans[1].events[0].timeUnixNano);
  assert.deepEqual(attributesOf(client.events[0].attributes), summary.spans[1].events[0].attributes);
  assert.equal(client.links.length, 1);
  assert.equal(client.links[0].traceId, summary.spans[1].links[0].traceId);
  assert.equal(client.links[0].spanId, summary.spans[1].links[0].spanId);
  assert.deepEqual(attributesOf(client.links[0].attributes), summary.spans[1].links[0].attributes);

  const logs = flatten(jsonBodies(sink, 'logs'), 'logs');
  assert.equal(logs.length, summary.logs.length);
  for (const expected of summary.logs) {
    const { item } = logs.find((l) => anyValue(l.item.body) === expected.body);
    assert.equal(item.traceId, expected.traceId);
    assert.equal(item.spanId, expected.spanId);
    assert.equal(item.severityNumber, expected.severityNumber);
    assert.equal(item.severityText, expected.severityText);
    assert.equal(item.eventName ?? '', expected.eventName);
    assert.equal(String(item.timeUnixNano), expected.timeUnixNano);
    assert.deepEqual(attributesOf(item.attributes), expected.attributes);
  }

  const metrics = flatten(jsonBodies(sink, 'metrics'), 'metrics');
  assert.deepEqual(metrics.map((m) => m.item.name).sort(), summary.metrics.map((m) => m.name).sort());
  for (const expected of summary.metrics) {
    const { item } = metrics.find((m) => m.item.name === expected.name);
    assert.equal(item.unit, expected.unit);
    assert.equal(item.description, expected.description);
    if (expected.type === 'Histogram') {
      const [p] = item.histogram.dataPoints;
      assert.equal(Number(p.count), expected.count);
      assert.equal(p.sum, expected.sum);
      assert.equal(p.min, expected.min);
      assert.equal(p.max, expected.max);
      assert.deepEqual(p.explicitBounds, expected.explicitBounds);
      assert.deepEqual(p.bucketCounts.map(Number), expected.bucketCounts);
      assert.deepEqual(attributesOf(p.attributes), expected.attributes);
    } else {
      const data = expected.type === 'Sum' ? item.sum : item.gauge;
      assert.ok(data, `${expected.name} is a ${expected.type}`);
      if (expected.type === 'Sum') assert.equal(Boolean(data.isMonotonic), expected.monotonic);
      assert.equal(data.dataPoints.length, 1);
      const p = data.dataPoints[0];
      assert.equal(p.asDouble ?? Number(p.asInt), expected.value);
      assert.deepEqual(attributesOf(p.attributes), expected.attributes);
    }
  }
}));

test('http/protobuf with gzip: every signal arrives as protobuf carrying the run id and ids', () => withSink(startHttpSink, async (sink) => {
  const runId = `proto-${process.pid}`;
  const summary = await sendEverySignal(sink, 'http/protobuf', runId, ['--compression', 'gzip']);
  for (const r of sink.requests) {
    assert.equal(r.contentType, 'application/x-protobuf');
    assert.equal(r.contentEncoding, 'gzip');
    assert.ok(r.body.includes(Buffer.from(runId)), `${r.signal} carries the run id`);
    assert.ok(r.body.includes(Buffer.from('js-interop-http/protobuf')), `${r.signal} carries the service name`);
  }
  const traces = sink.requests.find((r) => r.signal === 'traces').body;
  assert.ok(traces.includes(Buffer.from(summary.traceId, 'hex')));
  assert.ok(traces.includes(Buffer.from(summary.spanIds.client, 'hex')));
  assert.ok(traces.includes(Buffer.from('simulated failure')));
  const logs = sink.requests.find((r) => r.signal === 'logs').body;
  assert.ok(logs.includes(Buffer.from(summary.spanIds.client, 'hex')));
  assert.ok(logs.includes(Buffer.from('js interop log inside client span')));
  const metrics = sink.requests.find((r) => r.signal === 'metrics').body;
  for (const m of summary.metrics) assert.ok(metrics.includes(Buffer.from(m.name)), m.name);
}));

test('grpc: every signal arrives on its OTLP service with the headers as metadata', () => withSink(startGrpcSink, async (sink) => {
  const runId = `grpc-${process.pid}`;
  const summary = await sendEverySignal(sink, 'grpc', runId, ['--headers', 'authorization=Bearer%20token-1']);
  for (const r of sink.requests) {
    assert.ok(r.body.includes(Buffer.from(runId)));
    assert.equal(r.metadata.authorization, 'Bearer token-1');
  }
  assert.ok(sink.requests.find((r) => r.signal === 'traces').body.includes(Buffer.from(summary.traceId, 'hex')));
}));

test('--signals limits what is sent and what the summary describes', () => withSink(startHttpSink, async (sink) => {
  const summary = summaryOf(await runScript('send-otlp.mjs', ['--endpoint', sink.url, '--protocol', 'http/json', '--signals', 'logs']));
  assert.deepEqual(sink.requests.map((r) => r.signal), ['logs']);
  assert.deepEqual(summary.counts, { spans: 0, logs: 2, metricPoints: 0 });
  assert.equal(summary.traceId, undefined);
}));

test('a rejected export exits non-zero with the failing signals on stderr', () => withSink(() => startHttpSink({ failWith: 400 }), async (sink) => {
  const result = await runScript('send-otlp.mjs', ['--endpoint', sink.url, '--protocol', 'http/protobuf']);
  assert.equal(result.code, 1);
  assert.equal(result.stdout, '');
  assert.match(result.stderr, /OTLP export failed/);
  for (const s of SIGNALS) assert.match(result.stderr, new RegExp(`${s}:`));
  assert.equal(sink.requests.length >= 3, true);
}));

test('bad arguments exit with code 2', async () => {
  assert.equal((await runScript('send-otlp.mjs', ['--protocol', 'grpc'])).code, 2);
  assert.equal((await runScript('send-otlp.mjs', ['--endpoint', 'http://127.0.0.1:1', '--protocol', 'carrier-pigeon'])).code, 2);
  assert.equal((await runScript('send-otlp.mjs', ['--endpoint', 'http://127.0.0.1:1', '--bogus', 'x'])).code, 2);
});
