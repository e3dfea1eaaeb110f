// The audit search (§19, §20), for the director and the superuser: every change (who, when, what,
// before and after) and every recorded read of students' data, newest first, narrowed by who, the
// kind of record (or the operation of a read) and its id, the action and the days. Reading the trail
// is itself recorded by the server. 2 API calls to open (the accounts for "who", a page of 50 of
// the trail), 1 per search and per "show more" (`next`).
import * as api from '../api.js?v=8b41fb46a3bf';
import { h, clear, field, notice } from '../dom.js?v=f8d81987da69';
import { problemText } from '../errors.js?v=b0683b6435aa';
import { has, t, fmtDateTime, rigaToday, addDays } from '../i18n.js?v=8fe23017d40d';

// The kinds of record the server writes (changes), then the operations whose reads are recorded.
const ENTITIES = ['lesson', 'student', 'user', 'enrollment', 'group', 'program', 'school_year', 'absence_report', 'absence_reason',
  'extension_request', 'calendar_entry', 'settings', 'proposal', 'quality_review',
  'getStudent', 'listGuardians', 'getStudentAttendance', 'getLessonEntry', 'getLesson', 'getUser', 'listStudents'];
let filter = { actor: '', entity: '', id: '', action: '', from: '', to: '' };

const entityName = (e) => (has(`audit.entity.${e}`) ? t(`audit.entity.${e}`) : e);

export async function render(main, ctx) {
  const title = h('h1', {}, t('audit.title'));
  clear(main, title, h('p', { class: 'muted' }, t('common.loading')));
  let users;
  try {
    users = (await api.get('/users?limit=500')).items;
  } catch (e) {
    clear(main, title, notice('error', problemText(e)));
    return;
  }
  const actor = h('select', {}, h('option', { value: '' }, t('audit.anyone')),
    [...users].sort((a, b) => a.full_name.localeCompare(b.full_name, 'lv')).map((u) => h('option', { value: u.id, selected: String(u.id) === filter.actor }, `${u.full_name} (${u.username})`)));
  const entity = h('select', {}, h('option', { value: '' }, t('audit.anything')),
    ENTITIES.map((e) => h('option', { value: e, selected: e === filter.entity }, entityName(e))));
  const id = h('input', { type: 'number', min: 1, step: 1, inputmode: 'numeric', value: filter.id });
  const action = h('input', { maxlength: 64, value: filter.action, spellcheck: 'false', autocapitalize: 'none' });
  const from = h('input', { type: 'date', value: filter.from || addDays(rigaToday(), -30) });
  const to = h('input', { type: 'date', value: filter.to });
  const msg = h('div', { class: 'form-msg' });
  const form = h('form', { class: 'card', role: 'search', novalidate: true, 'aria-labelledby': 'audit-f' },
    h('h2', { id: 'audit-f' }, t('audit.search')),
    h('div', { class: 'two' }, field(t('audit.actor'), actor), field(t('audit.entity'), entity)),
    h('div', { class: 'two' }, field(t('audit.id'), id, t('audit.id.hint')), field(t('audit.action'), action, t('audit.action.hint'))),
    h('div', { class: 'two' }, field(t('audit.from'), from), field(t('audit.to'), to)),
    msg, h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'primary' }, t('audit.find'))));
  const list = h('ul', { class: 'plain stack' });
  const more = h('div', { class: 'actions' });
  const status = h('div', {});
  const results = h('section', { 'aria-labelledby': 'audit-r' }, h('h2', { id: 'audit-r' }, t('audit.results')), status, list, more);
  clear(main, title, h('p', { class: 'muted' }, t('audit.intro')), form, results);

  const row = (x) => h('li', { class: 'card item' },
    h('div', { class: 'item-main' },
      h('span', {}, h('strong', {}, x.actor || t('access.system')), x.actor_username ? h('span', { class: 'muted' }, ` (${x.actor_username})`) : null),
      h('span', {}, h('span', { class: `badge ${x.action === 'read' ? 'access-read' : 'access-change'}` }, x.action === 'read' ? t('audit.read') : x.action), ' ',
        entityName(x.entity), x.entity_id !== null ? ` #${x.entity_id}` : ''),
      h('span', { class: 'muted small' }, fmtDateTime(x.at), x.request_id ? ` · ${x.request_id}` : '')),
    x.before || x.after ? h('details', {}, h('summary', {}, t('audit.details')),
      x.before ? [h('h3', {}, t('audit.before')), h('pre', { class: 'json' }, JSON.stringify(x.before, null, 2))] : null,
      x.after ? [h('h3', {}, x.action === 'read' ? t('audit.readwhat') : t('audit.after')), h('pre', { class: 'json' }, JSON.stringify(x.after, null, 2))] : null) : null);

  const load = async (after) => {
    const p = new URLSearchParams({ limit: '50' });
    if (filter.actor) p.set('actor_id', filter.actor);
    if (filter.entity) p.set('entity', filter.entity);
    if (filter.entity && filter.id) p.set('entity_id', filter.id);
    if (filter.action) p.set('action', filter.action);
    if (filter.from) p.set('from', filter.from);
    if (filter.to) p.set('to', filter.to);
    if (after) p.set('after', after);
    clear(more);
    if (!after) clear(status, h('p', { class: 'muted' }, t('common.loading')));
    let page;
    try {
      page = await api.get(`/audit?${p}`);
    } catch (e) {
      clear(status, notice('error', problemText(e)));
      return;
    }
    if (!after) {
      clear(list);
      clear(status, page.items.length ? null : h('p', { class: 'empty' }, t('audit.none')));
    }
    list.append(...page.items.map(row));
    if (page.next) {
      clear(more, h('button', { type: 'button', onclick: () => load(page.next) }, t('access.more')));
    }
  };
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    clear(msg);
    if (id.value && !entity.value) {
      clear(msg, notice('error', t('audit.id.needs')));
      entity.focus();
      return;
    }
    if (from.value && to.value && to.value < from.value) {
      clear(msg, notice('error', t('audit.order')));
      to.focus();
      return;
    }
    if (action.value.trim() && !/^[A-Za-z0-9_.]{1,64}$/.test(action.value.trim())) {
      clear(msg, notice('error', t('audit.action.bad')));
      action.focus();
      return;
    }
    filter = { actor: actor.value, entity: entity.value, id: id.value, action: action.value.trim(), from: from.value, to: to.value };
    load(null);
  });
  filter.from = from.value;
  await load(null);
}
