// Exports: the calls of the current filters as CSV, JSON or JSON lines, and an OpenAI fine-tuning file, downloaded
// through /api/v1/export with the signed-in key.
import { download } from '../api.js';
import { h, clear, section } from '../dom.js';
import { apiQuery, link, FILTER_NAMES } from '../filters.js';

// The filters the export endpoint takes (the others narrow only the console's own pages).
const EXPORTED = ['project', 'service', 'provider', 'model', 'status', 'userId', 'workload'];

export async function render({ main, state }) {
  const ignored = FILTER_NAMES.filter(n => state[n] && !EXPORTED.includes(n));
  const exported = Object.fromEntries(Object.entries(state).filter(([n]) => !FILTER_NAMES.includes(n) || EXPORTED.includes(n)));
  const content = h('input', { type: 'checkbox', name: 'content', 'data-testid': 'export-content' });
  const status = h('p', { class: 'muted', role: 'status', 'data-testid': 'export-status' });
  // The query is made at the click, with the boxes as they are then.
  const run = (path, name) => async () => {
    status.textContent = 'Preparing the download…';
    try {
      status.textContent = `Downloaded ${await download(path(), name)}.`;
    } catch (e) {
      status.textContent = e.message;
    }
  };
  const calls = format => run(() => `export/calls?${apiQuery(exported, { format, content: content.checked ? 'true' : 'false' })}`, `llm-calls.${format}`);
  const workload = h('input', { name: 'workload', value: state.workload ?? '', 'data-testid': 'finetune-workload', size: 16 });
  const minFeedback = h('input', { name: 'minFeedback', type: 'number', step: 'any', 'data-testid': 'finetune-min-feedback', size: 6 });
  const finetune = run(() => `export/finetune?${apiQuery({ range: state.range, from: state.from, to: state.to }, { workload: workload.value, minFeedback: minFeedback.value })}`, 'finetune.jsonl');
  const described = Object.entries(state).filter(([n, v]) => v && EXPORTED.includes(n)).map(([n, v]) => `${n} = ${v}`);
  clear(main,
    h('h1', {}, 'Exports'),
    section('Calls',
      h('p', {}, 'The calls of ', state.from ? 'the chosen range' : `the last ${state.range}`, described.length ? ` with ${described.join(', ')}` : ' (no filter)',
        '. Change the filters above, or ', h('a', { href: link('/calls', state) }, 'look at these calls first'), '.'),
      ignored.length ? h('p', { class: 'muted small' }, `Not applied to exports: ${ignored.join(', ')}.`) : null,
      h('label', { class: 'inline' }, content, ' Include prompts and answers'),
      h('div', { class: 'buttons' },
        h('button', { onclick: calls('csv'), 'data-testid': 'export-csv' }, 'CSV'),
        h('button', { onclick: calls('json'), 'data-testid': 'export-json' }, 'JSON'),
        h('button', { onclick: calls('jsonl'), 'data-testid': 'export-jsonl' }, 'JSON lines'))),
    section('Fine-tuning data',
      h('p', {}, 'Successful calls whose content was captured, as OpenAI chat fine-tuning JSONL (one {"messages": […]} per line, duplicates dropped).'),
      h('div', { class: 'buttons' },
        h('label', {}, 'Workload ', workload),
        h('label', {}, 'Min. feedback ', minFeedback),
        h('button', { onclick: finetune, 'data-testid': 'export-finetune' }, 'Fine-tuning JSONL'))),
    status);
}
