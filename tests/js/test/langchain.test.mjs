import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startHttpSink } from '../sink.mjs';
import { runScript, summaryOf, flatten, jsonBodies } from './helpers.mjs';

const CALLS = ['chat', 'stream', 'tool_call', 'tool_result', 'error'];

async function runLangChain(instrumentation) {
  const sink = await startHttpSink();
  try {
    const summary = summaryOf(await runScript('langchain.mjs', ['--instrumentation', instrumentation, '--endpoint', sink.url, '--protocol', 'http/json']));
    return { summary, spans: flatten(jsonBodies(sink, 'traces'), 'traces') };
  } finally {
    await sink.close();
  }
}

test('OpenInference: one LLM span per ChatOpenAI call, no llm.provider, the provider only in LangChain\'s metadata', async () => {
  const { summary, spans } = await runLangChain('openinference');
  assert.deepEqual(summary.calls.map((c) => c.name), CALLS);
  assert.equal(spans.length, CALLS.length);
  for (const call of summary.calls) {
    const span = call.spans[0];
    assert.equal(span.attributes['openinference.span.kind'], 'LLM');
    assert.equal(span.attributes['llm.provider'], undefined);
    assert.equal(span.attributes['llm.system'], undefined);
    assert.equal(JSON.parse(span.attributes.metadata).ls_provider, 'openai');
    assert.ok(spans.some((s) => s.item.spanId === call.spanId && s.scope.name === summary.scopeName));
  }
});

test('Traceloop: one chat span per ChatOpenAI call with gen_ai.provider.name openai', async () => {
  const { summary, spans } = await runLangChain('traceloop');
  assert.deepEqual(summary.calls.map((c) => c.name), CALLS);
  assert.equal(spans.length, CALLS.length);
  for (const call of summary.calls) assert.equal(call.spans[0].attributes['gen_ai.provider.name'], 'openai');
});
