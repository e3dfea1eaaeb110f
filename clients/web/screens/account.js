// The account: who is signed in, recent sign-ins (§10), sign out here or everywhere.
import * as api from '../api.js?v=618e67038394';
import { h, clear, notice } from '../dom.js?v=f044561b1529';
import { problemText } from '../errors.js?v=0352c7d2a010';
import { t, fmtDateTime } from '../i18n.js?v=5100b8b18436';

export async function render(main, ctx) {
  const me = api.me;
  const list = h('ul', { class: 'plain' }, h('li', { class: 'muted' }, t('common.loading')));
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
    h('section', { class: 'card', 'aria-labelledby': 'logins-h' },
      h('h2', { id: 'logins-h' }, t('account.logins')), list));
  try {
    const page = await api.get('/me/logins?limit=10');
    clear(list, page.items.map((l) => h('li', { class: 'row' },
      h('span', {}, fmtDateTime(l.at)),
      h('span', { class: l.outcome === 'success' ? 'badge ok' : 'badge bad' }, l.outcome === 'success' ? t('account.login.ok') : t('account.login.fail')),
      h('span', { class: 'muted small' }, l.address || ''))));
  } catch (e) {
    clear(list, h('li', {}, notice('error', problemText(e))));
  }
}
