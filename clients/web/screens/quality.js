// The quality of the entries (§16), for the director and the superuser: a school year's report per
// teacher (due, on time, late, missing, extensions, substitutions; GET /reports/entry-quality),
// the reviews done against the number required and the thirds of the year still without one, the
// reviews with their findings (GET /quality-reviews), and recording a review (summary and findings,
// each optionally naming a teacher: the report's rows name them, no further call). 3 API calls
// (the school years to pick one, then the report and the reviews in parallel), 1 to record, 1 to
// download the report as CSV.
import * as api from '../api.js?v=8b41fb46a3bf';
import { h, clear, field, notice } from '../dom.js?v=f8d81987da69';
import { problemText } from '../errors.js?v=b0683b6435aa';
import { t, fmtDate, fmtDateTime, rigaToday } from '../i18n.js?v=8fe23017d40d';

const COLS = ['due', 'on_time', 'late', 'missing', 'extensions', 'substitutions'];

export async function render(main, ctx, yearId = null, shown = null) {
  const title = h('h1', {}, t('quality.title'));
  clear(main, title, h('p', { class: 'muted' }, t('common.loading')));
  let years;
  try {
    years = (await api.get('/school-years?limit=500')).items;
  } catch (e) {
    clear(main, title, notice('error', problemText(e)));
    return;
  }
  if (!years.length) {
    clear(main, title, h('p', { class: 'empty' }, t('quality.noyears')));
    return;
  }
  const today = rigaToday();
  const year = years.find((y) => y.id === yearId)
    || years.find((y) => y.starts_on <= today && today <= y.ends_on)
    || [...years].sort((a, b) => b.starts_on.localeCompare(a.starts_on))[0];
  const choose = h('select', {}, years.map((y) => h('option', { value: y.id, selected: y.id === year.id }, y.name)));
  const pick = h('form', { class: 'toolbar', novalidate: true }, field(t('quality.year'), choose), h('button', { type: 'submit' }, t('groups.open')));
  pick.addEventListener('submit', (ev) => {
    ev.preventDefault();
    ctx.go(`#/quality/${choose.value}`);
  });
  let report, reviews;
  try {
    [report, reviews] = await Promise.all([
      api.get(`/reports/entry-quality?school_year_id=${year.id}`),
      api.get(`/quality-reviews?school_year_id=${year.id}&limit=500`),
    ]);
  } catch (e) {
    clear(main, title, pick, notice('error', problemText(e)));
    return;
  }
  const again = (box) => render(main, ctx, year.id, box);
  const rv = report.reviews;
  const lacking = rv.thirds_without_review.filter((n) => rv.thirds.find((x) => x.third === n)?.ended);
  const summary = h('section', { class: 'card', 'aria-labelledby': 'rv-h' },
    h('h2', { id: 'rv-h' }, t('quality.reviews.title')),
    h('p', { class: 'tight' }, h('span', { class: `badge ${rv.done >= rv.required ? 'ok' : 'late'}` }, t('quality.reviews.count', { done: rv.done, required: rv.required }))),
    h('ul', { class: 'plain' }, rv.thirds.map((x) => h('li', { class: 'row' },
      h('span', {}, t('quality.third', { n: x.third, from: fmtDate(x.starts_on), to: fmtDate(x.ends_on) })),
      h('span', { class: `badge ${x.reviews ? 'ok' : x.ended ? 'bad' : ''}` },
        x.reviews ? t('quality.third.done', { n: x.reviews }) : x.ended ? t('quality.third.missed') : t('quality.third.open'))))),
    lacking.length ? notice('warn', t('quality.lacking', { thirds: lacking.join(', ') })) : null);
  const cell = (v, c) => h('td', { class: c === 'missing' && v > 0 ? 'num bad' : 'num' }, String(v));
  const table = h('div', { class: 'scroll', tabindex: '0', role: 'region', 'aria-labelledby': 'rep-h' },
    h('table', { class: 'report' },
      h('caption', { class: 'muted small' }, t('quality.caption', { year: report.school_year_name })),
      h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, t('quality.teacher')), COLS.map((c) => h('th', { scope: 'col', class: 'num' }, t(`quality.col.${c}`))))),
      h('tbody', {}, report.teachers.length ? report.teachers.map((r) => h('tr', {},
        h('th', { scope: 'row' }, r.full_name || t('quality.noteacher')), COLS.map((c) => cell(r[c], c))))
        : h('tr', {}, h('td', { colspan: COLS.length + 1 }, t('quality.none')))),
      h('tfoot', {}, h('tr', {}, h('th', { scope: 'row' }, t('quality.total')), COLS.map((c) => cell(report.totals[c], c))))));
  clear(main, title, pick, shown,
    h('p', { class: 'muted' }, t('quality.intro')),
    h('h2', { id: 'rep-h' }, t('quality.report', { year: report.school_year_name })),
    table,
    h('p', { class: 'hint' }, t('quality.legend')),
    csvDownload(year),
    h('div', { class: 'split' },
      h('div', {}, summary, reviewList(reviews.items)),
      reviewForm(year, report.teachers.filter((r) => r.teacher_id !== null), again)));
  shown?.setAttribute('tabindex', '-1');
  shown?.focus();
}

// The report as CSV (`Accept: text/csv`): the call needs the bearer token, so it cannot be a plain
// link; the Blob is saved through an object URL and a temporary <a download>, the URL revoked once
// the download has started. Neither needs a CSP source: a download is not a fetch the page makes.
function csvDownload(year) {
  const msg = h('div', { class: 'form-msg' });
  const button = h('button', { type: 'button' }, t('quality.csv'));
  const name = `${t('quality.csv.file')}-${year.name.replace(/[^0-9A-Za-z]+/g, '-').replace(/^-|-$/g, '')}.csv`;
  button.addEventListener('click', async () => {
    clear(msg);
    button.disabled = true;
    try {
      const blob = await api.getBlob(`/reports/entry-quality?school_year_id=${year.id}`, 'text/csv');
      const url = URL.createObjectURL(blob);
      const a = h('a', { href: url, download: name, hidden: true });
      document.body.append(a);
      a.click();
      a.remove();
      setTimeout(() => URL.revokeObjectURL(url), 1000);
      clear(msg, notice('ok', t('quality.csv.done', { file: name })));
    } catch (e) {
      clear(msg, notice('error', problemText(e)));
    } finally {
      button.disabled = false;
    }
  });
  return h('div', { class: 'actions' }, button, msg);
}

function reviewList(items) {
  return h('section', { 'aria-labelledby': 'rvl-h' },
    h('h2', { id: 'rvl-h' }, t('quality.done.title'), h('span', { class: 'count' }, ` (${items.length})`)),
    h('ul', { class: 'plain stack' }, items.length ? [...items].reverse().map((r) => h('li', { class: 'card item' },
      h('div', { class: 'item-main' },
        h('strong', {}, fmtDate(r.reviewed_on)),
        h('span', { class: 'muted small' }, t('quality.by', { name: r.reviewed_by_name, date: fmtDateTime(r.created_at) })),
        h('p', { class: 'response' }, r.summary),
        r.findings.length ? h('ul', { class: 'findings' }, r.findings.map((f) => h('li', {},
          f.teacher_name ? h('strong', {}, `${f.teacher_name}: `) : null,
          f.lesson_date ? h('span', { class: 'muted' }, `${fmtDate(f.lesson_date)} ${f.lesson_starts_at || ''} ${f.group_name || ''} — `) : null,
          f.note))) : null))) : h('li', { class: 'empty' }, t('quality.done.none'))));
}

function reviewForm(year, teachers, again) {
  const today = rigaToday();
  const on = h('input', { type: 'date', required: true, value: today <= year.ends_on ? today : year.ends_on, min: year.starts_on, max: today });
  const summary = h('textarea', { rows: 4, maxlength: 4000, required: true });
  const findings = h('div', {});
  let n = 0;
  const addFinding = () => {
    n += 1;
    const who = h('select', {}, h('option', { value: '' }, t('quality.finding.anyone')),
      teachers.map((r) => h('option', { value: r.teacher_id }, r.full_name)));
    const note = h('textarea', { rows: 2, maxlength: 2000, class: 'finding-note' });
    const box = h('fieldset', { class: 'checks finding' }, h('legend', {}, t('quality.finding', { n })),
      field(t('quality.finding.teacher'), who), field(t('quality.finding.note'), note));
    box.ejValue = () => ({ teacher_id: who.value ? Number(who.value) : null, note: note.value.trim() });
    findings.append(box);
    note.focus();
  };
  const msg = h('div', { class: 'form-msg' });
  const submit = h('button', { type: 'submit', class: 'primary' }, t('quality.record'));
  let idem = api.newKey();
  const form = h('form', { class: 'card', novalidate: true, 'aria-labelledby': 'new-rv-h' },
    h('h2', { id: 'new-rv-h' }, t('quality.new')),
    year.closed ? notice('info', t('quality.closed')) : null,
    field(t('quality.on'), on), field(t('quality.summary'), summary, t('quality.summary.hint')),
    findings,
    h('div', { class: 'actions' }, h('button', { type: 'button', onclick: addFinding }, t('quality.finding.add'))),
    msg, h('div', { class: 'actions' }, submit));
  form.addEventListener('input', () => {
    idem = api.newKey();
  });
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    clear(msg);
    if (!on.value || !summary.value.trim()) {
      clear(msg, notice('error', t('quality.missing')));
      (on.value ? summary : on).focus();
      return;
    }
    const list = [...findings.querySelectorAll('fieldset.finding')].map((b) => b.ejValue()).filter((f) => f.note);
    submit.disabled = true;
    try {
      await api.api('POST', '/quality-reviews', { body: { school_year_id: year.id, reviewed_on: on.value, summary: summary.value.trim(), findings: list },
        headers: { 'Idempotency-Key': idem } });
      await again(notice('ok', t('quality.recorded', { date: fmtDate(on.value) })));
    } catch (e) {
      clear(msg, notice('error', problemText(e)));
      submit.disabled = false;
    }
  });
  return form;
}
