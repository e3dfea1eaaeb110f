// Crash safety (issue 9): the server killed with SIGKILL in the middle of 8 writers recording journal
// entries, on a cluster with fsync and synchronous_commit on (and once with PostgreSQL crashed at the
// same moment): after a restart every write that got a 2xx is there, whole, with its audit record,
// and nothing is half written. And PostgreSQL restarted under load: the same server process answers
// 503 + Retry-After meanwhile, never 500, never hangs, and recovers by itself.
//
// Run alone with: EJ_BIN=build/ejournal node --test tests/api/crash.test.mjs
// Knobs (environment): EJ_CRASH_WRITERS (8), EJ_CRASH_MIN_ACKS (acknowledged writes per writer before
// the kill, 3), EJ_CRASH_OUTAGE_MS (how long PostgreSQL stays down, 1500), EJ_CRASH_TIMEOUT_MS (the
// bound on any one request, 20000), EJ_CRASH_RECOVER_MS (the bound on recovery, 10000).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { adminSession, makeInstitution, makeUser } from './lib/fixtures.mjs';
import { call, randomHex, raw, serveAgain, startStack } from './lib/stack.mjs';

const WRITERS = Number(process.env.EJ_CRASH_WRITERS || 8);
const LESSONS_PER_WRITER = 2;
const MIN_ACKS = Number(process.env.EJ_CRASH_MIN_ACKS || 3);
const OUTAGE_MS = Number(process.env.EJ_CRASH_OUTAGE_MS || 1500);
const REQUEST_TIMEOUT_MS = Number(process.env.EJ_CRASH_TIMEOUT_MS || 20_000);
const RECOVER_MS = Number(process.env.EJ_CRASH_RECOVER_MS || 10_000);
const STATUSES = ['present', 'absent', 'late'];
// More workers than this file's concurrent clients: a keep-alive connection may hold a worker (issue 9
// #2), and what is tested here is the database's crash, not that.
const THREADS = '16';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const rigaToday = () => new Date().toLocaleDateString('sv-SE', { timeZone: 'Europe/Riga' });
const addDays = (iso, n) => {
  const d = new Date(`${iso}T12:00:00Z`);
  d.setUTCDate(d.getUTCDate() + n);
  return d.toISOString().slice(0, 10);
};
const hhmm = (minutes) => `${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`;

// One request with a bound: resolves { status, headers, body, text } or { error } (a reset, a refused
// connection, the bound passed); never rejects.
async function req(srv, method, path, { token, body, headers = {} } = {}) {
  const h = { ...headers };
  if (token) h.authorization = `Bearer ${token}`;
  if (body !== undefined) h['content-type'] = 'application/json';
  try {
    const res = await fetch(path.startsWith('/api/') || path === '/readyz' ? `${srv.base}${path}` : `${srv.api}${path}`, {
      method, headers: h, body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
    });
    const text = await res.text();
    let parsed = text;
    try {
      parsed = text === '' ? null : JSON.parse(text);
    } catch {
      /* not JSON */
    }
    return { status: res.status, headers: res.headers, body: parsed, text };
  } catch (e) {
    return { error: e };
  }
}

// The attendance of write `seq` of writer `w`: every student's status changes from one write of a
// lesson to its next (a writer's consecutive writes of one lesson are LESSONS_PER_WRITER apart), so a
// row left from an older write is seen.
const attendanceOf = (students, w, seq) =>
  students.map((s, i) => ({ student_id: s.id, status: STATUSES[(w + seq + i) % STATUSES.length] }));

// Lessons of group g on one recent date, all started and inside their deadline: n consecutive
// half-hour lessons from 06:00 (the superuser creates them).
async function recentLessons(stack, admin, g, n) {
  const today = rigaToday();
  for (let back = 1; back < 8; back++) {
    const date = addDays(today, -back);
    const first = await call(stack, 'POST', '/lessons', { token: admin.token,
      body: { group_id: g.id, date, starts_at: hhmm(360), ends_at: hhmm(390) } });
    if (first.status === 422 && first.body.code === 'public_holiday') continue;
    assert.equal(first.status, 201, first.text);
    if (Date.parse(first.body.deadline) < Date.now() + 30 * 60_000) continue;
    const out = [first.body];
    for (let i = 1; i < n; i++) {
      const r = await call(stack, 'POST', '/lessons', { token: admin.token,
        body: { group_id: g.id, date, starts_at: hhmm(360 + 30 * i), ends_at: hhmm(390 + 30 * i) } });
      assert.equal(r.status, 201, r.text);
      out.push(r.body);
    }
    return out;
  }
  throw new Error('no recent date whose lessons are inside their deadline');
}

async function killHard(srv) {
  process.kill(srv.pid, 'SIGKILL');
  const deadline = Date.now() + 20_000;
  while (srv.alive()) {
    if (Date.now() > deadline) throw new Error(`server ${srv.pid} still alive 20 s after SIGKILL`);
    await sleep(20);
  }
}

describe('issue 9 crash: SIGKILL in the middle of 8 writers (fsync on)', () => {
  const secret = randomHex(32);
  let stack, admin, teacher, students, lessons, srv;

  before(async () => {
    stack = await startStack({ ownCluster: true, durable: true, env: { EJ_JWT_SECRET: secret, EJ_THREADS: THREADS } });
    srv = stack;
    admin = await adminSession(stack);
    teacher = await makeUser(stack, admin, { roles: ['teacher'] });
    const today = rigaToday();
    const inst = await makeInstitution(stack, admin, { teachers: [teacher.id], students: ['Anna', 'Bruno', 'Cēsis'],
      starts_on: addDays(today, -120), ends_on: addDays(today, 60) });
    students = inst.students;
    lessons = await recentLessons(stack, admin, inst.group, WRITERS * LESSONS_PER_WRITER);
  });
  after(async () => {
    if (srv && srv !== stack && srv.alive()) await srv.stop();
    if (stack) await stack.stop({ expectCode: null });
  });

  // What the crash must not lose is only worth testing if the cluster may not lose it.
  test('issue 9 crash: the crash tests\' cluster runs with fsync and synchronous_commit on', async () => {
    const [[fsync, sync, fpw]] = await stack.psql("SELECT current_setting('fsync'), current_setting('synchronous_commit'), current_setting('full_page_writes')");
    assert.deepEqual([fsync, sync, fpw], ['on', 'on', 'on']);
  });

  // 8 writers, each on its own lessons, PUT entries with If-Match until the server is killed. Returns
  // per lesson: the state before the round, the acknowledged writes in order, the write whose outcome
  // is unknown (in flight at the kill), and any other answer (a failure).
  async function writeUntilKilled(target, crash) {
    const [[auditMark]] = await stack.psql('SELECT coalesce(max(id), 0) FROM audit_log');
    const states = new Map();
    for (const l of lessons) {
      const r = await req(target, 'GET', `/lessons/${l.id}/entry`, { token: teacher.token });
      assert.equal(r.status, 200, r.text || String(r.error));
      assert.equal(r.headers.get('etag'), `"v${r.body.version}"`);
      states.set(l.id, { lesson: l, start: { topic: r.body.topic, version: r.body.version }, etag: r.headers.get('etag'),
        version: r.body.version, acked: [], unknown: null, refused: [] });
    }
    const tag = randomHex(3);
    let killed = false;
    const acks = new Array(WRITERS).fill(0);
    const writer = async (w) => {
      const mine = lessons.slice(w * LESSONS_PER_WRITER, (w + 1) * LESSONS_PER_WRITER);
      // Until the kill ends it: every writer has a write in flight then (or starts one just after).
      for (let seq = 1; seq < 100_000; seq++) {
        const st = states.get(mine[seq % mine.length].id);
        const write = { seq, topic: `writer ${w} write ${seq} ${tag}`, attendance: attendanceOf(students, w, seq) };
        const r = await req(target, 'PUT', `/lessons/${st.lesson.id}/entry`, { token: teacher.token,
          headers: { 'if-match': st.etag }, body: { topic: write.topic, attendance: write.attendance } });
        if (r.error) {
          // The server died under it: may or may not have happened, but whole or not at all.
          st.unknown = write;
          return;
        }
        if (r.status !== 200) {
          st.refused.push({ ...write, status: r.status, text: r.text, afterKill: killed });
          return;
        }
        write.version = r.body.version;
        write.etag = r.headers.get('etag');
        write.body = r.body;
        st.acked.push(write);
        st.etag = write.etag;
        acks[w]++;
      }
    };
    const running = Array.from({ length: WRITERS }, (_, w) => writer(w));
    const started = Date.now();
    while (Math.min(...acks) < MIN_ACKS && Date.now() - started < 30_000) await sleep(20);
    await sleep(100 + Math.floor(Math.random() * 200)); // somewhere in the middle of a write
    killed = true;
    await crash();
    await Promise.all(running);
    assert.ok(Math.min(...acks) >= MIN_ACKS, `every writer had ${MIN_ACKS} writes acknowledged before the kill: ${acks}`);
    return { states, auditMark: Number(auditMark), acks };
  }

  // After the restart: every acknowledged write is there (the lesson shows the last one, or the one in
  // flight at the kill, never an older one), whole (topic ⇔ recorded_at ⇔ attendance of every enrolled
  // student, all from that same write), with one audit record per change, versions as the ETags said.
  async function verify(t, target, { states, auditMark, acks }) {
    let inFlight = 0;
    let inFlightHappened = 0;
    for (const st of states.values()) {
      const id = st.lesson.id;
      const what = `lesson ${id}`;
      assert.deepEqual(st.refused, [], `${what}: every write answered before the kill was 200`);
      // Versions and ETags as returned: each acknowledged write is the previous version + 1.
      let v = st.start.version;
      for (const a of st.acked) {
        v += 1;
        assert.equal(a.version, v, `${what}: ${a.topic} got version ${a.version}, expected ${v}`);
        assert.equal(a.etag, `"v${a.version}"`, `${what}: ETag of ${a.topic}`);
        assert.equal(a.body.topic, a.topic);
      }
      const last = st.acked.at(-1) || { topic: st.start.topic, version: st.start.version, attendance: null };

      const [row] = await stack.query(`SELECT topic, recorded_at IS NOT NULL AS recorded, version,
          (SELECT count(*) FROM enrolled_on(l.group_id, l.date))::int AS enrolled,
          (SELECT coalesce(json_agg(json_build_object('student_id', a.student_id, 'status', a.status)
             ORDER BY a.student_id), '[]') FROM lesson_attendance a WHERE a.lesson_id = l.id) AS attendance
        FROM lessons l WHERE l.id = ${id}`);
      let happened;
      if (row.topic === last.topic && Number(row.version) === last.version) happened = last;
      else if (st.unknown && row.topic === st.unknown.topic && Number(row.version) === last.version + 1) happened = { ...st.unknown, version: last.version + 1 };
      else {
        assert.fail(`${what}: after the restart topic ${JSON.stringify(row.topic)} v${row.version}; the last acknowledged write was ` +
          `${JSON.stringify(last.topic)} v${last.version}, in flight ${JSON.stringify(st.unknown?.topic ?? null)}`);
      }
      if (st.unknown) inFlight++;
      if (st.unknown && happened !== last) inFlightHappened++;
      // Whole or not at all.
      assert.equal(row.recorded, row.topic !== null, `${what}: recorded_at is set exactly when the topic is`);
      if (row.topic === null) {
        assert.deepEqual(row.attendance, [], `${what}: no attendance without an entry`);
      } else {
        assert.equal(row.attendance.length, row.enrolled, `${what}: attendance for every enrolled student`);
        if (happened.attendance) {
          const expected = [...happened.attendance].sort((a, b) => a.student_id - b.student_id);
          assert.deepEqual(row.attendance, expected, `${what}: the attendance is that of ${happened.topic}, all of it`);
        }
      }
      // Through the API of the restarted server: the same, with its ETag.
      const r = await req(target, 'GET', `/lessons/${id}/entry`, { token: teacher.token });
      assert.equal(r.status, 200, r.text || String(r.error));
      assert.equal(r.body.topic, row.topic);
      assert.equal(r.body.version, Number(row.version));
      assert.equal(r.headers.get('etag'), `"v${row.version}"`);
      if (happened.attendance) {
        assert.deepEqual(Object.fromEntries(r.body.attendance.map((a) => [a.student_id, a.status])),
          Object.fromEntries(happened.attendance.map((a) => [a.student_id, a.status])));
      }
      // One audit record per change of this round, in order: the acknowledged ones, and the one in
      // flight exactly when it happened.
      const audit = await stack.query(`SELECT action, before->>'topic' AS before_topic, after->>'topic' AS topic,
          (after->>'version')::bigint AS version, after->'attendance' AS attendance
        FROM audit_log WHERE id > ${auditMark} AND entity = 'lesson' AND entity_id = '${id}'
          AND action LIKE 'lesson.entry%' ORDER BY id`);
      const changes = happened === last ? st.acked : [...st.acked, happened];
      assert.deepEqual(audit.map((a) => a.topic), changes.map((c) => c.topic), `${what}: one audit record per change`);
      let prev = st.start.topic;
      audit.forEach((a, i) => {
        assert.equal(a.action, prev === null ? 'lesson.entry' : 'lesson.entry_update');
        assert.equal(a.before_topic, prev);
        assert.equal(Number(a.version), changes[i].version, `${what}: the audit record's version is the write's`);
        assert.deepEqual(Object.fromEntries(a.attendance.map((x) => [x.student_id, x.status])),
          Object.fromEntries(changes[i].attendance.map((x) => [x.student_id, x.status])));
        prev = a.topic;
      });
      // The lesson is not left locked or stale: the next write with its ETag is taken.
      const next = await req(target, 'PUT', `/lessons/${id}/entry`, { token: teacher.token,
        headers: { 'if-match': r.headers.get('etag') },
        body: { topic: `after the restart ${randomHex(2)}`, attendance: attendanceOf(students, 0, 0) } });
      assert.equal(next.status, 200, next.text || String(next.error));
      assert.equal(next.body.version, Number(row.version) + 1);
    }
    t.diagnostic(`acknowledged writes per writer ${acks.join(',')}; in flight at the kill ${inFlight}, of which happened ${inFlightHappened}`);
  }

  test('issue 9 crash: the server killed with SIGKILL mid-write loses no acknowledged entry and leaves none half written', async (t) => {
    const victim = srv;
    const round = await writeUntilKilled(srv, () => killHard(victim));
    srv = await serveAgain(stack, { EJ_JWT_SECRET: secret, EJ_THREADS: THREADS });
    await verify(t, srv, round);
  });

  test('issue 9 crash: the server and PostgreSQL killed at once (pg_ctl stop -m immediate): after recovery every acknowledged entry is there, whole', async (t) => {
    const victim = srv;
    const round = await writeUntilKilled(srv, () => Promise.all([killHard(victim), stack.pgStop({ immediate: true })]));
    await stack.pgStart(); // crash recovery from the WAL
    srv = await serveAgain(stack, { EJ_JWT_SECRET: secret, EJ_THREADS: THREADS });
    await verify(t, srv, round);
  });
});

describe('issue 9 crash: PostgreSQL restarted under load', () => {
  let stack, admin, teacher, students, lessons;

  before(async () => {
    stack = await startStack({ ownCluster: true, env: { EJ_THREADS: THREADS } });
    admin = await adminSession(stack);
    teacher = await makeUser(stack, admin, { roles: ['teacher'] });
    const today = rigaToday();
    const inst = await makeInstitution(stack, admin, { teachers: [teacher.id], students: ['Anna', 'Bruno'],
      starts_on: addDays(today, -120), ends_on: addDays(today, 60) });
    students = inst.students;
    lessons = await recentLessons(stack, admin, inst.group, 4);
  });
  after(async () => stack && stack.stop());

  // Readers, writers and a /readyz poller run while PostgreSQL goes down (pg_ctl stop -m fast, or
  // -m immediate: its crash) for OUTAGE_MS and comes back.
  async function underLoad(t, { immediate }) {
    const pid = stack.pid;
    const logsBefore = stack.logs().length;
    let phase = 'warm-up'; // warm-up → outage → recovering → recovered
    const bad = []; // answers that are neither 2xx nor a proper 503
    const seen = { 'warm-up': {}, outage: {}, recovering: {}, recovered: {} };
    const readyz = [];
    let stop = false;
    let firstOkAfterStart = null;
    let pgBack = null;

    const judge = (what, r) => {
      const p = phase;
      if (r.error) {
        bad.push({ what, phase: p, error: String(r.error) });
        return false;
      }
      seen[p][r.status] = (seen[p][r.status] || 0) + 1;
      if (r.status >= 200 && r.status < 300) {
        if (pgBack !== null && firstOkAfterStart === null && what !== 'readyz') firstOkAfterStart = Date.now();
        return true;
      }
      const ok503 = r.status === 503 && /^[1-9][0-9]*$/.test(r.headers.get('retry-after') || '') &&
        /^application\/problem\+json/.test(r.headers.get('content-type') || '') &&
        ['database_unavailable', 'database_busy'].includes(r.body && r.body.code);
      if (!ok503) bad.push({ what, phase: p, status: r.status, retryAfter: r.headers.get('retry-after'), text: r.text.slice(0, 300) });
      return false;
    };

    const reader = async (i) => {
      for (let n = 0; !stop; n++) {
        const path = n % 2 ? '/me' : `/lessons/${lessons[(i + n) % lessons.length].id}`;
        judge(`GET ${path}`, await req(stack, 'GET', path, { token: teacher.token }));
        await sleep(10);
      }
    };
    const writer = async (i) => {
      const l = lessons[i];
      let etag = null;
      for (let n = 0; !stop; n++) {
        if (!etag) {
          const g = await req(stack, 'GET', `/lessons/${l.id}/entry`, { token: teacher.token });
          if (judge('GET entry', g)) etag = g.headers.get('etag');
          else await sleep(50);
          continue;
        }
        const r = await req(stack, 'PUT', `/lessons/${l.id}/entry`, { token: teacher.token, headers: { 'if-match': etag },
          body: { topic: `load ${i} ${n}`, attendance: attendanceOf(students, i, n) } });
        // After a 503 the write may or may not have happened: read the ETag again.
        etag = judge('PUT entry', r) ? r.headers.get('etag') : null;
        await sleep(10);
      }
    };
    const ready = async () => {
      while (!stop) {
        const r = await req(stack, 'GET', '/readyz');
        if (!r.error) readyz.push({ phase, status: r.status });
        judge('readyz', r);
        await sleep(50);
      }
    };
    const loops = [reader(0), reader(1), writer(0), writer(1), ready()];

    const okCount = () => Object.entries(seen[phase]).filter(([s]) => s < 300).reduce((n, [, c]) => n + c, 0);
    const warm = Date.now();
    while (okCount() < 20 && Date.now() - warm < 30_000) await sleep(20);
    phase = 'outage';
    await stack.pgStop({ immediate }); // every backend terminated, the socket gone
    await sleep(OUTAGE_MS);
    phase = 'recovering';
    await stack.pgStart();
    pgBack = Date.now();
    while (firstOkAfterStart === null && Date.now() - pgBack < RECOVER_MS) await sleep(20);
    await sleep(1000); // a second of load after the recovery
    phase = 'recovered';
    await sleep(1000);
    stop = true;
    await Promise.all(loops);

    t.diagnostic(`answers by phase ${JSON.stringify(seen)}; first 2xx ${firstOkAfterStart - pgBack} ms after PostgreSQL was back`);
    assert.deepEqual(bad, [], 'every answer was a 2xx or a 503 with Retry-After and a database problem code; none hung');
    assert.ok(Object.keys(seen.outage).includes('503'), `requests during the outage got 503: ${JSON.stringify(seen)}`);
    assert.ok(firstOkAfterStart !== null, `a 2xx within ${RECOVER_MS} ms of PostgreSQL being back: ${JSON.stringify(seen)}`);
    assert.deepEqual(Object.keys(seen.recovered).filter((s) => s >= 300), [], `no failures a second after the recovery: ${JSON.stringify(seen)}`);
    assert.ok(readyz.some((x) => x.phase === 'outage' && x.status === 503), `/readyz went 503: ${JSON.stringify(readyz)}`);
    assert.ok(readyz.some((x) => x.phase === 'recovered' && x.status === 200), `/readyz came back 200: ${JSON.stringify(readyz)}`);
    assert.ok(stack.alive(), 'the server is still running');
    assert.equal(stack.pid, pid);

    // No connection left broken: rounds of concurrent requests, each on a fresh TCP connection, so
    // every worker (and every pooled database connection) gets some; all 2xx.
    const auth = `Authorization: Bearer ${teacher.token}\r\n`;
    const requests = [
      `GET /api/v1/me HTTP/1.1\r\nHost: x\r\n${auth}Connection: close\r\n\r\n`,
      `GET /api/v1/lessons/${lessons[2].id} HTTP/1.1\r\nHost: x\r\n${auth}Connection: close\r\n\r\n`,
      `GET /readyz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`,
      `GET /api/v1/lessons/${lessons[3].id}/entry HTTP/1.1\r\nHost: x\r\n${auth}Connection: close\r\n\r\n`,
    ];
    const failures = [];
    for (let round = 0; round < 25; round++) {
      const rs = await Promise.all(Array.from({ length: 8 }, (_, i) => raw(stack.port, requests[i % requests.length], { timeoutMs: REQUEST_TIMEOUT_MS })));
      rs.forEach((r, i) => {
        if (!(r.status >= 200 && r.status < 300)) failures.push({ round, request: requests[i % requests.length].split('\r\n')[0], status: r.status, body: r.body.slice(0, 200), timedOut: r.timedOut });
      });
    }
    assert.deepEqual(failures, [], '200 requests after the recovery, all 2xx');
    // And writes: one per lesson with a fresh ETag.
    for (const l of lessons) {
      const g = await req(stack, 'GET', `/lessons/${l.id}/entry`, { token: teacher.token });
      assert.equal(g.status, 200, g.text);
      const r = await req(stack, 'PUT', `/lessons/${l.id}/entry`, { token: teacher.token,
        headers: { 'if-match': g.headers.get('etag') }, body: { topic: `after ${randomHex(2)}`, attendance: attendanceOf(students, 0, 0) } });
      assert.equal(r.status, 200, r.text);
    }
    // The log stays one JSON object per line (README), whatever libpq hears from a dying server.
    assert.deepEqual(stack.logs().slice(logsBefore).filter((o) => o.not_json).map((o) => o.raw), [], 'every log line is JSON');
  }

  test('issue 9 crash: PostgreSQL restarted under load (pg_ctl stop -m fast): 503 with Retry-After meanwhile, /readyz 503 then 200, the same server recovers by itself', async (t) => {
    await underLoad(t, { immediate: false });
  });

  test('issue 9 crash: PostgreSQL crashed under load (pg_ctl stop -m immediate): 503 with Retry-After meanwhile, then every worker\'s connection works again by itself', async (t) => {
    await underLoad(t, { immediate: true });
  });
});
