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
import { Harness } from './lib/harness.mjs';
import { startFakeOpenAI, SCRIPT, responseModel, usageOf } from './fake-openai.mjs';

const require = createRequire(import.meta.url);

// Both patch LangChain's callback manager module, handed to them with their manual API (their
// require hooks would depend on how @langchain/core is loaded).
const INSTRUMENTATIONS = {
  openinference: { package: '@arizeai/openinference-instrumentation-langchain', scope: '@arizeai/openinference-instrumentation-langchain' },
  traceloop: { package: '@traceloop/instrumentation-langchain', scope: '@traceloop/instrumentation-langchain' },
};

const harness = new Harness('langchain');
const rawOptions = harness.readOptions({ instrumentation: undefined });
const kind = INSTRUMENTATIONS[rawOptions.instrumentation];
if (!kind) harness.usageError(`--instrumentation must be one of ${Object.keys(INSTRUMENTATIONS).join(', ')}`);
const options = harness.checkOptions(rawOptions);
const { runId } = options;
const serviceName = `js-langchain-${options.instrumentation}`;
const resourceAttributes = { 'service.name': serviceName, 'otelllm.test.run_id': runId, 'deployment.environment.name': 'interop-test' };
const tracerProvider = harness.tracerProvider(resourceFromAttributes(resourceAttributes));

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

const SYSTEM = 'You are a terse geography assistant.';
const QUESTION = 'What is the capital of France?';
await harness.run('chat', {
  requestModel: MODEL, responseModel: responseModel(MODEL), responseId: SCRIPT.chat.id, temperature: 0.2, finishReasons: ['stop'], usage: usageOf(SCRIPT.chat.usage),
  input: [{ role: 'system', text: SYSTEM }, { role: 'user', text: QUESTION }], outputText: SCRIPT.chat.text,
}, async () => {
  const r = await chatModel(MODEL, { temperature: 0.2 }).invoke([new SystemMessage(SYSTEM), new HumanMessage(QUESTION)]);
  return { observed: { id: r.id, text: r.content } };
});

const STORY = 'Tell me a one-sentence story about a span.';
await harness.run('stream', {
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
await harness.run('tool_call', {
  requestModel: MODEL, responseModel: responseModel(MODEL), responseId: SCRIPT.toolCall.id, finishReasons: ['tool_calls'], usage: usageOf(SCRIPT.toolCall.usage),
  input: [{ role: 'user', text: WEATHER_QUESTION }], toolCalls: [{ id: SCRIPT.toolCall.toolCallId, name: 'get_weather', arguments: JSON.parse(SCRIPT.toolCall.arguments) }],
}, async () => {
  toolCallMessage = await chatModel().bindTools([WEATHER_TOOL]).invoke([new HumanMessage(WEATHER_QUESTION)]);
  return { observed: { toolCalls: toolCallMessage.tool_calls } };
});

const TOOL_RESULT = '{"temperature":18,"unit":"celsius","condition":"sunny"}';
await harness.run('tool_result', {
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

await harness.run('error', {
  requestModel: SCRIPT.error.model, error: { httpStatus: SCRIPT.error.status, message: SCRIPT.error.body.error.message },
}, async () => {
  await chatModel(SCRIPT.error.model).invoke([new HumanMessage('This call is rate limited.')]);
  throw new Error('the error-model call unexpectedly succeeded');
});

await fake.close();
await harness.shutDown({ traces: tracerProvider }, ['traces']);
const { calls, failures } = harness;
for (const call of calls) {
  call.spans = harness.spansOf(call.name).filter((span) => span.instrumentationScope?.name === kind.scope).map((span) => ({
    traceId: span.spanContext().traceId, spanId: span.spanContext().spanId, name: span.name, ended: span.ended, attributes: span.attributes,
  }));
  call.traceId = call.spans[0]?.traceId ?? '';
  call.spanId = call.spans[0]?.spanId ?? '';
  if (call.spans.length !== 1 || !call.spans[0].ended) failures.push(`call '${call.name}' made ${call.spans.length} spans from ${kind.scope}, expected one ended span`);
}

harness.finish({
  runId, serviceName, instrumentation: options.instrumentation, instrumentationPackage: kind.package, scopeName: kind.scope,
  sdk: { '@langchain/core': require('@langchain/core/package.json').version, '@langchain/openai': require('@langchain/openai/package.json').version },
  protocol: options.protocol, resourceAttributes, counts: { spans: calls.length, calls: calls.length }, calls,
});
