// Programmes (§12): the interest-education programmes the groups belong to. The list (with how many
// groups each has), and registering one: code (unique: 409 `program_code_taken`), name, an optional
// description and external id. Two API calls to open (GET /programs, GET /groups for the counts and
// the link to each programme's groups), one to register (POST /programs with an Idempotency-Key
// kept until the form changes, so a retried click creates one programme).
import * as api from '../api.js?v=8b41fb46a3bf';
import { h, clear, field, notice } from '../dom.js?v=f044561b1529';
import { problemText } from '../errors.js?v=29618cbd0a9c';
import { t } from '../i18n.js?v=d4db7545a780';

export async function render(main, ctx, shown = null) {
  clear(main, h('h1', {}, t('programs.title')), h('p', { class: 'muted' }, t('common.loading')));
  let programs, groups;
  try {
    [programs, groups] = await Promise.all([api.get('/programs?limit=500'), api.get('/groups?limit=500')]);
  } catch (e) {
    clear(main, h('h1', {}, t('programs.title')), notice('error', problemText(e)),
      h('button', { type: 'button', onclick: () => render(main, ctx) }, t('common.retry')));
    return;
  }
  const count = new Map();
  for (const g of groups.items) count.set(g.program_id, (count.get(g.program_id) || 0) + 1);
  const row = (p) => h('li', { class: 'card item' },
    h('div', { class: 'item-main' },
      h('strong', {}, p.name),
      h('span', { class: 'muted' }, t('programs.code.is', { code: p.code }), p.external_id ? ` · ${p.external_id}` : ''),
      p.description ? h('span', { class: 'small' }, p.description) : null,
      h('span', { class: 'muted small' }, t('programs.groups', { n: count.get(p.id) || 0 }))));
  clear(main, h('h1', {}, t('programs.title')), shown,
    h('p', { class: 'muted' }, t('programs.intro')),
    h('div', { class: 'split' },
      h('ul', { class: 'plain stack', 'aria-label': t('programs.list') }, programs.items.length ? programs.items.map(row) : h('li', { class: 'empty' }, t('programs.none'))),
      createForm((box) => render(main, ctx, box))));
  shown?.setAttribute('tabindex', '-1');
  shown?.focus();
}

function createForm(again) {
  const code = h('input', { required: true, maxlength: 40, autocomplete: 'off', autocapitalize: 'characters', spellcheck: 'false' });
  const name = h('input', { required: true, maxlength: 200, autocomplete: 'off' });
  const description = h('textarea', { rows: 3, maxlength: 4000 });
  const ext = h('input', { maxlength: 64, autocomplete: 'off' });
  const msg = h('div', { class: 'form-msg' });
  const submit = h('button', { type: 'submit', class: 'primary' }, t('programs.create'));
  let idem = api.newKey();
  const form = h('form', { class: 'card', novalidate: true, 'aria-labelledby': 'new-program-h' },
    h('h2', { id: 'new-program-h' }, t('programs.new')),
    h('div', { class: 'two' }, field(t('programs.code'), code, t('programs.code.hint')), field(t('programs.external'), ext)),
    field(t('programs.name'), name),
    field(t('programs.description'), description),
    msg, h('div', { class: 'actions' }, submit));
  form.addEventListener('input', () => {
    idem = api.newKey();
  });
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    clear(msg);
    for (const c of [code, name]) {
      if (!c.value.trim()) {
        clear(msg, notice('error', t('accounts.missing')));
        c.focus();
        return;
      }
    }
    submit.disabled = true;
    try {
      const r = await api.api('POST', '/programs', { body: { code: code.value.trim(), name: name.value.trim(),
        description: description.value.trim() || null, external_id: ext.value.trim() || null }, headers: { 'Idempotency-Key': idem } });
      await again(notice('ok', t('programs.created', { name: r.data.name, code: r.data.code })));
    } catch (e) {
      clear(msg, notice('error', problemText(e)));
      submit.disabled = false;
      if (e.code === 'program_code_taken') code.focus();
    }
  });
  return form;
}
