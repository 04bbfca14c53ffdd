// The filters live in the URL (so a view can be shared): range or from/to, and one value per filter.
import { api } from './api.js';
import { h, clear } from './dom.js';

export const RANGES = { '1h': 3600, '6h': 6 * 3600, '24h': 86400, '7d': 7 * 86400, '30d': 30 * 86400 };
const DEFAULT_RANGE = '24h';

// Filters with a drop-down of the values seen in the range, and the API dimension that lists them.
const SELECTS = [['project', 'project', 'Project'], ['service', 'service', 'Service'], ['environment', 'environment', 'Environment'],
  ['provider', 'provider', 'Provider'], ['model', 'model', 'Model']];
// Filters typed in.
const TEXTS = [['userId', 'User'], ['sessionId', 'Session'], ['workload', 'Workload'], ['q', 'Text in prompt or answer'],
  ['minCost', 'Min cost $'], ['maxCost', 'Max cost $'], ['minDurationMs', 'Min ms'], ['maxDurationMs', 'Max ms']];
export const FILTER_NAMES = ['project', 'service', 'environment', 'provider', 'model', 'status', 'errorType', 'userId', 'sessionId', 'workload', 'q',
  'minCost', 'maxCost', 'minDurationMs', 'maxDurationMs'];

/** The filters of the current URL: {range, from, to, ...filters}. */
export function current(search = location.search) {
  const params = new URLSearchParams(search);
  const state = {};
  for (const name of [...FILTER_NAMES, 'from', 'to', 'range']) {
    const value = params.get(name);
    if (value) state[name] = value;
  }
  if (!state.from && !state.range) state.range = DEFAULT_RANGE;
  return state;
}

/** The API query for the filters: the range becomes from (and to). */
export function apiQuery(state, extra = {}) {
  const params = new URLSearchParams();
  if (state.from) {
    params.set('from', state.from);
    if (state.to) params.set('to', state.to);
  } else {
    params.set('from', new Date(Date.now() - (RANGES[state.range] ?? RANGES[DEFAULT_RANGE]) * 1000).toISOString());
  }
  for (const name of FILTER_NAMES) if (state[name]) params.set(name, state[name]);
  for (const [name, value] of Object.entries(extra)) if (value !== undefined && value !== null && value !== '') params.set(name, value);
  return params.toString();
}

/** A console URL with the filters (for links between pages that keep them). */
export function link(path, state, extra = {}) {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries({ ...state, ...extra })) {
    if (value !== undefined && value !== null && value !== '') params.set(name, value);
  }
  if (params.get('range') === DEFAULT_RANGE && !params.get('from')) params.delete('range');
  if (params.get('from')) params.delete('range');
  const query = params.toString();
  return query ? `${path}?${query}` : path;
}

/** The seconds the filters' range spans. */
export function span(state) {
  if (state.from) return ((state.to ? Date.parse(state.to) : Date.now()) - Date.parse(state.from)) / 1000;
  return RANGES[state.range] ?? RANGES[DEFAULT_RANGE];
}

const optionCache = new Map();

async function options(dimension, state) {
  const key = `${dimension}|${state.range ?? ''}|${state.from ?? ''}|${state.to ?? ''}`;
  const cached = optionCache.get(key);
  if (cached && cached.at > Date.now() - 60000) return cached.values;
  const range = { range: state.range, from: state.from, to: state.to };
  const answer = await api(`overview/breakdown?${apiQuery(range, { by: dimension, limit: 200 })}`);
  const values = answer.groups.map(g => g.key).filter(k => k !== '').sort();
  optionCache.set(key, { at: Date.now(), values });
  return values;
}

/** The filter bar: changing anything navigates to the same page with the new filters. */
export function render(container, state, navigate, { sort } = {}) {
  const form = h('form', { class: 'filters', 'data-testid': 'filters' });
  const rangeSelect = h('select', { name: 'range', 'aria-label': 'Time range', 'data-testid': 'filter-range' },
    Object.keys(RANGES).map(r => h('option', { value: r, selected: !state.from && state.range === r }, 'Last ' + r)),
    state.from ? h('option', { value: 'custom', selected: true }, 'Custom range') : null);
  form.append(h('label', {}, 'Range ', rangeSelect));
  if (state.from) {
    form.append(h('span', { class: 'muted custom-range' }, `${new Date(state.from).toLocaleString()} – ${state.to ? new Date(state.to).toLocaleString() : 'now'}`));
  }
  const selects = [];
  for (const [name, dimension, label] of SELECTS) {
    const select = h('select', { name, 'aria-label': label, 'data-testid': `filter-${name}` },
      h('option', { value: '' }, `All ${label.toLowerCase()}s`),
      state[name] ? h('option', { value: state[name], selected: true }, state[name]) : null);
    selects.push([select, dimension, name]);
    form.append(select);
  }
  form.append(h('select', { name: 'status', 'aria-label': 'Status', 'data-testid': 'filter-status' },
    h('option', { value: '' }, 'Any status'),
    h('option', { value: 'ok', selected: state.status === 'ok' }, 'OK'),
    h('option', { value: 'error', selected: state.status === 'error' }, 'Errors')));
  const more = h('details', { class: 'more', open: TEXTS.some(([n]) => state[n]) || undefined },
    h('summary', {}, 'More filters'),
    TEXTS.map(([name, label]) => h('label', {}, label + ' ',
      h('input', { name, value: state[name] ?? '', size: name === 'q' ? 24 : 10, 'data-testid': `filter-${name}`, type: name.startsWith('m') ? 'number' : 'text', step: 'any', min: name.startsWith('m') ? 0 : undefined }))),
    h('button', { type: 'submit', 'data-testid': 'filter-apply' }, 'Apply'));
  form.append(more);
  if (state.errorType) {
    form.append(h('span', { class: 'chip' }, `error type: ${state.errorType} `, h('a', { href: link(location.pathname, { ...state, errorType: '' }) }, '×')));
  }
  const anySet = FILTER_NAMES.some(n => state[n]) || state.from;
  if (anySet) form.append(h('a', { class: 'reset', href: location.pathname, 'data-testid': 'filter-reset' }, 'Clear filters'));

  const submit = () => {
    const data = new FormData(form);
    const next = { errorType: state.errorType };
    for (const [name, value] of data.entries()) if (value !== '') next[name] = String(value);
    if (next.range === 'custom') {
      delete next.range;
      next.from = state.from;
      next.to = state.to;
    }
    if (sort) Object.assign(next, sort);
    navigate(link(location.pathname, next));
  };
  form.addEventListener('change', e => {
    if (e.target.tagName === 'SELECT') submit();
  });
  form.addEventListener('submit', e => {
    e.preventDefault();
    submit();
  });
  clear(container, form);

  // The drop-downs list what the range holds; they fill in after the page is drawn.
  for (const [select, dimension, name] of selects) {
    options(dimension, state).then(values => {
      for (const value of values) {
        if (value !== state[name]) select.append(h('option', { value }, value));
      }
    }, () => {});
  }
}
