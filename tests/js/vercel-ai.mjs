#!/usr/bin/env node
// Drives the real Vercel AI SDK (`ai` with `@ai-sdk/openai`) against the local fake OpenAI server with
// the SDK's telemetry on, exports its spans over OTLP, and prints a one-line JSON summary of every call
// and of every span the SDK made (name, ids, attributes as the SDK set them).
//
//   node vercel-ai.mjs --endpoint http://127.0.0.1:PORT [--sdk 5|7] [--integration builtin|otel|legacy]
//                      [--protocol http/protobuf|http/json|grpc] [--capture-content true|false]
//                      [--run-id ID] [--headers k=v,...]
//
// --sdk 5 (default) is `ai` 5 from this folder, whose telemetry is built in; --sdk 7 is `ai` 7 from
// ai-sdk-7/, whose telemetry is @ai-sdk/otel's `OpenTelemetry` (--integration otel, the default there:
// GenAI semantic-convention spans) or `LegacyOpenTelemetry` (--integration legacy: SDK 5's ai.* spans).
//
// Exit codes: 0 every export succeeded and every call behaved as scripted; 1 otherwise; 2 bad arguments.
import { resourceFromAttributes } from '@opentelemetry/resources';
import { z } from 'zod';
import { Harness } from './lib/harness.mjs';
import { startFakeOpenAI, SCRIPT, responseModel, usageOf } from './fake-openai.mjs';

// The SDK's errors carry the HTTP status as `statusCode`, and their `name` (AI_APICallError) says more than the class.
const harness = new Harness('vercel-ai', {
  clientError: (e) => ({ clientErrorType: e?.constructor?.name ?? 'Error', clientName: e?.name, clientStatus: e?.statusCode, clientMessage: e?.message }),
});
const rawOptions = harness.readOptions({ sdk: '5', integration: undefined, captureContent: 'true' });
if (!['5', '7'].includes(rawOptions.sdk)) harness.usageError('--sdk must be 5 or 7');
const sdk = await import(rawOptions.sdk === '7' ? './ai-sdk-7/sdk.mjs' : './lib/ai-sdk-5.mjs');
const { generateText, streamText, generateObject, embed, embedMany, tool, stepCountIs, createOpenAI } = sdk;
const integration = rawOptions.integration ?? sdk.integrations[0];
if (!sdk.integrations.includes(integration)) harness.usageError(`--integration must be one of ${sdk.integrations.join(', ')} for SDK ${rawOptions.sdk}`);
// Semantic-convention spans are named by operation and model; the others by the SDK's operation id.
const semconv = integration === 'otel';
const options = harness.checkOptions(rawOptions);
const { runId, captureContent } = options;
const serviceName = options.sdk === '5' ? 'js-vercel-ai' : `js-vercel-ai-${options.sdk}-${integration}`;
const resourceAttributes = { 'service.name': serviceName, 'otelllm.test.run_id': runId, 'deployment.environment.name': 'interop-test' };

// The SDK takes the global tracer provider (the harness registers it) unless one is passed; the global one is what a
// new user has.
const tracerProvider = harness.tracerProvider(resourceFromAttributes(resourceAttributes));
sdk.register(integration);

const fake = await startFakeOpenAI();
const openai = createOpenAI({ apiKey: 'sk-otelllm-fake', baseURL: fake.baseURL });

// ---- the calls --------------------------------------------------------------------------------------
const MODEL = 'gpt-4o-mini';
const METADATA = { userId: 'user-7', sessionId: 'session-42', tier: 'gold' };
const telemetry = sdk.callOptions({ functionId: 'capital-bot', metadata: METADATA, recordContent: captureContent });
const WEATHER = { city: 'Paris', unit: 'celsius' };
const TOOL_RESULT = { temperature: 18, unit: 'celsius', condition: 'sunny' };
const weatherTool = tool({
  description: 'Get the current weather for a city',
  inputSchema: z.object({ city: z.string(), unit: z.enum(['celsius', 'fahrenheit']) }),
  execute: async () => TOOL_RESULT,
});

const SYSTEM = 'You are a terse geography assistant.';
const QUESTION = 'What is the capital of France?';
await harness.run('generate_text', {
  function: 'generateText',
  modelCalls: [{
    operationId: 'ai.generateText.doGenerate', provider: 'openai.chat', streaming: false, requestModel: MODEL, responseModel: responseModel(MODEL),
    responseId: SCRIPT.chat.id, temperature: 0.2, topP: 0.9, maxTokens: 64, finishReasons: [SCRIPT.chat.finishReason], usage: usageOf(SCRIPT.chat.usage),
    input: [{ role: 'system', text: SYSTEM }, { role: 'user', text: QUESTION }], outputText: SCRIPT.chat.text,
  }],
}, async () => {
  const r = await generateText({ model: openai.chat(MODEL), system: SYSTEM, prompt: QUESTION, temperature: 0.2, topP: 0.9, maxOutputTokens: 64, ...telemetry });
  return { observed: { text: r.text, finishReason: r.finishReason, usage: r.usage } };
});

const STORY = 'Tell me a one-sentence story about a span.';
await harness.run('stream_text', {
  function: 'streamText',
  modelCalls: [{
    operationId: 'ai.streamText.doStream', provider: 'openai.chat', streaming: true, requestModel: MODEL, responseModel: responseModel(MODEL),
    responseId: SCRIPT.stream.id, temperature: 0.7, finishReasons: [SCRIPT.stream.finishReason], usage: usageOf(SCRIPT.stream.usage),
    input: [{ role: 'user', text: STORY }], outputText: SCRIPT.stream.text,
  }],
}, async () => {
  const r = streamText({ model: openai.chat(MODEL), prompt: STORY, temperature: 0.7, ...telemetry });
  let text = '';
  for await (const piece of r.textStream) text += piece;
  return { observed: { text, finishReason: await r.finishReason, usage: await r.usage } };
});

const OBJECT_PROMPT = 'Name the capital of France and its country as JSON.';
await harness.run('generate_object', {
  function: 'generateObject',
  modelCalls: [{
    operationId: 'ai.generateObject.doGenerate', provider: 'openai.chat', streaming: false, requestModel: MODEL, responseModel: responseModel(MODEL),
    responseId: SCRIPT.object.id, finishReasons: [SCRIPT.object.finishReason], usage: usageOf(SCRIPT.object.usage),
    input: [{ role: 'user', text: OBJECT_PROMPT }], outputText: SCRIPT.object.text,
  }],
}, async () => {
  const r = await generateObject({ model: openai.chat(MODEL), schema: z.object({ city: z.string(), country: z.string() }), prompt: OBJECT_PROMPT, ...telemetry });
  return { observed: { object: r.object, finishReason: r.finishReason } };
});

const WEATHER_QUESTION = 'What is the weather in Paris?';
await harness.run('tool_loop', {
  function: 'generateText',
  tool: { name: 'get_weather', callId: SCRIPT.toolCall.toolCallId, arguments: WEATHER, result: TOOL_RESULT, description: 'Get the current weather for a city' },
  modelCalls: [{
    operationId: 'ai.generateText.doGenerate', provider: 'openai.chat', streaming: false, requestModel: MODEL, responseModel: responseModel(MODEL),
    responseId: SCRIPT.toolCall.id, finishReasons: ['tool-calls'], usage: usageOf(SCRIPT.toolCall.usage), input: [{ role: 'user', text: WEATHER_QUESTION }],
    toolCalls: [{ id: SCRIPT.toolCall.toolCallId, name: 'get_weather', arguments: WEATHER }],
  }, {
    operationId: 'ai.generateText.doGenerate', provider: 'openai.chat', streaming: false, requestModel: MODEL, responseModel: responseModel(MODEL),
    responseId: SCRIPT.toolResult.id, finishReasons: [SCRIPT.toolResult.finishReason], usage: usageOf(SCRIPT.toolResult.usage), outputText: SCRIPT.toolResult.text,
  }],
}, async () => {
  const r = await generateText({
    model: openai.chat(MODEL), prompt: WEATHER_QUESTION, tools: { get_weather: weatherTool }, stopWhen: stepCountIs(3), ...telemetry,
  });
  return { observed: { text: r.text, steps: r.steps.length, finishReason: r.finishReason } };
});

await harness.run('responses', {
  function: 'generateText',
  modelCalls: [{
    operationId: 'ai.generateText.doGenerate', provider: 'openai.responses', streaming: false, requestModel: MODEL, responseModel: responseModel(MODEL),
    responseId: SCRIPT.responses.id, finishReasons: ['stop'],
    usage: {
      inputTokens: SCRIPT.responses.usage.input_tokens, outputTokens: SCRIPT.responses.usage.output_tokens, totalTokens: SCRIPT.responses.usage.total_tokens,
      cacheReadTokens: SCRIPT.responses.usage.input_tokens_details.cached_tokens, reasoningTokens: SCRIPT.responses.usage.output_tokens_details.reasoning_tokens,
    },
    input: [{ role: 'user', text: QUESTION }], outputText: SCRIPT.responses.text,
  }],
}, async () => {
  // What a new user writes: the provider's default model, which is the Responses API in @ai-sdk/openai 2.
  const r = await generateText({ model: openai(MODEL), prompt: QUESTION, ...telemetry });
  return { observed: { text: r.text, finishReason: r.finishReason } };
});

const EMBED_MODEL = SCRIPT.embeddings.model;
await harness.run('embed', {
  function: 'embed',
  modelCalls: [{ operationId: 'ai.embed.doEmbed', provider: 'openai.embedding', requestModel: EMBED_MODEL, usage: { inputTokens: SCRIPT.embeddings.promptTokensPerInput, totalTokens: SCRIPT.embeddings.promptTokensPerInput } }],
}, async () => {
  const r = await embed({ model: sdk.embeddingModel(openai, EMBED_MODEL), value: 'The quick brown fox', ...telemetry });
  return { observed: { dimensions: r.embedding.length, tokens: r.usage.tokens } };
});

const EMBED_VALUES = ['The quick brown fox', 'jumps over the lazy dog'];
await harness.run('embed_many', {
  function: 'embedMany',
  modelCalls: [{
    operationId: 'ai.embedMany.doEmbed', provider: 'openai.embedding', requestModel: EMBED_MODEL,
    usage: { inputTokens: SCRIPT.embeddings.promptTokensPerInput * EMBED_VALUES.length, totalTokens: SCRIPT.embeddings.promptTokensPerInput * EMBED_VALUES.length },
  }],
}, async () => {
  const r = await embedMany({ model: sdk.embeddingModel(openai, EMBED_MODEL), values: EMBED_VALUES, ...telemetry });
  return { observed: { count: r.embeddings.length, tokens: r.usage.tokens } };
});

await harness.run('error', {
  function: 'generateText',
  modelCalls: [{ operationId: 'ai.generateText.doGenerate', provider: 'openai.chat', requestModel: SCRIPT.error.model, input: [{ role: 'user', text: 'This call is rate limited.' }] }],
  error: { httpStatus: SCRIPT.error.status, message: SCRIPT.error.body.error.message },
}, async () => {
  await generateText({ model: openai.chat(SCRIPT.error.model), prompt: 'This call is rate limited.', maxRetries: 0, ...telemetry });
  throw new Error('the error-model call unexpectedly succeeded');
});

// ---- shut down, then report ----------------------------------------------------------------------
await fake.close();
await harness.shutDown({ traces: tracerProvider }, ['traces']);

const { calls, failures } = harness;
const hex = (s) => s ?? '';
function isSemconvModelCall(span, spans) {
  const operation = span.attributes['gen_ai.operation.name'];
  if (operation === 'chat') return true;
  const parent = spans.find((p) => p.spanId === span.parentSpanId);
  return operation === 'embeddings' && parent?.attributes['gen_ai.operation.name'] === 'embeddings';
}
for (const call of calls) {
  call.spans = harness.spansOf(call.name).map((span) => ({
    traceId: span.spanContext().traceId,
    spanId: span.spanContext().spanId,
    parentSpanId: hex(span.parentSpanContext?.spanId),
    name: span.name,
    scope: span.instrumentationScope?.name,
    ended: span.ended,
    attributes: span.attributes,
  }));
  call.traceId = call.spans[0]?.traceId ?? '';
  // The model-call spans in the order they started, matched to the scripted calls. Semantic-convention
  // embedding calls are an `embeddings` span inside the `embeddings` span of embed/embedMany.
  const modelSpans = call.spans.filter((s) => (semconv ? isSemconvModelCall(s, call.spans) : /\.do(Generate|Stream|Embed)$/.test(s.name)));
  if (modelSpans.length !== call.modelCalls.length) {
    failures.push(`call '${call.name}' made ${modelSpans.length} model-call spans, expected ${call.modelCalls.length}`);
  }
  call.modelCalls.forEach((m, i) => {
    m.spanId = modelSpans[i]?.spanId ?? '';
    if (modelSpans[i] && !semconv && modelSpans[i].name !== m.operationId) failures.push(`call '${call.name}' span ${i} is '${modelSpans[i].name}', expected '${m.operationId}'`);
  });
  if (call.spans.some((s) => !s.ended)) failures.push(`call '${call.name}' left a span open`);
}
harness.finish({
  runId,
  serviceName,
  sdk: sdk.versions,
  integration,
  captureContent,
  protocol: options.protocol,
  resourceAttributes,
  telemetry: { functionId: telemetry.functionId, metadata: METADATA },
  counts: { spans: harness.spanRecords.length, modelCalls: calls.reduce((n, c) => n + c.modelCalls.length, 0) },
  calls,
});
