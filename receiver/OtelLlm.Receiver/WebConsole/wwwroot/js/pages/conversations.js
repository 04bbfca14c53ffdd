// Sessions and users: lists with totals, and one session or user with its calls in order (prompt and answer of each).
import { api } from '../api.js';
import { h, clear, card, count, usd, ms, time, statusBadge, table } from '../dom.js';
import { apiQuery, link } from '../filters.js';
import { callHref } from './calls.js';

const KINDS = {
  sessions: { title: 'Sessions', one: 'Session', filter: 'sessionId', empty: 'No call with a session (conversation) id in this range.' },
  users: { title: 'Users', one: 'User', filter: 'userId', empty: 'No call in this range.' },
};

export async function renderList({ main, state, stale }, kind) {
  const k = KINDS[kind];
  const list = await api(`${kind}?${apiQuery(state, { limit: 200 })}`);
  if (stale()) return;
  const columns = [
    { label: k.one, cell: x => x.id || '(none)' },
    { label: 'Calls', class: 'num', cell: x => count(x.calls) },
    { label: 'Errors', class: 'num', cell: x => count(x.errors) },
    { label: 'Tokens', class: 'num', cell: x => count(x.totalTokens) },
    { label: 'Cost', class: 'num', cell: x => usd(x.costUsd) },
    kind === 'users' ? { label: 'Sessions', class: 'num', cell: x => count(x.sessions) } : { label: 'Users', cell: x => (x.users ?? []).join(', ') },
    kind === 'sessions' ? { label: 'Models', cell: x => (x.models ?? []).join(', ') } : null,
    { label: 'First call', cell: x => time(x.firstCall) },
    { label: 'Last call', cell: x => time(x.lastCall) },
  ].filter(Boolean);
  clear(main,
    h('div', { class: 'title-row' }, h('h1', {}, k.title),
      h('span', { class: 'muted' }, kind === 'sessions' ? 'latest activity first' : 'highest cost first'),
      list.truncated ? h('span', { class: 'muted' }, `· the first ${list.items.length}`) : null),
    table(columns, list.items, { href: x => link(`/${kind}/${encodeURIComponent(x.id)}`, state), testid: `${kind}-table`, empty: k.empty }));
}

export async function renderOne({ main, params, state, stale }, kind) {
  const k = KINDS[kind];
  const id = params[0];
  // Without a range in the URL one session or user is looked for over the last 30 days.
  const query = new URLSearchParams(location.search).has('range') || state.from ? apiQuery(state) : apiQuery({ ...state, range: '30d' });
  const detail = await api(`${kind}/${encodeURIComponent(id)}?${query}`);
  if (stale()) return;
  const t = detail.totals;
  clear(main,
    h('div', { class: 'title-row' },
      h('h1', {}, `${k.one} `, h('code', {}, id)),
      h('a', { class: 'button', href: link('/calls', { ...state, [k.filter]: id }) }, 'These calls in the table')),
    h('div', { class: 'cards', 'data-testid': 'conversation-totals' },
      card('Calls', count(t.calls), t.errors ? `${count(t.errors)} failed` : 'none failed', 'totals-calls'),
      card('Cost', usd(t.costUsd), null, 'totals-cost'),
      card('Tokens', count(t.totalTokens), `${count(t.inputTokens)} in · ${count(t.outputTokens)} out`),
      card('Time in calls', ms(t.durationMs)),
      card('From', time(t.firstCall), `to ${time(t.lastCall)}`),
      kind === 'users' ? card('Sessions', count(t.sessions)) : card('Users', (t.users ?? []).join(', ') || '–')),
    detail.truncated ? h('p', { class: 'muted' }, kind === 'users' ? `The latest ${detail.calls.length} calls.` : `The first ${detail.calls.length} calls.`) : null,
    h('ol', { class: 'turns', 'data-testid': 'conversation-calls' }, detail.calls.map(({ call, prompt, answer }) => h('li', { class: 'turn', 'data-testid': 'turn' },
      h('div', { class: 'turn-head' },
        h('a', { href: callHref(call) }, time(call.timestamp)), ' ', h('strong', {}, call.model), ' ', statusBadge(call.status),
        h('span', { class: 'muted small' }, ` ${ms(call.durationMs)} · ${usd(call.costUsd)} · ${count(call.totalTokens)} tokens${kind === 'users' && call.sessionId ? ' · session ' + call.sessionId : ''}`)),
      prompt ? h('div', { class: 'bubble user' }, h('div', { class: 'role' }, 'user'), h('div', { class: 'text' }, prompt)) : null,
      answer ? h('div', { class: 'bubble assistant' }, h('div', { class: 'role' }, 'assistant'), h('div', { class: 'text' }, answer))
        : call.status === 'Error' ? h('div', { class: 'error' }, call.errorType ?? 'failed') : null))));
}
