#!/usr/bin/env node
// Drives the real `openai` SDK against the local fake OpenAI server with one of three real
// instrumentation packages registered, exports traces, logs and metrics over OTLP, and prints a
// one-line JSON summary of every call (ids, models, usage, finish reasons, exact texts).
//
//   node openai-dialects.mjs --instrumentation otel|traceloop|openinference --endpoint http://127.0.0.1:PORT
//                            [--protocol http/protobuf|http/json|grpc] [--capture-content true|false]
//                            [--run-id ID] [--headers k=v,...]
//
// Exit codes: 0 every export succeeded and every call produced a span; 1 otherwise; 2 bad arguments.
import { createRequire } from 'node:module';
import { logs } from '@opentelemetry/api-logs';
import { metrics } from '@opentelemetry/api';
import { registerInstrumentations } from '@opentelemetry/instrumentation';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { LoggerProvider } from '@opentelemetry/sdk-logs';
import { MeterProvider } from '@opentelemetry/sdk-metrics';
import { Harness } from './lib/harness.mjs';
import { startFakeOpenAI, SCRIPT, responseModel, embeddingVector, usageOf } from './fake-openai.mjs';

const require = createRequire(import.meta.url);

/** What each instrumentation package is, and which OTLP signals it is expected to produce. */
// callsWithoutSpan: calls for which the package (at the pinned version) exports no span, verified
// by running it: Traceloop does not patch embeddings and never ends the span of a rejected chat
// call; OpenInference never ends the span when the API promise rejects (it only handles errors
// thrown synchronously). Those spans stay open and are not exported.
const INSTRUMENTATIONS = {
  otel: {
    package: '@opentelemetry/instrumentation-openai', scope: '@opentelemetry/instrumentation-openai',
    signals: ['traces', 'logs', 'metrics'], callsWithoutSpan: [],
  },
  traceloop: {
    package: '@traceloop/instrumentation-openai', scope: '@traceloop/instrumentation-openai',
    signals: ['traces'], callsWithoutSpan: ['error', 'embeddings'],
  },
  openinference: {
    package: '@arizeai/openinference-instrumentation-openai', scope: '@arizeai/openinference-instrumentation-openai',
    signals: ['traces'], callsWithoutSpan: ['error'],
  },
};

const harness = new Harness('openai-dialects');
const rawOptions = harness.readOptions({ instrumentation: undefined, captureContent: 'true' });
const kind = INSTRUMENTATIONS[rawOptions.instrumentation];
if (!kind) harness.usageError(`--instrumentation must be one of ${Object.keys(INSTRUMENTATIONS).join(', ')}`);
const options = harness.checkOptions(rawOptions);
const { runId, captureContent } = options;
const serviceName = `js-openai-${options.instrumentation}`;
const resourceAttributes = { 'service.name': serviceName, 'otelllm.test.run_id': runId, 'deployment.environment.name': 'interop-test' };
const resource = resourceFromAttributes(resourceAttributes);

// ---- providers, and which log records each call produced ------------------------------------------
const logRecords = [];
const logRecorder = {
  onEmit(record) {
    logRecords.push({
      call: harness.currentCall,
      eventName: record.eventName ?? record.attributes?.['event.name'] ?? '',
      traceId: record.spanContext?.traceId ?? '',
      spanId: record.spanContext?.spanId ?? '',
    });
  },
  forceFlush: () => Promise.resolve(),
  shutdown: () => Promise.resolve(),
};
const tracerProvider = harness.tracerProvider(resource);
const loggerProvider = new LoggerProvider({ resource, processors: [logRecorder, harness.logProcessor()] });
logs.setGlobalLoggerProvider(loggerProvider);
const meterProvider = new MeterProvider({ resource, readers: [harness.metricReader()] });
metrics.setGlobalMeterProvider(meterProvider);

// ---- instrumentation, then the openai module ------------------------------------------------------
// The official package patches through require-in-the-middle, so it is registered before openai is
// required. Traceloop and OpenInference are applied with their manual patching API on the loaded
// module (their hooks would otherwise depend on how openai is loaded).
let openaiModule;
let instrumentation;
if (options.instrumentation === 'otel') {
  const { OpenAIInstrumentation } = await import('@opentelemetry/instrumentation-openai');
  instrumentation = new OpenAIInstrumentation({ captureMessageContent: captureContent });
  registerInstrumentations({ instrumentations: [instrumentation], tracerProvider, meterProvider, loggerProvider });
  openaiModule = require('openai');
} else if (options.instrumentation === 'traceloop') {
  openaiModule = require('openai');
  const { OpenAIInstrumentation } = require('@traceloop/instrumentation-openai');
  instrumentation = new OpenAIInstrumentation({ enabled: false, traceContent: captureContent, enrichTokens: false });
  instrumentation.setTracerProvider(tracerProvider);
  // Traceloop's manual API takes the OpenAI class (it reads the static Chat/Completions resources).
  instrumentation.manuallyInstrument(openaiModule.OpenAI);
} else {
  openaiModule = require('openai');
  const { OpenAIInstrumentation } = require('@arizeai/openinference-instrumentation-openai');
  const hide = !captureContent;
  instrumentation = new OpenAIInstrumentation({
    instrumentationConfig: { enabled: false },
    tracerProvider,
    traceConfig: { hideInputs: hide, hideOutputs: hide, hideInputMessages: hide, hideOutputMessages: hide, hideLLMTools: false },
  });
  instrumentation.manuallyInstrument(openaiModule);
}

const fake = await startFakeOpenAI();
const client = new openaiModule.OpenAI({ apiKey: 'sk-otelllm-fake', baseURL: fake.baseURL, maxRetries: 0, timeout: 30000 });

// ---- the calls --------------------------------------------------------------------------------------
const MODEL = 'gpt-4o-mini';
const WEATHER_TOOL = {
  type: 'function',
  function: {
    name: 'get_weather',
    description: 'Get the current weather for a city',
    parameters: {
      type: 'object',
      properties: { city: { type: 'string' }, unit: { type: 'string', enum: ['celsius', 'fahrenheit'] } },
      required: ['city'],
    },
  },
};
const TOOL_RESULT = '{"temperature":18,"unit":"celsius","condition":"sunny"}';

const chatRequest = {
  model: MODEL,
  messages: [
    { role: 'system', content: 'You are a terse geography assistant.' },
    { role: 'user', content: 'What is the capital of France?' },
  ],
  temperature: 0.2,
  max_tokens: 64,
  top_p: 0.9,
};
await harness.run('chat', {
  operation: 'chat', streaming: false, requestModel: MODEL, responseModel: responseModel(MODEL), responseId: SCRIPT.chat.id,
  temperature: 0.2, maxTokens: 64, topP: 0.9,
  systemInstructions: 'You are a terse geography assistant.', input: [{ role: 'user', content: 'What is the capital of France?' }],
  outputText: SCRIPT.chat.text, finishReasons: [SCRIPT.chat.finishReason], usage: usageOf(SCRIPT.chat.usage),
}, async () => {
  const r = await client.chat.completions.create(chatRequest);
  return { observed: { id: r.id, model: r.model, text: r.choices[0].message.content, finishReason: r.choices[0].finish_reason } };
});

await harness.run('stream', {
  operation: 'chat', streaming: true, requestModel: MODEL, responseModel: responseModel(MODEL), responseId: SCRIPT.stream.id,
  temperature: 0.7, input: [{ role: 'user', content: 'Tell me a one-sentence story about a span.' }],
  outputText: SCRIPT.stream.text, finishReasons: [SCRIPT.stream.finishReason], usage: usageOf(SCRIPT.stream.usage),
}, async () => {
  const stream = await client.chat.completions.create({
    model: MODEL,
    messages: [{ role: 'user', content: 'Tell me a one-sentence story about a span.' }],
    temperature: 0.7,
    stream: true,
    stream_options: { include_usage: true },
  });
  let text = '';
  let finishReason;
  let id;
  for await (const chunk of stream) {
    id = chunk.id;
    const choice = chunk.choices[0];
    if (choice?.delta?.content) text += choice.delta.content;
    if (choice?.finish_reason) finishReason = choice.finish_reason;
  }
  return { observed: { id, text, finishReason } };
});

const toolUser = { role: 'user', content: 'What is the weather in Paris?' };
let assistantToolMessage;
await harness.run('tool_call', {
  operation: 'chat', streaming: false, requestModel: MODEL, responseModel: responseModel(MODEL), responseId: SCRIPT.toolCall.id,
  input: [toolUser], tools: [WEATHER_TOOL], outputText: null,
  toolCalls: [{ id: SCRIPT.toolCall.toolCallId, name: WEATHER_TOOL.function.name, arguments: SCRIPT.toolCall.arguments }],
  finishReasons: [SCRIPT.toolCall.finishReason], usage: usageOf(SCRIPT.toolCall.usage),
}, async () => {
  const r = await client.chat.completions.create({ model: MODEL, messages: [toolUser], tools: [WEATHER_TOOL], tool_choice: 'auto' });
  assistantToolMessage = r.choices[0].message;
  return { observed: { id: r.id, toolCalls: r.choices[0].message.tool_calls, finishReason: r.choices[0].finish_reason } };
});

await harness.run('tool_result', {
  operation: 'chat', streaming: false, requestModel: MODEL, responseModel: responseModel(MODEL), responseId: SCRIPT.toolResult.id,
  input: [
    toolUser,
    { role: 'assistant', content: null, toolCalls: [{ id: SCRIPT.toolCall.toolCallId, name: WEATHER_TOOL.function.name, arguments: SCRIPT.toolCall.arguments }] },
    { role: 'tool', toolCallId: SCRIPT.toolCall.toolCallId, content: TOOL_RESULT },
  ],
  tools: [WEATHER_TOOL], outputText: SCRIPT.toolResult.text, finishReasons: [SCRIPT.toolResult.finishReason], usage: usageOf(SCRIPT.toolResult.usage),
}, async () => {
  if (!assistantToolMessage?.tool_calls) throw new Error('the tool_call step returned no tool calls');
  const r = await client.chat.completions.create({
    model: MODEL,
    messages: [
      toolUser,
      { role: 'assistant', content: null, tool_calls: assistantToolMessage.tool_calls },
      { role: 'tool', tool_call_id: assistantToolMessage.tool_calls[0].id, content: TOOL_RESULT },
    ],
    tools: [WEATHER_TOOL],
  });
  return { observed: { id: r.id, text: r.choices[0].message.content, finishReason: r.choices[0].finish_reason } };
});

await harness.run('error', {
  operation: 'chat', streaming: false, requestModel: SCRIPT.error.model, input: [{ role: 'user', content: 'This call is rate limited.' }],
  error: { httpStatus: SCRIPT.error.status, type: 'RateLimitError', code: SCRIPT.error.body.error.code, message: SCRIPT.error.body.error.message },
}, async () => {
  await client.chat.completions.create({ model: SCRIPT.error.model, messages: [{ role: 'user', content: 'This call is rate limited.' }] });
  throw new Error('the error-model call unexpectedly succeeded');
});

const EMBED_INPUT = ['The quick brown fox', 'jumps over the lazy dog'];
await harness.run('embeddings', {
  operation: 'embeddings', streaming: false, requestModel: SCRIPT.embeddings.model, responseModel: SCRIPT.embeddings.model,
  input: EMBED_INPUT, encodingFormat: 'float', dimensions: SCRIPT.embeddings.dimensions,
  usage: { inputTokens: SCRIPT.embeddings.promptTokensPerInput * EMBED_INPUT.length, totalTokens: SCRIPT.embeddings.promptTokensPerInput * EMBED_INPUT.length },
  vectors: EMBED_INPUT.map((_, i) => embeddingVector(i)),
}, async () => {
  const r = await client.embeddings.create({ model: SCRIPT.embeddings.model, input: EMBED_INPUT, encoding_format: 'float' });
  return { observed: { model: r.model, count: r.data.length, promptTokens: r.usage.prompt_tokens } };
});

// ---- shut down, then report ----------------------------------------------------------------------
await fake.close();
await harness.shutDown({ traces: tracerProvider, logs: loggerProvider, metrics: meterProvider }, kind.signals);

const { calls, failures } = harness;
const scopeSpans = harness.spanRecords.filter((r) => r.span.instrumentationScope?.name === kind.scope);
for (const call of calls) {
  const spans = scopeSpans.filter((r) => r.call === call.name).map(({ span }) => ({
    traceId: span.spanContext().traceId,
    spanId: span.spanContext().spanId,
    name: span.name,
    kind: ['Internal', 'Server', 'Client', 'Producer', 'Consumer'][span.kind],
    ended: span.ended,
  }));
  call.spans = spans;
  call.traceId = spans[0]?.traceId ?? '';
  call.spanId = spans[0]?.spanId ?? '';
  call.logEvents = logRecords.filter((l) => l.call === call.name).map(({ eventName, traceId, spanId }) => ({ eventName, traceId, spanId }));
  // Only spans that ended are exported; a call whose instrumentation leaves the span open is reported, not hidden.
  if (!spans.some((s) => s.ended) && !kind.callsWithoutSpan.includes(call.name)) {
    failures.push(`call '${call.name}' produced no finished span from ${kind.scope}`);
  }
}

harness.finish({
  runId,
  serviceName,
  instrumentation: options.instrumentation,
  instrumentationPackage: kind.package,
  scopeName: kind.scope,
  captureContent,
  protocol: options.protocol,
  resourceAttributes,
  expectedSignals: kind.signals,
  exportedSignals: [...new Set(harness.results.filter((r) => r.ok).map((r) => r.signal))],
  counts: { spans: scopeSpans.filter((r) => r.span.ended).length, logs: logRecords.length, calls: calls.length },
  calls,
});
