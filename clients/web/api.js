// The one module that talks to the API: tokens, refresh, and problem+json turned into errors.
//
// Tokens (see README.md, "Tokens"): the access token lives only in this module's memory; the
// refresh token in sessionStorage (this tab only, gone when the tab closes), so a reload does not
// sign the teacher out in the middle of a lesson. The access token is refreshed a minute before it
// expires; a 401 that a refresh cannot cure calls onSignedOut(), and the screen asks to sign in
// again without discarding what was typed.
//
// Where the API is: same origin ('/api/v1') unless index.html names another in
// <meta name="ejournal-api" content="https://api.example/api/v1"> (the client served from another
// static host: README.md, "Another static host"). Only an absolute http(s) URL or a path is taken.
const BASE = apiBase(document.querySelector('meta[name="ejournal-api"]')?.getAttribute('content'));
// The API's origin differs from the page's: a failed fetch may be CORS, not the network.
export const crossOrigin = new URL(BASE, location.href).origin !== location.origin;
const RT_KEY = 'ej.refresh';
const EARLY_MS = 60_000;

let access = null;
let refreshTimer = null;
let refreshing = null;
let onSignedOut = () => {};
export let me = null;

function apiBase(v) {
  const s = (v || '').trim().replace(/\/+$/, '');
  if (/^https?:\/\/[^/]/i.test(s) || /^\/[^/]/.test(s)) return s;
  return '/api/v1';
}

export class ApiError extends Error {
  constructor(status, problem, requestId) {
    super(problem?.detail || `HTTP ${status}`);
    this.status = status;
    this.problem = problem || {};
    this.code = this.problem.code || (status === 0 ? 'network' : 'http_error');
    this.requestId = requestId || '';
  }
}

// No answer. With the API on another origin and the browser online, the cause may as well be
// that the API does not allow this page's origin (EJ_CORS_ORIGINS): the browser does not say
// which, so the message names both (code `unreachable`, still a network error for the outbox).
function unreachable() {
  if (!crossOrigin || navigator.onLine === false) return new ApiError(0, null, '');
  return new ApiError(0, { code: 'unreachable', origin: new URL(BASE, location.href).origin }, '');
}

export const isNetworkError = (e) => e instanceof ApiError && e.status === 0;

export function setSignedOutHandler(fn) {
  onSignedOut = fn;
}

function storedRefresh() {
  try {
    return sessionStorage.getItem(RT_KEY);
  } catch {
    return null;
  }
}

function keepTokens(tokens) {
  access = tokens.access_token;
  me = tokens.user || me;
  try {
    sessionStorage.setItem(RT_KEY, tokens.refresh_token);
  } catch {
    /* storage refused: the login lasts as long as this page */
  }
  clearTimeout(refreshTimer);
  // A minute early, or a fifth of the lifetime early for short ones (EJ_ACCESS_TOKEN_TTL >= 30 s).
  const life = tokens.expires_in * 1000;
  const ms = Math.max(5_000, life - Math.min(EARLY_MS, life / 5));
  refreshTimer = setTimeout(() => refresh().catch(() => {}), ms);
}

function forget() {
  access = null;
  me = null;
  clearTimeout(refreshTimer);
  try {
    sessionStorage.removeItem(RT_KEY);
  } catch {
    /* ignore */
  }
}

// `blob`: a successful reply is handed over as a Blob (a CSV download), errors are read as usual.
async function send(method, path, { body, headers = {}, auth = true, blob = false } = {}) {
  const h = { Accept: 'application/json', ...headers };
  if (body !== undefined) h['Content-Type'] = 'application/json';
  if (auth && access) h.Authorization = `Bearer ${access}`;
  let res;
  try {
    res = await fetch(BASE + path, { method, headers: h, body: body === undefined ? undefined : JSON.stringify(body), cache: 'no-store' });
  } catch {
    throw unreachable();
  }
  if (res.ok && blob) {
    try {
      return { data: await res.blob(), etag: res.headers.get('ETag'), status: res.status };
    } catch {
      throw unreachable();
    }
  }
  const text = await res.text();
  let data = null;
  if (text) {
    try {
      data = JSON.parse(text);
    } catch {
      data = null;
    }
  }
  if (!res.ok) throw new ApiError(res.status, data, res.headers.get('X-Request-Id'));
  return { data, etag: res.headers.get('ETag'), status: res.status };
}

// A refresh at a time; a spent or unknown refresh token ends the login here too.
export function refresh() {
  const rt = storedRefresh();
  if (!rt) return Promise.reject(new ApiError(401, { code: 'invalid_refresh_token' }));
  if (!refreshing) {
    refreshing = send('POST', '/auth/refresh', { body: { refresh_token: rt }, auth: false })
      .then((r) => keepTokens(r.data))
      .catch((e) => {
        if (e.status === 401) forget();
        throw e;
      })
      .finally(() => {
        refreshing = null;
      });
  }
  return refreshing;
}

// Any call. A 401 `token_expired` (the token outlived its minutes, e.g. the phone slept through
// the timer) is refreshed and retried once; `invalid_token` means the login itself ended (signed
// out everywhere, password reset, revoked): the server says sign in again, so no refresh is tried.
// `unauthenticated` (no token in memory yet) tries the stored refresh token. Then onSignedOut
// (the caller still gets the error).
export async function api(method, path, opts = {}) {
  try {
    return await send(method, path, opts);
  } catch (e) {
    if (e.status !== 401 || opts.auth === false) throw e;
    if (e.code === 'invalid_token') {
      forget();
      onSignedOut();
      throw e;
    }
    try {
      await refresh();
    } catch (re) {
      if (re.status === 401) onSignedOut();
      throw e;
    }
    return send(method, path, opts);
  }
}

export const get = (path) => api('GET', path).then((r) => r.data);
// A write with a fresh Idempotency-Key (safe to retry after a lost answer: the server replays it).
export const post = (path, body = {}, headers = {}) => api('POST', path, { body, headers: { 'Idempotency-Key': newKey(), ...headers } }).then((r) => r.data);
// A document as a Blob (e.g. `Accept: text/csv`), with the token, the refresh and problem+json
// errors like any call.
export const getBlob = (path, accept) => api('GET', path, { headers: { Accept: accept }, blob: true }).then((r) => r.data);
export const newKey = () => (crypto.randomUUID ? crypto.randomUUID() : `${Date.now()}-${Math.random()}`);

export async function signIn(username, password) {
  const r = await send('POST', '/auth/login', { body: { username, password }, auth: false });
  keepTokens(r.data);
  return me;
}

export async function changePassword(current, next) {
  const r = await api('POST', '/auth/password', { body: { current_password: current, new_password: next } });
  keepTokens(r.data);
  return me;
}

// Resumes a login kept in this tab (after a reload). Resolves with the user or null.
export async function resume() {
  if (!storedRefresh()) return null;
  try {
    await refresh(); // the reply carries the user: no GET /me needed
    return me;
  } catch (e) {
    if (isNetworkError(e)) throw e;
    return null;
  }
}

export async function signOut(everywhere = false) {
  try {
    if (access) await send('POST', '/auth/logout', { body: { everywhere } });
  } finally {
    forget();
  }
}

export const userId = () => me?.id ?? null;
