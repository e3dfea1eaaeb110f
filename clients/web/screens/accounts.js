// Accounts (§6, §9, §11): search, create (the one-time password shown once, here and nowhere
// else: it is not kept by the page), reset the password, revoke with a reason, reinstate. One API
// call to list (GET /users?q=&role=), one per action.
import * as api from '../api.js?v=8b41fb46a3bf';
import { h, clear, field, notice } from '../dom.js?v=f8d81987da69';
import { problemText } from '../errors.js?v=b0683b6435aa';
import { t, fmtDate } from '../i18n.js?v=8fe23017d40d';
import { inlineForm } from './office.js?v=19245c20a2ff';

const ROLES = ['teacher', 'guardian', 'student', 'staff', 'superuser', 'director'];
let filter = { q: '', role: '' };

// The one-time password, once: a box to read out or copy, gone when the screen changes.
function oneTime(user, password) {
  return h('section', { class: 'card secret', tabindex: '-1', 'aria-labelledby': `otp-${user.id}` },
    h('h2', { id: `otp-${user.id}` }, t('accounts.otp.title', { name: user.full_name })),
    h('p', {}, t('accounts.otp.user'), ' ', h('code', {}, user.username)),
    h('p', {}, t('accounts.otp.password'), ' ', h('code', { class: 'otp' }, password)),
    h('p', { class: 'hint' }, t('accounts.otp.hint')));
}

export async function render(main, ctx, shown = null) {
  const q = h('input', { type: 'search', value: filter.q, maxlength: 127 });
  const role = h('select', {}, h('option', { value: '' }, t('accounts.role.any')),
    ROLES.map((r) => h('option', { value: r, selected: filter.role === r }, t(`role.${r}`))));
  const search = h('form', { class: 'toolbar', role: 'search', novalidate: true },
    field(t('accounts.search'), q), field(t('accounts.role'), role), h('button', { type: 'submit' }, t('accounts.find')));
  search.addEventListener('submit', (ev) => {
    ev.preventDefault();
    filter = { q: q.value.trim(), role: role.value };
    render(main, ctx);
  });
  const list = h('ul', { class: 'plain stack' }, h('li', { class: 'muted' }, t('common.loading')));
  const top = h('div', {}, shown);
  clear(main, h('h1', {}, t('accounts.title')), top,
    h('div', { class: 'split' }, h('div', {}, search, list), createForm(main, ctx)));
  shown?.focus();
  const params = new URLSearchParams({ limit: '100' });
  if (filter.q) params.set('q', filter.q);
  if (filter.role) params.set('role', filter.role);
  let page;
  try {
    page = await api.get(`/users?${params}`);
  } catch (e) {
    clear(list, h('li', {}, notice('error', problemText(e))));
    return;
  }
  const again = (box) => render(main, ctx, box);
  const row = (u) => {
    const slot = h('div', { class: 'actions' });
    const buttons = () => clear(slot,
      h('button', { type: 'button', 'aria-label': t('accounts.reset.label', { name: u.full_name }), onclick: () => {
        inlineForm(slot, { fields: [], submitText: t('accounts.reset.confirm'), restore: buttons, onSubmit: async () => {
          const r = await api.post(`/users/${u.id}/reset-password`, {});
          await again(oneTime(r.user, r.initial_password));
        } });
        slot.prepend(notice('warn', t('accounts.reset.warn', { name: u.full_name })));
        slot.querySelector('button.primary')?.focus();
      } }, t('accounts.reset')),
      u.access === 'revoked'
        ? h('button', { type: 'button', 'aria-label': t('accounts.reinstate.label', { name: u.full_name }), onclick: async () => {
          try {
            await api.post(`/users/${u.id}/reinstate`, {});
            ctx.say(t('accounts.reinstated', { name: u.full_name }));
            await again();
          } catch (e) {
            ctx.say(problemText(e), 'error');
          }
        } }, t('accounts.reinstate'))
        : h('button', { type: 'button', 'aria-label': t('accounts.revoke.label', { name: u.full_name }), onclick: () => {
          const reason = h('textarea', { rows: 2, maxlength: 500, required: true });
          inlineForm(slot, { fields: [[t('accounts.revoke.reason'), reason, t('accounts.revoke.hint')]], submitText: t('accounts.revoke'),
            restore: buttons, onSubmit: async (msg) => {
              if (!reason.value.trim()) {
                clear(msg, notice('error', t('office.nonote')));
                return;
              }
              await api.post(`/users/${u.id}/revoke`, { reason: reason.value.trim() });
              ctx.say(t('accounts.revoked', { name: u.full_name }));
              await again();
            } });
        } }, t('accounts.revoke')));
    buttons();
    return h('li', { class: 'card item' },
      h('div', { class: 'item-main' },
        h('strong', {}, u.full_name),
        h('span', { class: 'muted' }, u.username, ' · ', u.roles.map((r) => t(`role.${r}`)).join(', ')),
        h('span', {}, h('span', { class: `badge access-${u.access}` }, t(`access.${u.access}`)),
          u.must_change_password ? h('span', { class: 'small muted' }, ` · ${t('accounts.mustchange')}`) : null),
        u.revoked_reason ? h('span', { class: 'small' }, t('accounts.revoked.reason', { reason: u.revoked_reason })) : null,
        u.employment_end ? h('span', { class: 'small muted' }, t('accounts.until', { date: fmtDate(u.employment_end) })) : null),
      slot);
  };
  clear(list, page.items.length ? page.items.map(row) : h('li', { class: 'empty' }, t('accounts.none')));
}

function createForm(main, ctx) {
  const username = h('input', { required: true, maxlength: 64, autocapitalize: 'none', spellcheck: 'false', pattern: '[a-z0-9][a-z0-9._\\-]{1,63}' });
  const fullName = h('input', { required: true, maxlength: 200 });
  const email = h('input', { type: 'email', maxlength: 254 });
  const phone = h('input', { type: 'tel', maxlength: 40 });
  const start = h('input', { type: 'date' });
  const end = h('input', { type: 'date' });
  const roleBoxes = ROLES.map((r) => {
    const input = h('input', { type: 'checkbox', value: r, id: `role-${r}`, checked: r === 'teacher' });
    return h('span', { class: 'check' }, input, h('label', { for: input.id }, t(`role.${r}`)));
  });
  const msg = h('div', { class: 'form-msg' });
  const submit = h('button', { type: 'submit', class: 'primary' }, t('accounts.create'));
  let idem = api.newKey();
  const form = h('form', { class: 'card', novalidate: true, 'aria-labelledby': 'new-user-h' },
    h('h2', { id: 'new-user-h' }, t('accounts.new')),
    field(t('accounts.fullname'), fullName),
    field(t('accounts.username'), username, t('accounts.username.hint')),
    h('fieldset', { class: 'checks' }, h('legend', {}, t('accounts.roles')), roleBoxes),
    h('div', { class: 'two' }, field(t('accounts.email'), email), field(t('accounts.phone'), phone)),
    h('div', { class: 'two' }, field(t('accounts.start'), start), field(t('accounts.end'), end)),
    msg, h('div', { class: 'actions' }, submit));
  form.addEventListener('input', () => {
    idem = api.newKey(); // a changed form is a new request; an unchanged retry replays the first
  });
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    clear(msg);
    const roles = roleBoxes.map((b) => b.querySelector('input')).filter((i) => i.checked).map((i) => i.value);
    if (!fullName.value.trim() || !username.value.trim() || roles.length === 0) {
      clear(msg, notice('error', t('accounts.missing')));
      return;
    }
    submit.disabled = true;
    try {
      const body = { username: username.value.trim(), full_name: fullName.value.trim(), roles,
        email: email.value.trim() || null, phone: phone.value.trim() || null,
        employment_start: start.value || null, employment_end: end.value || null };
      const r = await api.api('POST', '/users', { body, headers: { 'Idempotency-Key': idem } });
      if (!r.data.initial_password) throw new Error(t('accounts.replayed'));
      await render(main, ctx, oneTime(r.data, r.data.initial_password));
    } catch (e) {
      clear(msg, notice('error', e.status ? problemText(e) : e.message));
      submit.disabled = false;
    }
  });
  return form;
}
