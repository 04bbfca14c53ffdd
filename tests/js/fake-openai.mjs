#!/usr/bin/env node
// A local fake of the OpenAI HTTP API (its real wire format) with scripted, deterministic answers.
//
//   node fake-openai.mjs [--port 0]     prints {"port":N,"baseURL":"http://127.0.0.1:N/v1"}, runs until killed
//
// POST /v1/chat/completions picks a scenario from the request (first match wins):
//   model "error-model"                    -> HTTP 429, OpenAI error JSON            (SCRIPT.error)
//   last message has role "tool"           -> text answer using the tool result      (SCRIPT.toolResult)
//   request has "tools"                    -> assistant tool_calls, "tool_calls"     (SCRIPT.toolCall)
//   "stream": true                         -> SSE text chunks (+ usage chunk when
//                                             stream_options.include_usage), [DONE]  (SCRIPT.stream)
//   response_format.type "json_schema"     -> a JSON object as the text, "stop"      (SCRIPT.object)
//   anything else                          -> text answer, "stop"                    (SCRIPT.chat)
// POST /v1/responses (the Responses API, not streamed) -> one output_text message   (SCRIPT.responses)
// POST /v1/embeddings -> one vector per input, float or base64 (the openai SDK asks for base64).
import http from 'node:http';
import { pathToFileURL } from 'node:url';

export const CREATED = 1721347200; // 2024-07-19T00:00:00Z
export const SYSTEM_FINGERPRINT = 'fp_otelllm01';
const DATE_SUFFIX = '-2024-07-18';

/** The response model for a request model: a date suffix is appended unless it already has one. */
export function responseModel(requestModel) {
  return /-\d{4}-\d{2}-\d{2}$/.test(requestModel) ? requestModel : `${requestModel}${DATE_SUFFIX}`;
}

function usage(prompt, completion, cached, reasoning) {
  return {
    prompt_tokens: prompt,
    completion_tokens: completion,
    total_tokens: prompt + completion,
    prompt_tokens_details: { cached_tokens: cached, audio_tokens: 0 },
    completion_tokens_details: { reasoning_tokens: reasoning, audio_tokens: 0, accepted_prediction_tokens: 0, rejected_prediction_tokens: 0 },
  };
}

/** Everything the fake answers, so callers can assert stored data against the same values. */
export const SCRIPT = {
  chat: {
    id: 'chatcmpl-otelllm-chat-0001',
    text: 'Paris is the capital of France.',
    finishReason: 'stop',
    usage: usage(24, 9, 8, 2),
  },
  stream: {
    id: 'chatcmpl-otelllm-stream-0001',
    chunks: ['Once', ' upon', ' a', ' time', ', a', ' span', ' was', ' born.'],
    text: 'Once upon a time, a span was born.',
    finishReason: 'stop',
    usage: usage(18, 11, 4, 1),
  },
  toolCall: {
    id: 'chatcmpl-otelllm-tool-0001',
    toolCallId: 'call_otelllm_0001',
    // The function name is the request's first tool; the arguments are fixed.
    arguments: '{"city":"Paris","unit":"celsius"}',
    finishReason: 'tool_calls',
    usage: usage(61, 15, 32, 3),
  },
  toolResult: {
    id: 'chatcmpl-otelllm-toolresult-0001',
    text: 'It is 18 degrees Celsius and sunny in Paris.',
    finishReason: 'stop',
    usage: usage(90, 12, 48, 0),
  },
  object: {
    id: 'chatcmpl-otelllm-object-0001',
    // A JSON object for any json_schema request; the schema's name is not checked.
    text: '{"city":"Paris","country":"France"}',
    finishReason: 'stop',
    usage: usage(40, 12, 16, 0),
  },
  responses: {
    id: 'resp_otelllm_0001',
    messageId: 'msg_otelllm_0001',
    text: 'Paris is the capital of France.',
    status: 'completed',
    usage: {
      input_tokens: 24,
      input_tokens_details: { cached_tokens: 8 },
      output_tokens: 9,
      output_tokens_details: { reasoning_tokens: 2 },
      total_tokens: 33,
    },
  },
  error: {
    model: 'error-model',
    status: 429,
    body: {
      error: {
        message: 'Rate limit reached for error-model in organization org-otelllm on requests per min (RPM): Limit 3, Used 3, Requested 1.',
        type: 'requests',
        param: null,
        code: 'rate_limit_exceeded',
      },
    },
  },
  embeddings: {
    model: 'text-embedding-3-small', // OpenAI answers embeddings with the model name as requested
    dimensions: 8,
    promptTokensPerInput: 6,
  },
};

/** The deterministic vector for input number `index`: exact binary fractions, so float32 round-trips. */
export function embeddingVector(index, dimensions = SCRIPT.embeddings.dimensions) {
  return Array.from({ length: dimensions }, (_, j) => ((j + 1) / 16) * (index + 1));
}

/** A chat usage object of the script (the wire's prompt/completion names) in the senders' summary terms. */
export function usageOf(u) {
  return {
    inputTokens: u.prompt_tokens,
    outputTokens: u.completion_tokens,
    totalTokens: u.total_tokens,
    cacheReadTokens: u.prompt_tokens_details.cached_tokens,
    reasoningTokens: u.completion_tokens_details.reasoning_tokens,
  };
}

function sendJson(res, status, body, extraHeaders = {}) {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), ...extraHeaders });
  res.end(text);
}

function openAiError(res, status, message, type = 'invalid_request_error', code = null) {
  sendJson(res, status, { error: { message, type, param: null, code } });
}

function chatCompletion(id, model, message, finishReason, usageBody) {
  return {
    id, object: 'chat.completion', created: CREATED, model, system_fingerprint: SYSTEM_FINGERPRINT,
    choices: [{ index: 0, message: { refusal: null, annotations: [], ...message }, logprobs: null, finish_reason: finishReason }],
    usage: usageBody,
    service_tier: 'default',
  };
}

function handleChat(body, res, requestId) {
  const model = body.model;
  if (typeof model !== 'string' || !Array.isArray(body.messages) || body.messages.length === 0) {
    openAiError(res, 400, "'model' and a non-empty 'messages' array are required.");
    return 'invalid';
  }
  const headers = { 'x-request-id': requestId, 'openai-processing-ms': '42' };
  if (model === SCRIPT.error.model) {
    sendJson(res, SCRIPT.error.status, SCRIPT.error.body, { ...headers, 'retry-after': '20' });
    return 'error';
  }
  const respModel = responseModel(model);
  const last = body.messages[body.messages.length - 1];
  if (last?.role === 'tool') {
    const s = SCRIPT.toolResult;
    sendJson(res, 200, chatCompletion(s.id, respModel, { role: 'assistant', content: s.text }, s.finishReason, s.usage), headers);
    return 'toolResult';
  }
  if (Array.isArray(body.tools) && body.tools.length > 0) {
    const s = SCRIPT.toolCall;
    const name = body.tools[0]?.function?.name ?? 'unknown_tool';
    const message = { role: 'assistant', content: null, tool_calls: [{ id: s.toolCallId, type: 'function', function: { name, arguments: s.arguments } }] };
    sendJson(res, 200, chatCompletion(s.id, respModel, message, s.finishReason, s.usage), headers);
    return 'toolCall';
  }
  if (body.stream === true) {
    const s = SCRIPT.stream;
    const includeUsage = body.stream_options?.include_usage === true;
    res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache', connection: 'keep-alive', ...headers });
    const chunk = (choices, extra = {}) => ({
      id: s.id, object: 'chat.completion.chunk', created: CREATED, model: respModel, system_fingerprint: SYSTEM_FINGERPRINT,
      service_tier: 'default', choices, ...(includeUsage ? { usage: null } : {}), ...extra,
    });
    const events = [chunk([{ index: 0, delta: { role: 'assistant', content: '', refusal: null }, logprobs: null, finish_reason: null }])];
    for (const piece of s.chunks) events.push(chunk([{ index: 0, delta: { content: piece }, logprobs: null, finish_reason: null }]));
    events.push(chunk([{ index: 0, delta: {}, logprobs: null, finish_reason: s.finishReason }]));
    if (includeUsage) events.push(chunk([], { usage: s.usage }));
    for (const e of events) res.write(`data: ${JSON.stringify(e)}\n\n`);
    res.end('data: [DONE]\n\n');
    return 'stream';
  }
  if (body.response_format?.type === 'json_schema') {
    const s = SCRIPT.object;
    sendJson(res, 200, chatCompletion(s.id, respModel, { role: 'assistant', content: s.text }, s.finishReason, s.usage), headers);
    return 'object';
  }
  const s = SCRIPT.chat;
  sendJson(res, 200, chatCompletion(s.id, respModel, { role: 'assistant', content: s.text }, s.finishReason, s.usage), headers);
  return 'chat';
}

function handleResponses(body, res, requestId) {
  if (typeof body.model !== 'string' || body.input === undefined) {
    openAiError(res, 400, "'model' and 'input' are required.");
    return 'invalid';
  }
  if (body.stream === true) {
    openAiError(res, 400, 'This fake answers the Responses API without streaming only.');
    return 'invalid';
  }
  if (body.model === SCRIPT.error.model) {
    sendJson(res, SCRIPT.error.status, SCRIPT.error.body, { 'x-request-id': requestId, 'retry-after': '20' });
    return 'error';
  }
  const s = SCRIPT.responses;
  sendJson(res, 200, {
    id: s.id, object: 'response', created_at: CREATED, status: s.status, error: null, incomplete_details: null,
    instructions: body.instructions ?? null, max_output_tokens: body.max_output_tokens ?? null, model: responseModel(body.model),
    output: [{ type: 'message', id: s.messageId, status: 'completed', role: 'assistant', content: [{ type: 'output_text', text: s.text, annotations: [] }] }],
    parallel_tool_calls: true, previous_response_id: null, reasoning: { effort: null, summary: null }, service_tier: 'default', store: true,
    temperature: body.temperature ?? 1, text: { format: { type: 'text' } }, tool_choice: 'auto', tools: [], top_p: body.top_p ?? 1,
    truncation: 'disabled', usage: s.usage, user: null, metadata: {},
  }, { 'x-request-id': requestId, 'openai-processing-ms': '42' });
  return 'responses';
}

function handleEmbeddings(body, res, requestId) {
  const inputs = Array.isArray(body.input) ? body.input : [body.input];
  if (typeof body.model !== 'string' || inputs.length === 0 || inputs.some((i) => i === undefined)) {
    openAiError(res, 400, "'model' and 'input' are required.");
    return 'invalid';
  }
  const dimensions = Number.isInteger(body.dimensions) && body.dimensions > 0 ? body.dimensions : SCRIPT.embeddings.dimensions;
  const base64 = body.encoding_format === 'base64';
  const data = inputs.map((_, index) => {
    const vector = embeddingVector(index, dimensions);
    const embedding = base64 ? Buffer.from(new Float32Array(vector).buffer).toString('base64') : vector;
    return { object: 'embedding', index, embedding };
  });
  const tokens = SCRIPT.embeddings.promptTokensPerInput * inputs.length;
  sendJson(res, 200, { object: 'list', data, model: body.model, usage: { prompt_tokens: tokens, total_tokens: tokens } }, { 'x-request-id': requestId });
  return 'embeddings';
}

/**
 * Starts the fake on 127.0.0.1. Returns { port, baseURL, requests, close() }; `requests` records
 * { method, path, scenario, body } for every request, in order.
 */
export async function startFakeOpenAI({ port = 0 } = {}) {
  const requests = [];
  let counter = 0;
  const server = http.createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const requestId = `req_otelllm_${String(++counter).padStart(4, '0')}`;
      const path = req.url.split('?')[0];
      let body;
      try {
        body = chunks.length > 0 ? JSON.parse(Buffer.concat(chunks).toString('utf8')) : undefined;
      } catch {
        requests.push({ method: req.method, path, scenario: 'invalid', body: undefined });
        openAiError(res, 400, 'We could not parse the JSON body of your request.');
        return;
      }
      let scenario = 'not_found';
      if (req.method === 'POST' && path === '/v1/chat/completions' && body) scenario = handleChat(body, res, requestId);
      else if (req.method === 'POST' && path === '/v1/embeddings' && body) scenario = handleEmbeddings(body, res, requestId);
      else if (req.method === 'POST' && path === '/v1/responses' && body) scenario = handleResponses(body, res, requestId);
      else openAiError(res, 404, `Invalid URL (${req.method} ${path})`);
      requests.push({ method: req.method, path, scenario, body });
    });
  });
  await new Promise((resolve) => server.listen(port, '127.0.0.1', resolve));
  const actualPort = server.address().port;
  return {
    port: actualPort,
    baseURL: `http://127.0.0.1:${actualPort}/v1`,
    requests,
    close: () => new Promise((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const i = process.argv.indexOf('--port');
  const fake = await startFakeOpenAI({ port: i >= 0 ? Number(process.argv[i + 1]) : 0 });
  process.stdout.write(`${JSON.stringify({ port: fake.port, baseURL: fake.baseURL })}\n`);
  const stop = async () => { await fake.close(); process.exit(0); };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}
