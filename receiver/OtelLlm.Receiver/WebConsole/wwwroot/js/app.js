// The console's shell: routes the URL to a page, keeps links inside the page, and asks for a key when the API wants one.
import { me, key, signOut } from './api.js';
import { h, clear, errorBox } from './dom.js';
import * as filters from './filters.js';
import * as overview from './pages/overview.js';
import * as calls from './pages/calls.js';
import * as call from './pages/call.js';
import * as trace from './pages/trace.js';
import * as conversations from './pages/conversations.js';
import * as alerts from './pages/alerts.js';
import * as exports from './pages/exports.js';
import * as signin from './pages/signin.js';

const routes = [
  [/^\/$/, 'overview', overview.render, true],
  [/^\/calls$/, 'calls', calls.render, true],
  [/^\/calls\/([0-9a-f]{32})\/([0-9a-f]{16})$/, 'calls', call.render, false],
  [/^\/traces\/([0-9a-f]{32})$/, 'calls', trace.render, false],
  [/^\/sessions$/, 'sessions', ctx => conversations.renderList(ctx, 'sessions'), true],
  [/^\/sessions\/(.+)$/, 'sessions', ctx => conversations.renderOne(ctx, 'sessions'), false],
  [/^\/users$/, 'users', ctx => conversations.renderList(ctx, 'users'), true],
  [/^\/users\/(.+)$/, 'users', ctx => conversations.renderOne(ctx, 'users'), false],
  [/^\/alerts$/, 'alerts', alerts.render, false],
  [/^\/exports$/, 'exports', exports.render, true],
  [/^\/signin$/, null, signin.render, false],
];

const main = document.getElementById('main');
const filterBar = document.getElementById('filters');
let caller = null;
let rendering = 0;

export function navigate(url, { replace = false } = {}) {
  if (replace) history.replaceState(null, '', url);
  else history.pushState(null, '', url);
  return route();
}

async function whoAmI() {
  if (caller) return caller;
  try {
    caller = await me();
  } catch (e) {
    if (e.status === 401) return null;
    throw e;
  }
  return caller;
}

function showCaller() {
  const who = document.getElementById('who');
  if (!caller) {
    clear(who);
    return;
  }
  clear(who,
    caller.keyed ? `project ${caller.project}` : 'no key needed (loopback)',
    caller.keyed ? h('button', { class: 'link-button', 'data-testid': 'sign-out', onclick: () => { signOut(); caller = null; navigate('/signin'); } }, 'Sign out') : null);
}

async function route() {
  const ticket = ++rendering;
  const path = location.pathname;
  const match = routes.map(([pattern, page, render, withFilters]) => ({ m: pattern.exec(path), page, render, withFilters })).find(r => r.m);
  for (const a of document.querySelectorAll('#nav a')) a.classList.toggle('active', a.dataset.page === match?.page);
  if (!match) {
    clear(filterBar);
    clear(main, h('h1', {}, 'Not found'), h('p', {}, 'No console page at ', h('code', {}, path), '. ', h('a', { href: '/' }, 'Go to the overview.')));
    return;
  }

  if (match.render !== signin.render) {
    let who;
    try {
      who = await whoAmI();
    } catch (e) {
      clear(main, errorBox(e));
      return;
    }
    if (!who || !who.scopes.includes('read')) {
      const next = location.pathname + location.search;
      navigate(`/signin?next=${encodeURIComponent(next)}${who ? '&reason=scope' : key() ? '&reason=invalid' : ''}`, { replace: true });
      return;
    }
  }
  showCaller();

  const state = filters.current();
  const ctx = {
    main,
    params: match.m.slice(1).map(decodeURIComponent),
    state,
    navigate,
    caller,
    stale: () => ticket !== rendering,
    signedIn: value => { caller = value; },
  };
  if (match.withFilters) filters.render(filterBar, state, navigate, { sort: match.page === 'calls' ? { sort: new URLSearchParams(location.search).get('sort'), order: new URLSearchParams(location.search).get('order') } : undefined });
  else clear(filterBar);
  clear(main, h('p', { class: 'muted' }, 'Loading…'));
  try {
    await match.render(ctx);
  } catch (e) {
    if (ticket === rendering) clear(main, errorBox(e));
  }
}

// Links inside the console change the page without reloading it; other links, and clicks with a modifier, behave as usual.
document.addEventListener('click', e => {
  if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
  const row = e.target.closest('tr[data-href]');
  const a = e.target.closest('a[href]') ?? (row && !e.target.closest('button, input, select, textarea') ? { getAttribute: () => row.dataset.href, target: '' } : null);
  if (!a || a.target || a.hasAttribute?.('download')) return;
  const href = a.getAttribute('href');
  if (!href.startsWith('/') || href.startsWith('/api/') || href.startsWith('/openapi/')) return;
  e.preventDefault();
  navigate(href);
});

window.addEventListener('popstate', route);
window.addEventListener('otelllm:unauthenticated', () => {
  caller = null;
  navigate(`/signin?next=${encodeURIComponent(location.pathname + location.search)}&reason=invalid`, { replace: true });
});

route();
