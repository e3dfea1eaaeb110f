// Entries typed without a connection: kept in localStorage (per user and lesson) and sent when the
// connection returns, each with the If-Match of the version the teacher started from. A 412 keeps
// the entry and marks it as a conflict for the teacher to decide (both versions shown); any other
// refusal keeps it too, with its message: nothing is dropped silently.
import { api, ApiError, isNetworkError, userId } from './api.js?v=8b41fb46a3bf';

const KEY = 'ej.outbox';
const listeners = new Set();

function load() {
  try {
    return JSON.parse(localStorage.getItem(KEY) || '[]');
  } catch {
    return [];
  }
}

function save(items) {
  localStorage.setItem(KEY, JSON.stringify(items));
  for (const fn of listeners) fn(mine());
}

export function onChange(fn) {
  listeners.add(fn);
  return () => listeners.delete(fn);
}

export const mine = () => load().filter((i) => i.user === userId());
export const find = (lessonId) => mine().find((i) => i.lesson === lessonId) || null;

// item: { lesson, etag, body, label }
export function put(item) {
  const items = load().filter((i) => !(i.user === userId() && i.lesson === item.lesson));
  items.push({ ...item, user: userId(), saved_at: new Date().toISOString(), error: null });
  save(items);
}

export function drop(lessonId) {
  save(load().filter((i) => !(i.user === userId() && i.lesson === lessonId)));
}

function update(lessonId, patch) {
  save(load().map((i) => (i.user === userId() && i.lesson === lessonId ? { ...i, ...patch } : i)));
}

// Sends one entry. Resolves { ok, lesson, etag } or throws ApiError (the entry stays queued unless
// it went through).
export async function sendEntry(lessonId, body, etag) {
  const headers = etag ? { 'If-Match': etag } : {};
  const r = await api('PUT', `/lessons/${lessonId}/entry`, { body, headers });
  return { lesson: r.data, etag: r.etag };
}

let flushing = null;
// Sends whatever is queued; calls sent(item, lesson) for each that went through.
export function flush(sent = () => {}) {
  if (flushing) return flushing;
  flushing = (async () => {
    for (const item of mine()) {
      if (item.error === 'precondition_failed') continue; // waits for the teacher's choice
      try {
        const r = await sendEntry(item.lesson, item.body, item.etag);
        drop(item.lesson);
        sent(item, r.lesson);
      } catch (e) {
        if (isNetworkError(e)) break; // still offline: try again later
        if (e instanceof ApiError) update(item.lesson, { error: e.code, problem: e.problem });
      }
    }
  })().finally(() => {
    flushing = null;
  });
  return flushing;
}
