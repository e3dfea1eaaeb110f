// A group's lessons and a single lesson outside the weekly schedule (§12, §17): a screen of its
// own (#/grouplessons/7, linked from the group's page, which stays at six calls). Three calls to
// open: the group (GET /groups/{id}) and the school years in parallel, then a page of the group's
// lessons from a date (GET /lessons?group_id=&from=, 20 at a time, "show more" by `next`); adding a lesson is POST /lessons (an Idempotency-Key kept until the form changes), then the
// list is read again from the new lesson's date, with it marked. Each refusal is said by its field:
// a public holiday by its name (422 `public_holiday`, §17), a date outside the group's school year
// (422 naming `date`), a lesson already there (409 `lesson_exists` / `lesson_overlaps`: one GET
// /lessons/{id} names it, with a link to it), a closed year (409 `school_year_closed`, §18).
import * as api from '../api.js?v=8b41fb46a3bf';
import { h, clear, field, notice, fieldMarks } from '../dom.js?v=f8d81987da69';
import { problemText } from '../errors.js?v=b0683b6435aa';
import { t, fmtDate, rigaToday } from '../i18n.js?v=8fe23017d40d';

const PAGE = 20;

export async function render(main, ctx, groupId) {
  const head = h('h1', {}, t('glessons.title'));
  clear(main, head, h('p', { class: 'muted' }, t('common.loading')));
  let group, years, page, year, from;
  try {
    [group, years] = await Promise.all([api.get(`/groups/${groupId}`), api.get('/school-years?limit=500')]);
    year = years.items.find((y) => y.id === group.school_year_id);
    from = lessonsFrom(year);
    page = await api.get(lessonsPath(group.id, from));
  } catch (e) {
    clear(main, head, notice('error', problemText(e)), h('p', {}, h('a', { href: '#/groups' }, t('glessons.back.all'))));
    return;
  }
  clear(main, head,
    h('p', {}, h('a', { href: `#/groups/${group.id}` }, t('glessons.back', { name: group.name })), year ? ` · ${year.name}` : ''),
    year?.closed ? notice('warn', t('setup.year.closed')) : null,
    lessonsCard(group, year, page, from));
}

// Where the list starts: today while the group's year runs, else the year's first day.
export function lessonsFrom(year) {
  const today = rigaToday();
  if (!year) return today;
  return today > year.starts_on && today <= year.ends_on ? today : year.starts_on;
}

export const lessonsPath = (groupId, from, after) =>
  `/lessons?group_id=${groupId}&from=${from}&limit=${PAGE}${after ? `&after=${encodeURIComponent(after)}` : ''}`;

const hm = (s) => s.slice(0, 5);
const lessonText = (l) => `${fmtDate(l.date)} ${hm(l.starts_at)}–${hm(l.ends_at)}`;

// `page` is the first page from `from`.
export function lessonsCard(group, year, page, from) {
  const list = h('ul', { class: 'plain', 'aria-label': t('glessons.list') });
  const more = h('div', { class: 'actions' });
  const status = h('div', {});
  const since = h('input', { type: 'date', required: true, value: from });
  const pick = h('form', { class: 'toolbar', novalidate: true }, field(t('glessons.from'), since), h('button', { type: 'submit' }, t('glessons.show')));
  let fresh = null; // the id of the lesson just added, marked in the list
  const row = (l) => h('li', { class: 'row' },
    h('div', { class: 'item-main' },
      h('a', { href: `#/lesson/${l.id}` }, lessonText(l)),
      h('span', { class: 'muted small' }, [l.room ? t('lessons.room', { room: l.room }) : null,
        l.slot_id ? null : t('glessons.single')].filter(Boolean).join(' · '))),
    h('span', {}, l.id === fresh ? [h('span', { class: 'badge ok' }, t('glessons.new')), ' '] : null,
      h('span', { class: `badge ${l.state}` }, t(`state.${l.state}`))));
  const show = (p, append) => {
    if (!append) clear(list);
    list.append(...p.items.map(row));
    if (!list.children.length) list.append(h('li', { class: 'empty' }, t('glessons.none')));
    clear(more, p.next ? h('button', { type: 'button', onclick: (ev) => load(since.value, p.next, ev.currentTarget) }, t('glessons.more')) : null);
  };
  const load = async (date, after, button) => {
    if (button) button.disabled = true;
    try {
      show(await api.get(lessonsPath(group.id, date, after)), Boolean(after));
      return true;
    } catch (e) {
      if (button) button.disabled = false;
      clear(status, notice('error', problemText(e)));
      return false;
    }
  };
  pick.addEventListener('submit', (ev) => {
    ev.preventDefault();
    clear(status);
    if (since.value) load(since.value);
    else since.focus();
  });
  show(page, false);
  const card = h('section', { class: 'card', 'aria-labelledby': 'group-lessons-h' },
    h('h2', { id: 'group-lessons-h' }, group.name), pick, status, list, more);
  if (!year || year.closed) return card;
  card.append(newLessonForm(group, year, () => clear(status), async (made, box) => {
    fresh = made.id;
    since.value = made.date;
    await load(made.date);
    clear(status, box);
    box.setAttribute('tabindex', '-1');
    box.focus();
  }));
  return card;
}

function newLessonForm(group, year, starting, added) {
  const date = h('input', { type: 'date', required: true, value: lessonsFrom(year), min: year.starts_on, max: year.ends_on });
  const starts = h('input', { type: 'time', required: true, value: '15:00', step: 300 });
  const ends = h('input', { type: 'time', required: true, value: '16:30', step: 300 });
  const room = h('input', { maxlength: 100, autocomplete: 'off' });
  const msg = h('div', { class: 'form-msg' });
  const submit = h('button', { type: 'submit', class: 'primary' }, t('glessons.create'));
  const marks = fieldMarks();
  let idem = api.newKey();
  const form = h('form', { class: 'inline-form', novalidate: true, 'aria-labelledby': 'new-lesson-h' },
    h('h3', { id: 'new-lesson-h' }, t('glessons.add')),
    field(t('glessons.date'), date),
    h('div', { class: 'two' }, field(t('glessons.starts'), starts), field(t('glessons.ends'), ends)),
    field(t('glessons.room'), room),
    h('p', { class: 'hint' }, t('glessons.hint', { year: year.name })),
    msg, h('div', { class: 'actions' }, submit));
  form.addEventListener('input', () => {
    idem = api.newKey();
  });
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    clear(msg);
    marks.clear();
    starting();
    const missing = [date, starts, ends].find((c) => !c.value);
    if (missing) return marks.mark(missing, t('accounts.missing'));
    if (ends.value <= starts.value) return marks.mark(ends, t('setup.slot.order.time'));
    submit.disabled = true;
    const body = { group_id: group.id, date: date.value, starts_at: hm(starts.value), ends_at: hm(ends.value), room: room.value.trim() || null };
    try {
      const made = await api.post('/lessons', body, { 'Idempotency-Key': idem });
      idem = api.newKey();
      submit.disabled = false;
      await added(made, notice('ok', t('glessons.created', { lesson: lessonText(made) })));
    } catch (e) {
      submit.disabled = false;
      await refused(e, body);
    }
  });
  const refused = async (e, body) => {
    const p = e.problem || {};
    if (e.code === 'public_holiday') return marks.mark(date, t('glessons.holiday', { date: fmtDate(p.date || body.date), name: p.holiday || t('setup.slot.holiday') }));
    if (e.code === 'school_year_closed') return marks.mark(date, t('glessons.closed', { year: year.name }));
    if ((e.code === 'lesson_exists' || e.code === 'lesson_overlaps') && p.lesson_id) {
      // The refusal names the lesson by id: one read gives its date and time for the sentence.
      let text = t('glessons.lesson', { id: p.lesson_id });
      try {
        text = lessonText(await api.get(`/lessons/${p.lesson_id}`));
      } catch {
        /* the link by its number still leads there */
      }
      return marks.mark(starts, t(`glessons.${e.code}`), ' ', h('a', { href: `#/lesson/${p.lesson_id}` }, text));
    }
    if (e.code === 'validation_failed' && (p.errors || []).some((x) => x.field === 'date')) {
      return marks.mark(date, t('glessons.outside', { year: year.name, from: fmtDate(year.starts_on), to: fmtDate(year.ends_on) }));
    }
    clear(msg, notice('error', problemText(e)));
  };
  return form;
}
