// Students (§4, §11, §12): search by name, register one, and on a student's page change the
// details (If-Match) and link or unlink guardians. Unlinking says beforehand that a guardian with no
// other child in an active enrollment loses access at once (§11). The list is 1 API call
// (GET /students?q=); a student's page 3 in parallel (the student with its ETag, the guardians,
// the guardian accounts to choose from), 1 per action.
import * as api from '../api.js?v=8b41fb46a3bf';
import { h, clear, field, notice } from '../dom.js?v=f8d81987da69';
import { problemText } from '../errors.js?v=b0683b6435aa';
import { t, fmtDate, fmtDateTime } from '../i18n.js?v=8fe23017d40d';
import { inlineForm } from './office.js?v=19245c20a2ff';

let query = '';

export async function render(main, ctx, id = null, shown = null) {
  if (id) return one(main, ctx, id, shown);
  const q = h('input', { type: 'search', value: query, maxlength: 127 });
  const search = h('form', { class: 'toolbar', role: 'search', novalidate: true },
    field(t('students.search'), q), h('button', { type: 'submit' }, t('accounts.find')));
  search.addEventListener('submit', (ev) => {
    ev.preventDefault();
    query = q.value.trim();
    render(main, ctx);
  });
  const list = h('ul', { class: 'plain stack', 'aria-label': t('students.list') }, h('li', { class: 'muted' }, t('common.loading')));
  clear(main, h('h1', {}, t('students.title')), shown,
    h('div', { class: 'split' }, h('div', {}, search, list), createForm(ctx)));
  const params = new URLSearchParams({ limit: '100' });
  if (query) params.set('q', query);
  let page;
  try {
    page = await api.get(`/students?${params}`);
  } catch (e) {
    clear(list, h('li', {}, notice('error', problemText(e))));
    return;
  }
  clear(list, page.items.length ? page.items.map((s) => h('li', { class: 'card item' },
    h('div', { class: 'item-main' },
      h('a', { href: `#/students/${s.id}` }, h('strong', {}, s.full_name)),
      h('span', { class: 'muted small' }, s.birth_date ? t('students.born', { date: fmtDate(s.birth_date) }) : t('students.born.none'),
        s.external_id ? ` · ${s.external_id}` : '')))) : h('li', { class: 'empty' }, t('students.none')));
  if (page.next) list.append(h('li', { class: 'muted small' }, t('students.more')));
}

function createForm(ctx) {
  const name = h('input', { required: true, maxlength: 200, autocomplete: 'off' });
  const born = h('input', { type: 'date' });
  const ext = h('input', { maxlength: 64, autocomplete: 'off' });
  const msg = h('div', { class: 'form-msg' });
  const submit = h('button', { type: 'submit', class: 'primary' }, t('students.create'));
  let idem = api.newKey();
  const form = h('form', { class: 'card', novalidate: true, 'aria-labelledby': 'new-student-h' },
    h('h2', { id: 'new-student-h' }, t('students.new')),
    field(t('students.name'), name),
    h('div', { class: 'two' }, field(t('students.birth'), born), field(t('students.external'), ext)),
    msg, h('div', { class: 'actions' }, submit));
  form.addEventListener('input', () => {
    idem = api.newKey();
  });
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    clear(msg);
    if (!name.value.trim()) {
      clear(msg, notice('error', t('students.noname')));
      name.focus();
      return;
    }
    submit.disabled = true;
    try {
      const r = await api.api('POST', '/students', { body: { full_name: name.value.trim(), birth_date: born.value || null,
        external_id: ext.value.trim() || null }, headers: { 'Idempotency-Key': idem } });
      ctx.say(t('students.created', { name: r.data.full_name }));
      ctx.go(`#/students/${r.data.id}`);
    } catch (e) {
      clear(msg, notice('error', problemText(e)));
      submit.disabled = false;
    }
  });
  return form;
}

async function one(main, ctx, id, shown) {
  const title = h('h1', {}, t('students.title'));
  clear(main, title, h('p', { class: 'muted' }, t('common.loading')));
  let r, guardians, accounts;
  try {
    [r, guardians, accounts] = await Promise.all([
      api.api('GET', `/students/${id}`),
      api.get(`/students/${id}/guardians`),
      api.get('/users?role=guardian&limit=500'),
    ]);
  } catch (e) {
    clear(main, title, h('a', { class: 'back', href: '#/students' }, `← ${t('students.back')}`), notice('error', problemText(e)));
    return;
  }
  const s = r.data;
  const again = (box) => one(main, ctx, id, box);
  title.textContent = s.full_name;
  clear(main, h('a', { class: 'back', href: '#/students' }, `← ${t('students.back')}`), title, shown,
    h('p', { class: 'muted small' }, t('students.updated', { date: fmtDateTime(s.updated_at) }), ' · ',
      h('a', { href: `#/access/${s.id}` }, t('students.accesslog'))),
    h('div', { class: 'split' }, editForm(s, r.etag, again), guardiansCard(s, guardians.items, accounts.items, again)));
  shown?.setAttribute('tabindex', '-1');
  shown?.focus();
}

function editForm(s, etag, again) {
  const name = h('input', { required: true, maxlength: 200, value: s.full_name, autocomplete: 'off' });
  const born = h('input', { type: 'date', value: s.birth_date || '' });
  const ext = h('input', { maxlength: 64, value: s.external_id || '', autocomplete: 'off' });
  const msg = h('div', { class: 'form-msg' });
  const submit = h('button', { type: 'submit', class: 'primary' }, t('common.save'));
  const form = h('form', { class: 'card', novalidate: true, 'aria-labelledby': 'edit-student-h' },
    h('h2', { id: 'edit-student-h' }, t('students.edit')),
    field(t('students.name'), name),
    h('div', { class: 'two' }, field(t('students.birth'), born), field(t('students.external'), ext)),
    msg, h('div', { class: 'actions' }, submit));
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    clear(msg);
    if (!name.value.trim()) {
      clear(msg, notice('error', t('students.noname')));
      name.focus();
      return;
    }
    const body = {};
    if (name.value.trim() !== s.full_name) body.full_name = name.value.trim();
    if ((born.value || null) !== s.birth_date) body.birth_date = born.value || null;
    if ((ext.value.trim() || null) !== s.external_id) body.external_id = ext.value.trim() || null;
    if (!Object.keys(body).length) {
      clear(msg, notice('ok', t('settings.unchanged')));
      return;
    }
    submit.disabled = true;
    try {
      await api.api('PATCH', `/students/${s.id}`, { body, headers: { 'If-Match': etag } });
      await again(notice('ok', t('students.saved')));
    } catch (e) {
      submit.disabled = false;
      if (e.status === 412) {
        clear(msg, notice('error', t('students.stale')), h('button', { type: 'button', onclick: () => again() }, t('settings.reload')));
      } else {
        clear(msg, notice('error', problemText(e)));
      }
    }
  });
  return form;
}

function guardiansCard(s, linked, accounts, again) {
  const row = (g) => {
    const slot = h('div', { class: 'actions' });
    const buttons = () => clear(slot, h('button', { type: 'button', 'aria-label': t('students.unlink.label', { name: g.full_name }), onclick: () => {
      inlineForm(slot, { fields: [], submitText: t('students.unlink.confirm'), restore: buttons, onSubmit: async () => {
        await api.api('DELETE', `/students/${s.id}/guardians/${g.user_id}`);
        await again(notice('ok', t('students.unlinked', { name: g.full_name, student: s.full_name })));
      } });
      slot.prepend(notice('warn', t('students.unlink.warn', { name: g.full_name })));
      slot.querySelector('button.primary')?.focus();
    } }, t('students.unlink')));
    buttons();
    return h('li', { class: 'row' },
      h('div', { class: 'item-main' }, h('strong', {}, g.full_name),
        h('span', { class: 'muted small' }, [g.email, g.phone].filter(Boolean).join(' · ') || t('students.nocontact'))),
      slot);
  };
  const have = new Set(linked.map((g) => g.user_id));
  const choose = h('select', { required: true }, h('option', { value: '' }, t('students.guardian.choose')),
    accounts.filter((u) => !have.has(u.id)).map((u) => h('option', { value: u.id }, `${u.full_name} (${u.username})`)));
  const msg = h('div', { class: 'form-msg' });
  const submit = h('button', { type: 'submit' }, t('students.link'));
  const form = h('form', { class: 'inline-form', novalidate: true }, field(t('students.guardian'), choose, t('students.guardian.hint')), msg,
    h('div', { class: 'actions' }, submit));
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    clear(msg);
    if (!choose.value) {
      clear(msg, notice('error', t('students.guardian.none')));
      choose.focus();
      return;
    }
    submit.disabled = true;
    try {
      const name = accounts.find((u) => String(u.id) === choose.value)?.full_name || '';
      await api.api('PUT', `/students/${s.id}/guardians/${choose.value}`);
      await again(notice('ok', t('students.linked', { name, student: s.full_name })));
    } catch (e) {
      clear(msg, notice('error', problemText(e)));
      submit.disabled = false;
    }
  });
  return h('section', { class: 'card', 'aria-labelledby': 'guardians-h' },
    h('h2', { id: 'guardians-h' }, t('students.guardians'), h('span', { class: 'count' }, ` (${linked.length})`)),
    h('ul', { class: 'plain' }, linked.length ? linked.map(row) : h('li', { class: 'empty' }, t('students.guardians.none'))),
    form);
}
