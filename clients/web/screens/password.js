// The forced password change (§9): while must_change_password, nothing else can be used.
import * as api from '../api.js?v=8b41fb46a3bf';
import { h, clear, field, notice } from '../dom.js?v=f8d81987da69';
import { problemText } from '../errors.js?v=b0683b6435aa';
import { t } from '../i18n.js?v=8fe23017d40d';

export function render(main, ctx) {
  const cur = h('input', { type: 'password', autocomplete: 'current-password', required: true });
  const next = h('input', { type: 'password', autocomplete: 'new-password', required: true, minlength: 12, maxlength: 128 });
  const again = h('input', { type: 'password', autocomplete: 'new-password', required: true });
  const msg = h('div', { class: 'form-msg' });
  const button = h('button', { type: 'submit', class: 'primary' }, t('password.submit'));
  const form = h('form', { class: 'card narrow', novalidate: true, 'aria-labelledby': 'pw-h' },
    h('h1', { id: 'pw-h' }, t('password.title')),
    h('p', { class: 'muted' }, t('password.intro')),
    field(t('password.current'), cur),
    field(t('password.new'), next),
    field(t('password.repeat'), again),
    msg,
    h('div', { class: 'actions' }, button,
      h('button', { type: 'button', class: 'link', onclick: async () => { await api.signOut().catch(() => {}); ctx.go('#/signin'); } }, t('account.signout'))));
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    clear(msg);
    if (next.value !== again.value) {
      clear(msg, notice('error', t('password.mismatch')));
      again.focus();
      return;
    }
    button.disabled = true;
    try {
      await api.changePassword(cur.value, next.value);
      ctx.say(t('password.done'));
      ctx.done();
    } catch (e) {
      clear(msg, notice('error', problemText(e)));
    } finally {
      button.disabled = false;
    }
  });
  clear(main, form);
  cur.focus();
}
