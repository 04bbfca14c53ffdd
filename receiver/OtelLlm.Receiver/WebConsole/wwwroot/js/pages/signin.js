// Sign-in: the console asks for an API key with the read scope (needed whenever the receiver has keys).
import { me, signIn, signOut } from '../api.js';
import { h, clear } from '../dom.js';

const REASONS = {
  invalid: 'The API needs a key (or the one given was refused).',
  scope: 'This key has no read scope; the console needs one that has.',
};

export async function render({ main, navigate, signedIn }) {
  const params = new URLSearchParams(location.search);
  const next = params.get('next');
  const target = next && next.startsWith('/') && !next.startsWith('//') && !next.startsWith('/signin') ? next : '/';
  const input = h('input', { type: 'password', name: 'key', autocomplete: 'off', required: true, 'data-testid': 'signin-key', size: 40 });
  const remember = h('input', { type: 'checkbox', name: 'remember', 'data-testid': 'signin-remember' });
  const message = h('p', { class: 'error-text', role: 'alert', 'data-testid': 'signin-message' }, REASONS[params.get('reason')] ?? '');
  const form = h('form', { class: 'signin', 'data-testid': 'signin-form' },
    h('h1', {}, 'Sign in'),
    h('p', {}, 'Paste an OtelLlm API key with the ', h('code', {}, 'read'), ' scope. Add ', h('code', {}, 'feedback'), ' to leave feedback and ',
      h('code', {}, 'admin'), ' to manage alert rules. The key stays in this browser and is sent only to this receiver.'),
    h('label', {}, 'API key ', input),
    h('label', { class: 'inline' }, remember, ' Keep me signed in on this computer'),
    h('button', { type: 'submit', 'data-testid': 'signin-submit' }, 'Sign in'),
    message);
  form.addEventListener('submit', async e => {
    e.preventDefault();
    message.textContent = 'Checking the key…';
    try {
      const caller = await me(input.value.trim());
      if (!caller.scopes.includes('read')) {
        message.textContent = REASONS.scope;
        return;
      }
      signIn(input.value.trim(), remember.checked);
      signedIn(caller);
      navigate(target, { replace: true });
    } catch (err) {
      signOut();
      message.textContent = err.status === 401 ? 'This key is not one the receiver knows.' : err.message;
    }
  });
  clear(main, form);
  input.focus();
}
