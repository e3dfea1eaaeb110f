// The account: who is signed in, recent sign-ins (§10) ten at a time with older ones on request,
// sign out here or everywhere. 1 API call (GET /me/logins?limit=10), 1 per "show older".
import * as api from '../api.js?v=8b41fb46a3bf';
import { h, clear, notice } from '../dom.js?v=f8d81987da69';
import { problemText } from '../errors.js?v=b0683b6435aa';
import { t, fmtDateTime } from '../i18n.js?v=8fe23017d40d';

export async function render(main, ctx) {
  const me = api.me;
  const list = h('ul', { class: 'plain' }, h('li', { class: 'muted' }, t('common.loading')));
  const logins = h('section', { class: 'card', 'aria-labelledby': 'logins-h' },
    h('h2', { id: 'logins-h' }, t('account.logins')), list);
  const out = async (everywhere) => {
    try {
      await api.signOut(everywhere);
    } catch (e) {
      ctx.say(problemText(e));
    }
    ctx.signedOut();
  };
  clear(main,
    h('section', { class: 'card', 'aria-labelledby': 'acc-h' },
      h('h1', { id: 'acc-h' }, t('account.title')),
      h('p', {}, t('account.signedin', { name: me.full_name, user: me.username })),
      h('p', { class: 'muted' }, t('account.roles', { roles: me.roles.map((r) => t(`role.${r}`)).join(', ') })),
      h('div', { class: 'actions' },
        h('button', { type: 'button', class: 'primary', onclick: () => out(false) }, t('account.signout')),
        h('button', { type: 'button', onclick: () => out(true), 'aria-describedby': 'everywhere-hint' }, t('account.signout.everywhere'))),
      h('p', { class: 'hint', id: 'everywhere-hint' }, t('account.signout.everywhere.hint'))),
    logins);
  const more = h('button', { type: 'button', hidden: true }, t('account.logins.older'));
  const moreMsg = h('div', { class: 'form-msg' });
  logins.append(h('div', { class: 'actions' }, more), moreMsg);
  let next = null;
  const row = (l) => h('li', { class: 'row' },
    h('span', {}, fmtDateTime(l.at)),
    h('span', { class: l.outcome === 'success' ? 'badge ok' : 'badge bad' }, l.outcome === 'success' ? t('account.login.ok') : t('account.login.fail')),
    l.attempts > 1 ? h('span', { class: 'small' }, t('account.login.attempts', { n: l.attempts })) : null,
    h('span', { class: 'muted small' }, l.address || ''));
  // A page of 10, newest first; "show older" follows `next` (?after=) and appends, so the person
  // keeps their place; it is hidden once there is nothing older.
  const page = async (first) => {
    const p = await api.get(`/me/logins?limit=10${next ? `&after=${encodeURIComponent(next)}` : ''}`);
    const rows = p.items.map(row);
    if (first) clear(list, rows);
    else list.append(...rows);
    next = p.next;
    more.hidden = !next;
    return rows;
  };
  more.addEventListener('click', async () => {
    clear(moreMsg);
    more.disabled = true;
    try {
      const rows = await page(false);
      if (rows.length) {
        rows[0].setAttribute('tabindex', '-1');
        rows[0].focus(); // the first older one, where reading goes on
      }
    } catch (e) {
      clear(moreMsg, notice('error', problemText(e)));
    } finally {
      more.disabled = false;
    }
  });
  try {
    await page(true);
  } catch (e) {
    clear(list, h('li', {}, notice('error', problemText(e))));
  }
}
