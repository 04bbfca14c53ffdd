// The console's only way to the data: the HTTP API on the page's own origin, with the key the user signed in with.

const KEY = 'otelllm.key';

export class ApiError extends Error {
  constructor(status, errors) {
    super(errors.map(e => (e.field ? `${e.field}: ` : '') + e.message).join(' '));
    this.status = status;
    this.errors = errors;
  }
}

export function key() {
  return sessionStorage.getItem(KEY) ?? localStorage.getItem(KEY);
}

export function signIn(value, remember) {
  signOut();
  (remember ? localStorage : sessionStorage).setItem(KEY, value);
}

export function signOut() {
  sessionStorage.removeItem(KEY);
  localStorage.removeItem(KEY);
}

function headers(extra) {
  const result = { Accept: 'application/json', ...extra };
  const k = key();
  if (k) result.Authorization = `Bearer ${k}`;
  return result;
}

async function failure(response) {
  let errors;
  try {
    errors = (await response.json()).errors;
  } catch {
    errors = null;
  }
  return new ApiError(response.status, errors?.length ? errors : [{ field: null, message: `${response.status} ${response.statusText}` }]);
}

/** Calls the API; 401 sends the user to the sign-in page, other failures throw ApiError with the API's messages. */
export async function api(path, { method = 'GET', body, signal } = {}) {
  const response = await fetch('/api/v1/' + path, {
    method,
    signal,
    headers: headers(body === undefined ? {} : { 'Content-Type': 'application/json' }),
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (response.status === 401 && !path.startsWith('me')) {
    window.dispatchEvent(new CustomEvent('otelllm:unauthenticated'));
  }
  if (!response.ok) throw await failure(response);
  return response.status === 204 ? null : response.json();
}

/** Downloads an API answer as a file (exports), with the key in the header rather than in the URL. */
export async function download(path, fileName) {
  const response = await fetch('/api/v1/' + path, { headers: headers({ Accept: '*/*' }) });
  if (!response.ok) throw await failure(response);
  const disposition = response.headers.get('Content-Disposition') ?? '';
  const named = /filename="?([^";]+)"?/.exec(disposition)?.[1];
  const url = URL.createObjectURL(await response.blob());
  const a = document.createElement('a');
  a.href = url;
  a.download = named ?? fileName;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60000);
  return a.download;
}

/** Who the key belongs to: {project, scopes, keyed}. */
export async function me(candidate) {
  const response = await fetch('/api/v1/me', { headers: candidate ? { Authorization: `Bearer ${candidate}` } : headers() });
  if (!response.ok) throw await failure(response);
  return response.json();
}
