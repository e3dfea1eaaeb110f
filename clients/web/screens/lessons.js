// The teacher's lessons: what to record now (`due`, with the time left to the deadline, §13),
// overdue (however old, with the extension request if one is pending), today's not started yet,
// and recently recorded. Four API calls, in parallel: `?teacher_id=me&state=due`,
// `?teacher_id=me&state=overdue`, `?teacher_id=me&from=&to=` (two weeks back, one ahead: the recorded ones
// and those not started yet) and the teacher's pending extension requests. `teacher_id=me` is the lessons the
// teacher conducts (substitutions included, §15); lessons carry their group's name.
import * as api from '../api.js?v=8b41fb46a3bf';
import { h, clear, notice } from '../dom.js?v=f8d81987da69';
import { problemText } from '../errors.js?v=b0683b6435aa';
import { t, fmtDate, fmtDateTime, fmtLeft, rigaToday, addDays } from '../i18n.js?v=8fe23017d40d';
import * as outbox from '../outbox.js?v=04bd73ac666e';

const WINDOW_DAYS = 14;
const AHEAD_DAYS = 7;

export async function render(main, ctx) {
  clear(main, h('h1', {}, t('lessons.title')), h('p', { class: 'muted' }, t('common.loading')));
  const me = api.me;
  const today = rigaToday();
  let due, overdue, recent, requests;
  try {
    [due, overdue, recent, requests] = await Promise.all([
      api.get('/lessons?teacher_id=me&state=due&limit=500'),
      api.get('/lessons?teacher_id=me&state=overdue&limit=500'),
      api.get(`/lessons?teacher_id=me&from=${addDays(today, -WINDOW_DAYS)}&to=${addDays(today, AHEAD_DAYS)}&limit=500`),
      api.get('/extension-requests?status=pending&limit=500'),
    ]);
  } catch (e) {
    clear(main, h('h1', {}, t('lessons.title')), notice('error', problemText(e)),
      h('button', { type: 'button', onclick: () => render(main, ctx) }, t('common.retry')));
    return;
  }
  const asked = new Set(requests.items.map((r) => r.lesson_id));
  const queued = new Set(outbox.mine().map((i) => i.lesson));
  const now = Date.now();
  const buckets = {
    torecord: [...due.items].sort((a, b) => (a.extension?.until || a.deadline).localeCompare(b.extension?.until || b.deadline)),
    overdue: [...overdue.items].reverse(), // the most recent first: the likeliest to be fixed
    upcoming: recent.items.filter((l) => l.state === 'planned'),
    recorded: recent.items.filter((l) => l.state === 'recorded').reverse(),
  };

  const card = (l) => {
    const name = l.group_name;
    const sub = l.substitute_teacher_id === me.id;
    let when = null;
    if (l.state === 'due') {
      const left = Date.parse(l.extension?.until || l.deadline) - now;
      when = left > 0 ? h('span', { class: left < 86400000 ? 'due soon' : 'due' }, t('lessons.left', { time: fmtLeft(left) })) : null;
    } else if (l.state === 'overdue') {
      when = h('span', { class: 'due late' }, t('lessons.passed', { date: fmtDateTime(l.deadline) }));
    }
    return h('li', {},
      h('a', { class: `lesson state-${l.state}`, href: `#/lesson/${l.id}` },
        h('span', { class: 'lesson-main' },
          h('strong', {}, name),
          h('span', { class: 'small muted' }, l.program_name),
          h('span', { class: 'muted' }, `${fmtDate(l.date)} · ${l.starts_at.slice(0, 5)}–${l.ends_at.slice(0, 5)}${l.room ? ` · ${t('lessons.room', { room: l.room })}` : ''}`),
          l.topic ? h('span', { class: 'topic' }, l.topic) : null,
          when),
        h('span', { class: 'lesson-side' },
          h('span', { class: `badge ${l.state}` }, t(`state.${l.state}`)),
          sub ? h('span', { class: 'badge sub' }, t('lessons.substitute')) : null,
          asked.has(l.id) ? h('span', { class: 'badge queued' }, t('lessons.asked')) : null,
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
