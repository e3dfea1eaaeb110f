// The guardian: each child's recorded lessons with topics and attendance (reasons too, §4, §14),
// their absence reports and states (a pending one the guardian filed can be withdrawn), and a form
// to report an absence. Three API calls whatever the number of children: lessons (the API shows a
// guardian only their children's rows, and each lesson carries its group's name), absence reports,
// absence reasons.
import * as api from '../api.js?v=8b41fb46a3bf';
import { h, clear, field, notice } from '../dom.js?v=f8d81987da69';
import { problemText } from '../errors.js?v=b0683b6435aa';
import { t, fmtDate, rigaToday, addDays } from '../i18n.js?v=8fe23017d40d';

const WINDOW_DAYS = 60;

export async function render(main, ctx) {
  const me = api.me;
  clear(main, h('h1', {}, t('guardian.title')), h('p', { class: 'muted' }, t('common.loading')));
  if (!me.children.length) {
    clear(main, h('h1', {}, t('guardian.title')), h('p', { class: 'empty' }, t('guardian.nochildren')));
    return;
  }
  const today = rigaToday();
  let lessons, reports, reasons;
  try {
    [lessons, reports, reasons] = await Promise.all([
      api.get(`/lessons?from=${addDays(today, -WINDOW_DAYS)}&to=${today}&state=recorded&limit=500`),
      api.get('/absence-reports?limit=100'),
      api.get('/absence-reasons'),
    ]);
  } catch (e) {
    clear(main, h('h1', {}, t('guardian.title')), notice('error', problemText(e)),
      h('button', { type: 'button', onclick: () => render(main, ctx) }, t('common.retry')));
    return;
  }
  const reasonName = new Map(reasons.items.map((r) => [r.code, r.name]));

  const childSection = (child) => {
    const rows = [];
    for (const l of lessons.items) {
      const a = l.attendance.find((x) => x.student_id === child.id);
      if (a) rows.push({ l, a });
    }
    rows.reverse();
    const n = (s) => rows.filter((r) => r.a.status === s).length;
    const mine = reports.items.filter((r) => r.student_id === child.id).reverse();
    return h('section', { class: 'card child', 'aria-labelledby': `child-${child.id}` },
      h('h2', { id: `child-${child.id}` }, child.full_name),
      h('p', { class: 'muted' }, t('guardian.summary', { n: rows.length, p: n('present'), a: n('absent'), l: n('late') })),
      h('p', {}, h('a', { href: `#/access/${child.id}`, 'aria-label': t('access.link.label', { name: child.full_name }) }, t('access.link'))),
      h('h3', {}, t('guardian.lessons')),
      rows.length === 0 ? h('p', { class: 'empty' }, t('guardian.nolessons')) :
        h('ul', { class: 'timeline' }, rows.map(({ l, a }) => h('li', { class: `att att-${a.status}` },
          h('span', { class: 'att-date' }, fmtDate(l.date)),
          h('span', { class: 'att-main' },
            h('strong', {}, l.group_name),
            l.topic ? h('span', { class: 'topic' }, l.topic) : null,
            a.status !== 'present' ? h('span', { class: 'small' }, a.reason ? (reasonName.get(a.reason) || a.reason) : t('reason.none')) : null),
          h('span', { class: `badge ${a.status}` }, t(`status.${a.status}`))))),
      h('h3', {}, t('guardian.reports')),
      mine.length === 0 ? h('p', { class: 'empty' }, t('guardian.noreports')) :
        h('ul', { class: 'plain reports' }, mine.map((r) => h('li', { class: 'row' },
          h('span', {}, r.from_date === r.to_date ? fmtDate(r.from_date) : `${fmtDate(r.from_date)} – ${fmtDate(r.to_date)}`, h('br'),
            h('span', { class: 'small muted' }, reasonName.get(r.reason_code) || r.reason_code),
            r.decision_note ? h('span', { class: 'small' }, h('br'), t('guardian.report.note', { note: r.decision_note })) : null),
          h('span', { class: 'report-side' },
            h('span', { class: `badge report-${r.status}` }, t(`report.${r.status}`)),
            r.status === 'pending' && (r.guardian_id === me.id || r.filed_by === me.id)
              ? h('button', { type: 'button', class: 'small-btn', 'aria-label': t('guardian.report.withdraw.label', { date: fmtDate(r.from_date) }),
                onclick: (ev) => withdraw(ev.currentTarget, r) }, t('guardian.report.withdraw')) : null)))));
  };
  const withdraw = async (button, r) => {
    button.disabled = true;
    try {
      await api.post(`/absence-reports/${r.id}/withdraw`, {});
      ctx.say(t('guardian.report.withdrawn'));
      await render(main, ctx);
    } catch (e) {
      button.disabled = false;
      ctx.say(problemText(e));
    }
  };

  clear(main, h('h1', {}, t('guardian.title')),
    h('div', { class: 'guardian' },
      h('div', {}, me.children.map(childSection)),
      reportForm(ctx, me, reasons, today, () => render(main, ctx))));
}

function reportForm(ctx, me, reasons, today, reload) {
  const child = h('select', { name: 'student_id', required: true },
    me.children.map((c) => h('option', { value: c.id }, c.full_name)));
  const from = h('input', { type: 'date', name: 'from_date', required: true, value: today });
  const to = h('input', { type: 'date', name: 'to_date', required: true, value: today });
  const reason = h('select', { name: 'reason_code', required: true },
    reasons.items.filter((r) => r.active && r.code !== 'unexcused').map((r) => h('option', { value: r.code }, r.name)));
  const comment = h('textarea', { name: 'comment', rows: 2, maxlength: 500 });
  const msg = h('div', { class: 'form-msg' });
  const submit = h('button', { type: 'submit', class: 'primary' }, t('guardian.report.submit'));
  const key = api.newKey;
  let idem = key();
  const form = h('form', { class: 'card report-form', novalidate: true, 'aria-labelledby': 'report-h' },
    h('h2', { id: 'report-h' }, t('guardian.report.new')),
    me.children.length > 1 ? field(t('guardian.report.child'), child) : null,
    h('div', { class: 'two' }, field(t('guardian.report.from'), from), field(t('guardian.report.to'), to)),
    field(t('guardian.report.reason'), reason),
    field(t('guardian.report.comment'), comment),
    msg, h('div', { class: 'actions' }, submit));
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    clear(msg);
    submit.disabled = true;
    try {
      await api.api('POST', '/absence-reports', {
        headers: { 'Idempotency-Key': idem },
        body: { student_id: Number(child.value), from_date: from.value, to_date: to.value, reason_code: reason.value,
          comment: comment.value.trim() || null },
      });
      idem = key();
      ctx.say(t('guardian.report.sent'));
      await reload();
    } catch (e) {
      clear(msg, notice('error', problemText(e)));
    } finally {
      submit.disabled = false;
    }
  });
  return form;
}
