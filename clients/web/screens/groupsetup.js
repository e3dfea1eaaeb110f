// Setting a group up (§12), for the groups screen (enrollments.js): creating a group of a programme
// in an open school year with its teachers (POST /groups), changing a group's name, programme and
// teachers (PATCH /groups/{id} with If-Match: a 412 says someone saved meanwhile and reloads), and
// its weekly schedule: the slots (GET /groups/{id}/schedule) and entering one (POST
// /groups/{id}/schedule), which creates the lessons from `valid_from` to `valid_to` and says how
// many, and which dates it skipped (public holidays by name, §17, or a lesson already there).
import * as api from '../api.js?v=8b41fb46a3bf';
import { h, clear, field, notice, newId } from '../dom.js?v=f8d81987da69';
import { problemText } from '../errors.js?v=b0683b6435aa';
import { t, fmtDate, rigaToday } from '../i18n.js?v=8fe23017d40d';

// The teachers as checkboxes in a fieldset (a real label each: Tab and Space, as usual).
function teacherChecks(teachers, chosen) {
  const boxes = teachers.map((u) => {
    const input = h('input', { type: 'checkbox', value: u.id, id: newId('teacher'), checked: chosen.has(u.id) });
    return { input, el: h('span', { class: 'check' }, input, h('label', { for: input.id }, u.full_name)) };
  });
  const set = h('fieldset', { class: 'checks' }, h('legend', {}, t('setup.teachers')),
    boxes.length ? boxes.map((b) => b.el) : h('p', { class: 'muted small tight' }, t('setup.teachers.none')));
  return { set, ids: () => boxes.filter((b) => b.input.checked).map((b) => Number(b.input.value)) };
}

const programOptions = (programs, selected) => programs.map((p) => h('option', { value: p.id, selected: p.id === selected }, `${p.name} (${p.code})`));

// A new group: programme, school year (open ones only: a closed year's journal is read-only, §18),
// name, teachers. `done(group)` opens it.
export function newGroupForm(programs, years, teachers, done) {
  const open = years.filter((y) => !y.closed).sort((a, b) => b.starts_on.localeCompare(a.starts_on));
  const today = rigaToday();
  const current = open.find((y) => y.starts_on <= today && today <= y.ends_on) || open[0];
  const program = h('select', { required: true }, h('option', { value: '' }, t('setup.program.choose')), programOptions(programs, null));
  const year = h('select', { required: true }, open.map((y) => h('option', { value: y.id, selected: y === current }, y.name)));
  const name = h('input', { required: true, maxlength: 200, autocomplete: 'off' });
  const who = teacherChecks(teachers, new Set());
  const msg = h('div', { class: 'form-msg' });
  const submit = h('button', { type: 'submit', class: 'primary' }, t('setup.group.create'));
  let idem = api.newKey();
  const form = h('form', { class: 'card', novalidate: true, 'aria-labelledby': 'new-group-h' },
    h('h2', { id: 'new-group-h' }, t('setup.group.new')),
    programs.length ? null : notice('warn', t('setup.program.none')),
    open.length ? null : notice('warn', t('setup.year.none')),
    field(t('setup.program'), program, h('a', { href: '#/programs' }, t('setup.program.link'))),
    field(t('setup.year'), year),
    field(t('setup.group.name'), name),
    who.set,
    msg, h('div', { class: 'actions' }, submit));
  form.addEventListener('input', () => {
    idem = api.newKey();
  });
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    clear(msg);
    for (const c of [program, year, name]) {
      if (!c.value.trim()) {
        clear(msg, notice('error', t('accounts.missing')));
        c.focus();
        return;
      }
    }
    submit.disabled = true;
    try {
      const r = await api.api('POST', '/groups', { body: { program_id: Number(program.value), school_year_id: Number(year.value),
        name: name.value.trim(), teacher_ids: who.ids() }, headers: { 'Idempotency-Key': idem } });
      await done(r.data);
    } catch (e) {
      clear(msg, notice('error', problemText(e)));
      submit.disabled = false;
      if (e.code === 'group_name_taken') name.focus();
    }
  });
  return form;
}

// A group's name, programme and teachers. The card shows them; "change" reads the active teachers
// (one call, only when asked: the group page stays at six calls) and opens the form, which PATCHes
// only what changed, with the ETag the group was read with.
export function groupCard(group, etag, programs, closed, again) {
  const body = h('div', {});
  const program = programs.find((p) => p.id === group.program_id);
  const summary = () => clear(body,
    h('p', { class: 'tight' }, h('strong', {}, `${t('setup.program')}: `), program ? `${program.name} (${program.code})` : '—'),
    h('p', {}, h('strong', {}, `${t('setup.teachers')}: `), group.teachers.map((x) => x.full_name).join(', ') || '—'),
    closed ? notice('warn', t('setup.year.closed')) : h('div', { class: 'actions' }, h('button', { type: 'button', onclick: (ev) => change(ev.currentTarget) }, t('setup.group.change'))));
  const change = async (button) => {
    button.disabled = true;
    let teachers;
    try {
      teachers = await api.get('/users?role=teacher&access=active&limit=500');
    } catch (e) {
      button.disabled = false;
      body.append(notice('error', problemText(e)));
      return;
    }
    clear(body, editForm(group, etag, programs, teachers.items, again, summary));
    body.querySelector('input')?.focus();
  };
  summary();
  return h('section', { class: 'card', 'aria-labelledby': 'edit-group-h' }, h('h2', { id: 'edit-group-h' }, t('setup.group.edit')), body);
}

function editForm(group, etag, programs, teachers, again, cancel) {
  const name = h('input', { required: true, maxlength: 200, value: group.name, autocomplete: 'off' });
  const program = h('select', { required: true }, programOptions(programs, group.program_id));
  // Someone teaching the group whose account is no longer an active teacher still shows, checked.
  const known = new Set(teachers.map((u) => u.id));
  const all = [...teachers, ...group.teachers.filter((x) => !known.has(x.id))];
  const who = teacherChecks(all, new Set(group.teacher_ids));
  const msg = h('div', { class: 'form-msg' });
  const submit = h('button', { type: 'submit', class: 'primary' }, t('common.save'));
  const form = h('form', { class: 'inline-form', novalidate: true, 'aria-label': t('setup.group.edit') },
    field(t('setup.group.name'), name), field(t('setup.program'), program), who.set,
    msg, h('div', { class: 'actions' }, submit, h('button', { type: 'button', onclick: () => cancel() }, t('common.cancel'))));
  form.addEventListener('keydown', (ev) => {
    if (ev.key === 'Escape') cancel();
  });
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    clear(msg);
    if (!name.value.trim()) {
      clear(msg, notice('error', t('accounts.missing')));
      name.focus();
      return;
    }
    const body = {};
    if (name.value.trim() !== group.name) body.name = name.value.trim();
    if (Number(program.value) !== group.program_id) body.program_id = Number(program.value);
    const ids = who.ids().sort((a, b) => a - b);
    if (ids.join() !== [...group.teacher_ids].sort((a, b) => a - b).join()) body.teacher_ids = ids;
    if (!Object.keys(body).length) {
      clear(msg, notice('ok', t('settings.unchanged')));
      return;
    }
    submit.disabled = true;
    try {
      const r = await api.api('PATCH', `/groups/${group.id}`, { body, headers: { 'If-Match': etag } });
      await again(notice('ok', t('setup.group.saved', { name: r.data.name })));
    } catch (e) {
      submit.disabled = false;
      if (e.status === 412) clear(msg, notice('error', t('setup.group.stale')), h('button', { type: 'button', onclick: () => again() }, t('settings.reload')));
      else clear(msg, notice('error', problemText(e)));
    }
  });
  return form;
}

const slotText = (s) => t('setup.slot.line', { day: t(`weekday.${s.weekday}`), from: s.starts_at, to: s.ends_at });

// The weekly slots and the form for a new one. `year` is the group's school year (the dates must
// lie within it).
export function scheduleCard(group, year, slots, again) {
  const list = h('ul', { class: 'plain' }, slots.length ? slots.map((s) => h('li', { class: 'row' },
    h('div', { class: 'item-main' },
      h('strong', {}, slotText(s)),
      h('span', { class: 'muted small' }, t('setup.slot.span', { from: fmtDate(s.valid_from), to: fmtDate(s.valid_to) }),
        s.room ? ` · ${t('setup.slot.room.is', { room: s.room })}` : ''),
      h('span', { class: 'small' }, t('setup.slot.lessons', { n: s.lessons }))))) : h('li', { class: 'empty' }, t('setup.slot.none')));
  const card = h('section', { class: 'card', 'aria-labelledby': 'schedule-h' },
    h('h2', { id: 'schedule-h' }, t('setup.schedule'), h('span', { class: 'count' }, ` (${slots.length})`)), list);
  if (!year || year.closed) {
    card.append(notice('warn', t('setup.year.closed')));
    return card;
  }
  const today = rigaToday();
  const from0 = today > year.starts_on && today <= year.ends_on ? today : year.starts_on;
  const weekday = h('select', { required: true }, [1, 2, 3, 4, 5, 6, 7].map((d) => h('option', { value: d }, t(`weekday.${d}`))));
  const starts = h('input', { type: 'time', required: true, value: '15:00', step: 300 });
  const ends = h('input', { type: 'time', required: true, value: '16:30', step: 300 });
  const room = h('input', { maxlength: 100, autocomplete: 'off' });
  const from = h('input', { type: 'date', required: true, value: from0, min: year.starts_on, max: year.ends_on });
  const to = h('input', { type: 'date', required: true, value: year.ends_on, min: year.starts_on, max: year.ends_on });
  const msg = h('div', { class: 'form-msg' });
  const submit = h('button', { type: 'submit', class: 'primary' }, t('setup.slot.create'));
  let idem = api.newKey();
  const form = h('form', { class: 'inline-form', novalidate: true, 'aria-labelledby': 'new-slot-h' },
    h('h3', { id: 'new-slot-h' }, t('setup.slot.new')),
    field(t('setup.slot.weekday'), weekday),
    h('div', { class: 'two' }, field(t('setup.slot.starts'), starts), field(t('setup.slot.ends'), ends)),
    field(t('setup.slot.room'), room),
    h('div', { class: 'two' }, field(t('setup.slot.from'), from), field(t('setup.slot.to'), to)),
    h('p', { class: 'hint' }, t('setup.slot.hint', { year: year.name })),
    msg, h('div', { class: 'actions' }, submit));
  form.addEventListener('input', () => {
    idem = api.newKey();
  });
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    clear(msg);
    const bad = (text, control) => {
      clear(msg, notice('error', text));
      control.focus();
    };
    if (!starts.value || !ends.value || !from.value || !to.value) return bad(t('accounts.missing'), [starts, ends, from, to].find((c) => !c.value));
    if (ends.value <= starts.value) return bad(t('setup.slot.order.time'), ends);
    if (to.value < from.value) return bad(t('setup.slot.order.date'), to);
    submit.disabled = true;
    try {
      const r = await api.api('POST', `/groups/${group.id}/schedule`, { body: { weekday: Number(weekday.value), starts_at: starts.value.slice(0, 5),
        ends_at: ends.value.slice(0, 5), room: room.value.trim() || null, valid_from: from.value, valid_to: to.value }, headers: { 'Idempotency-Key': idem } });
      await again(result(r.data, r.status === 200));
    } catch (e) {
      submit.disabled = false;
      if (e.code === 'slot_exists' && e.problem.slot) clear(msg, notice('error', t('setup.slot.exists', { slot: slotText(e.problem.slot) })));
      else clear(msg, notice('error', problemText(e)));
    }
  });
  card.append(form);
  return card;
}

// What the new slot did: how many lessons, and every skipped date with why.
function result(r, existed) {
  const holidays = r.skipped.filter((s) => s.reason === 'public_holiday');
  const taken = r.skipped.filter((s) => s.reason === 'lesson_exists');
  return h('div', { class: 'notice notice-ok', role: 'status' },
    h('p', { class: 'tight' }, t(existed ? 'setup.slot.again' : 'setup.slot.created', { slot: slotText(r.slot), n: r.lessons_created })),
    holidays.length ? [h('p', { class: 'tight' }, t('setup.slot.holidays', { n: holidays.length })),
      h('ul', {}, holidays.map((s) => h('li', {}, `${fmtDate(s.date)}: ${s.name || t('setup.slot.holiday')}`)))] : null,
    taken.length ? [h('p', { class: 'tight' }, t('setup.slot.taken', { n: taken.length })),
      h('ul', {}, taken.map((s) => h('li', {}, fmtDate(s.date))))] : null);
}
