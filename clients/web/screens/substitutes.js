// Substitutes (§15): the lessons of a day, who conducts each, and assigning or removing a
// substitute (PUT/DELETE /lessons/{id}/substitute with If-Match: "v<version>"). Two API calls per
// day shown: the day's lessons (`?date=`) and the active teachers (names and the choice).
import * as api from '../api.js?v=8b41fb46a3bf';
import { h, clear, field, notice } from '../dom.js?v=f8d81987da69';
import { problemText } from '../errors.js?v=b0683b6435aa';
import { t, fmtDate, rigaToday } from '../i18n.js?v=8fe23017d40d';

export async function render(main, ctx, date) {
  const day = /^\d{4}-\d{2}-\d{2}$/.test(date || '') ? date : rigaToday();
  const picker = h('input', { type: 'date', value: day, required: true });
  const pick = h('form', { class: 'toolbar', novalidate: true }, field(t('subs.date'), picker),
    h('button', { type: 'submit' }, t('subs.show')));
  pick.addEventListener('submit', (ev) => {
    ev.preventDefault();
    if (picker.value) ctx.go(`#/substitutes/${picker.value}`);
  });
  const head = [h('h1', {}, t('subs.title')), pick];
  clear(main, head, h('p', { class: 'muted' }, t('common.loading')));
  let lessons, teachers;
  try {
    [lessons, teachers] = await Promise.all([
      api.get(`/lessons?date=${day}&limit=500`),
      api.get('/users?role=teacher&access=active&limit=500'),
    ]);
  } catch (e) {
    clear(main, head, notice('error', problemText(e)));
    return;
  }
  const name = new Map(teachers.items.map((u) => [u.id, u.full_name]));
  const who = (id) => name.get(id) || t('office.teacher', { id });
  const row = (l) => {
    const open = l.state !== 'recorded' && l.state !== 'cancelled';
    const slot = h('div', { class: 'actions' });
    const label = `${l.group_name} ${l.starts_at.slice(0, 5)}`;
    const choose = h('select', { required: true },
      h('option', { value: '' }, t('subs.choose')),
      teachers.items.filter((u) => !l.teacher_ids.includes(u.id)).map((u) => h('option', { value: u.id, selected: u.id === l.substitute_teacher_id }, u.full_name)));
    const change = async (method, body) => {
      try {
        await api.api(method, `/lessons/${l.id}/substitute`, { body, headers: { 'If-Match': `"v${l.version}"` } });
        ctx.say(method === 'PUT' ? t('subs.assigned', { what: label, who: who(body.teacher_id) }) : t('subs.removed', { what: label }));
      } catch (e) {
        ctx.say(problemText(e), 'error');
      }
      await render(main, ctx, day);
    };
    if (open) {
      const form = h('form', { class: 'sub-form', novalidate: true },
        field(t('subs.substitute', { what: label }), choose),
        h('div', { class: 'actions' },
          h('button', { type: 'submit', class: 'primary' }, t('subs.assign')),
          l.substitute_teacher_id ? h('button', { type: 'button', onclick: () => change('DELETE') }, t('subs.remove')) : null));
      form.addEventListener('submit', (ev) => {
        ev.preventDefault();
        if (choose.value) change('PUT', { teacher_id: Number(choose.value) });
        else choose.focus();
      });
      slot.append(form);
    }
    return h('li', { class: 'card item' },
      h('div', { class: 'item-main' },
        h('strong', {}, l.group_name),
        h('span', { class: 'muted' }, `${l.starts_at.slice(0, 5)}–${l.ends_at.slice(0, 5)}${l.room ? ` · ${t('lessons.room', { room: l.room })}` : ''} · ${l.program_name}`),
        h('span', {}, t('subs.teacher', { who: l.teacher_ids.map(who).join(', ') || '—' })),
        l.substitute_teacher_id ? h('span', {}, h('span', { class: 'badge sub' }, t('lessons.substitute')), ' ', who(l.substitute_teacher_id)) : null,
        h('span', {}, h('span', { class: `badge ${l.state}` }, t(`state.${l.state}`)))),
      slot);
  };
  clear(main, head,
    h('h2', {}, fmtDate(day), h('span', { class: 'count' }, ` (${lessons.items.length})`)),
    lessons.items.length ? h('ul', { class: 'plain stack' }, lessons.items.map(row)) : h('p', { class: 'empty' }, t('subs.none')));
}
