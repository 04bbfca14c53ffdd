// Small SVG charts drawn in the page (no chart library to ship): lines over time with a shared time axis.
import { h, s, shortTime } from './dom.js';

export const PALETTE = ['#2f6fb3', '#e07b39', '#3a9e6f', '#b5475b', '#7b61b8', '#c9a227', '#3fa3b5', '#8c6d4f', '#888888'];

const WIDTH = 640;
const HEIGHT = 200;
const LEFT = 56;
const RIGHT = 12;
const TOP = 10;
const BOTTOM = 24;

function niceMax(value) {
  if (!(value > 0)) return 1;
  const power = 10 ** Math.floor(Math.log10(value));
  for (const step of [1, 2, 2.5, 5, 10]) {
    if (value <= step * power) return step * power;
  }
  return 10 * power;
}

/**
 * A line chart. series: [{name, points: [{t: ms, v: number|null}]}]; from/to/step in ms bound the time axis; fill
 * draws missing buckets as 0 (counts) instead of gaps (percentiles). onPick(t) is called with a bucket's start when
 * the chart is clicked.
 */
export function lineChart({ title, series, from, to, step, format, fill = true, onPick, testid }) {
  const buckets = [];
  for (let t = Math.floor(from / step) * step; t < to; t += step) buckets.push(t);
  const x = t => LEFT + ((t - buckets[0]) / Math.max(1, (buckets.at(-1) ?? from) - buckets[0])) * (WIDTH - LEFT - RIGHT);
  const values = series.map(line => {
    const byTime = new Map(line.points.map(p => [p.t, p.v]));
    return buckets.map(t => byTime.has(t) ? byTime.get(t) : (fill ? 0 : null));
  });
  const max = niceMax(Math.max(0, ...values.flat().filter(v => v !== null)));
  const y = v => TOP + (1 - v / max) * (HEIGHT - TOP - BOTTOM);
  const svg = s('svg', { viewBox: `0 0 ${WIDTH} ${HEIGHT}`, class: 'chart', role: 'img', 'aria-label': title, 'data-testid': testid });
  for (let i = 0; i <= 4; i++) {
    const v = (max * i) / 4;
    svg.append(s('line', { x1: LEFT, x2: WIDTH - RIGHT, y1: y(v), y2: y(v), class: 'grid-line' }));
    svg.append(s('text', { x: LEFT - 6, y: y(v) + 4, class: 'axis', 'text-anchor': 'end' }, format(v)));
  }
  const withDate = to - from > 86400000;
  const ticks = Math.min(6, buckets.length);
  for (let i = 0; i < ticks; i++) {
    const t = buckets[Math.round((i * (buckets.length - 1)) / Math.max(1, ticks - 1))];
    if (t === undefined) continue;
    svg.append(s('text', { x: x(t), y: HEIGHT - 6, class: 'axis', 'text-anchor': i === 0 ? 'start' : i === ticks - 1 ? 'end' : 'middle' }, shortTime(new Date(t), withDate)));
  }
  values.forEach((line, index) => {
    const color = PALETTE[index % PALETTE.length];
    let d = '';
    let pen = false;
    line.forEach((v, i) => {
      if (v === null) {
        pen = false;
        return;
      }
      d += `${pen ? 'L' : 'M'}${x(buckets[i]).toFixed(1)},${y(v).toFixed(1)}`;
      pen = true;
    });
    svg.append(s('path', { d, class: 'series', stroke: color }));
    line.forEach((v, i) => {
      if (v === null || (fill && v === 0)) return;
      svg.append(s('circle', { cx: x(buckets[i]), cy: y(v), r: 2.5, fill: color },
        s('title', {}, `${series[index].name ? series[index].name + ': ' : ''}${format(v)} at ${new Date(buckets[i]).toLocaleString()}`)));
    });
  });
  if (onPick && buckets.length > 0) {
    svg.classList.add('pickable');
    svg.addEventListener('click', e => {
      const box = svg.getBoundingClientRect();
      const px = ((e.clientX - box.left) / box.width) * WIDTH;
      let best = buckets[0];
      for (const t of buckets) if (Math.abs(x(t) - px) < Math.abs(x(best) - px)) best = t;
      onPick(best);
    });
  }
  const legend = series.length > 1 || series[0]?.name
    ? h('ul', { class: 'legend' }, series.map((line, i) => h('li', {}, h('span', { class: 'swatch', style: { background: PALETTE[i % PALETTE.length] } }), line.name || '(none)')))
    : null;
  return h('figure', { class: 'chart-box' }, h('figcaption', {}, title), svg, legend);
}

/** Horizontal bars: rows [{label, value, href}]. */
export function barList(rows, format, testid) {
  const max = Math.max(0, ...rows.map(r => r.value)) || 1;
  return h('ul', { class: 'bars', 'data-testid': testid }, rows.map(r => h('li', {},
    h('a', { href: r.href }, h('span', { class: 'bar-label' }, r.label || '(none)'),
      h('span', { class: 'bar' }, h('span', { class: 'bar-fill', style: { width: `${(100 * r.value) / max}%` } })),
      h('span', { class: 'bar-value' }, format(r.value))))));
}
