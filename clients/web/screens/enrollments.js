// Groups and enrollments (§11, §12): the groups (with their programme and school year) and a new
// group (screens/groupsetup.js); a group's roster, enrolling a student, withdrawing one, and the
// group's setup: its name, programme and teachers (PATCH with If-Match) and its weekly schedule
// (the slots, and a new one that creates its lessons). Before a withdrawal the screen names whose
// access it will end (GET /enrollments/{id}/withdrawal-preview, added to the API for this form: the
// client alone could not tell whether a guardian has another child enrolled without reading every
// child's enrollments); afterwards the API's `revoked_user_ids` say whose access did end, and the
// screen names them. API calls: the list 4 in parallel (groups, programmes, school years, active
// teachers: the last three for the new-group form); a group 6 in parallel (groups, programmes,
// school years, its enrollments, its schedule, the students for the enroll form; its ETag is
// `"v<version>"`, as openapi.yaml documents, so no GET /groups/{id}); changing the group 1 more
// (the active teachers); one to preview, one per change. The group's lessons and a single lesson
// are a screen of their own (screens/grouplessons.js, a link here: no call).
import * as api from '../api.js?v=8b41fb46a3bf';
import { h, clear, field, notice } from '../dom.js?v=f8d81987da69';
import { problemText } from '../errors.js?v=b0683b6435aa';
import { t, fmtDate, rigaToday } from '../i18n.js?v=8fe23017d40d';
import { inlineForm } from './office.js?v=19245c20a2ff';
import { groupCard, newGroupForm, scheduleCard } from './groupsetup.js?v=26c423ea773e';

export async function render(main, ctx, groupId, shown = null) {
  clear(main, h('h1', {}, t('groups.title')), h('p', { class: 'muted' }, t('common.loading')));
  let groups, programs, years, teachers;
  try {
    [groups, programs, years, teachers] = await Promise.all([api.get('/groups?limit=500'), api.get('/programs?limit=500'),
      api.get('/school-years?limit=500'), groupId ? null : api.get('/users?role=teacher&access=active&limit=500')]);
  } catch (e) {
    clear(main, h('h1', {}, t('groups.title')), notice('error', problemText(e)));
    return;
  }
  const choose = h('select', { required: true }, h('option', { value: '' }, t('groups.choose')),
    groups.items.map((g) => h('option', { value: g.id, selected: g.id === groupId }, g.name)));
  const pick = h('form', { class: 'toolbar', novalidate: true }, field(t('groups.group'), choose), h('button', { type: 'submit' }, t('groups.open')));
  pick.addEventListener('submit', (ev) => {
    ev.preventDefault();
    if (choose.value) ctx.go(`#/groups/${choose.value}`);
  });
  const group = groups.items.find((g) => g.id === groupId);
  const programName = new Map(programs.items.map((p) => [p.id, p.name]));
  const yearOf = new Map(years.items.map((y) => [y.id, y]));
  if (!group) {
    if (!teachers) {
      try {
        teachers = await api.get('/users?role=teacher&access=active&limit=500');
      } catch (e) {
        clear(main, h('h1', {}, t('groups.title')), pick, notice('error', problemText(e)));
        return;
      }
    }
    clear(main, h('h1', {}, t('groups.title')), shown, pick,
      h('div', { class: 'split' },
        h('ul', { class: 'plain stack', 'aria-label': t('groups.list') }, groups.items.length ? groups.items.map((g) => h('li', { class: 'row' },
          h('div', { class: 'item-main' }, h('a', { href: `#/groups/${g.id}` }, g.name),
            h('span', { class: 'muted small' }, [programName.get(g.program_id), yearOf.get(g.school_year_id)?.name].filter(Boolean).join(' · '))),
          h('span', { class: 'muted small' }, g.teachers.map((x) => x.full_name).join(', ')))) : h('li', { class: 'empty' }, t('groups.none'))),
        newGroupForm(programs.items, years.items, teachers.items, (made) => {
          ctx.say(t('setup.group.created', { name: made.name }));
          ctx.go(`#/groups/${made.id}`);
        })));
    shown?.setAttribute('tabindex', '-1');
    shown?.focus();
    return;
  }
  let enrollments, students, schedule;
  try {
    [enrollments, students, schedule] = await Promise.all([
      api.get(`/groups/${group.id}/enrollments?limit=500`),
      api.get('/students?limit=500'),
      api.get(`/groups/${group.id}/schedule?limit=500`),
    ]);
  } catch (e) {
    clear(main, h('h1', {}, t('groups.title')), pick, notice('error', problemText(e)));
    return;
  }
  const again = (box) => render(main, ctx, group.id, box);
  const active = enrollments.items.filter((e) => e.status === 'active');
  const row = (en) => {
    const slot = h('div', { class: 'actions' });
    const buttons = () => clear(slot, en.status === 'active'
      ? h('button', { type: 'button', 'aria-label': t('groups.withdraw.label', { name: en.student_name }), onclick: (ev) => withdraw(ev.currentTarget) }, t('groups.withdraw'))
      : null);
    const withdraw = async (button) => {
      button.disabled = true;
      let preview;
      try {
        preview = await api.get(`/enrollments/${en.id}/withdrawal-preview`);
      } catch (e) {
        button.disabled = false;
        ctx.say(problemText(e), 'error');
        return;
      }
      const people = new Map(preview.access_ends.map((p) => [p.user_id, t(`groups.${p.as}`, { name: p.full_name })]));
      const applied = h('input', { type: 'date', required: true, value: rigaToday() });
      const effective = h('input', { type: 'date', required: true, value: rigaToday(), min: en.starts_on });
      const note = h('textarea', { rows: 2, maxlength: 2000 });
      inlineForm(slot, {
        fields: [[t('groups.withdraw.applied'), applied], [t('groups.withdraw.effective'), effective], [t('groups.withdraw.note'), note]],
        submitText: t('groups.withdraw.confirm'), restore: buttons,
        onSubmit: async (msg) => {
          if (!applied.value || !effective.value) {
            clear(msg, notice('error', t('office.nodate')));
            return;
          }
          const r = await api.post(`/enrollments/${en.id}/withdraw`,
            { application_date: applied.value, effective_on: effective.value, note: note.value.trim() || null });
          const ended = r.revoked_user_ids.map((id) => people.get(id) || t('groups.account', { id }));
          await again(notice('ok', ended.length ? t('groups.withdrawn.ended', { name: en.student_name, who: ended.join(', ') })
            : t('groups.withdrawn.kept', { name: en.student_name })));
        },
      });
      slot.prepend(h('div', { class: 'notice notice-warn' }, people.size
        ? [h('p', { class: 'tight' }, t('groups.withdraw.whose')), h('ul', {}, [...people.values()].map((p) => h('li', {}, p)))]
        : h('p', { class: 'tight' }, t('groups.withdraw.nobody'))));
    };
    buttons();
    return h('li', { class: 'card item' },
      h('div', { class: 'item-main' },
        h('strong', {}, en.student_name),
        h('span', { class: 'muted' }, t('groups.since', { date: fmtDate(en.starts_on) }), en.admission_order ? ` · ${en.admission_order}` : ''),
        en.withdrawal ? h('span', {}, h('span', { class: 'badge bad' }, t('groups.withdrawn')), ' ',
          t('groups.withdrawn.on', { date: fmtDate(en.withdrawal.effective_on) })) : h('span', {}, h('span', { class: 'badge ok' }, t('groups.active')))),
      slot);
  };
  const fresh = group;
  const year = yearOf.get(fresh.school_year_id);
  clear(main, h('h1', {}, t('groups.title')), pick, shown,
    h('h2', {}, fresh.name, h('span', { class: 'count' }, ` (${active.length})`)),
    h('p', { class: 'muted' }, [programName.get(fresh.program_id), year?.name].filter(Boolean).join(' · '), ' · ',
      t('subs.teacher', { who: fresh.teachers.map((x) => x.full_name).join(', ') || '—' })),
    h('p', {}, h('a', { href: `#/grouplessons/${fresh.id}` }, t('glessons.open'))),
    h('div', { class: 'split' },
      h('ul', { class: 'plain stack', 'aria-label': t('groups.roster') }, enrollments.items.length ? enrollments.items.map(row) : h('li', { class: 'empty' }, t('groups.empty'))),
      enrollForm(fresh, students, active, again)),
    h('div', { class: 'split' },
      scheduleCard(fresh, year, schedule.items, again),
      groupCard(fresh, `"v${fresh.version}"`, programs.items, Boolean(year?.closed), again)));
  shown?.setAttribute('tabindex', '-1');
  shown?.focus();
}

function enrollForm(group, students, active, again) {
  const enrolled = new Set(active.map((e) => e.student_id));
  const student = h('select', { required: true }, h('option', { value: '' }, t('groups.choose.student')),
    students.items.filter((s) => !enrolled.has(s.id)).map((s) => h('option', { value: s.id }, s.full_name)));
  const starts = h('input', { type: 'date', required: true, value: rigaToday() });
  const informed = h('input', { type: 'date' });
  const order = h('input', { maxlength: 100 });
  const msg = h('div', { class: 'form-msg' });
  const submit = h('button', { type: 'submit', class: 'primary' }, t('groups.enroll'));
  const form = h('form', { class: 'card', novalidate: true, 'aria-labelledby': 'enroll-h' },
    h('h2', { id: 'enroll-h' }, t('groups.enroll.title')),
    field(t('groups.enroll.student'), student), field(t('groups.enroll.starts'), starts),
    field(t('groups.enroll.informed'), informed, t('groups.enroll.informed.hint')), field(t('groups.enroll.order'), order),
    msg, h('div', { class: 'actions' }, submit));
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    clear(msg);
    if (!student.value || !starts.value) {
      clear(msg, notice('error', t('accounts.missing')));
      return;
    }
    submit.disabled = true;
    try {
      const name = student.selectedOptions[0].textContent;
      await api.post(`/groups/${group.id}/enrollments`, { student_id: Number(student.value), starts_on: starts.value,
        guardians_informed_on: informed.value || null, admission_order: order.value.trim() || null });
      await again(notice('ok', t('groups.enrolled', { name })));
    } catch (e) {
      clear(msg, notice('error', problemText(e)));
      submit.disabled = false;
    }
  });
  return form;
}
