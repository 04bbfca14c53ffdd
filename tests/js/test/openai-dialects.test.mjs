import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startHttpSink } from '../sink.mjs';
import { SCRIPT } from '../fake-openai.mjs';
import { runScript, summaryOf, flatten, jsonBodies, attributesOf, anyValue } from './helpers.mjs';

const CALLS = ['chat', 'stream', 'tool_call', 'tool_result', 'error', 'embeddings'];
const USER_PROMPT = 'What is the capital of France?';

async function runDialect(instrumentation, captureContent = true) {
  const sink = await startHttpSink();
  try {
    const runId = `${instrumentation}-${captureContent}-${process.pid}`;
    const summary = summaryOf(await runScript('openai-dialects.mjs', [
      '--instrumentation', instrumentation, '--endpoint', sink.url, '--protocol', 'http/json',
      '--capture-content', String(captureContent), '--run-id', runId,
    ]));
    assert.equal(summary.runId, runId);
    assert.equal(summary.serviceName, `js-openai-${instrumentation}`);
    assert.deepEqual(summary.calls.map((c) => c.name), CALLS);
    const spans = flatten(jsonBodies(sink, 'traces'), 'traces');
    const logs = flatten(jsonBodies(sink, 'logs'), 'logs');
    const metrics = flatten(jsonBodies(sink, 'metrics'), 'metrics');
    const raw = Buffer.concat(sink.requests.map((r) => r.body)).toString('utf8');
    return { summary, spans, logs, metrics, raw, signals: new Set(sink.requests.map((r) => r.signal)) };
  } finally {
    await sink.close();
  }
}

/** The exported span of a call, checked against the summary's ids, resource and scope. */
function spanOf(run, name) {
  const call = run.summary.calls.find((c) => c.name === name);
  assert.ok(call.spans.length === 1 && call.spans[0].ended, `${name} has one ended span`);
  const found = run.spans.filter((s) => s.item.spanId === call.spanId);
  assert.equal(found.length, 1, `${name} span ${call.spanId} exported once`);
  const { resource, scope, item } = found[0];
  assert.equal(item.traceId, call.traceId);
  assert.equal(resource['service.name'], run.summary.serviceName);
  assert.equal(resource['otelllm.test.run_id'], run.summary.runId);
  assert.equal(scope.name, run.summary.scopeName);
  return { call, span: item, attrs: attributesOf(item.attributes) };
}

function assertExportedExactlyTheEndedSpans(run) {
  const ended = run.summary.calls.flatMap((c) => c.spans.filter((s) => s.ended).map((s) => s.spanId)).sort();
  const exported = run.spans.filter((s) => s.scope.name === run.summary.scopeName).map((s) => s.item.spanId).sort();
  assert.deepEqual(exported, ended);
  assert.equal(run.summary.counts.spans, ended.length);
}

test('official @opentelemetry/instrumentation-openai: spans, content log events and metrics', async () => {
  const run = await runDialect('otel');
  assert.deepEqual([...run.signals].sort(), ['logs', 'metrics', 'traces']);
  assertExportedExactlyTheEndedSpans(run);

  const chat = spanOf(run, 'chat');
  assert.equal(chat.span.name, 'chat gpt-4o-mini');
  assert.equal(chat.span.kind, 3);
  assert.equal(chat.attrs['gen_ai.system'], 'openai');
  assert.equal(chat.attrs['gen_ai.operation.name'], 'chat');
  assert.equal(chat.attrs['gen_ai.request.model'], chat.call.requestModel);
  assert.equal(chat.attrs['gen_ai.response.model'], chat.call.responseModel);
  assert.equal(chat.attrs['gen_ai.response.id'], SCRIPT.chat.id);
  assert.equal(chat.attrs['gen_ai.request.temperature'], chat.call.temperature);
  assert.equal(chat.attrs['gen_ai.request.top_p'], chat.call.topP);
  assert.equal(chat.attrs['gen_ai.request.max_tokens'], chat.call.maxTokens);
  assert.equal(chat.attrs['gen_ai.usage.input_tokens'], chat.call.usage.inputTokens);
  assert.equal(chat.attrs['gen_ai.usage.output_tokens'], chat.call.usage.outputTokens);
  assert.deepEqual(chat.attrs['gen_ai.response.finish_reasons'], chat.call.finishReasons);

  const stream = spanOf(run, 'stream');
  assert.equal(stream.attrs['gen_ai.usage.input_tokens'], stream.call.usage.inputTokens);
  assert.equal(stream.attrs['gen_ai.usage.output_tokens'], stream.call.usage.outputTokens);
  assert.deepEqual(spanOf(run, 'tool_call').attrs['gen_ai.response.finish_reasons'], ['tool_calls']);
  const error = spanOf(run, 'error');
  assert.equal(error.span.status.code, 2);
  assert.equal(error.attrs['error.type'], 'RateLimitError');
  const embeddings = spanOf(run, 'embeddings');
  assert.equal(embeddings.span.name, 'embeddings text-embedding-3-small');
  assert.equal(embeddings.attrs['gen_ai.usage.input_tokens'], embeddings.call.usage.inputTokens);

  // Content log events carry the span's trace context and the exact texts.
  for (const call of run.summary.calls) {
    for (const ev of call.logEvents) {
      assert.equal(ev.traceId, call.traceId);
      assert.equal(ev.spanId, call.spanId);
    }
  }
  assert.equal(run.logs.length, run.summary.counts.logs);
  const chatLogs = run.logs.filter((l) => l.item.spanId === chat.call.spanId);
  const byEvent = (name) => chatLogs.find((l) => (l.item.eventName || attributesOf(l.item.attributes)['event.name']) === name);
  assert.deepEqual(anyValue(byEvent('gen_ai.user.message').item.body), { content: USER_PROMPT });
  assert.deepEqual(anyValue(byEvent('gen_ai.system.message').item.body), { content: chat.call.systemInstructions });
  const choice = anyValue(byEvent('gen_ai.choice').item.body);
  assert.equal(choice.message.content, SCRIPT.chat.text);
  assert.equal(choice.finish_reason, 'stop');

  const metricNames = new Set(run.metrics.map((m) => m.item.name));
  assert.ok(metricNames.has('gen_ai.client.operation.duration'));
  assert.ok(metricNames.has('gen_ai.client.token.usage'));
});

test('@traceloop/instrumentation-openai: OTel 1.40 attributes with content on the span', async () => {
  const run = await runDialect('traceloop');
  assert.ok(run.signals.has('traces'));
  assertExportedExactlyTheEndedSpans(run);
  assert.deepEqual(run.summary.calls.filter((c) => !c.spans.some((s) => s.ended)).map((c) => c.name), ['error', 'embeddings']);

  const chat = spanOf(run, 'chat');
  assert.equal(chat.span.name, 'chat gpt-4o-mini');
  assert.equal(chat.attrs['gen_ai.provider.name'], 'openai');
  assert.equal(chat.attrs['gen_ai.request.model'], chat.call.requestModel);
  assert.equal(chat.attrs['gen_ai.response.model'], chat.call.responseModel);
  assert.equal(chat.attrs['gen_ai.usage.input_tokens'], chat.call.usage.inputTokens);
  assert.equal(chat.attrs['gen_ai.usage.output_tokens'], chat.call.usage.outputTokens);
  const input = JSON.parse(chat.attrs['gen_ai.input.messages']);
  assert.ok(JSON.stringify(input).includes(USER_PROMPT));
  assert.ok(JSON.stringify(JSON.parse(chat.attrs['gen_ai.output.messages'])).includes(SCRIPT.chat.text));
  const tool = spanOf(run, 'tool_call');
  assert.ok(tool.attrs['gen_ai.tool.definitions'].includes('get_weather'));
  assert.deepEqual(tool.attrs['gen_ai.response.finish_reasons'], ['tool_call']); // mapped from OpenAI's tool_calls
  assert.equal(spanOf(run, 'stream').attrs['gen_ai.usage.input_tokens'], undefined); // stream usage is ignored
  spanOf(run, 'tool_result');
});

test('@arizeai/openinference-instrumentation-openai: OpenInference attributes', async () => {
  const run = await runDialect('openinference');
  assert.ok(run.signals.has('traces'));
  assertExportedExactlyTheEndedSpans(run);
  assert.deepEqual(run.summary.calls.filter((c) => !c.spans.some((s) => s.ended)).map((c) => c.name), ['error']);

  const chat = spanOf(run, 'chat');
  assert.equal(chat.span.name, 'OpenAI Chat Completions');
  assert.equal(chat.span.kind ?? 0, 1); // SPAN_KIND_INTERNAL
  assert.equal(chat.attrs['openinference.span.kind'], 'LLM');
  assert.equal(chat.attrs['llm.model_name'], chat.call.responseModel);
  assert.equal(chat.attrs['llm.input_messages.0.message.role'], 'system');
  assert.equal(chat.attrs['llm.input_messages.1.message.content'], USER_PROMPT);
  assert.equal(chat.attrs['llm.output_messages.0.message.content'], SCRIPT.chat.text);
  assert.equal(chat.attrs['llm.token_count.prompt'], chat.call.usage.inputTokens);
  assert.equal(chat.attrs['llm.token_count.completion'], chat.call.usage.outputTokens);
  assert.equal(chat.attrs['llm.token_count.total'], chat.call.usage.totalTokens);
  assert.equal(chat.attrs['llm.token_count.prompt_details.cache_read'], chat.call.usage.cacheReadTokens);
  assert.equal(chat.attrs['llm.token_count.completion_details.reasoning'], chat.call.usage.reasoningTokens);
  assert.equal(JSON.parse(chat.attrs['llm.invocation_parameters']).temperature, chat.call.temperature);
  assert.equal(spanOf(run, 'tool_call').attrs['llm.output_messages.0.message.tool_calls.0.tool_call.function.name'], 'get_weather');
  assert.equal(spanOf(run, 'stream').attrs['llm.output_messages.0.message.content'], SCRIPT.stream.text);
  assert.equal(spanOf(run, 'embeddings').attrs['openinference.span.kind'], 'EMBEDDING');
});

for (const instrumentation of ['otel', 'traceloop', 'openinference']) {
  test(`${instrumentation} with --capture-content false exports no prompt or answer text`, async () => {
    const run = await runDialect(instrumentation, false);
    assertExportedExactlyTheEndedSpans(run);
    assert.ok(run.spans.length > 0);
    assert.equal(run.summary.captureContent, false);
    assert.ok(!run.raw.includes(USER_PROMPT), 'prompt text leaked');
    assert.ok(!run.raw.includes(SCRIPT.chat.text), 'answer text leaked');
  });
}
