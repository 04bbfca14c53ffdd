// Building elements and formatting values. Text always goes in as text nodes, never as HTML, so stored prompts and
// answers cannot inject markup into the page.

const SVG = 'http://www.w3.org/2000/svg';

function build(element, attrs, children) {
  for (const [key, value] of Object.entries(attrs ?? {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key.startsWith('on') && typeof value === 'function') element.addEventListener(key.slice(2), value);
    else if (key === 'class') element.setAttribute('class', value);
    else if (key === 'text') element.textContent = value;
    else if (key === 'dataset') Object.assign(element.dataset, value);
    else if (key === 'style') Object.assign(element.style, value);
    else if (key === 'value' && 'value' in element) element.value = value;
    else if (key === 'checked' && 'checked' in element) element.checked = Boolean(value);
    else element.setAttribute(key, value === true ? '' : String(value));
  }
  for (const child of children.flat(Infinity)) {
    if (child === undefined || child === null || child === false) continue;
    element.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return element;
}

/** An HTML element: h('a', {href: '/calls', class: 'x'}, 'text', otherElement). */
export function h(tag, attrs, ...children) {
  return build(document.createElement(tag), attrs, children);
}

/** An SVG element. */
export function s(tag, attrs, ...children) {
  return build(document.createElementNS(SVG, tag), attrs, children);
}

export function clear(element, ...children) {
  element.replaceChildren(...children.flat(Infinity).filter(c => c !== null && c !== undefined && c !== false));
  return element;
}

const numberFormat = new Intl.NumberFormat('en-US');

export function count(n) {
  if (n === null || n === undefined) return '–';
  if (Math.abs(n) >= 1e9) return (n / 1e9).toFixed(2) + ' B';
  if (Math.abs(n) >= 1e6) return (n / 1e6).toFixed(2) + ' M';
  if (Math.abs(n) >= 1e4) return (n / 1e3).toFixed(1) + ' k';
  return numberFormat.format(n);
}

export function usd(n) {
  if (n === null || n === undefined) return '–';
  if (n === 0) return '$0';
  if (Math.abs(n) >= 100) return '$' + numberFormat.format(Math.round(n));
  if (Math.abs(n) >= 1) return '$' + n.toFixed(2);
  return '$' + n.toPrecision(2).replace(/0+$/, '').replace(/\.$/, '');
}

export function ms(n) {
  if (n === null || n === undefined) return '–';
  if (n >= 60000) return (n / 60000).toFixed(1) + ' min';
  if (n >= 1000) return (n / 1000).toFixed(n >= 10000 ? 1 : 2) + ' s';
  if (n >= 10) return Math.round(n) + ' ms';
  return n.toFixed(1) + ' ms';
}

export function percent(n) {
  if (n === null || n === undefined) return '–';
  return (n * 100).toFixed(n === 0 || n >= 0.1 ? 1 : 2) + ' %';
}

export function wh(n) {
  if (n === null || n === undefined) return '–';
  return n >= 1000 ? (n / 1000).toFixed(2) + ' kWh' : n.toPrecision(3) + ' Wh';
}

/** Grams of CO₂e: three significant digits, kilograms from 1,000 g. */
export function grams(n) {
  if (n === null || n === undefined) return '–';
  return n >= 1000 ? (n / 1000).toFixed(2) + ' kg' : n.toPrecision(3) + ' g';
}

const pad = n => String(n).padStart(2, '0');

/** A time in the browser's zone as YYYY-MM-DD HH:MM:SS. */
export function time(iso) {
  if (!iso) return '–';
  const d = new Date(iso);
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

export function shortTime(d, withDate) {
  const t = `${pad(d.getHours())}:${pad(d.getMinutes())}`;
  return withDate ? `${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${t}` : t;
}

export function statusBadge(status) {
  const failed = status === 'Error';
  return h('span', { class: failed ? 'badge bad' : 'badge ok' }, failed ? 'error' : 'ok');
}

/** A table: columns are [{label, cell: row => node|string, class, sort}]; rows clickable when href(row) is given. */
export function table(columns, rows, { href, empty = 'Nothing in this range.', testid } = {}) {
  if (rows.length === 0) return h('p', { class: 'muted', 'data-testid': testid ? testid + '-empty' : undefined }, empty);
  return h('table', { class: 'grid', 'data-testid': testid },
    h('thead', {}, h('tr', {}, columns.map(c => h('th', { class: c.class, scope: 'col' }, c.header ?? c.label)))),
    h('tbody', {}, rows.map(row => {
      const link = href?.(row);
      return h('tr', { class: link ? 'link' : undefined, dataset: link ? { href: link } : undefined },
        columns.map((c, i) => h('td', { class: c.class }, i === 0 && link ? h('a', { href: link }, c.cell(row)) : c.cell(row))));
    })));
}

export function card(label, value, detail, testid) {
  return h('div', { class: 'card', 'data-testid': testid }, h('div', { class: 'label' }, label), h('div', { class: 'value' }, value), detail ? h('div', { class: 'detail' }, detail) : null);
}

export function section(title, ...children) {
  return h('section', { class: 'panel' }, h('h2', {}, title), children);
}

export function errorBox(error) {
  return h('div', { class: 'error', role: 'alert' }, error?.message ?? String(error));
}

export function json(value) {
  return h('pre', { class: 'json' }, typeof value === 'string' ? value : JSON.stringify(value, null, 2));
}
