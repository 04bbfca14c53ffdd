// One trace as a waterfall: spans in tree order on a shared time axis, model calls marked and linked to their call,
// events as ticks on their span, details on demand, and the trace's log records below.
import { api } from '../api.js';
import { h, clear, ms, time, usd, count, section, json } from '../dom.js';
import { callHref } from './calls.js';

// Depth-first order from the roots (spans whose parent is not in the trace are roots too).
function ordered(spans) {
  const ids = new Set(spans.map(s => s.spanId));
  const children = new Map();
  for (const span of spans) {
    const parent = span.parentSpanId && ids.has(span.parentSpanId) ? span.parentSpanId : '';
    if (!children.has(parent)) children.set(parent, []);
    children.get(parent).push(span);
  }
  const result = [];
  const visit = (parent, depth) => {
    for (const span of children.get(parent) ?? []) {
      result.push({ span, depth });
      visit(span.spanId, depth + 1);
    }
  };
  visit('', 0);
  return result;
}

const nanos = text => Number(BigInt(text) / 1000n) / 1000; // ms since the epoch, to the microsecond

function details(span, call) {
  return h('div', { class: 'span-details', 'data-testid': 'span-details' },
    h('p', { class: 'facts' },
      h('span', { class: 'fact' }, h('span', { class: 'muted' }, 'span '), h('code', {}, span.spanId)),
      h('span', { class: 'fact' }, h('span', { class: 'muted' }, 'kind '), span.kind),
      h('span', { class: 'fact' }, h('span', { class: 'muted' }, 'service '), span.service),
      span.scope ? h('span', { class: 'fact' }, h('span', { class: 'muted' }, 'scope '), span.scope) : null,
      h('span', { class: 'fact' }, h('span', { class: 'muted' }, 'status '), span.status + (span.statusMessage ? `: ${span.statusMessage}` : '')),
      call ? h('a', { href: callHref(call), 'data-testid': 'span-open-call' }, 'Open the call →') : null),
    span.events.length ? h('div', {}, h('h3', {}, 'Events'), h('ul', { class: 'events' }, span.events.map(e => h('li', {}, h('strong', {}, e.name), ' ', h('span', { class: 'muted' }, time(new Date(nanos(e.timeUnixNano)).toISOString())), e.attributes ? json(e.attributes) : null)))) : null,
    h('h3', {}, 'Attributes'), json(span.attributes),
    h('h3', {}, 'Resource'), json(span.resource));
}

export async function render({ main, params, stale }) {
  const trace = await api(`traces/${params[0]}`);
  if (stale()) return;
  const calls = new Map(trace.calls.map(c => [c.spanId, c]));
  const start = Math.min(...trace.spans.map(s => nanos(s.startTimeUnixNano)));
  const total = Math.max(trace.durationMs, 0.001);
  const position = t => `${Math.min(100, Math.max(0, ((t - start) / total) * 100)).toFixed(3)}%`;
  const rows = ordered(trace.spans).map(({ span, depth }) => {
    const call = calls.get(span.spanId);
    const spanStart = nanos(span.startTimeUnixNano);
    const bar = h('div', {
      class: `bar-span ${call ? 'genai' : ''} ${span.status === 'Error' ? 'failed' : ''}`,
      style: { left: position(spanStart), width: `max(2px, ${((span.durationMs / total) * 100).toFixed(3)}%)` },
    });
    const ticks = span.events.map(e => h('div', { class: 'event-tick', title: e.name, style: { left: position(nanos(e.timeUnixNano)) } }));
    const holder = h('div', { class: 'span-extra', hidden: true });
    const name = h('div', { class: 'span-name', style: { paddingLeft: `${depth * 16 + 4}px` } },
      call ? h('span', { class: 'badge genai', title: 'A model call' }, 'LLM') : null,
      call ? h('a', { href: callHref(call), 'data-testid': 'genai-span-link' }, span.name) : h('span', {}, span.name),
      h('span', { class: 'muted small' }, ' ' + span.service));
    const row = h('div', { class: 'wf-row', 'data-testid': 'waterfall-row', 'data-span-id': span.spanId, 'data-genai': call ? 'true' : 'false' },
      h('button', { class: 'expand', 'aria-label': 'Details', 'aria-expanded': 'false', onclick: e => {
        const open = holder.hidden;
        holder.hidden = !open;
        e.currentTarget.setAttribute('aria-expanded', String(open));
        e.currentTarget.textContent = open ? '▾' : '▸';
        if (open && holder.childElementCount === 0) holder.append(details(span, call));
      } }, '▸'),
      name,
      h('div', { class: 'wf-track' }, bar, ticks),
      h('div', { class: 'wf-duration num' }, ms(span.durationMs), call ? h('span', { class: 'muted small' }, ` · ${usd(call.costUsd)} · ${count(call.totalTokens)} tok`) : null));
    return [row, holder];
  });
  clear(main,
    h('div', { class: 'title-row' },
      h('h1', {}, 'Trace'),
      h('code', { class: 'muted' }, trace.traceId),
      h('span', { class: 'muted' }, `${time(trace.start)} · ${ms(trace.durationMs)} · `, h('span', { 'data-testid': 'span-count' }, `${trace.spans.length} spans`), ` · ${trace.calls.length} model call${trace.calls.length === 1 ? '' : 's'}`)),
    h('div', { class: 'waterfall', 'data-testid': 'waterfall' },
      h('div', { class: 'wf-row wf-head' }, h('span', {}), h('div', {}, 'Span'), h('div', { class: 'wf-axis' }, h('span', {}, '0'), h('span', {}, ms(total / 2)), h('span', {}, ms(total))), h('div', { class: 'num' }, 'Duration')),
      rows),
    section(`Logs (${trace.logs.length})`, trace.logs.length === 0 ? h('p', { class: 'muted' }, 'No log record of this trace.')
      : h('table', { class: 'grid', 'data-testid': 'trace-logs' },
        h('thead', {}, h('tr', {}, ['Time', 'Severity', 'Service', 'Span', 'Event', 'Body'].map(t => h('th', {}, t)))),
        h('tbody', {}, trace.logs.map(l => h('tr', {}, h('td', {}, time(l.time)), h('td', {}, l.severity ?? ''), h('td', {}, l.service ?? ''),
          h('td', {}, h('code', {}, l.spanId ?? '')), h('td', {}, l.eventName ?? ''), h('td', { class: 'body' }, l.body)))))));
}
