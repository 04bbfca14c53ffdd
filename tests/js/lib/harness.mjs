// What every sender script shares: its command line (OTLP endpoint, protocol, headers and run id next to the
// script's own options; exit code 2 on bad arguments), providers that export each signal once at shutdown with
// every export result recorded, and the report (exit 1 with every failure on stderr, or exit 0 with the one-line
// JSON summary on stdout). Scripts that drive an LLM client also record which spans each scripted call started.
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { BatchSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { BatchLogRecordProcessor } from '@opentelemetry/sdk-logs';
import { PeriodicExportingMetricReader } from '@opentelemetry/sdk-metrics';
import { PROTOCOLS, SIGNALS, parseArgs, parseHeaders, defaultRunId, createExporter, checkResults } from './otlp.mjs';

// Batch and collection intervals far beyond a script's run, so each signal is exported once, at shutdown; the
// batch size is explicit so an OTEL_BSP_* variable in the environment cannot split that export.
const ONCE_AT_SHUTDOWN = { scheduledDelayMillis: 600000, maxExportBatchSize: 512 };

/** How a client error is recorded on its call when the script does not say otherwise (the `openai` client's errors). */
const openAiClientError = (e) => ({ clientErrorType: e?.constructor?.name ?? 'Error', clientStatus: e?.status, clientMessage: e?.message });

/** One run of a sender script, named `script` in its messages. */
export class Harness {
  /** Every export result ({ signal, ok, error? }) of the exporters made here, checked by `shutDown`. */
  results = [];
  /** What makes the script exit 1, in the order found. */
  failures = [];
  /** The calls made with `run`, in order, each its spec plus what the body returned (or `error`). */
  calls = [];
  /** The name of the call `run` is making, or undefined between calls. */
  currentCall;
  /** { call, span } for every span started, with the call that was running. */
  spanRecords = [];
  /** A span processor filling `spanRecords`; it exports nothing. */
  spanRecorder = {
    onStart: (span) => this.spanRecords.push({ call: this.currentCall, span }),
    onEnd() {},
    forceFlush: () => Promise.resolve(),
    shutdown: () => Promise.resolve(),
  };

  /** `clientError(e)`: the fields a call records about the error its client threw. */
  constructor(script, { clientError = openAiClientError } = {}) {
    this.script = script;
    this.clientError = clientError;
  }

  /** Writes the message to stderr and exits with 2 (bad arguments). */
  usageError(message) {
    process.stderr.write(`${this.script}: ${message}\n`);
    process.exit(2);
  }

  /**
   * Parses `--endpoint`, `--protocol` (default http/protobuf), `--headers`, `--run-id` and the script's own options
   * (`own`: name -> default). Only the names are checked here; the script checks its own values, then `checkOptions`.
   */
  readOptions(own) {
    try {
      return parseArgs(process.argv.slice(2), { endpoint: undefined, protocol: 'http/protobuf', headers: '', runId: undefined, ...own });
    } catch (e) {
      return this.usageError(e.message);
    }
  }

  /**
   * Checks the shared options, and `--capture-content` and `--signals` when the script has them. Returns the options
   * with `headers` parsed, `runId` defaulted, `captureContent` a boolean and `signals` a list; they are also what
   * this harness's exporters are made with.
   */
  checkOptions(options) {
    if (!options.endpoint) this.usageError('--endpoint is required');
    if (!PROTOCOLS.includes(options.protocol)) this.usageError(`--protocol must be one of ${PROTOCOLS.join(', ')}`);
    const checked = { ...options, runId: options.runId ?? defaultRunId() };
    if ('captureContent' in options) {
      if (!['true', 'false'].includes(options.captureContent)) this.usageError('--capture-content must be true or false');
      checked.captureContent = options.captureContent === 'true';
    }
    if ('signals' in options) {
      checked.signals = options.signals.split(',').map((s) => s.trim()).filter(Boolean);
      for (const s of checked.signals) if (!SIGNALS.includes(s)) this.usageError(`unknown signal '${s}'`);
      if (checked.signals.length === 0) this.usageError('--signals is empty');
    }
    try {
      checked.headers = parseHeaders(options.headers);
    } catch (e) {
      this.usageError(e.message);
    }
    this.options = checked;
    return checked;
  }

  // The span and log processors and the metric reader of this run: OTLP exporters made with the checked options,
  // recording their results, exporting once at shutdown.
  spanProcessor() {
    return new BatchSpanProcessor(createExporter('traces', this.options, this.results), ONCE_AT_SHUTDOWN);
  }

  logProcessor() {
    return new BatchLogRecordProcessor({ exporter: createExporter('logs', this.options, this.results), ...ONCE_AT_SHUTDOWN });
  }

  metricReader() {
    return new PeriodicExportingMetricReader({ exporter: createExporter('metrics', this.options, this.results), exportIntervalMillis: 600000, exportTimeoutMillis: 30000 });
  }

  /**
   * The tracer provider of a script that drives an LLM client: `spanRecorder` and the OTLP export, registered as the
   * global provider, which is what the client libraries' telemetry uses unless given one.
   */
  tracerProvider(resource) {
    const provider = new NodeTracerProvider({ resource, spanProcessors: [this.spanRecorder, this.spanProcessor()] });
    provider.register();
    return provider;
  }

  /**
   * Makes one scripted call: `spec` is what the script expects of it, `body` makes it and returns what the client
   * observed. An error the client throws is added to `spec.error`. A call whose spec has `error.httpStatus` must fail
   * with that status, every other call must succeed (checked by `finish`).
   */
  async run(name, spec, body) {
    this.currentCall = name;
    const call = { name, ...spec };
    try {
      Object.assign(call, await body());
    } catch (e) {
      call.error = { ...(call.error ?? {}), ...this.clientError(e) };
    } finally {
      this.currentCall = undefined;
    }
    this.calls.push(call);
  }

  /** The spans started while the named call ran, in order. */
  spansOf(call) {
    return this.spanRecords.filter((r) => r.call === call).map((r) => r.span);
  }

  /**
   * Shuts each provider down (`providers`: signal -> provider or undefined), which exports its batch exactly once (a
   * separate forceFlush would export metrics twice), then checks that every export succeeded and that each of
   * `expectedSignals` was exported.
   */
  async shutDown(providers, expectedSignals) {
    for (const [signal, provider] of Object.entries(providers)) {
      if (!provider) continue;
      try {
        await provider.shutdown();
      } catch (e) {
        this.failures.push(`${signal}: shutdown failed: ${e?.message ?? e}`);
      }
    }
    try {
      checkResults(this.results, expectedSignals);
    } catch (e) {
      this.failures.push(e.message);
    }
  }

  /** Exits 1 with every failure on stderr, or writes the summary as one JSON line to stdout and exits 0. */
  finish(summary) {
    const wrongCalls = this.calls.filter((c) => (c.error?.httpStatus !== undefined ? c.error.clientStatus !== c.error.httpStatus : c.error !== undefined));
    for (const c of wrongCalls) this.failures.push(`call '${c.name}' did not behave as scripted: ${JSON.stringify(c.error)}`);
    if (this.failures.length > 0) {
      process.stderr.write(`${this.script}: ${this.failures.join('\n  ')}\n`);
      process.exit(1);
    }
    process.stdout.write(`${JSON.stringify(summary)}\n`);
    process.exit(0);
  }
}
