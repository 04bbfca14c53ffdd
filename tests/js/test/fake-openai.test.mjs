import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startFakeOpenAI, SCRIPT, embeddingVector } from '../fake-openai.mjs';

let fake;
before(async () => { fake = await startFakeOpenAI(); });
after(async () => { await fake.close(); });

async function post(path, body) {
  const res = await fetch(`${fake.baseURL}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return { status: res.status, contentType: res.headers.get('content-type'), text: await res.text() };
}

function sseEvents(text) {
  return text.split('\n\n').filter(Boolean).map((block) => {
    assert.match(block, /^data: /);
    return block.slice('data: '.length);
  });
}

const messages = [{ role: 'system', content: 'Be brief.' }, { role: 'user', content: 'Hi' }];

test('chat completion returns the scripted answer with dated model and full usage details', async () => {
  const r = await post('/chat/completions', { model: 'gpt-4o-mini', messages, temperature: 0.2 });
  assert.equal(r.status, 200);
  assert.match(r.contentType, /^application\/json/);
  const body = JSON.parse(r.text);
  assert.equal(body.object, 'chat.completion');
  assert.equal(body.id, SCRIPT.chat.id);
  assert.equal(body.model, 'gpt-4o-mini-2024-07-18');
  assert.equal(body.choices.length, 1);
  assert.deepEqual(body.choices[0].message.role, 'assistant');
  assert.equal(body.choices[0].message.content, SCRIPT.chat.text);
  assert.equal(body.choices[0].finish_reason, 'stop');
  assert.deepEqual(body.usage, SCRIPT.chat.usage);
  assert.equal(body.usage.total_tokens, body.usage.prompt_tokens + body.usage.completion_tokens);
  assert.ok(body.usage.prompt_tokens_details.cached_tokens > 0);
  assert.ok(body.usage.completion_tokens_details.reasoning_tokens > 0);
});

test('a model that already has a date suffix is echoed unchanged', async () => {
  const body = JSON.parse((await post('/chat/completions', { model: 'gpt-4o-2024-08-06', messages })).text);
  assert.equal(body.model, 'gpt-4o-2024-08-06');
});

test('streaming sends role, text chunks, finish, usage chunk, then [DONE]', async () => {
  const r = await post('/chat/completions', { model: 'gpt-4o-mini', messages, stream: true, stream_options: { include_usage: true } });
  assert.equal(r.status, 200);
  assert.match(r.contentType, /^text\/event-stream/);
  const events = sseEvents(r.text);
  assert.equal(events.at(-1), '[DONE]');
  const chunks = events.slice(0, -1).map((e) => JSON.parse(e));
  for (const c of chunks) {
    assert.equal(c.object, 'chat.completion.chunk');
    assert.equal(c.id, SCRIPT.stream.id);
    assert.equal(c.model, 'gpt-4o-mini-2024-07-18');
  }
  assert.equal(chunks[0].choices[0].delta.role, 'assistant');
  const text = chunks.flatMap((c) => c.choices).map((ch) => ch.delta.content ?? '').join('');
  assert.equal(text, SCRIPT.stream.text);
  const finish = chunks.flatMap((c) => c.choices).filter((ch) => ch.finish_reason);
  assert.deepEqual(finish.map((ch) => ch.finish_reason), ['stop']);
  const last = chunks.at(-1);
  assert.deepEqual(last.choices, []);
  assert.deepEqual(last.usage, SCRIPT.stream.usage);
  assert.ok(chunks.slice(0, -1).every((c) => c.usage === null));
});

test('streaming without include_usage sends no usage at all', async () => {
  const r = await post('/chat/completions', { model: 'gpt-4o-mini', messages, stream: true });
  const chunks = sseEvents(r.text).slice(0, -1).map((e) => JSON.parse(e));
  assert.ok(chunks.length >= SCRIPT.stream.chunks.length + 2);
  assert.ok(chunks.every((c) => !('usage' in c)));
  assert.ok(chunks.every((c) => c.choices.length === 1));
});

test('a request with tools gets tool_calls naming the first tool', async () => {
  const tools = [{ type: 'function', function: { name: 'lookup', parameters: { type: 'object', properties: {} } } }];
  const body = JSON.parse((await post('/chat/completions', { model: 'gpt-4o-mini', messages, tools })).text);
  assert.equal(body.id, SCRIPT.toolCall.id);
  const choice = body.choices[0];
  assert.equal(choice.finish_reason, 'tool_calls');
  assert.equal(choice.message.content, null);
  assert.deepEqual(choice.message.tool_calls, [{ id: SCRIPT.toolCall.toolCallId, type: 'function', function: { name: 'lookup', arguments: SCRIPT.toolCall.arguments } }]);
  assert.deepEqual(JSON.parse(choice.message.tool_calls[0].function.arguments), { city: 'Paris', unit: 'celsius' });
  assert.deepEqual(body.usage, SCRIPT.toolCall.usage);
});

test('a tool result message gets the final text answer', async () => {
  const tools = [{ type: 'function', function: { name: 'lookup', parameters: { type: 'object', properties: {} } } }];
  const body = JSON.parse((await post('/chat/completions', {
    model: 'gpt-4o-mini',
    tools,
    messages: [
      { role: 'user', content: 'q' },
      { role: 'assistant', content: null, tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'lookup', arguments: '{}' } }] },
      { role: 'tool', tool_call_id: 'call_1', content: '{"ok":true}' },
    ],
  })).text);
  assert.equal(body.id, SCRIPT.toolResult.id);
  assert.equal(body.choices[0].message.content, SCRIPT.toolResult.text);
  assert.equal(body.choices[0].finish_reason, 'stop');
  assert.deepEqual(body.usage, SCRIPT.toolResult.usage);
});

test('error-model gets HTTP 429 with the OpenAI error body', async () => {
  const r = await post('/chat/completions', { model: 'error-model', messages });
  assert.equal(r.status, 429);
  const body = JSON.parse(r.text);
  assert.deepEqual(body, SCRIPT.error.body);
  assert.equal(body.error.code, 'rate_limit_exceeded');
  assert.equal(typeof body.error.message, 'string');
});

test('embeddings return one deterministic float vector per input', async () => {
  const body = JSON.parse((await post('/embeddings', { model: 'text-embedding-3-small', input: ['a', 'b', 'c'], encoding_format: 'float' })).text);
  assert.equal(body.object, 'list');
  assert.equal(body.model, 'text-embedding-3-small');
  assert.deepEqual(body.data.map((d) => d.index), [0, 1, 2]);
  for (const d of body.data) {
    assert.equal(d.object, 'embedding');
    assert.deepEqual(d.embedding, embeddingVector(d.index));
  }
  assert.notDeepEqual(body.data[0].embedding, body.data[1].embedding);
  assert.deepEqual(body.usage, { prompt_tokens: 18, total_tokens: 18 });
});

test('embeddings in base64 decode to the same float32 vector', async () => {
  const body = JSON.parse((await post('/embeddings', { model: 'text-embedding-3-small', input: 'x', encoding_format: 'base64', dimensions: 4 })).text);
  const bytes = Buffer.from(body.data[0].embedding, 'base64');
  const floats = Array.from(new Float32Array(bytes.buffer, bytes.byteOffset, bytes.length / 4));
  assert.deepEqual(floats, embeddingVector(0, 4));
});

test('bad JSON is a 400 and unknown paths a 404, both with OpenAI error bodies', async () => {
  const bad = await fetch(`${fake.baseURL}/chat/completions`, { method: 'POST', body: '{not json' });
  assert.equal(bad.status, 400);
  assert.equal(typeof (await bad.json()).error.message, 'string');
  const missing = await post('/nope', {});
  assert.equal(missing.status, 404);
  assert.equal(typeof JSON.parse(missing.text).error.message, 'string');
});

test('every request is recorded with its scenario', async () => {
  const before = fake.requests.length;
  await post('/chat/completions', { model: 'gpt-4o-mini', messages });
  await post('/embeddings', { model: 'text-embedding-3-small', input: 'x' });
  assert.deepEqual(fake.requests.slice(before).map((r) => [r.path, r.scenario]), [['/v1/chat/completions', 'chat'], ['/v1/embeddings', 'embeddings']]);
});

test('a json_schema response format is answered with the scripted JSON object', async () => {
  const r = await post('/chat/completions', {
    model: 'gpt-4o-mini', messages,
    response_format: { type: 'json_schema', json_schema: { name: 'response', strict: true, schema: { type: 'object' } } },
  });
  assert.equal(r.status, 200);
  const body = JSON.parse(r.text);
  assert.equal(body.id, SCRIPT.object.id);
  assert.deepEqual(JSON.parse(body.choices[0].message.content), { city: 'Paris', country: 'France' });
  assert.deepEqual(body.usage, SCRIPT.object.usage);
});

test('the Responses API answers one output_text message with input/output usage details', async () => {
  const r = await post('/responses', { model: 'gpt-4o-mini', input: [{ role: 'user', content: [{ type: 'input_text', text: 'Hi' }] }] });
  assert.equal(r.status, 200);
  const body = JSON.parse(r.text);
  assert.equal(body.object, 'response');
  assert.equal(body.id, SCRIPT.responses.id);
  assert.equal(body.model, 'gpt-4o-mini-2024-07-18');
  assert.equal(body.output[0].content[0].type, 'output_text');
  assert.equal(body.output[0].content[0].text, SCRIPT.responses.text);
  assert.deepEqual(body.usage, SCRIPT.responses.usage);
  assert.equal((await post('/responses', { model: 'gpt-4o-mini', input: 'Hi', stream: true })).status, 400);
  assert.equal((await post('/responses', { model: 'error-model', input: 'Hi' })).status, 429);
});
