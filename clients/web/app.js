// The shell: header, language, connection state, and a hash router (#/lessons, #/lesson/12,
// #/children, #/account; the superuser's #/office, #/substitutes/2026-12-01, #/accounts,
// #/groups/7). A hash router means the server never has to guess which unknown paths
// are client routes: every path it serves is a real file.
import * as api from './api.js?v=618e67038394';
import { h, clear, notice } from './dom.js?v=f044561b1529';
import { getLang, setLang, t } from './i18n.js?v=4b1bffb2aeef';
import * as outbox from './outbox.js?v=e91b1f934890';
import * as signin from './screens/signin.js?v=f8821c249715';
import * as password from './screens/password.js?v=88887b9cf571';
import * as lessons from './screens/lessons.js?v=e157ae811fc4';
import * as entry from './screens/entry.js?v=65bdd4aea564';
import * as guardian from './screens/guardian.js?v=95d7c44c899e';
import * as account from './screens/account.js?v=f8298fe0e858';
import * as office from './screens/office.js?v=a87692a2111b';
import * as substitutes from './screens/substitutes.js?v=f02e56c6e3bb';
import * as accounts from './screens/accounts.js?v=aaebe96c6da3';
import * as enrollments from './screens/enrollments.js?v=60a2fffc8072';
import * as accesslog from './screens/accesslog.js?v=8e2764a46dc7';
import * as settings from './screens/settings.js?v=b499f085c8fe';
import * as proposals from './screens/proposals.js?v=ffbf22b14f2c';

const main = document.getElementById('main');
const nav = document.getElementById('nav');
const bar = document.getElementById('netbar');
const toast = document.getElementById('toast');
const langBtn = document.getElementById('lang');
const brand = document.getElementById('brand');

let reauth = null; // when set, the session ended: sign in again, then come back

const isSuper = (me) => me.roles.includes('superuser');
const canSettle = (me) => isSuper(me) || me.roles.includes('director');

export function homeFor(me) {
  if (!me) return '#/signin';
  if (isSuper(me)) return '#/office';
  if (me.roles.includes('teacher')) return '#/lessons';
  if (me.roles.includes('guardian')) return '#/children';
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
      links.push(['#/office', t('nav.office')], ['#/substitutes', t('nav.substitutes')], ['#/accounts', t('nav.accounts')], ['#/groups', t('nav.groups')]);
    }
    if (me.roles.includes('teacher')) links.push(['#/lessons', t('nav.lessons')]);
    if (me.roles.includes('guardian')) links.push(['#/children', t('nav.children')]);
    if (!me.roles.includes('integration')) links.push(['#/proposals', t('nav.proposals')]);
    if (canSettle(me)) links.push(['#/settings', t('nav.settings')]);
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
    return password.render(target, { ...ctx, done: () => ctx.go(homeFor(api.me)) });
  }
  const screens = {
    lessons: () => lessons.render(target, ctx),
    lesson: () => entry.render(target, ctx, Number(arg)),
    children: () => guardian.render(target, ctx),
    account: () => account.render(target, { ...ctx, signedOut }),
    proposals: () => proposals.render(target, ctx),
    access: () => accesslog.render(target, ctx, Number(arg)),
    ...(canSettle(me) ? { settings: () => settings.render(target, ctx) } : {}),
    ...(isSuper(me) ? {
      office: () => office.render(target, ctx),
      substitutes: () => substitutes.render(target, ctx, arg),
      accounts: () => accounts.render(target, ctx),
      groups: () => enrollments.render(target, ctx, arg ? Number(arg) : null),
    } : {}),
  };
  const screen = screens[name];
  if (screen) clear(main, target);
  if (!screen) return ctx.go(homeFor(me));
  try {
    await screen();
    if (target === view) performance.mark(`ej:${name}`); // for the measurements in tests/web
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

langBtn.addEventListener('click', () => {
  setLang(getLang() === 'lv' ? 'en' : 'lv');
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
  setLang(getLang());
  clear(main, h('p', { class: 'muted' }, t('common.loading')));
  try {
    await api.resume();
  } catch {
    /* offline at start: sign in when the connection returns */
  }
  await route();
  if (api.me && navigator.onLine) outbox.flush(sentFromDevice);
})();
