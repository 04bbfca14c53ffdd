#!/usr/bin/env node
// Drives LangChain.js (`@langchain/openai` ChatOpenAI) against the local fake OpenAI server with one of
// two real LangChain instrumentations, exports the spans over OTLP, and prints a one-line JSON summary.
//
//   node langchain.mjs --instrumentation openinference|traceloop --endpoint http://127.0.0.1:PORT
//                      [--protocol http/protobuf|http/json|grpc] [--run-id ID] [--headers k=v,...]
//
// Exit codes: 0 every export succeeded and every call produced an ended span; 1 otherwise; 2 bad arguments.
import { createRequire } from 'node:module';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { BatchSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { PROTOCOLS, parseArgs, parseHeaders, defaultRunId, createExporter, checkResults } from './lib/otlp.mjs';
import { startFakeOpenAI, SCRIPT, responseModel } from './fake-openai.mjs';

const require = createRequire(import.meta.url);

// Both patch LangChain's callback manager module, handed to them with their manual API (their
// require hooks would depend on how @langchain/core is loaded).
const INSTRUMENTATIONS = {
  openinference: { package: '@arizeai/openinference-instrumentation-langchain', scope: '@arizeai/openinference-instrumentation-langchain' },
  traceloop: { package: '@traceloop/instrumentation-langchain', scope: '@traceloop/instrumentation-langchain' },
};

function usageError(message) {
  process.stderr.write(`langchain: ${message}\n`);
  process.exit(2);
}

let options;
try {
  options = parseArgs(process.argv.slice(2), { instrumentation: undefined, endpoint: undefined, protocol: 'http/protobuf', runId: undefined, headers: '' });
} catch (e) {
  usageError(e.message);
}
const kind = INSTRUMENTATIONS[options.instrumentation];
if (!kind) usageError(`--instrumentation must be one of ${Object.keys(INSTRUMENTATIONS).join(', ')}`);
if (!options.endpoint) usageError('--endpoint is required');
if (!PROTOCOLS.includes(options.protocol)) usageError(`--protocol must be one of ${PROTOCOLS.join(', ')}`);
let headers;
try {
  headers = parseHeaders(options.headers);
} catch (e) {
  usageError(e.message);
}
const runId = options.runId ?? defaultRunId();
const serviceName = `js-langchain-${options.instrumentation}`;
const results = [];
const resourceAttributes = { 'service.name': serviceName, 'otelllm.test.run_id': runId, 'deployment.environment.name': 'interop-test' };

let currentCall;
const spanRecords = [];
const spanRecorder = {
  onStart(span) {
    spanRecords.push({ call: currentCall, span });
  },
  onEnd() {},
  forceFlush: () => Promise.resolve(),
  shutdown: () => Promise.resolve(),
};
const tracerProvider = new NodeTracerProvider({
  resource: resourceFromAttributes(resourceAttributes),
  spanProcessors: [spanRecorder, new BatchSpanProcessor(createExporter('traces', { endpoint: options.endpoint, protocol: options.protocol, headers, compression: 'none' }, results), { scheduledDelayMillis: 600000 })],
});
tracerProvider.register();

const callbackManagerModule = require('@langchain/core/callbacks/manager');
if (options.instrumentation === 'openinference') {
  const { LangChainInstrumentation } = require(kind.package);
  new LangChainInstrumentation({ tracerProvider }).manuallyInstrument(callbackManagerModule);
} else {
  const { LangChainInstrumentation } = require(kind.package);
  const instrumentation = new LangChainInstrumentation({ traceContent: true });
  instrumentation.setTracerProvider(tracerProvider);
  instrumentation.manuallyInstrument({ callbackManagerModule });
}
const { ChatOpenAI } = require('@langchain/openai');
const { AIMessage, HumanMessage, SystemMessage, ToolMessage } = require('@langchain/core/messages');

const fake = await startFakeOpenAI();
const MODEL = 'gpt-4o-mini';
const chatModel = (model = MODEL, settings = {}) => new ChatOpenAI({ model, apiKey: 'sk-otelllm-fake', configuration: { baseURL: fake.baseURL }, maxRetries: 0, ...settings });

function usageOf(u) {
  return {
    inputTokens: u.prompt_tokens, outputTokens: u.completion_tokens, totalTokens: u.total_tokens,
    cacheReadTokens: u.prompt_tokens_details.cached_tokens, reasoningTokens: u.completion_tokens_details.reasoning_tokens,
  };
}

const calls = [];
async function run(name, spec, body) {
  currentCall = name;
  const call = { name, ...spec };
  try {
    Object.assign(call, await body());
  } catch (e) {
    call.error = { ...(call.error ?? {}), clientErrorType: e?.constructor?.name ?? 'Error', clientStatus: e?.status, clientMessage: e?.message };
  } finally {
    currentCall = undefined;
  }
  calls.push(call);
}

const SYSTEM = 'You are a terse geography assistant.';
const QUESTION = 'What is the capital of France?';
await run('chat', {
  requestModel: MODEL, responseModel: responseModel(MODEL), responseId: SCRIPT.chat.id, temperature: 0.2, finishReasons: ['stop'], usage: usageOf(SCRIPT.chat.usage),
  input: [{ role: 'system', text: SYSTEM }, { role: 'user', text: QUESTION }], outputText: SCRIPT.chat.text,
}, async () => {
  const r = await chatModel(MODEL, { temperature: 0.2 }).invoke([new SystemMessage(SYSTEM), new HumanMessage(QUESTION)]);
  return { observed: { id: r.id, text: r.content } };
});

const STORY = 'Tell me a one-sentence story about a span.';
await run('stream', {
  requestModel: MODEL, responseModel: responseModel(MODEL), responseId: SCRIPT.stream.id, finishReasons: ['stop'], usage: usageOf(SCRIPT.stream.usage),
  input: [{ role: 'user', text: STORY }], outputText: SCRIPT.stream.text,
}, async () => {
  let text = '';
  for await (const chunk of await chatModel(MODEL, { streamUsage: true }).stream([new HumanMessage(STORY)])) text += chunk.content;
  return { observed: { text } };
});

const WEATHER_TOOL = {
  type: 'function',
  function: {
    name: 'get_weather',
    description: 'Get the current weather for a city',
    parameters: { type: 'object', properties: { city: { type: 'string' }, unit: { type: 'string', enum: ['celsius', 'fahrenheit'] } }, required: ['city'] },
  },
};
const WEATHER_QUESTION = 'What is the weather in Paris?';
let toolCallMessage;
await run('tool_call', {
  requestModel: MODEL, responseModel: responseModel(MODEL), responseId: SCRIPT.toolCall.id, finishReasons: ['tool_calls'], usage: usageOf(SCRIPT.toolCall.usage),
  input: [{ role: 'user', text: WEATHER_QUESTION }], toolCalls: [{ id: SCRIPT.toolCall.toolCallId, name: 'get_weather', arguments: JSON.parse(SCRIPT.toolCall.arguments) }],
}, async () => {
  toolCallMessage = await chatModel().bindTools([WEATHER_TOOL]).invoke([new HumanMessage(WEATHER_QUESTION)]);
  return { observed: { toolCalls: toolCallMessage.tool_calls } };
});

const TOOL_RESULT = '{"temperature":18,"unit":"celsius","condition":"sunny"}';
await run('tool_result', {
  requestModel: MODEL, responseModel: responseModel(MODEL), responseId: SCRIPT.toolResult.id, finishReasons: ['stop'], usage: usageOf(SCRIPT.toolResult.usage),
  outputText: SCRIPT.toolResult.text, toolResult: { id: SCRIPT.toolCall.toolCallId, content: TOOL_RESULT },
}, async () => {
  if (!toolCallMessage?.tool_calls?.length) throw new Error('the tool_call step returned no tool calls');
  const r = await chatModel().bindTools([WEATHER_TOOL]).invoke([
    new HumanMessage(WEATHER_QUESTION),
    new AIMessage({ content: '', tool_calls: toolCallMessage.tool_calls }),
    new ToolMessage({ content: TOOL_RESULT, tool_call_id: toolCallMessage.tool_calls[0].id }),
  ]);
  return { observed: { text: r.content } };
});

await run('error', {
  requestModel: SCRIPT.error.model, error: { httpStatus: SCRIPT.error.status, message: SCRIPT.error.body.error.message },
}, async () => {
  await chatModel(SCRIPT.error.model).invoke([new HumanMessage('This call is rate limited.')]);
  throw new Error('the error-model call unexpectedly succeeded');
});

await fake.close();
const failures = [];
try {
  await tracerProvider.shutdown();
} catch (e) {
  failures.push(`traces: shutdown failed: ${e?.message ?? e}`);
}
try {
  checkResults(results, ['traces']);
} catch (e) {
  failures.push(e.message);
}
for (const call of calls) {
  call.spans = spanRecords.filter((r) => r.call === call.name && r.span.instrumentationScope?.name === kind.scope).map(({ span }) => ({
    traceId: span.spanContext().traceId, spanId: span.spanContext().spanId, name: span.name, ended: span.ended, attributes: span.attributes,
  }));
  call.traceId = call.spans[0]?.traceId ?? '';
  call.spanId = call.spans[0]?.spanId ?? '';
  if (call.spans.length !== 1 || !call.spans[0].ended) failures.push(`call '${call.name}' made ${call.spans.length} spans from ${kind.scope}, expected one ended span`);
}
const wrongCalls = calls.filter((c) => (c.name === 'error' ? c.error?.clientStatus !== SCRIPT.error.status : c.error !== undefined));
for (const c of wrongCalls) failures.push(`call '${c.name}' did not behave as scripted: ${JSON.stringify(c.error)}`);
if (failures.length > 0) {
  process.stderr.write(`langchain: ${failures.join('\n  ')}\n`);
  process.exit(1);
}

process.stdout.write(`${JSON.stringify({
  runId, serviceName, instrumentation: options.instrumentation, instrumentationPackage: kind.package, scopeName: kind.scope,
  sdk: { '@langchain/core': require('@langchain/core/package.json').version, '@langchain/openai': require('@langchain/openai/package.json').version },
  protocol: options.protocol, resourceAttributes, counts: { spans: calls.length, calls: calls.length }, calls,
})}\n`);
process.exit(0);
