// Overview: the range's figures, charts over time and the costliest models and errors; everything links to the calls.
import { api } from '../api.js';
import { h, clear, card, count, usd, ms, percent, wh, grams, section, table } from '../dom.js';
import { lineChart, barList } from '../charts.js';
import { apiQuery, link, span } from '../filters.js';

function step(seconds) {
  for (const s of [60, 120, 300, 600, 900, 1800, 3600, 7200, 10800, 21600, 43200, 86400]) if (s >= seconds / 120) return s;
  return 86400;
}

export async function render({ main, state, navigate, stale }) {
  const seconds = step(span(state));
  const [overview, series, latency, providers, services] = await Promise.all([
    api(`overview?${apiQuery(state)}`),
    api(`overview/series?${apiQuery(state, { groupBy: 'model', step: seconds })}`),
    api(`overview/latency?${apiQuery(state, { step: seconds })}`),
    api(`overview/breakdown?${apiQuery(state, { by: 'provider', limit: 10 })}`),
    api(`overview/breakdown?${apiQuery(state, { by: 'service', limit: 10 })}`),
  ]);
  if (stale()) return;
  const f = overview.figures;
  const from = Date.parse(overview.from);
  const to = Date.parse(overview.to);
  const calls = extra => link('/calls', state, extra);
  // A click on a chart opens the calls of that bucket.
  const pick = extra => t => navigate(link('/calls', { ...state, range: '', from: new Date(t).toISOString(), to: new Date(t + seconds * 1000).toISOString(), ...extra }));
  const points = (s, value) => s.points.map(p => ({ t: Date.parse(p.time), v: value(p) }));
  const total = series.series.length === 0 ? [] : [{ name: '', points: mergePoints(series.series) }];

  clear(main,
    h('h1', {}, 'Overview'),
    h('div', { class: 'cards', 'data-testid': 'figures' },
      card('Calls', h('a', { href: calls() }, count(f.calls)), null, 'figure-calls'),
      card('Errors', h('a', { href: calls({ status: 'error' }) }, count(f.errors)), percent(f.errorRate) + ' of calls', 'figure-errors'),
      card('Cost', h('a', { href: calls({ sort: 'cost' }) }, usd(f.costUsd)), f.calls ? usd(f.costUsd / f.calls) + ' per call' : null, 'figure-cost'),
      card('Tokens', count(f.totalTokens), `${count(f.inputTokens)} in · ${count(f.outputTokens)} out`, 'figure-tokens'),
      card('Latency p50 / p95 / p99', h('a', { href: calls({ sort: 'duration' }) }, ms(f.latencyMs.p95)), `${ms(f.latencyMs.p50)} · ${ms(f.latencyMs.p95)} · ${ms(f.latencyMs.p99)}`, 'figure-latency'),
      card('Time to first token p95', ms(f.timeToFirstTokenMs.p95), 'streamed calls', 'figure-ttft'),
      f.energyWh === undefined || f.energyWh === null ? null : card('Energy', wh(f.energyWh), `estimated · ${grams(f.co2eGrams)} CO₂e`, 'figure-energy')),
    h('div', { class: 'charts' },
      h('a', { class: 'chart-link', href: calls(), title: 'Open these calls' }, 'calls →'),
      lineChart({ title: 'Calls', series: total.map(t => ({ name: '', points: t.points.map(p => ({ t: p.t, v: p.calls })) })), from, to, step: seconds * 1000, format: count, onPick: pick({}), testid: 'chart-calls' }),
      lineChart({ title: 'Cost by model', series: series.series.map(x => ({ name: x.key, points: points(x, p => p.costUsd) })), from, to, step: seconds * 1000, format: usd, onPick: pick({ sort: 'cost' }), testid: 'chart-cost' }),
      lineChart({ title: 'Error rate', series: total.map(t => ({ name: '', points: t.points.filter(p => p.calls > 0).map(p => ({ t: p.t, v: p.errors / p.calls })) })), from, to, step: seconds * 1000, format: percent, fill: false, onPick: pick({ status: 'error' }), testid: 'chart-errors' }),
      lineChart({
        title: 'Latency p50 / p95 / p99',
        series: latency.series.length === 0 ? [] : ['p50', 'p95', 'p99'].map(q => ({ name: q, points: points(latency.series[0], p => p.latencyMs[q]) })),
        from, to, step: seconds * 1000, format: ms, fill: false, onPick: pick({ sort: 'duration' }), testid: 'chart-latency',
      })),
    h('div', { class: 'columns' },
      section('Top models by cost',
        table([
          { label: 'Model', cell: g => g.key || '(none)' },
          { label: 'Calls', class: 'num', cell: g => count(g.calls) },
          { label: 'Cost', class: 'num', cell: g => usd(g.costUsd) },
          { label: 'Errors', class: 'num', cell: g => percent(g.errorRate) },
          { label: 'p95', class: 'num', cell: g => ms(g.latencyMs?.p95) },
        ], overview.topModels, { href: g => calls({ model: g.key, sort: 'cost' }), testid: 'top-models' })),
      section('Errors by type',
        barList(overview.errorTypes.map(g => ({ label: g.key, value: g.errors, href: calls({ status: 'error', errorType: g.key }) })), count, 'error-types'),
        overview.errorTypes.length === 0 ? h('p', { class: 'muted' }, 'No failed calls in this range.') : null)),
    h('div', { class: 'columns' },
      section('Cost by provider', barList(providers.groups.map(g => ({ label: g.key, value: g.costUsd, href: calls({ provider: g.key }) })), usd, 'providers')),
      section('Cost by service', barList(services.groups.map(g => ({ label: g.key, value: g.costUsd, href: calls({ service: g.key }) })), usd, 'services'))));
}

// Adds the series of every group into one, bucket by bucket.
function mergePoints(series) {
  const byTime = new Map();
  for (const s of series) {
    for (const p of s.points) {
      const t = Date.parse(p.time);
      const sum = byTime.get(t) ?? { t, calls: 0, errors: 0 };
      sum.calls += p.calls;
      sum.errors += p.errors;
      byTime.set(t, sum);
    }
  }
  return [...byTime.values()].sort((a, b) => a.t - b.t);
}
