// Sign in. Also shown when a session ends mid-work: the screen underneath is gone from view, but
// its drafts are kept on the device and the person returns to the same place afterwards.
import * as api from '../api.js?v=8b41fb46a3bf';
import { h, clear, field, notice } from '../dom.js?v=f8d81987da69';
import { problemText } from '../errors.js?v=b0683b6435aa';
import { t } from '../i18n.js?v=8fe23017d40d';

export function render(main, ctx) {
  const user = h('input', { name: 'username', autocomplete: 'username', required: true, autocapitalize: 'none', spellcheck: 'false' });
  const pass = h('input', { name: 'password', type: 'password', autocomplete: 'current-password', required: true });
  const msg = h('div', { class: 'form-msg' });
  const button = h('button', { type: 'submit', class: 'primary' }, t('signin.submit'));
  const form = h('form', { class: 'card narrow', novalidate: true, 'aria-labelledby': 'signin-h' },
    h('h1', { id: 'signin-h' }, t('signin.title')),
    ctx.again ? notice('warn', t('signin.again')) : h('p', { class: 'muted' }, t('signin.intro')),
    field(t('signin.username'), user),
    field(t('signin.password'), pass),
    msg,
    button);
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    clear(msg);
    if (!user.value.trim() || !pass.value) {
      (user.value.trim() ? pass : user).focus();
      return;
    }
    button.disabled = true;
    try {
      await api.signIn(user.value.trim(), pass.value);
      ctx.done();
    } catch (e) {
      clear(msg, notice('error', problemText(e)));
      pass.select();
    } finally {
      button.disabled = false;
    }
  });
  clear(main, form);
  user.focus();
}
