// The superuser's Monday morning: overdue entries by teacher (§13), the absence-report queue (apply
// / reject, §14) and the teachers' extension requests (grant / decline, §13). Five API calls in
// parallel, whatever the number of items: the overdue lessons, the teachers (their names: a lesson
// names only the ids), the pending reports, the reasons (their names), the pending requests.
import * as api from '../api.js?v=8b41fb46a3bf';
import { h, clear, field, notice } from '../dom.js?v=f8d81987da69';
import { problemText } from '../errors.js?v=b0683b6435aa';
import { t, fmtDate, fmtDateTime, rigaToday, addDays } from '../i18n.js?v=8fe23017d40d';

// A row's actions give way to a small form (a note, a date) with confirm and cancel; Escape and
// cancel bring the buttons back, focus stays where the person is.
export function inlineForm(slot, { fields, submitText, onSubmit, restore }) {
  const msg = h('div', { class: 'form-msg' });
  const ok = h('button', { type: 'submit', class: 'primary' }, submitText);
  const cancel = h('button', { type: 'button', onclick: () => restore() }, t('common.cancel'));
  const form = h('form', { class: 'inline-form', novalidate: true }, fields.map(([label, control, hint]) => field(label, control, hint)),
    msg, h('div', { class: 'actions' }, ok, cancel));
  form.addEventListener('keydown', (ev) => {
    if (ev.key === 'Escape') restore();
  });
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    clear(msg);
    ok.disabled = true;
    try {
      await onSubmit(msg);
    } catch (e) {
      clear(msg, notice('error', problemText(e)));
    } finally {
      ok.disabled = false;
    }
  });
  clear(slot, form);
  fields[0]?.[1]?.focus();
}

const required = (control, msg, text) => {
  if (control.value.trim()) return true;
  clear(msg, notice('error', text));
  control.focus();
  return false;
};

export async function render(main, ctx) {
  clear(main, h('h1', {}, t('office.title')), h('p', { class: 'muted' }, t('common.loading')));
  let overdue, teachers, reports, reasons, requests;
  try {
    [overdue, teachers, reports, reasons, requests] = await Promise.all([
      api.get('/lessons?state=overdue&limit=500'),
      api.get('/users?role=teacher&limit=500'),
      api.get('/absence-reports?status=pending&limit=500'),
      api.get('/absence-reasons'),
      api.get('/extension-requests?status=pending&limit=500'),
    ]);
  } catch (e) {
    clear(main, h('h1', {}, t('office.title')), notice('error', problemText(e)),
      h('button', { type: 'button', onclick: () => render(main, ctx) }, t('common.retry')));
    return;
  }
  const names = new Map(teachers.items.map((u) => [u.id, u.full_name]));
  const reasonName = new Map(reasons.items.map((r) => [r.code, r.name]));
  const again = () => render(main, ctx);

  // Overdue entries by the teacher who conducts them (the substitute if one is assigned, §15).
  const byTeacher = new Map();
  for (const l of overdue.items) {
    const who = l.substitute_teacher_id ?? l.teacher_id;
    if (!byTeacher.has(who)) byTeacher.set(who, []);
    byTeacher.get(who).push(l);
  }
  const teacherRows = [...byTeacher.entries()].sort((a, b) => b[1].length - a[1].length).map(([who, list]) =>
    h('li', { class: 'card' },
      h('h3', { class: 'tight' }, who ? (names.get(who) || t('office.teacher', { id: who })) : t('office.noteacher'),
        h('span', { class: 'count' }, ` (${list.length})`)),
      h('ul', { class: 'plain' }, [...list].reverse().map((l) => h('li', { class: 'row' },
        h('span', {}, h('a', { href: `#/lesson/${l.id}` }, `${l.group_name}, ${fmtDate(l.date)} ${l.starts_at.slice(0, 5)}`), h('br'),
          h('span', { class: 'small muted' }, t('lessons.passed', { date: fmtDateTime(l.deadline) }))),
        h('span', { class: 'badge overdue' }, t('state.overdue')))))));

  const reportRow = (r) => {
    const slot = h('div', { class: 'actions' });
    const buttons = () => clear(slot,
      h('button', { type: 'button', class: 'primary', 'aria-label': t('office.apply.label', { name: r.student_name }), onclick: async (ev) => {
        ev.currentTarget.disabled = true;
        try {
          const res = await api.post(`/absence-reports/${r.id}/apply`, {});
          ctx.say(t('office.applied', { name: r.student_name, n: res.applied.length, k: res.kept.length }));
          await again();
        } catch (e) {
          ctx.say(problemText(e), 'error');
          buttons();
        }
      } }, t('office.apply')),
      h('button', { type: 'button', 'aria-label': t('office.reject.label', { name: r.student_name }), onclick: () => {
        const note = h('textarea', { rows: 2, maxlength: 500, required: true });
        inlineForm(slot, { fields: [[t('office.reject.note'), note, t('office.reject.hint')]], submitText: t('office.reject'), restore: buttons,
          onSubmit: async (msg) => {
            if (!required(note, msg, t('office.nonote'))) return;
            await api.post(`/absence-reports/${r.id}/reject`, { note: note.value.trim() });
            ctx.say(t('office.rejected', { name: r.student_name }));
            await again();
          } });
      } }, t('office.reject')));
    buttons();
    return h('li', { class: 'card item' },
      h('div', { class: 'item-main' },
        h('strong', {}, r.student_name),
        h('span', {}, r.from_date === r.to_date ? fmtDate(r.from_date) : `${fmtDate(r.from_date)} – ${fmtDate(r.to_date)}`),
        h('span', {}, reasonName.get(r.reason_code) || r.reason_code, ' · ', h('span', { class: 'muted small' }, t(`channel.${r.channel}`))),
        r.comment ? h('span', { class: 'topic' }, `“${r.comment}”`) : null,
        h('span', { class: 'small muted' }, t('office.filed', { date: fmtDateTime(r.created_at) }))),
      slot);
  };

  const requestRow = (q) => {
    const slot = h('div', { class: 'actions' });
    const who = `${q.requested_by_name}, ${q.group_name} ${fmtDate(q.lesson_date)}`;
    const buttons = () => clear(slot,
      h('button', { type: 'button', class: 'primary', 'aria-label': t('office.grant.label', { who }), onclick: () => {
        const until = h('input', { type: 'date', required: true, value: addDays(rigaToday(), 2), min: rigaToday() });
        inlineForm(slot, { fields: [[t('office.grant.until'), until, t('office.grant.hint')]], submitText: t('office.grant'), restore: buttons,
          onSubmit: async (msg) => {
            if (!required(until, msg, t('office.nodate'))) return;
            await api.post(`/extension-requests/${q.id}/grant`, { until: until.value });
            ctx.say(t('office.granted', { who, date: fmtDate(until.value) }));
            await again();
          } });
      } }, t('office.grant')),
      h('button', { type: 'button', 'aria-label': t('office.decline.label', { who }), onclick: () => {
        const note = h('textarea', { rows: 2, maxlength: 500, required: true });
        inlineForm(slot, { fields: [[t('office.decline.note'), note]], submitText: t('office.decline'), restore: buttons,
          onSubmit: async (msg) => {
            if (!required(note, msg, t('office.nonote'))) return;
            await api.post(`/extension-requests/${q.id}/decline`, { note: note.value.trim() });
            ctx.say(t('office.declined', { who }));
            await again();
          } });
      } }, t('office.decline')));
    buttons();
    return h('li', { class: 'card item' },
      h('div', { class: 'item-main' },
        h('strong', {}, q.requested_by_name),
        h('span', {}, h('a', { href: `#/lesson/${q.lesson_id}` }, `${q.group_name}, ${fmtDate(q.lesson_date)} ${q.lesson_starts_at.slice(0, 5)}`)),
        h('span', { class: 'small muted' }, t('lessons.passed', { date: fmtDateTime(q.deadline) })),
        h('span', { class: 'topic' }, `“${q.reason}”`)),
      slot);
  };

  const section = (key, items, empty) => h('section', { 'aria-labelledby': `h-${key}` },
    h('h2', { id: `h-${key}` }, t(`office.${key}`), h('span', { class: 'count' }, ` (${items.length})`)),
    items.length ? h('ul', { class: 'plain stack' }, items) : h('p', { class: 'empty' }, empty));
  clear(main,
    h('h1', {}, t('office.title')),
    h('div', { class: 'office' },
      section('reports', reports.items.map(reportRow), t('office.reports.none')),
      section('requests', requests.items.map(requestRow), t('office.requests.none')),
      section('overdue', teacherRows, t('office.overdue.none'))));
}
