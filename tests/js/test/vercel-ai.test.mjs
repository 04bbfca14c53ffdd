import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startHttpSink } from '../sink.mjs';
import { SCRIPT } from '../fake-openai.mjs';
import { runScript, summaryOf, flatten, jsonBodies } from './helpers.mjs';

const CALLS = ['generate_text', 'stream_text', 'generate_object', 'tool_loop', 'responses', 'embed', 'embed_many', 'error'];

async function runVercel(captureContent, sdk = '5', integration = 'builtin') {
  const sink = await startHttpSink();
  try {
    const runId = `vercel-${sdk}-${integration}-${captureContent}-${process.pid}`;
    const summary = summaryOf(await runScript('vercel-ai.mjs', [
      '--sdk', sdk, '--integration', integration, '--endpoint', sink.url, '--protocol', 'http/json', '--capture-content', String(captureContent), '--run-id', runId,
    ]));
    assert.equal(summary.runId, runId);
    const spans = flatten(jsonBodies(sink, 'traces'), 'traces');
    const raw = Buffer.concat(sink.requests.map((r) => r.body)).toString('utf8');
    return { summary, spans, raw };
  } finally {
    await sink.close();
  }
}

test('every call exports its function span and one span per model call, with the ai.* telemetry', async () => {
  const { summary, spans } = await runVercel(true);
  assert.match(summary.sdk.ai, /^5\.0\./);
  assert.match(summary.sdk['@ai-sdk/openai'], /^2\.0\./);
  assert.deepEqual(summary.calls.map((c) => c.name), CALLS);
  assert.equal(spans.length, summary.counts.spans);
  for (const call of summary.calls) {
    const exported = spans.filter((s) => s.item.traceId === call.traceId);
    assert.equal(exported.length, call.spans.length, `${call.name}: every span exported`);
    assert.ok(exported.every((s) => s.scope.name === 'ai'), `${call.name}: scope 'ai'`);
    assert.ok(call.spans.some((s) => s.name === `ai.${call.function}`), `${call.name}: the ai.${call.function} span`);
    for (const m of call.modelCalls) {
      const span = call.spans.find((s) => s.spanId === m.spanId);
      assert.equal(span.attributes['ai.operationId'], m.operationId);
      assert.equal(span.attributes['ai.model.provider'], m.provider);
      assert.equal(span.attributes['ai.telemetry.functionId'], 'capital-bot');
      assert.equal(span.attributes['ai.telemetry.metadata.userId'], 'user-7');
    }
  }
  const tool = summary.calls.find((c) => c.name === 'tool_loop');
  assert.equal(tool.spans.filter((s) => s.name === 'ai.toolCall').length, 1);
  const stream = summary.calls.find((c) => c.name === 'stream_text').spans.find((s) => s.name === 'ai.streamText.doStream');
  assert.ok(stream.attributes['ai.response.msToFirstChunk'] > 0);
  assert.equal(stream.attributes['ai.usage.cachedInputTokens'], SCRIPT.stream.usage.prompt_tokens_details.cached_tokens);
  // Embedding model calls carry no gen_ai.* attribute: only ai.operationId says they are GenAI.
  const embedSpan = summary.calls.find((c) => c.name === 'embed').spans.find((s) => s.name === 'ai.embed.doEmbed');
  assert.ok(Object.keys(embedSpan.attributes).every((k) => !k.startsWith('gen_ai.')));
});

test('with recordInputs and recordOutputs off no prompt or answer text is exported', async () => {
  const { summary, raw } = await runVercel(false);
  assert.equal(summary.captureContent, false);
  for (const text of ['capital of France', SCRIPT.chat.text, SCRIPT.stream.text, 'weather in Paris', 'quick brown fox', '"country"']) {
    assert.ok(!raw.includes(text), `'${text}' was exported`);
  }
});

test('SDK 7 with @ai-sdk/otel: semantic-convention spans (tracer gen_ai), or SDK 5\'s ai.* spans with the legacy integration', async () => {
  const otel = await runVercel(true, '7', 'otel');
  assert.match(otel.summary.sdk.ai, /^7\./);
  assert.deepEqual(otel.summary.calls.map((c) => c.name), CALLS);
  assert.ok(otel.spans.every((s) => s.scope.name === 'gen_ai'));
  for (const call of otel.summary.calls) {
    for (const m of call.modelCalls) {
      const span = call.spans.find((s) => s.spanId === m.spanId);
      assert.ok(['chat', 'embeddings'].includes(span.attributes['gen_ai.operation.name']), `${call.name}: ${span.name}`);
      assert.equal(span.attributes['gen_ai.provider.name'], 'openai');
    }
  }
  const stream = otel.summary.calls.find((c) => c.name === 'stream_text');
  assert.ok(stream.spans.find((s) => s.spanId === stream.modelCalls[0].spanId).attributes['gen_ai.client.operation.time_to_first_chunk'] > 0);
  // embed/embedMany: an embeddings span without usage around the provider's embeddings span.
  const embedMany = otel.summary.calls.find((c) => c.name === 'embed_many');
  assert.deepEqual(embedMany.spans.map((s) => s.attributes['gen_ai.usage.input_tokens']), [undefined, SCRIPT.embeddings.promptTokensPerInput * 2]);

  const legacy = await runVercel(true, '7', 'legacy');
  assert.ok(legacy.spans.every((s) => s.scope.name === 'ai'));
  const generate = legacy.summary.calls.find((c) => c.name === 'generate_text');
  const doGenerate = generate.spans.find((s) => s.spanId === generate.modelCalls[0].spanId);
  assert.equal(doGenerate.attributes['ai.settings.context.userId'], 'user-7');
  assert.equal(doGenerate.attributes['ai.usage.cachedInputTokens'], SCRIPT.chat.usage.prompt_tokens_details.cached_tokens);
});

