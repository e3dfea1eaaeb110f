// The director's settings (§22): the institution's name and address, the working days for a
// lesson's entry (§13) and the quality reviews per school year (§16). GET /settings with its ETag,
// PATCH only what changed with If-Match; the answer says how many lessons' deadlines moved. A 412
// (someone saved meanwhile) says so and offers the current values.
import * as api from '../api.js?v=8b41fb46a3bf';
import { h, clear, field, notice } from '../dom.js?v=f8d81987da69';
import { problemText } from '../errors.js?v=b0683b6435aa';
import { t, fmtDateTime } from '../i18n.js?v=8fe23017d40d';

export async function render(main, ctx, done = null) {
  const again = (msg) => render(main, ctx, msg);
  clear(main, h('h1', {}, t('settings.title')), h('p', { class: 'muted' }, t('common.loading')));
  let r;
  try {
    r = await api.api('GET', '/settings');
  } catch (e) {
    clear(main, h('h1', {}, t('settings.title')), notice('error', problemText(e)),
      h('button', { type: 'button', onclick: () => again() }, t('common.retry')));
    return;
  }
  const s = r.data;
  const etag = r.etag;
  const name = h('input', { type: 'text', maxlength: 200, value: s.institution_name || '', autocomplete: 'organization' });
  const address = h('textarea', { rows: 2, maxlength: 500, value: s.institution_address || '' });
  const days = h('input', { type: 'number', min: 1, max: 10, step: 1, required: true, inputmode: 'numeric', value: String(s.entry_deadline_working_days) });
  const reviews = h('input', { type: 'number', min: 0, max: 12, step: 1, required: true, inputmode: 'numeric', value: String(s.required_quality_reviews) });
  const msg = h('div', { class: 'form-msg' }, done);
  const save = h('button', { type: 'submit', class: 'primary' }, t('common.save'));
  const form = h('form', { class: 'card', novalidate: true, 'aria-labelledby': 'settings-h' },
    h('h2', { id: 'settings-h' }, t('settings.form')),
    field(t('settings.name'), name),
    field(t('settings.address'), address),
    field(t('settings.days'), days, t('settings.days.hint')),
    field(t('settings.reviews'), reviews, t('settings.reviews.hint')),
    msg, h('div', { class: 'actions' }, save));
  const whole = (input, lo, hi) => {
    const v = input.value.trim();
    return /^\d+$/.test(v) && Number(v) >= lo && Number(v) <= hi ? Number(v) : null;
  };
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    clear(msg);
    const d = whole(days, 1, 10);
    const q = whole(reviews, 0, 12);
    if (d === null) {
      clear(msg, notice('error', t('settings.days.bad')));
      days.focus();
      return;
    }
    if (q === null) {
      clear(msg, notice('error', t('settings.reviews.bad')));
      reviews.focus();
      return;
    }
    const body = {};
    const n = name.value.trim() || null;
    const a = address.value.trim() || null;
    if (n !== s.institution_name) body.institution_name = n;
    if (a !== s.institution_address) body.institution_address = a;
    if (d !== s.entry_deadline_working_days) body.entry_deadline_working_days = d;
    if (q !== s.required_quality_reviews) body.required_quality_reviews = q;
    if (!Object.keys(body).length) {
      clear(msg, notice('ok', t('settings.unchanged')));
      return;
    }
    save.disabled = true;
    try {
      const res = await api.api('PATCH', '/settings', { body, headers: { 'If-Match': etag } });
      const moved = res.data.deadlines_changed;
      await again(notice('ok', 'entry_deadline_working_days' in body ? t('settings.saved.moved', { n: moved }) : t('settings.saved')));
    } catch (e) {
      save.disabled = false;
      if (e.status === 412) {
        clear(msg, notice('error', t('settings.stale')),
          h('button', { type: 'button', onclick: () => again() }, t('settings.reload')));
      } else {
        clear(msg, notice('error', problemText(e)));
      }
    }
  });
  clear(main, h('h1', {}, t('settings.title')),
    h('p', { class: 'muted' }, t('settings.intro')),
    form,
    s.updated_at ? h('p', { class: 'small muted' }, t('settings.updated', { date: fmtDateTime(s.updated_at) })) : null);
  if (done) msg.querySelector('.notice')?.setAttribute('tabindex', '-1');
}
