// Every string the person reads comes from lang/lv.js or lang/en.js: Latvian first, English
// switchable. Only the language in use is loaded (the other one when the person switches), so the
// first load carries one dictionary. t(key, vars) fills {name} placeholders; a missing key shows the
// key itself (and the tests fail on it).
const packs = {
  lv: () => import('./lang/lv.js?v=42d01650a7c3'),
  en: () => import('./lang/en.js?v=661840c7ecd7'),
};
const dict = {};

const KEY = 'ej.lang';
let lang = (() => {
  try {
    return localStorage.getItem(KEY) === 'en' ? 'en' : 'lv';
  } catch {
    return 'lv';
  }
})();

export function getLang() {
  return lang;
}

// Switches the language, loading its dictionary first (once); resolves when t() speaks it. If the
// dictionary cannot be fetched (offline before it was ever loaded), the language in use stays.
export async function setLang(next) {
  const want = next === 'en' ? 'en' : 'lv';
  if (!dict[want]) {
    try {
      dict[want] = (await packs[want]()).default;
    } catch (e) {
      if (dict[lang]) return lang;
      throw e;
    }
  }
  lang = want;
  try {
    localStorage.setItem(KEY, lang);
  } catch {
    /* private mode: the choice lasts this page */
  }
  document.documentElement.lang = lang;
  return lang;
}

export function has(key) {
  return key in (dict[lang] || {});
}

export function t(key, vars = {}) {
  const text = dict[lang]?.[key] ?? key;
  return text.replace(/\{(\w+)\}/g, (m, k) => (k in vars ? String(vars[k]) : m));
}

const locale = () => (lang === 'lv' ? 'lv-LV' : 'en-GB');
const RIGA = 'Europe/Riga';

// Dates and times are shown in Riga time, whatever the device's zone.
export function fmtDate(iso) {
  const d = new Date(`${iso}T12:00:00Z`);
  return d.toLocaleDateString(locale(), { weekday: 'short', day: 'numeric', month: 'long', timeZone: 'UTC' });
}

export function fmtDateTime(iso) {
  return new Date(iso).toLocaleString(locale(), {
    day: 'numeric', month: 'short', hour: '2-digit', minute: '2-digit', timeZone: RIGA,
  });
}

export function fmtLeft(ms) {
  const min = Math.max(0, Math.floor(ms / 60000));
  const d = Math.floor(min / 1440);
  const h = Math.floor((min % 1440) / 60);
  const m = min % 60;
  if (d > 0) return t('time.dh', { d, h });
  if (h > 0) return t('time.hm', { h, m });
  return t('time.m', { m });
}

export function rigaToday() {
  return new Date().toLocaleDateString('sv-SE', { timeZone: RIGA });
}

export function addDays(iso, n) {
  const d = new Date(`${iso}T12:00:00Z`);
  d.setUTCDate(d.getUTCDate() + n);
  return d.toISOString().slice(0, 10);
}
