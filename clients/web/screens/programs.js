// Programmes (§12): the interest-education programmes the groups belong to. The list (with how many
// groups each has), and registering one: code (unique: 409 `program_code_taken`), name, an optional
// description and external id. Two API calls to open (GET /programs, GET /groups for the counts and
// the link to each programme's groups), one to register (POST /programs with an Idempotency-Key
// kept until the form changes, so a retried click creates one programme). Changing one: "change"
// reads it (GET /programs/{id}, for its ETag and its current fields), the form PATCHes only what
// changed with If-Match; a 412 (someone saved meanwhile) reads it again and shows its current
// values beside the form, which keeps what was typed and saves against the new ETag when the
// superuser tries again; a taken code or external id is said by its field.
import * as api from '../api.js?v=8b41fb46a3bf';
import { h, clear, field, notice, fieldMarks } from '../dom.js?v=f8d81987da69';
import { problemText } from '../errors.js?v=b0683b6435aa';
import { t } from '../i18n.js?v=8fe23017d40d';

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
      h('span', { class: 'muted small' }, t('programs.groups', { n: count.get(p.id) || 0 }))),
    changeSlot(p, (box) => render(main, ctx, box)));
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

// The "change" button of a programme in the list, and in its place the form once it is open.
function changeSlot(p, again) {
  const slot = h('div', { class: 'actions' });
  const button = () => clear(slot, h('button', { type: 'button', 'aria-label': t('programs.change.label', { name: p.name }),
    onclick: (ev) => open(ev.currentTarget) }, t('programs.change')));
  const open = async (b) => {
    b.disabled = true;
    let r;
    try {
      r = await api.api('GET', `/programs/${p.id}`);
    } catch (e) {
      b.disabled = false;
      slot.append(notice('error', problemText(e)));
      return;
    }
    clear(slot, editForm(r.data, r.etag, again, () => {
      button();
      slot.querySelector('button')?.focus();
    }));
    slot.querySelector('input')?.focus();
  };
  button();
  return slot;
}

const fieldsOf = (p) => ({ code: p.code, name: p.name, description: p.description ?? null, external_id: p.external_id ?? null });

function editForm(program, etag, again, cancel) {
  let base = fieldsOf(program); // what the PATCH is computed against: the version the ETag names
  let tag = etag;
  const code = h('input', { required: true, maxlength: 40, value: program.code, autocomplete: 'off', autocapitalize: 'characters', spellcheck: 'false' });
  const name = h('input', { required: true, maxlength: 200, value: program.name, autocomplete: 'off' });
  const description = h('textarea', { rows: 3, maxlength: 4000 });
  description.value = program.description || '';
  const ext = h('input', { maxlength: 64, value: program.external_id || '', autocomplete: 'off' });
  const controls = { code, name, description, external_id: ext };
  const msg = h('div', { class: 'form-msg' });
  const submit = h('button', { type: 'submit', class: 'primary' }, t('common.save'));
  const form = h('form', { class: 'inline-form', novalidate: true, 'aria-label': t('programs.edit', { name: program.name }) },
    h('div', { class: 'two' }, field(t('programs.code'), code, t('programs.code.hint')), field(t('programs.external'), ext)),
    field(t('programs.name'), name), field(t('programs.description'), description),
    msg, h('div', { class: 'actions' }, submit, h('button', { type: 'button', onclick: () => cancel() }, t('common.cancel'))));
  const marks = fieldMarks();
  const mark = (key, text) => marks.mark(controls[key], text);
  const typed = () => ({ code: code.value.trim(), name: name.value.trim(), description: description.value.trim() || null, external_id: ext.value.trim() || null });
  form.addEventListener('keydown', (ev) => {
    if (ev.key === 'Escape') cancel();
  });
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    clear(msg);
    marks.clear();
    const now = typed();
    for (const key of ['code', 'name']) if (!now[key]) return mark(key, t('accounts.missing'));
    const body = {};
    for (const [k, v] of Object.entries(now)) if (v !== base[k]) body[k] = v;
    if (!Object.keys(body).length) {
      clear(msg, notice('ok', t('settings.unchanged')));
      return;
    }
    submit.disabled = true;
    try {
      const r = await api.api('PATCH', `/programs/${program.id}`, { body, headers: { 'If-Match': tag } });
      await again(notice('ok', t('programs.saved', { name: r.data.name, code: r.data.code })));
      return;
    } catch (e) {
      submit.disabled = false;
      if (e.status === 412) return stale();
      if (e.code === 'program_code_taken') return mark('code', t('programs.code.taken', { code: now.code }));
      if (e.code === 'external_id_taken') return mark('external_id', problemText(e));
      const bad = (e.problem.errors || []).find((x) => x.field in controls);
      if (e.code === 'validation_failed' && bad) return mark(bad.field, problemText(e));
      clear(msg, notice('error', problemText(e)));
    }
  });
  // Someone saved this programme meanwhile: read it again, show what it is now, keep what was
  // typed, and let the next save go against the new version (or cancel, which keeps theirs).
  // One more call (GET /programs/{id}) only on a 412.
  const stale = async () => {
    let r;
    try {
      r = await api.api('GET', `/programs/${program.id}`);
    } catch (e) {
      clear(msg, notice('error', t('programs.stale')), notice('error', problemText(e)));
      return;
    }
    // A field the superuser did not touch takes the current value (so the retry does not undo
    // the other change); what they typed stays.
    const now = typed();
    const current = fieldsOf(r.data);
    for (const [k, c] of Object.entries(controls)) if (now[k] === base[k]) c.value = current[k] ?? '';
    tag = r.etag;
    base = current;
    const line = (label, v) => h('li', {}, h('strong', {}, `${label}: `), v || '—');
    clear(msg, h('div', { class: 'notice notice-warn', role: 'alert' },
      h('p', { class: 'tight' }, t('programs.stale')),
      h('ul', { class: 'tight' },
        line(t('programs.code'), base.code), line(t('programs.name'), base.name),
        line(t('programs.description'), base.description), line(t('programs.external'), base.external_id)),
      h('p', { class: 'tight' }, t('programs.stale.retry'))));
    submit.focus();
  };
  return form;
}
