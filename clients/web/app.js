// The shell: header, language, connection state, and a hash router (#/lessons, #/lesson/12,
// #/children, #/account). A hash router means the server never has to guess which unknown paths
// are client routes: every path it serves is a real file.
import * as api from './api.js?v=4ef06da3193b';
import { h, clear, notice } from './dom.js?v=f044561b1529';
import { getLang, setLang, t } from './i18n.js?v=5d005bc90fbf';
import * as outbox from './outbox.js?v=70a7686b3b43';
import * as signin from './screens/signin.js?v=ca4ab7a14ed9';
import * as password from './screens/password.js?v=1d09015f5c6e';
import * as lessons from './screens/lessons.js?v=12ee6441489e';
import * as entry from './screens/entry.js?v=3360404427d2';
import * as guardian from './screens/guardian.js?v=d702ca2fd807';
import * as account from './screens/account.js?v=c9d78f465f00';

const main = document.getElementById('main');
const nav = document.getElementById('nav');
const bar = document.getElementById('netbar');
const toast = document.getElementById('toast');
const langBtn = document.getElementById('lang');
const brand = document.getElementById('brand');

let reauth = null; // when set, the session ended: sign in again, then come back

function homeFor(me) {
  if (!me) return '#/signin';
  if (me.roles.includes('teacher')) return '#/lessons';
  if (me.roles.includes('guardian')) return '#/children';
  return '#/account';
}

export function say(text) {
  clear(toast, text ? notice('ok', text) : null);
}

function renderNav() {
  const me = api.me;
  const links = [];
  if (me && !me.must_change_password) {
    if (me.roles.includes('teacher')) links.push(['#/lessons', t('nav.lessons')]);
    if (me.roles.includes('guardian')) links.push(['#/children', t('nav.children')]);
    links.push(['#/account', t('nav.account')]);
  }
  const here = location.hash.split('/').slice(0, 2).join('/');
  clear(nav, links.length ? h('ul', {}, links.map(([href, text]) =>
    h('li', {}, h('a', { href, 'aria-current': here === href || (href === '#/lessons' && here === '#/lesson') ? 'page' : null }, text)))) : null);
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

async function route() {
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
  if (!me) {
    document.title = `${t('signin.title')} · ${t('app.name')}`;
    return signin.render(main, { ...ctx, again: reauth !== null, done: afterSignIn });
  }
  if (me.must_change_password) {
    document.title = `${t('password.title')} · ${t('app.name')}`;
    return password.render(main, { ...ctx, done: () => ctx.go(homeFor(api.me)) });
  }
  const screens = {
    lessons: () => lessons.render(main, ctx),
    lesson: () => entry.render(main, ctx, Number(arg)),
    children: () => guardian.render(main, ctx),
    account: () => account.render(main, { ...ctx, signedOut }),
  };
  const screen = screens[name];
  if (!screen) return ctx.go(homeFor(me));
  try {
    await screen();
    performance.mark(`ej:${name}`); // for the measurements in tests/web
  } catch (e) {
    clear(main, notice('error', e?.message || String(e)));
  }
  main.focus({ preventScroll: true });
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
  if (location.hash === '#/lessons' || location.hash === `#/lesson/${item.lesson}`) route();
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
