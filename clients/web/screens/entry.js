// Recording a lesson: the topic and one tap per student (present / absent / late), sent with
// If-Match. What is typed is kept as a draft on the device at every change, so a lost connection or
// an ended session loses nothing; without a connection the entry goes to the outbox. A 412 shows
// both versions and lets the teacher choose. One API call to open (the lesson carries its group's
// name); an overdue lesson also reads its extension requests, and a refused late entry offers to
// ask the superuser for an extension (POST /lessons/{id}/extension-requests, §13).
import * as api from '../api.js?v=8b41fb46a3bf';
import { h, clear, field, notice, newId } from '../dom.js?v=f8d81987da69';
import { problemText } from '../errors.js?v=b0683b6435aa';
import { t, fmtDate, fmtDateTime } from '../i18n.js?v=8fe23017d40d';
import * as outbox from '../outbox.js?v=04bd73ac666e';

const STATUSES = ['present', 'absent', 'late'];
const draftKey = (id) => `ej.draft.${api.userId()}.${id}`;

function loadDraft(id) {
  try {
    return JSON.parse(localStorage.getItem(draftKey(id)) || 'null');
  } catch {
    return null;
  }
}
const saveDraft = (id, d) => localStorage.setItem(draftKey(id), JSON.stringify(d));
const dropDraft = (id) => localStorage.removeItem(draftKey(id));

export async function render(main, ctx, id) {
  clear(main, h('p', { class: 'muted' }, t('common.loading')));
  let lesson, etag, requests = null;
  try {
    const r = await api.api('GET', `/lessons/${id}/entry`);
    lesson = r.data;
    etag = r.etag;
    if (lesson.state === 'overdue' && lesson.enrolled) requests = await api.get(`/extension-requests?lesson_id=${id}`);
  } catch (e) {
    const queued = outbox.find(id);
    if (api.isNetworkError(e) && queued) {
      clear(main, back(), notice('warn', t('entry.queued')));
      return;
    }
    clear(main, back(), notice('error', problemText(e)));
    return;
  }
  const groupName = lesson.group_name;
  const roster = lesson.enrolled || null;
  const heading = h('header', { class: 'entry-head' },
    back(),
    h('h1', {}, groupName),
    h('p', { class: 'muted small' }, lesson.program_name),
    h('p', { class: 'muted' }, `${fmtDate(lesson.date)} · ${lesson.starts_at.slice(0, 5)}–${lesson.ends_at.slice(0, 5)}${lesson.room ? ` · ${t('lessons.room', { room: lesson.room })}` : ''}`),
    h('p', { class: 'muted' }, h('span', { class: `badge ${lesson.state}` }, t(`state.${lesson.state}`)), ' ',
      t('entry.deadline', { date: fmtDateTime(lesson.extension?.until || lesson.deadline) }),
      lesson.late ? h('span', { class: 'badge late' }, t('entry.late.flag')) : null));

  if (!roster) return readOnly(main, heading, lesson);

  // The state: the queued entry, else the draft, else what is recorded. `base` is the version the
  // teacher started from: a draft begun on an older version is sent with that version's ETag, so a
  // change made meanwhile comes back as 412 and both are shown, instead of being overwritten.
  const queued = outbox.find(id);
  const saved = queued ? null : loadDraft(id);
  let base = queued?.etag || saved?.etag || etag;
  const recorded = { topic: lesson.topic || '', marks: Object.fromEntries(lesson.attendance.map((a) => [a.student_id, a.status])) };
  const draft = queued ? { topic: queued.body.topic, marks: Object.fromEntries(queued.body.attendance.map((a) => [a.student_id, a.status])) }
    : saved || recorded;
  const state = { topic: draft.topic || '', marks: { ...draft.marks } };
  for (const k of Object.keys(state.marks)) if (!roster.some((s) => String(s.student_id) === k)) delete state.marks[k];

  const msg = h('div', { class: 'form-msg', 'aria-live': 'polite' });
  const counter = h('p', { class: 'counter', 'aria-live': 'polite' });
  const topic = h('textarea', { name: 'topic', rows: 2, maxlength: 500, required: true, value: state.topic });
  const reasons = new Map(lesson.attendance.map((a) => [a.student_id, a.reason]));
  const persist = (typed = true) => {
    if (typed) saveDraft(id, { ...state, etag: base });
    const n = (s) => Object.values(state.marks).filter((v) => v === s).length;
    counter.textContent = t('entry.count', { p: n('present'), a: n('absent'), l: n('late') });
  };
  topic.addEventListener('input', () => {
    state.topic = topic.value;
    persist();
  });

  const rows = roster.map((s) => {
    const name = newId('st');
    const legendId = `${name}-l`;
    return h('li', {},
      h('fieldset', { class: 'student', 'aria-labelledby': legendId },
        h('legend', { id: legendId }, s.full_name,
          reasons.get(s.student_id) ? h('span', { class: 'muted small' }, ` · ${t('entry.reason', { r: reasons.get(s.student_id) })}`) : null),
        h('div', { class: 'seg' }, STATUSES.map((st) => {
          const input = h('input', { type: 'radio', name, value: st, id: `${name}-${st}`, checked: state.marks[s.student_id] === st,
            onchange: () => {
              state.marks[s.student_id] = st;
              persist();
            } });
          return h('span', { class: `opt opt-${st}` }, input, h('label', { for: input.id }, t(`entry.${st}`)));
        }))));
  });
  const list = h('ul', { class: 'roster' }, rows);
  const allPresent = h('button', { type: 'button', onclick: () => {
    for (const s of roster) if (!state.marks[s.student_id]) state.marks[s.student_id] = 'present';
    for (const input of list.querySelectorAll('input[value="present"]')) {
      const group = list.querySelectorAll(`input[name="${input.name}"]:checked`);
      if (group.length === 0) input.checked = true;
    }
    persist();
  } }, t('entry.allpresent'));
  const save = h('button', { type: 'submit', class: 'primary' }, t('entry.save'));
  const form = h('form', { class: 'entry', novalidate: true },
    field(t('entry.topic'), topic, t('entry.topic.hint')),
    h('div', { class: 'att-head' }, h('h2', {}, t('entry.attendance')), allPresent),
    list, counter,
    h('div', { class: 'actions sticky' }, msg, save));
  if (queued) msg.append(queued.error ? notice('error', problemText({ status: 409, code: queued.error, problem: queued.problem || {} })) : notice('warn', t('entry.queued')));

  const body = () => ({ topic: state.topic.trim(), attendance: roster.map((s) => ({ student_id: s.student_id, status: state.marks[s.student_id] })) });
  const label = `${groupName}, ${fmtDate(lesson.date)}`;

  async function submit(withEtag) {
    clear(msg);
    if (!state.topic.trim()) {
      clear(msg, notice('error', t('entry.notopic')));
      topic.focus();
      return;
    }
    const missing = roster.filter((s) => !state.marks[s.student_id]).length;
    if (missing) {
      clear(msg, notice('error', t('entry.notall', { n: missing })));
      return;
    }
    save.disabled = true;
    try {
      const r = await outbox.sendEntry(id, body(), withEtag);
      etag = r.etag;
      base = r.etag;
      lesson = r.lesson;
      dropDraft(id);
      outbox.drop(id);
      ctx.refreshChrome();
      clear(msg, notice('ok', t('entry.saved')));
    } catch (e) {
      if (api.isNetworkError(e)) {
        outbox.put({ lesson: id, etag: withEtag, body: body(), label });
        clear(msg, notice('warn', t('entry.queued')));
      } else if (e.code === 'precondition_failed') {
        await conflict(main, ctx, id, body(), label, heading);
      } else if (e.code === 'entry_deadline_passed') {
        clear(msg, notice('error', problemText(e)));
        if (!extBox.isConnected) form.after(extBox);
        extBox.querySelector('textarea')?.focus();
      } else {
        clear(msg, notice('error', problemText(e)));
      }
    } finally {
      save.disabled = false;
    }
  }
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    submit(base);
  });
  const late = lesson.state === 'overdue'
    ? notice('warn', t('entry.overdue', { date: fmtDateTime(lesson.deadline) })) : null;
  const extBox = extensionBox(id, requests);
  clear(main, heading, late, form, lesson.state === 'overdue' ? extBox : null);
  persist(false);
}

// The extension request (§13): the last request's state, or a form to ask (with a reason).
function extensionBox(id, requests) {
  const box = h('section', { class: 'card', 'aria-labelledby': `ext-h-${id}` });
  const show = (list) => {
    const last = list.length ? list[list.length - 1] : null;
    const head = h('h2', { id: `ext-h-${id}` }, t('ext.title'));
    if (last && last.status === 'pending') {
      clear(box, head, notice('info', t('ext.pending', { date: fmtDateTime(last.created_at) })), h('p', { class: 'topic' }, last.reason));
      return;
    }
    const reason = h('textarea', { rows: 2, maxlength: 500, required: true });
    const msg = h('div', { class: 'form-msg' });
    const button = h('button', { type: 'submit' }, t('ext.submit'));
    const form = h('form', { novalidate: true },
      last && last.status === 'declined' ? notice('warn', t('ext.declined', { note: last.decision_note || '' })) : null,
      field(t('ext.reason'), reason, t('ext.reason.hint')), msg, h('div', { class: 'actions' }, button));
    form.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      clear(msg);
      if (!reason.value.trim()) {
        clear(msg, notice('error', t('ext.noreason')));
        reason.focus();
        return;
      }
      button.disabled = true;
      try {
        const made = await api.post(`/lessons/${id}/extension-requests`, { reason: reason.value.trim() });
        show([made]);
        box.querySelector('[role="status"]')?.setAttribute('tabindex', '-1');
      } catch (e) {
        clear(msg, notice('error', problemText(e)));
      } finally {
        button.disabled = false;
      }
    });
    clear(box, head, h('p', { class: 'muted' }, t('ext.intro')), form);
  };
  show(requests?.items || []);
  return box;
}

function back() {
  const home = api.me?.roles.includes('superuser') ? '#/office' : '#/lessons';
  return h('a', { class: 'back', href: home }, `← ${t('common.back')}`);
}

function readOnly(main, heading, lesson) {
  clear(main, heading, notice('info', t('entry.readonly')),
    lesson.topic ? h('p', { class: 'topic' }, lesson.topic) : null,
    h('ul', { class: 'plain' }, lesson.attendance.map((a) => h('li', { class: 'row' }, h('span', {}, a.student_name),
      h('span', { class: `badge ${a.status}` }, t(`status.${a.status}`))))));
}

function versionView(title, topicText, rows) {
  return h('section', { class: 'card version', 'aria-label': title }, h('h2', {}, title),
    h('p', { class: 'topic' }, topicText || '—'),
    h('ul', { class: 'plain' }, rows.map(([name, status]) => h('li', { class: 'row' }, h('span', {}, name),
      h('span', { class: `badge ${status}` }, status ? t(`status.${status}`) : '—')))));
}

// Both versions side by side; nothing is lost until the teacher chooses.
async function conflict(main, ctx, id, mine, label, heading) {
  const r = await api.api('GET', `/lessons/${id}/entry`);
  const server = r.data;
  const names = new Map((server.enrolled || []).map((s) => [s.student_id, s.full_name]));
  for (const a of server.attendance) names.set(a.student_id, a.student_name);
  const theirs = new Map(server.attendance.map((a) => [a.student_id, a.status]));
  outbox.put({ lesson: id, etag: r.etag, body: mine, label });
  const msg = h('div', { class: 'form-msg' });
  clear(main, heading,
    h('h2', {}, t('conflict.title')),
    notice('warn', t('conflict.intro')),
    h('div', { class: 'versions' },
      versionView(t('conflict.mine'), mine.topic, mine.attendance.map((a) => [names.get(a.student_id) || `#${a.student_id}`, a.status])),
      versionView(t('conflict.theirs'), server.topic, [...names.keys()].map((sid) => [names.get(sid), theirs.get(sid)]))),
    msg,
    h('div', { class: 'actions' },
      h('button', { type: 'button', class: 'primary', onclick: async () => {
        try {
          await outbox.sendEntry(id, mine, r.etag);
          outbox.drop(id);
          dropDraft(id);
          ctx.say(t('entry.saved'));
          ctx.go(`#/lesson/${id}`);
        } catch (e) {
          clear(msg, notice('error', problemText(e)));
        }
      } }, t('conflict.keepmine')),
      h('button', { type: 'button', onclick: () => {
        outbox.drop(id);
        dropDraft(id);
        ctx.go(`#/lesson/${id}`);
      } }, t('conflict.keeptheirs'))));
}
