// The calendar (§13, §17): a year's public holidays (the law's and the superuser's one-off ones) and
// transferred days off, and the transferred working days; adding and deleting the superuser's own.
// A new holiday on a day with lessons is refused with the lessons listed (409 `lessons_on_date`):
// the screen names them and offers to add the holiday and cancel them (`?cancel_lessons=true`);
// afterwards it says how many were cancelled and how many deadlines moved. 2 API calls per year
// shown (GET /calendar/holidays?year=, /calendar/working-days?year=), 1 per change, +1 to name the
// groups of the lessons in the way (GET /groups, only then).
import * as api from '../api.js?v=8b41fb46a3bf';
import { h, clear, field, notice } from '../dom.js?v=f8d81987da69';
import { problemText } from '../errors.js?v=b0683b6435aa';
import { t, fmtDate, rigaToday } from '../i18n.js?v=8fe23017d40d';
import { inlineForm } from './office.js?v=19245c20a2ff';

export async function render(main, ctx, year = null, shown = null) {
  const y = year && year >= 1900 && year <= 2200 ? year : Number(rigaToday().slice(0, 4));
  const title = h('h1', {}, t('cal.title', { year: y }));
  clear(main, title, h('p', { class: 'muted' }, t('common.loading')));
  let holidays, working;
  try {
    [holidays, working] = await Promise.all([
      api.get(`/calendar/holidays?year=${y}`),
      api.get(`/calendar/working-days?year=${y}`),
    ]);
  } catch (e) {
    clear(main, title, notice('error', problemText(e)),
      h('button', { type: 'button', onclick: () => render(main, ctx, y) }, t('common.retry')));
    return;
  }
  const again = (box) => render(main, ctx, y, box);
  const years = h('nav', { class: 'actions', 'aria-label': t('cal.years') },
    h('a', { class: 'button', href: `#/calendar/${y - 1}` }, `← ${y - 1}`),
    h('a', { class: 'button', href: `#/calendar/${y + 1}` }, `${y + 1} →`));
  const deletable = (label, path, done) => {
    const slot = h('div', { class: 'actions' });
    const buttons = () => clear(slot, h('button', { type: 'button', class: 'small-btn', 'aria-label': label, onclick: () => {
      inlineForm(slot, { fields: [], submitText: t('cal.delete.confirm'), restore: buttons, onSubmit: async () => {
        await api.api('DELETE', path);
        await again(notice('ok', done));
      } });
      slot.querySelector('button.primary')?.focus();
    } }, t('cal.delete')));
    buttons();
    return slot;
  };
  const holidayRow = (d) => h('li', { class: 'row' },
    h('div', { class: 'item-main' },
      h('strong', {}, d.name),
      h('span', { class: 'muted small' }, fmtDate(d.date), ' · ', t(`cal.kind.${d.kind}`), ' · ', t(`cal.source.${d.source}`))),
    d.source === 'custom' ? deletable(t('cal.delete.label', { name: d.name, date: fmtDate(d.date) }), `/calendar/holidays/${d.date}`,
      t('cal.deleted', { name: d.name })) : null);
  const workingRow = (d) => h('li', { class: 'row' },
    h('div', { class: 'item-main' },
      h('strong', {}, fmtDate(d.date)),
      d.note ? h('span', { class: 'muted small' }, d.note) : null),
    deletable(t('cal.delete.label', { name: t('cal.workingday'), date: fmtDate(d.date) }), `/calendar/working-days/${d.date}`,
      t('cal.deleted', { name: `${t('cal.workingday')} ${fmtDate(d.date)}` })));
  clear(main, title, shown, h('p', { class: 'muted' }, t('cal.intro')), years,
    h('div', { class: 'split' },
      h('div', {},
        h('section', { class: 'card', 'aria-labelledby': 'hol-h' },
          h('h2', { id: 'hol-h' }, t('cal.holidays'), h('span', { class: 'count' }, ` (${holidays.items.length})`)),
          h('ul', { class: 'plain' }, holidays.items.length ? holidays.items.map(holidayRow) : h('li', { class: 'empty' }, t('common.none')))),
        h('section', { class: 'card', 'aria-labelledby': 'wd-h' },
          h('h2', { id: 'wd-h' }, t('cal.working'), h('span', { class: 'count' }, ` (${working.items.length})`)),
          h('ul', { class: 'plain' }, working.items.length ? working.items.map(workingRow) : h('li', { class: 'empty' }, t('cal.working.none'))))),
      h('div', {}, holidayForm(y, again), workingForm(y, again))));
  shown?.setAttribute('tabindex', '-1');
  shown?.focus();
}

function holidayForm(y, again) {
  const date = h('input', { type: 'date', required: true, min: `${y}-01-01`, max: `${y}-12-31` });
  const name = h('input', { required: true, maxlength: 200 });
  const kind = h('select', {}, h('option', { value: 'holiday' }, t('cal.kind.holiday')), h('option', { value: 'day_off' }, t('cal.kind.day_off')));
  const rule = h('input', { type: 'checkbox', id: 'hol-rule' });
  const msg = h('div', { class: 'form-msg' });
  const submit = h('button', { type: 'submit', class: 'primary' }, t('cal.add'));
  const form = h('form', { class: 'card', novalidate: true, 'aria-labelledby': 'new-hol-h' },
    h('h2', { id: 'new-hol-h' }, t('cal.holiday.new')),
    field(t('cal.date'), date), field(t('cal.name'), name, t('cal.name.hint')), field(t('cal.kind'), kind, t('cal.kind.hint')),
    h('div', { class: 'check' }, rule, h('label', { for: rule.id }, t('cal.rule'))),
    msg, h('div', { class: 'actions' }, submit));
  const send = async (cancel) => {
    const body = { date: date.value, name: name.value.trim(), kind: kind.value };
    if (kind.value === 'holiday') body.weekend_rule = rule.checked;
    const r = await api.post(`/calendar/holidays${cancel ? '?cancel_lessons=true' : ''}`, body);
    await again(notice('ok', t('cal.added', { name: r.name, days: r.new_public_holidays.map(fmtDate).join(', ') || '—',
      n: r.cancelled_lessons.length, moved: r.deadlines_changed })));
  };
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    clear(msg);
    if (!date.value || !name.value.trim()) {
      clear(msg, notice('error', t('accounts.missing')));
      return;
    }
    submit.disabled = true;
    try {
      await send(false);
    } catch (e) {
      submit.disabled = false;
      if (e.code !== 'lessons_on_date') {
        clear(msg, notice('error', problemText(e)));
        return;
      }
      // The lessons in the way, named by their groups (one call, only now).
      const lessons = e.problem.lessons || [];
      const groups = await api.get('/groups?limit=500').then((g) => new Map(g.items.map((x) => [x.id, x.name]))).catch(() => new Map());
      const confirm = h('button', { type: 'button', class: 'primary', onclick: async () => {
        confirm.disabled = true;
        try {
          await send(true);
        } catch (e2) {
          confirm.disabled = false;
          clear(msg, notice('error', problemText(e2)));
        }
      } }, t('cal.cancel.confirm', { n: lessons.length }));
      clear(msg, h('div', { class: 'notice notice-warn', role: 'alert' },
        h('p', { class: 'tight' }, t('cal.lessons.on', { n: lessons.length })),
        h('ul', {}, lessons.map((l) => h('li', {}, `${fmtDate(l.date)} ${l.starts_at} · ${groups.get(l.group_id) || t('lessons.group', { id: l.group_id })}`)))),
      h('div', { class: 'actions' }, confirm));
      confirm.focus();
    }
  });
  kind.addEventListener('change', () => {
    rule.disabled = kind.value !== 'holiday';
  });
  return form;
}

function workingForm(y, again) {
  const date = h('input', { type: 'date', required: true, min: `${y}-01-01`, max: `${y}-12-31` });
  const note = h('input', { maxlength: 500 });
  const msg = h('div', { class: 'form-msg' });
  const submit = h('button', { type: 'submit', class: 'primary' }, t('cal.add'));
  const form = h('form', { class: 'card', novalidate: true, 'aria-labelledby': 'new-wd-h' },
    h('h2', { id: 'new-wd-h' }, t('cal.working.new')),
    field(t('cal.date'), date, t('cal.working.hint')), field(t('cal.note'), note),
    msg, h('div', { class: 'actions' }, submit));
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    clear(msg);
    if (!date.value) {
      clear(msg, notice('error', t('office.nodate')));
      date.focus();
      return;
    }
    submit.disabled = true;
    try {
      const r = await api.post('/calendar/working-days', { date: date.value, note: note.value.trim() || null });
      await again(notice('ok', t('cal.working.added', { date: fmtDate(r.date), moved: r.deadlines_changed })));
    } catch (e) {
      clear(msg, notice('error', problemText(e)));
      submit.disabled = false;
    }
  });
  return form;
}
