// Calls: the filtered calls, sortable by time, cost, duration or tokens, a page at a time; a row opens the call.
import { api } from '../api.js';
import { h, clear, count, usd, ms, time, statusBadge, table } from '../dom.js';
import { apiQuery, link } from '../filters.js';

const PAGE = 50;

export function callHref(c) {
  return `/calls/${c.traceId}/${c.spanId}?at=${encodeURIComponent(c.timestamp)}`;
}

export async function render({ main, state, stale }) {
  const params = new URLSearchParams(location.search);
  const sort = params.get('sort') ?? 'time';
  const order = params.get('order') ?? 'desc';
  const first = await api(`calls?${apiQuery(state, { sort, order, limit: PAGE })}`);
  if (stale()) return;

  // A sortable header links to the same filters sorted by its key (descending first, then ascending).
  const header = (label, key) => {
    const active = sort === key;
    const nextOrder = active && order === 'desc' ? 'asc' : 'desc';
    return h('a', { href: link('/calls', state, { sort: key, order: nextOrder }), class: active ? 'sorted ' + order : 'sortable', 'data-testid': `sort-${key}` },
      label, active ? (order === 'desc' ? ' ▼' : ' ▲') : '');
  };
  const columns = [
    { label: 'Time', header: header('Time', 'time'), cell: c => time(c.timestamp) },
    { label: 'Model', cell: c => c.model },
    { label: 'Provider', cell: c => c.provider ?? '' },
    { label: 'Service', cell: c => c.service ?? '' },
    { label: 'Env', cell: c => c.environment ?? '' },
    { label: 'Status', cell: c => [statusBadge(c.status), c.errorType ? h('span', { class: 'muted small' }, ' ' + c.errorType) : null] },
    { label: 'Duration', header: header('Duration', 'duration'), class: 'num', cell: c => ms(c.durationMs) },
    { label: 'Tokens', header: header('Tokens', 'tokens'), class: 'num', cell: c => `${count(c.inputTokens)} → ${count(c.outputTokens)}` },
    { label: 'Cost', header: header('Cost', 'cost'), class: 'num', cell: c => usd(c.costUsd) },
    { label: 'User', cell: c => c.userId ?? '' },
    { label: 'Session', cell: c => c.sessionId ?? '' },
  ];
  const rows = [...first.items];
  const holder = h('div', { class: 'table-holder' });
  let cursor = first.nextCursor;
  const more = h('button', { 'data-testid': 'more-calls' }, 'More calls');
  const draw = () => {
    clear(holder, table(columns, rows, { href: callHref, testid: 'calls-table', empty: 'No call matches these filters in this range.' }));
    more.hidden = !cursor;
  };
  more.addEventListener('click', async () => {
    more.disabled = true;
    const next = await api(`calls?${apiQuery(state, { sort, order, limit: PAGE, cursor })}`);
    rows.push(...next.items);
    cursor = next.nextCursor;
    more.disabled = false;
    draw();
  });
  draw();
  clear(main,
    h('div', { class: 'title-row' },
      h('h1', {}, 'Calls'),
      h('span', { class: 'muted', 'data-testid': 'calls-count' }, cursor ? `first ${rows.length}` : `${rows.length} call${rows.length === 1 ? '' : 's'}`),
      h('a', { class: 'button', href: link('/exports', state), 'data-testid': 'export-these' }, 'Export these calls')),
    holder,
    h('p', {}, more));
}
