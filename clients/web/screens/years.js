// School years (§12, §18): the list (open or closed, when), registering the next one, and closing
// one: its journal becomes read-only for good, so the close asks once more and says what it means.
// One API call to list (GET /school-years), one per action.
import * as api from '../api.js?v=8b41fb46a3bf';
import { h, clear, field, notice } from '../dom.js?v=f8d81987da69';
import { problemText } from '../errors.js?v=b0683b6435aa';
import { t, fmtDate, fmtDateTime } from '../i18n.js?v=8fe23017d40d';
import { inlineForm } from './office.js?v=19245c20a2ff';

export async function render(main, ctx, shown = null) {
  clear(main, h('h1', {}, t('years.title')), h('p', { class: 'muted' }, t('common.loading')));
  let years;
  try {
    years = await api.get('/school-years?limit=500');
  } catch (e) {
    clear(main, h('h1', {}, t('years.title')), notice('error', problemText(e)),
      h('button', { type: 'button', onclick: () => render(main, ctx) }, t('common.retry')));
    return;
  }
  const again = (box) => render(main, ctx, box);
  const row = (y) => {
    const slot = h('div', { class: 'actions' });
    const buttons = () => clear(slot,
      h('a', { class: 'button', href: `#/quality/${y.id}` }, t('years.quality')),
      y.closed ? null : h('button', { type: 'button', 'aria-label': t('years.close.label', { name: y.name }), onclick: () => {
        inlineForm(slot, { fields: [], submitText: t('years.close.confirm', { name: y.name }), restore: buttons, onSubmit: async () => {
          await api.post(`/school-years/${y.id}/close`, {});
          await again(notice('ok', t('years.closed.done', { name: y.name })));
        } });
        slot.prepend(notice('warn', t('years.close.warn', { name: y.name })));
        slot.querySelector('button.primary')?.focus();
      } }, t('years.close')));
    buttons();
    return h('li', { class: 'card item' },
      h('div', { class: 'item-main' },
        h('strong', {}, y.name),
        h('span', { class: 'muted' }, t('years.span', { from: fmtDate(y.starts_on), to: fmtDate(y.ends_on) })),
        y.closed
          ? h('span', {}, h('span', { class: 'badge bad' }, t('years.closed')), ' ', t('years.closed.at', { date: fmtDateTime(y.closed_at) }))
          : h('span', {}, h('span', { class: 'badge ok' }, t('years.open')))),
      slot);
  };
  const items = [...years.items].sort((a, b) => b.starts_on.localeCompare(a.starts_on));
  clear(main, h('h1', {}, t('years.title')), shown,
    h('p', { class: 'muted' }, t('years.intro')),
    h('div', { class: 'split' },
      h('ul', { class: 'plain stack', 'aria-label': t('years.list') }, items.length ? items.map(row) : h('li', { class: 'empty' }, t('years.none'))),
      createForm(items, again)));
  shown?.setAttribute('tabindex', '-1');
  shown?.focus();
}

function createForm(items, again) {
  // The next year's likely dates: 1 September to 31 August after the latest year.
  const last = items[0];
  const y0 = last ? Number(last.ends_on.slice(0, 4)) : Number(new Date().toISOString().slice(0, 4));
  const name = h('input', { required: true, maxlength: 40, value: last ? `${y0}/${y0 + 1}` : '' });
  const starts = h('input', { type: 'date', required: true, value: last ? `${y0}-09-01` : '' });
  const ends = h('input', { type: 'date', required: true, value: last ? `${y0 + 1}-08-31` : '' });
  const msg = h('div', { class: 'form-msg' });
  const submit = h('button', { type: 'submit', class: 'primary' }, t('years.create'));
  let idem = api.newKey();
  const form = h('form', { class: 'card', novalidate: true, 'aria-labelledby': 'new-year-h' },
    h('h2', { id: 'new-year-h' }, t('years.new')),
    field(t('years.name'), name, t('years.name.hint')),
    h('div', { class: 'two' }, field(t('years.starts'), starts), field(t('years.ends'), ends)),
    msg, h('div', { class: 'actions' }, submit));
  form.addEventListener('input', () => {
    idem = api.newKey();
  });
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    clear(msg);
    if (!name.value.trim() || !starts.value || !ends.value) {
      clear(msg, notice('error', t('accounts.missing')));
      return;
    }
    if (ends.value <= starts.value) {
      clear(msg, notice('error', t('years.order')));
      ends.focus();
      return;
    }
    submit.disabled = true;
    try {
      const r = await api.api('POST', '/school-years', { body: { name: name.value.trim(), starts_on: starts.value, ends_on: ends.value },
        headers: { 'Idempotency-Key': idem } });
      await again(notice('ok', t('years.created', { name: r.data.name })));
    } catch (e) {
      clear(msg, notice('error', problemText(e)));
      submit.disabled = false;
    }
  });
  return form;
}
