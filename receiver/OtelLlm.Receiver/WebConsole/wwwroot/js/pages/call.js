// One call: the conversation as a chat, its numbers, parameters and attributes, and feedback written from here.
import { api } from '../api.js';
import { h, clear, card, count, usd, ms, wh, grams, time, statusBadge, section, json } from '../dom.js';
import { link } from '../filters.js';

function text(value) {
  return typeof value === 'string' ? value : JSON.stringify(value, null, 2);
}

// One part of a message in the OpenTelemetry GenAI schema.
function part(p) {
  switch (p?.type) {
    case 'text':
      return h('div', { class: 'text' }, p.content ?? '');
    case 'reasoning':
      return h('details', { class: 'reasoning' }, h('summary', {}, 'Reasoning'), h('div', { class: 'text' }, p.content ?? ''));
    case 'tool_call':
      return h('div', { class: 'tool-call', 'data-testid': 'tool-call' },
        h('div', { class: 'tool-head' }, '⚙ calls ', h('code', {}, p.name ?? '?'), p.id ? h('span', { class: 'muted small' }, ` (${p.id})`) : null),
        p.arguments === undefined ? null : json(p.arguments));
    case 'tool_call_response':
      return h('div', { class: 'tool-result', 'data-testid': 'tool-result' },
        h('div', { class: 'tool-head' }, '↩ tool result', p.id ? h('span', { class: 'muted small' }, ` (${p.id})`) : null),
        json(typeof p.response === 'string' ? tryParse(p.response) : p.response));
    default:
      return json(p);
  }
}

function tryParse(value) {
  try {
    return JSON.parse(value);
  } catch {
    return value;
  }
}

function message(m, testid) {
  if (typeof m !== 'object' || m === null) return h('div', { class: 'bubble user' }, text(m));
  const role = m.role ?? 'unknown';
  const parts = Array.isArray(m.parts) ? m.parts : [{ type: 'text', content: text(m.content ?? m) }];
  return h('div', { class: `bubble ${role}`, 'data-role': role, 'data-testid': testid },
    h('div', { class: 'role' }, role, m.finish_reason ? h('span', { class: 'muted small' }, ` · ${m.finish_reason}`) : null),
    parts.map(part));
}

function conversation(content) {
  const items = [];
  const system = content.systemInstructions;
  if (system !== undefined && system !== null) {
    const parts = Array.isArray(system) ? system : [{ type: 'text', content: text(system) }];
    items.push(h('div', { class: 'bubble system', 'data-role': 'system', 'data-testid': 'system-instructions' }, h('div', { class: 'role' }, 'system instructions'), parts.map(part)));
  }
  const input = content.inputMessages;
  if (input !== undefined && input !== null) {
    for (const m of Array.isArray(input) ? input : [input]) items.push(message(m, 'input-message'));
  }
  const output = content.outputMessages;
  if (output !== undefined && output !== null) {
    for (const m of Array.isArray(output) ? output : [output]) items.push(message(typeof m === 'object' ? { role: 'assistant', ...m } : m, 'output-message'));
  }
  if (items.length === 0) {
    return h('p', { class: 'muted' }, 'No content was captured for this call. Turn on content capture in the instrumentation (OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT=true) to see prompts and answers.');
  }
  return h('div', { class: 'chat', 'data-testid': 'conversation' }, items);
}

function keyValues(map, testid) {
  const entries = Object.entries(map ?? {}).sort(([a], [b]) => a.localeCompare(b));
  if (entries.length === 0) return h('p', { class: 'muted' }, 'None.');
  return h('table', { class: 'kv', 'data-testid': testid }, h('tbody', {}, entries.map(([k, v]) => h('tr', {}, h('th', {}, k), h('td', {}, v ?? '–')))));
}

function feedbackPanel(detail, caller, refresh, notice) {
  const c = detail.call;
  const canWrite = caller.scopes.includes('feedback');
  const comment = h('textarea', { rows: 2, placeholder: 'Comment (optional)', 'data-testid': 'feedback-comment', disabled: !canWrite || undefined });
  const status = h('span', { class: 'muted', 'data-testid': 'feedback-status' }, notice ?? '');
  const send = value => async () => {
    status.textContent = 'Saving…';
    try {
      await api('feedback', { method: 'POST', body: { traceId: c.traceId, spanId: c.spanId, name: 'thumbs', value, comment: comment.value || undefined, source: 'user' } });
      // Drawn again with the stored feedback listed, and this note kept.
      refresh(value === 1 ? 'Saved: thumbs up.' : 'Saved: thumbs down.');
    } catch (e) {
      status.textContent = e.message;
    }
  };
  const list = detail.feedback.length === 0 ? h('p', { class: 'muted' }, 'No feedback yet.')
    : h('ul', { class: 'feedback', 'data-testid': 'feedback-list' }, detail.feedback.map(f => h('li', {},
      f.name === 'thumbs' ? h('span', { class: f.value === 1 ? 'badge ok' : 'badge bad' }, f.value === 1 ? '✓ good' : '✗ bad') : `${f.name}: ${f.value ?? f.stringValue ?? ''}`,
      ' ', f.comment ? h('q', {}, f.comment) : null, h('span', { class: 'muted small' }, ` ${time(f.timestamp)} · ${f.source}${f.userId ? ' · ' + f.userId : ''}`))));
  return section('Feedback',
    h('div', { class: 'feedback-form' },
      h('button', { class: 'thumb', onclick: send(1), 'data-testid': 'thumbs-up', disabled: !canWrite || undefined, title: 'Good answer' }, '✓ Good answer'),
      h('button', { class: 'thumb', onclick: send(0), 'data-testid': 'thumbs-down', disabled: !canWrite || undefined, title: 'Bad answer' }, '✗ Bad answer'),
      comment, status),
    canWrite ? null : h('p', { class: 'muted small' }, 'This key has no feedback scope.'),
    list);
}

export async function render(ctx, notice) {
  const { main, params, caller, stale } = ctx;
  const [traceId, spanId] = params;
  const at = new URLSearchParams(location.search).get('at');
  const detail = await api(`calls/${traceId}/${spanId}${at ? '?at=' + encodeURIComponent(at) : ''}`);
  if (stale()) return;
  const c = detail.call;
  const p = detail.parameters;
  const failed = c.status === 'Error';
  clear(main,
    h('div', { class: 'title-row' },
      h('h1', { 'data-testid': 'call-title' }, `${c.operation ?? 'call'} ${c.model}`),
      statusBadge(c.status),
      h('span', { class: 'muted' }, time(c.timestamp)),
      h('a', { class: 'button', href: `/traces/${c.traceId}`, 'data-testid': 'open-trace' }, 'Open trace')),
    h('p', { class: 'facts' },
      fact('Provider', c.provider), fact('Responded', c.responseModel), fact('Service', c.service, `/calls?service=${encodeURIComponent(c.service ?? '')}`),
      fact('Environment', c.environment), fact('Project', c.project),
      fact('Session', c.sessionId, c.sessionId ? `/sessions/${encodeURIComponent(c.sessionId)}` : null),
      fact('User', c.userId, c.userId ? `/users/${encodeURIComponent(c.userId)}` : null),
      fact('Workload', c.workload, c.workload ? link('/calls', { workload: c.workload }) : null), fact('Agent', c.agentName), fact('Source', c.sourceFormat)),
    failed ? h('div', { class: 'error', 'data-testid': 'call-error' }, h('strong', {}, c.errorType ?? 'Error'), detail.statusMessage ? ': ' + detail.statusMessage : '') : null,
    h('div', { class: 'cards' },
      card('Duration', ms(c.durationMs), c.streaming ? 'streamed' : null, 'call-duration'),
      card('Time to first token', ms(c.timeToFirstTokenMs), null, 'call-ttft'),
      card('Tokens', `${count(c.inputTokens)} → ${count(c.outputTokens)}`,
        [c.cacheReadTokens ? `${count(c.cacheReadTokens)} cached` : null, c.cacheWriteTokens ? `${count(c.cacheWriteTokens)} cache writes` : null, c.reasoningTokens ? `${count(c.reasoningTokens)} reasoning` : null].filter(Boolean).join(' · ') || null, 'call-tokens'),
      card('Cost', usd(c.costUsd), detail.costSource ? `from ${detail.costSource}` : 'no price', 'call-cost'),
      card('Energy', wh(c.energyWh), c.energyWh === undefined || c.energyWh === null ? 'not estimated' : `${detail.energySource === 'span' ? 'reported' : 'estimated'} · ${grams(c.co2eGrams)} CO₂e`, 'call-energy')),
    section('Conversation', conversation(detail.content)),
    detail.content.toolDefinitions ? section('Tools offered', json(detail.content.toolDefinitions)) : null,
    feedbackPanel(detail, caller, note => render(ctx, note), notice),
    h('div', { class: 'columns' },
      section('Parameters', keyValues({
        temperature: p.temperature, top_p: p.topP, max_tokens: p.maxTokens, finish_reasons: p.finishReasons.join(', ') || null,
        response_id: p.responseId, server_address: p.serverAddress, trace_id: c.traceId, span_id: c.spanId, parent_span_id: c.parentSpanId, revision: detail.revision,
      }, 'call-parameters')),
      section('Attributes', keyValues(detail.attributes, 'call-attributes'))));
}

function fact(label, value, href) {
  if (!value) return null;
  return h('span', { class: 'fact' }, h('span', { class: 'muted' }, label + ' '), href ? h('a', { href }, value) : value);
}
