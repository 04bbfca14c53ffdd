// Alerts: the rules (create, edit, enable, delete) and the event log (acknowledge), through /api/v1/alerts.
import { api } from '../api.js';
import { h, clear, time, section, table, errorBox } from '../dom.js';

const KINDS = {
  error_rate: 'Error rate (%)',
  latency_p95: 'p95 latency (ms)',
  token_spike: 'Token spike (× previous window)',
  cost: 'Cost (USD in the window)',
};
const FILTERS = ['project', 'service', 'environment', 'provider', 'model'];

const items = answer => answer?.items ?? [];

function ruleForm(rule, canAdmin, done) {
  const field = (name, attrs) => h('input', { name, 'data-testid': `rule-${name}`, ...attrs });
  const kind = h('select', { name: 'kind', 'data-testid': 'rule-kind' }, Object.entries(KINDS).map(([k, label]) => h('option', { value: k, selected: rule?.kind === k }, label)));
  const message = h('p', { class: 'error-text', role: 'alert', 'data-testid': 'rule-message' });
  const form = h('form', { class: 'rule-form', 'data-testid': 'rule-form' },
    h('label', {}, 'Name ', field('name', { value: rule?.name ?? '', required: true, size: 28 })),
    h('label', {}, 'Kind ', kind),
    h('label', {}, 'Threshold ', field('threshold', { type: 'number', step: 'any', value: rule?.threshold ?? '', required: true })),
    h('label', {}, 'Window (min) ', field('windowMinutes', { type: 'number', min: 1, value: rule?.windowMinutes ?? 5, required: true })),
    h('label', {}, 'Cooldown (min) ', field('cooldownMinutes', { type: 'number', min: 0, value: rule?.cooldownMinutes ?? 30 })),
    h('fieldset', {}, h('legend', {}, 'Only calls of'), FILTERS.map(f => h('label', {}, f + ' ', field(`filter-${f}`, { value: rule?.filters?.[f] ?? '', size: 12 })))),
    h('label', { class: 'wide' }, 'Webhooks (one URL a line) ', h('textarea', { name: 'webhooks', rows: 2, cols: 50, 'data-testid': 'rule-webhooks' }, (rule?.webhooks ?? []).map(w => w.url ?? w).join('\n'))),
    h('label', { class: 'inline' }, h('input', { type: 'checkbox', name: 'enabled', checked: rule ? rule.enabled !== false : true, 'data-testid': 'rule-enabled' }), ' Enabled'),
    h('button', { type: 'submit', 'data-testid': 'rule-save', disabled: !canAdmin || undefined }, rule ? 'Save rule' : 'Create rule'),
    canAdmin ? null : h('span', { class: 'muted small' }, ' Managing rules needs a key with the admin scope.'),
    message);
  form.addEventListener('submit', async e => {
    e.preventDefault();
    const data = new FormData(form);
    const filters = {};
    for (const f of FILTERS) {
      const value = String(data.get(`filter-${f}`) ?? '').trim();
      if (value) filters[f] = value;
    }
    const body = {
      name: String(data.get('name')).trim(),
      kind: data.get('kind'),
      threshold: Number(data.get('threshold')),
      windowMinutes: Number(data.get('windowMinutes')),
      cooldownMinutes: Number(data.get('cooldownMinutes') || 0),
      filters,
      webhooks: String(data.get('webhooks') ?? '').split('\n').map(u => u.trim()).filter(Boolean),
      enabled: data.get('enabled') === 'on',
    };
    try {
      await api(rule ? `alerts/rules/${encodeURIComponent(rule.id)}` : 'alerts/rules', { method: rule ? 'PUT' : 'POST', body });
      done();
    } catch (err) {
      message.textContent = err.message;
    }
  });
  return form;
}

export async function render(ctx) {
  const { main, caller, stale } = ctx;
  const canAdmin = caller.scopes.includes('admin');
  const refresh = () => render(ctx);
  const [rules, events] = await Promise.allSettled([api('alerts/rules'), api('alerts/events?limit=200')]);
  if (stale()) return;
  const editor = h('div', { 'data-testid': 'rule-editor' });
  const edit = rule => clear(editor, section(rule ? `Edit rule ${rule.name}` : 'New rule', ruleForm(rule, canAdmin, refresh)));
  edit(null);

  const act = (label, testid, run) => h('button', { class: 'small-button', 'data-testid': testid, disabled: !canAdmin || undefined, onclick: async e => {
    e.stopPropagation();
    try {
      await run();
      refresh();
    } catch (err) {
      e.target.title = err.message;
      e.target.textContent = 'failed';
    }
  } }, label);

  const rulesView = rules.status === 'rejected' ? errorBox(rules.reason) : table([
    { label: 'Name', cell: r => r.name },
    { label: 'Kind', cell: r => KINDS[r.kind] ?? r.kind },
    { label: 'Threshold', class: 'num', cell: r => `${fmt(r.threshold)} ${r.unit ?? ''}` },
    { label: 'Window', class: 'num', cell: r => `${r.windowMinutes} min` },
    { label: 'Filters', cell: r => Object.entries(r.filters ?? {}).filter(([, v]) => v).map(([k, v]) => `${k}=${v}`).join(', ') || 'all calls' },
    { label: 'Webhooks', class: 'num', cell: r => String((r.webhooks ?? []).length) },
    { label: 'Enabled', cell: r => (r.enabled ? 'yes' : 'no') },
    { label: 'State', cell: r => h('span', { class: r.state === 'firing' ? 'badge bad' : 'badge ok' }, r.state ?? 'ok') },
    { label: '', cell: r => [
      h('button', { class: 'small-button', 'data-testid': 'rule-edit', onclick: () => edit(r) }, 'Edit'),
      act(r.enabled ? 'Disable' : 'Enable', 'rule-toggle', () => api(`alerts/rules/${encodeURIComponent(r.id)}`, { method: 'PUT', body: { ...ruleBody(r), enabled: !r.enabled } })),
      act('Delete', 'rule-delete', () => api(`alerts/rules/${encodeURIComponent(r.id)}`, { method: 'DELETE' })),
    ] },
  ], items(rules.value), { testid: 'rules-table', empty: 'No alert rule yet.' });

  const eventsView = events.status === 'rejected' ? errorBox(events.reason) : table([
    { label: 'Time', cell: e => time(e.timestamp) },
    { label: 'Rule', cell: e => e.ruleName ?? e.ruleId },
    { label: 'State', cell: e => h('span', { class: e.state === 'firing' ? 'badge bad' : 'badge ok' }, e.state) },
    { label: 'Value / threshold', class: 'num', cell: e => `${fmt(e.value)} / ${fmt(e.threshold)} ${e.unit ?? ''}` },
    { label: 'Message', class: 'wrap', cell: e => e.message ?? '' },
    { label: 'Webhooks', class: 'wrap', cell: e => (e.deliveries ?? []).map(d => `${d.delivered ? '✓' : '✗'} ${d.url}${d.lastError ? ' (' + d.lastError + ')' : ''}`).join('; ') },
    { label: 'Acknowledged', cell: e => e.acknowledgedAt ? `${time(e.acknowledgedAt)}${e.acknowledgedBy ? ' by ' + e.acknowledgedBy : ''}`
      : act('Acknowledge', 'event-ack', () => api(`alerts/events/${encodeURIComponent(e.id)}/acknowledge`, { method: 'POST', body: caller.keyed ? {} : { by: 'console' } })) },
  ], items(events.value), { testid: 'events-table', empty: 'No alert has fired.' });

  clear(main,
    h('div', { class: 'title-row' }, h('h1', {}, 'Alerts'), h('span', { class: 'muted' }, 'rules are checked on the receivers from the rollups')),
    section('Rules', rulesView),
    editor,
    section('Events', eventsView));
}

function ruleBody(r) {
  const filters = Object.fromEntries(Object.entries(r.filters ?? {}).filter(([, v]) => v));
  const webhooks = (r.webhooks ?? []).map(w => (typeof w === 'string' ? w : { url: w.url, format: w.format }));
  return { name: r.name, kind: r.kind, threshold: r.threshold, windowMinutes: r.windowMinutes, cooldownMinutes: r.cooldownMinutes, filters, webhooks, enabled: r.enabled };
}

function fmt(n) {
  return typeof n === 'number' ? (Math.abs(n) >= 100 ? n.toFixed(0) : n.toPrecision(3)) : '–';
}
