// The teacher's lessons: what to record now (with the time left to the deadline, §13), today's,
// overdue (however old), and recently recorded. Three API calls: the lessons of the last two weeks
// (GET /lessons?teacher_id=&from=&to=), the overdue ones (&state=overdue), and the teacher's groups
// for their names (a lesson carries only group_id).
import * as api from '../api.js?v=4ef06da3193b';
import { h, clear, notice } from '../dom.js?v=f044561b1529';
import { problemText } from '../errors.js?v=8c821da2468b';
import { t, fmtDate, fmtDateTime, fmtLeft, rigaToday, addDays } from '../i18n.js?v=5d005bc90fbf';
import * as outbox from '../outbox.js?v=70a7686b3b43';

const WINDOW_DAYS = 14;

export function rigaNowHHMM() {
  return new Date().toLocaleTimeString('sv-SE', { timeZone: 'Europe/Riga', hour: '2-digit', minute: '2-digit' });
}

export function started(lesson, today = rigaToday(), now = rigaNowHHMM()) {
  return lesson.date < today || (lesson.date === today && lesson.starts_at.slice(0, 5) <= now);
}

export async function render(main, ctx) {
  clear(main, h('h1', {}, t('lessons.title')), h('p', { class: 'muted' }, t('common.loading')));
  const me = api.me;
  const today = rigaToday();
  let lessons, overdue, groups;
  try {
    [lessons, overdue, groups] = await Promise.all([
      api.get(`/lessons?teacher_id=${me.id}&from=${addDays(today, -WINDOW_DAYS)}&to=${today}&limit=500`),
      api.get(`/lessons?teacher_id=${me.id}&state=overdue&limit=500`),
      api.get(`/groups?teacher_id=${me.id}&limit=500`),
    ]);
  } catch (e) {
    clear(main, h('h1', {}, t('lessons.title')), notice('error', problemText(e)),
      h('button', { type: 'button', onclick: () => render(main, ctx) }, t('common.retry')));
    return;
  }
  const names = new Map(groups.items.map((g) => [g.id, g.name]));
  const queued = new Set(outbox.mine().map((i) => i.lesson));
  const now = Date.now();
  const buckets = { torecord: [], upcoming: [], overdue: [], recorded: [] };
  buckets.overdue = [...overdue.items].reverse(); // the most recent first: the likeliest to be fixed
  for (const l of lessons.items) {
    if (l.state === 'cancelled' || l.state === 'overdue') continue;
    if (l.state === 'recorded') buckets.recorded.push(l);
    else if (started(l, today)) buckets.torecord.push(l);
    else buckets.upcoming.push(l);
  }
  buckets.torecord.sort((a, b) => a.deadline.localeCompare(b.deadline));
  buckets.recorded.reverse();

  const card = (l) => {
    const name = names.get(l.group_id) || t('lessons.group', { id: l.group_id });
    const sub = l.substitute_teacher_id === me.id;
    let when = null;
    if (l.state === 'due' || l.state === 'planned' || (l.extension && l.state !== 'recorded')) {
      const left = Date.parse(l.extension?.until || l.deadline) - now;
      when = left > 0 ? h('span', { class: left < 86400000 ? 'due soon' : 'due' }, t('lessons.left', { time: fmtLeft(left) })) : null;
    } else if (l.state === 'overdue') {
      when = h('span', { class: 'due late' }, t('lessons.passed', { date: fmtDateTime(l.deadline) }));
    }
    return h('li', {},
      h('a', { class: `lesson state-${l.state}`, href: `#/lesson/${l.id}` },
        h('span', { class: 'lesson-main' },
          h('strong', {}, name),
          h('span', { class: 'muted' }, `${fmtDate(l.date)} · ${l.starts_at.slice(0, 5)}–${l.ends_at.slice(0, 5)}${l.room ? ` · ${t('lessons.room', { room: l.room })}` : ''}`),
          l.topic ? h('span', { class: 'topic' }, l.topic) : null,
          when),
        h('span', { class: 'lesson-side' },
          h('span', { class: `badge ${l.state}` }, t(`state.${l.state}`)),
          sub ? h('span', { class: 'badge sub' }, t('lessons.substitute')) : null,
          queued.has(l.id) ? h('span', { class: 'badge queued' }, t('lessons.pending')) : null)));
  };
  const section = (key, items) => items.length === 0 ? null : h('section', { 'aria-labelledby': `h-${key}` },
    h('h2', { id: `h-${key}` }, t(`lessons.${key}`), h('span', { class: 'count' }, ` (${items.length})`)),
    h('ul', { class: 'lessons' }, items.map(card)));
  const all = Object.values(buckets).reduce((n, b) => n + b.length, 0);
  clear(main,
    h('h1', {}, t('lessons.title')),
    all === 0 ? h('p', { class: 'empty' }, t('lessons.empty')) : null,
    section('torecord', buckets.torecord),
    section('overdue', buckets.overdue),
    section('upcoming', buckets.upcoming),
    section('recorded', buckets.recorded.slice(0, 10)));
}
