#!/usr/bin/env node
// A busy service as a new user would write it: the OpenTelemetry JS SDK with its default BatchSpanProcessor (queue
// 2,048, batches of 512, one export at a time) and the default OTLP/HTTP protobuf exporter, producing --rate spans
// per second for --seconds (after one warm-up span, counted). The processor silently drops spans that no longer fit its queue, so the spans stored
// downstream show whether the receiver answers fast enough. Prints one JSON line: {"produced":N,"service":"..."}.
//
//   node stream-spans.mjs --endpoint http://127.0.0.1:4318 [--rate 3000] [--seconds 10] [--service NAME]
import { trace } from '@opentelemetry/api';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, BatchSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { parseArgs } from './lib/otlp.mjs';

let options;
try {
  options = parseArgs(process.argv.slice(2), { endpoint: undefined, rate: '3000', seconds: '10', service: 'js-stream' });
} catch (e) {
  process.stderr.write(`stream-spans: ${e.message}\n`);
  process.exit(2);
}
if (!options.endpoint) {
  process.stderr.write('stream-spans: --endpoint is required\n');
  process.exit(2);
}

const rate = Number(options.rate);
const seconds = Number(options.seconds);
const exporter = new OTLPTraceExporter({ url: `${options.endpoint.replace(/\/$/, '')}/v1/traces` });
const provider = new BasicTracerProvider({
  resource: resourceFromAttributes({ 'service.name': options.service }),
  spanProcessors: [new BatchSpanProcessor(exporter)],
});
const tracer = provider.getTracer('stream-spans');

// A service that has been running a while: one span exported first, so connection set-up and the first export are
// behind us when the timed stream starts (it is counted in "produced").
tracer.startSpan('warm-up').end();
await provider.forceFlush();

const tickMs = 10;
const started = performance.now();
let produced = 0;
await new Promise((resolve) => {
  const timer = setInterval(() => {
    const elapsed = (performance.now() - started) / 1000;
    const due = Math.min(Math.floor(elapsed * rate), Math.floor(seconds * rate));
    while (produced < due) {
      tracer.startSpan('work', { attributes: { 'work.index': produced } }).end();
      produced++;
    }
    if (elapsed >= seconds) {
      clearInterval(timer);
      resolve();
    }
  }, tickMs);
});
await provider.forceFlush();
await provider.shutdown();
process.stdout.write(JSON.stringify({ produced: produced + 1, service: options.service }) + '\n');
