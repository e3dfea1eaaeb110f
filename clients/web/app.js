// The shell: header, language, connection state, and a hash router (#/lessons, #/lesson/12,
// #/children, #/account; the superuser's #/office, #/substitutes/2026-12-01, #/accounts,
// #/groups/7). A hash router means the server never has to guess which unknown paths
// are client routes: every path it serves is a real file.
import * as api from './api.js?v=8b41fb46a3bf';
import { h, clear, notice } from './dom.js?v=f8d81987da69';
import { getLang, setLang, t } from './i18n.js?v=8fe23017d40d';
import * as outbox from './outbox.js?v=04bd73ac666e';
import * as signin from './screens/signin.js?v=64d9cfc40793';

// Every other screen is loaded when it is first opened (a dynamic import, still no build step and
// the same strict CSP: 'self' scripts only), so the first load is the sign-in screen and the shell,
// and a teacher's phone never fetches the superuser's screens.
const screensOf = {
  password: () => import('./screens/password.js?v=b4b53f08b0d4'),
  lessons: () => import('./screens/lessons.js?v=4b51a1c47de1'),
  entry: () => import('./screens/entry.js?v=89948ac0f512'),
  guardian: () => import('./screens/guardian.js?v=2cbd865259f9'),
  account: () => import('./screens/account.js?v=d7c7c7f74cc2'),
  office: () => import('./screens/office.js?v=19245c20a2ff'),
  substitutes: () => import('./screens/substitutes.js?v=2fd267d8fd33'),
  accounts: () => import('./screens/accounts.js?v=34604d5c557b'),
  enrollments: () => import('./screens/enrollments.js?v=265d9b61dfce'),
  grouplessons: () => import('./screens/grouplessons.js?v=c300463be490'),
  programs: () => import('./screens/programs.js?v=a2a56de8b8df'),
  accesslog: () => import('./screens/accesslog.js?v=2ea11308b807'),
  settings: () => import('./screens/settings.js?v=e836c3033985'),
  proposals: () => import('./screens/proposals.js?v=d81d738aa580'),
  years: () => import('./screens/years.js?v=690d64b55634'),
  students: () => import('./screens/students.js?v=4171db87891e'),
  calendar: () => import('./screens/calendar.js?v=21cb250abe1b'),
  quality: () => import('./screens/quality.js?v=0d784c4f98fb'),
  audit: () => import('./screens/audit.js?v=118441e51fdd'),
};
const load = (name) => screensOf[name]();

// After the first screen, the person's other screens are fetched in the background (into the HTTP
// cache, immutable by their stamps), so a teacher who loses the signal in a basement hall can still
// open a lesson that was not opened before.
const byRole = {
  teacher: ['lessons', 'entry', 'account', 'proposals'],
  guardian: ['guardian', 'accesslog', 'account', 'proposals'],
  superuser: ['office', 'substitutes', 'accounts', 'enrollments', 'grouplessons', 'programs', 'students', 'years', 'calendar', 'entry', 'account'],
  director: ['quality', 'audit', 'settings', 'proposals', 'account'],
};
let warmed = null;
function warm(me) {
  if (warmed === me.id) return;
  warmed = me.id;
  const names = new Set(me.roles.flatMap((r) => byRole[r] || []));
  setTimeout(() => names.forEach((n) => load(n).catch(() => {})), 0);
}

const main = document.getElementById('main');
const nav = document.getElementById('nav');
const bar = document.getElementById('netbar');
const toast = document.getElementById('toast');
const langBtn = document.getElementById('lang');
const brand = document.getElementById('brand');

let reauth = null; // when set, the session ended: sign in again, then come back

const isSuper = (me) => me.roles.includes('superuser');
const isDirector = (me) => me.roles.includes('director');
const canSettle = (me) => isSuper(me) || isDirector(me);

export function homeFor(me) {
  if (!me) return '#/signin';
  if (isSuper(me)) return '#/office';
  if (me.roles.includes('teacher')) return '#/lessons';
  if (me.roles.includes('guardian')) return '#/children';
  if (isDirector(me)) return '#/quality';
  return '#/account';
}

export function say(text, kind = 'ok') {
  clear(toast, text ? notice(kind, text) : null);
}

function renderNav() {
  const me = api.me;
  const links = [];
  if (me && !me.must_change_password) {
    if (isSuper(me)) {
      links.push(['#/office', t('nav.office')], ['#/substitutes', t('nav.substitutes')], ['#/accounts', t('nav.accounts')], ['#/groups', t('nav.groups')],
        ['#/programs', t('nav.programs')], ['#/students', t('nav.students')], ['#/years', t('nav.years')], ['#/calendar', t('nav.calendar')]);
    }
    if (me.roles.includes('teacher')) links.push(['#/lessons', t('nav.lessons')]);
    if (me.roles.includes('guardian')) links.push(['#/children', t('nav.children')]);
    if (!me.roles.includes('integration')) links.push(['#/proposals', t('nav.proposals')]);
    if (canSettle(me)) links.push(['#/quality', t('nav.quality')], ['#/audit', t('nav.audit')], ['#/settings', t('nav.settings')]);
    links.push(['#/account', t('nav.account')]);
  }
  const here = location.hash.split('/').slice(0, 2).join('/');
  clear(nav, links.length ? h('ul', {}, links.map(([href, text]) =>
    h('li', {}, h('a', { href, 'aria-current': here === href || (href === homeFor(me) && here === '#/lesson') ? 'page' : null }, text)))) : null);
}

function renderNetbar() {
  const queued = api.me ? outbox.mine().length : 0;
  const parts = [];
  if (!navigator.onLine) parts.push(t('net.offline'));
  if (queued) parts.push(t('net.outbox', { n: queued }));
  bar.hidden = parts.length === 0;
  clear(bar, parts.join(' '));
}

const ctx = {
  say,
  go: (hash) => {
    if (location.hash === hash) route();
    else location.hash = hash;
  },
  refreshChrome: () => {
    renderNav();
    renderNetbar();
  },
};

// Each route renders into a fresh view inside <main>: a screen still waiting for the API when the
// person moves on writes into a detached view, never over the next screen.
let view = null;

async function route() {
  view = h('div', { class: 'view' });
  const target = view;
  renderNav();
  renderNetbar();
  const me = api.me;
  const [, name, arg] = (location.hash || '#/').split('/');
  document.documentElement.lang = getLang();
  brand.textContent = t('app.name');
  document.getElementById('skip').textContent = t('app.skip');
  nav.setAttribute('aria-label', t('nav.main'));
  langBtn.textContent = t('lang.switch');
  langBtn.setAttribute('aria-label', t('lang.switch.label'));
  if (!me || me.must_change_password) clear(main, target);
  if (!me) {
    document.title = `${t('signin.title')} · ${t('app.name')}`;
    return signin.render(target, { ...ctx, again: reauth !== null, done: afterSignIn });
  }
  if (me.must_change_password) {
    document.title = `${t('password.title')} · ${t('app.name')}`;
    return (await load('password')).render(target, { ...ctx, done: () => ctx.go(homeFor(api.me)) });
  }
  const screens = {
    lessons: async () => (await load('lessons')).render(target, ctx),
    lesson: async () => (await load('entry')).render(target, ctx, Number(arg)),
    children: async () => (await load('guardian')).render(target, ctx),
    account: async () => (await load('account')).render(target, { ...ctx, signedOut }),
    proposals: async () => (await load('proposals')).render(target, ctx),
    access: async () => (await load('accesslog')).render(target, ctx, Number(arg)),
    ...(canSettle(me) ? {
      settings: async () => (await load('settings')).render(target, ctx),
      quality: async () => (await load('quality')).render(target, ctx, arg ? Number(arg) : null),
      audit: async () => (await load('audit')).render(target, ctx),
    } : {}),
    ...(isSuper(me) ? {
      office: async () => (await load('office')).render(target, ctx),
      substitutes: async () => (await load('substitutes')).render(target, ctx, arg),
      accounts: async () => (await load('accounts')).render(target, ctx),
      groups: async () => (await load('enrollments')).render(target, ctx, arg ? Number(arg) : null),
      grouplessons: async () => (await load('grouplessons')).render(target, ctx, Number(arg)),
      programs: async () => (await load('programs')).render(target, ctx),
      students: async () => (await load('students')).render(target, ctx, arg ? Number(arg) : null),
      years: async () => (await load('years')).render(target, ctx),
      calendar: async () => (await load('calendar')).render(target, ctx, arg ? Number(arg) : null),
    } : {}),
  };
  const screen = screens[name];
  if (screen) clear(main, target);
  if (!screen) return ctx.go(homeFor(me));
  try {
    await screen();
    if (target === view) performance.mark(`ej:${name}`); // for the measurements in tests/web
    warm(me);
  } catch (e) {
    clear(target, notice('error', e?.message || String(e)));
  }
  if (target === view && !main.contains(document.activeElement)) main.focus({ preventScroll: true });
}

function afterSignIn() {
  const back = reauth;
  reauth = null;
  toast.replaceChildren();
  if (back && back !== '#/signin') ctx.go(back);
  else ctx.go(homeFor(api.me));
  outbox.flush(sentFromDevice);
}

function signedOut() {
  reauth = null;
  say(t('account.signedout'));
  ctx.go('#/signin');
}

function sentFromDevice(item) {
  say(t('net.sent', { what: item.label || `#${item.lesson}` }));
  renderNetbar();
  if (location.hash === homeFor(api.me) || location.hash === `#/lesson/${item.lesson}`) route();
}

// A 401 that a refresh could not cure: keep the screen's state (drafts are saved as they are
// typed) and the place, and ask to sign in again.
api.setSignedOutHandler(() => {
  if (reauth !== null) return;
  reauth = location.hash || '#/';
  route();
});

langBtn.addEventListener('click', async () => {
  try {
    await setLang(getLang() === 'lv' ? 'en' : 'lv');
  } catch {
    say(t('err.network'), 'error');
    return;
  }
  route();
});
window.addEventListener('hashchange', route);
window.addEventListener('online', () => {
  renderNetbar();
  if (api.me) outbox.flush(sentFromDevice).then(renderNetbar);
});
window.addEventListener('offline', renderNetbar);
outbox.onChange(renderNetbar);

(async () => {
  await setLang(getLang());
  clear(main, h('p', { class: 'muted' }, t('common.loading')));
  try {
    await api.resume();
  } catch {
    /* offline at start: sign in when the connection returns */
  }
  await route();
  if (api.me && navigator.onLine) outbox.flush(sentFromDevice);
})();
