// The change feed (issue 11, SPEC "Integration"): GET /changes and /changes/bounds, for the
// integration account and the superuser; every committed change exactly once, in commit order, no
// gaps under concurrent writers, deletes with their last representation, 410 past the retention.
// Run alone with: EJ_BIN=build/ejournal node --test tests/api/changes.test.mjs
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';

import { adminSession, makeInstitution, makeUser, post } from './lib/fixtures.mjs';
import { call, randomHex, startStack } from './lib/stack.mjs';

const execFileP = promisify(execFile);

let stack, admin, sync, teacher, guardian, inst;

before(async () => {
  stack = await startStack({ env: { EJ_THREADS: '10' } });
  admin = await adminSession(stack);
  sync = await makeUser(stack, admin, { roles: ['integration'] });
  teacher = await makeUser(stack, admin, { roles: ['teacher'] });
  guardian = await makeUser(stack, admin, { roles: ['guardian'], activate: false });
  inst = await makeInstitution(stack, admin, { teachers: [teacher.id], students: ['Anna'] });
});
after(async () => stack && stack.stop());

const get = (path, token = sync.token) => call(stack, 'GET', path, { token });

async function latest() {
  const r = await get('/changes/bounds');
  assert.equal(r.status, 200, r.text);
  return r.body.latest;
}

// Reads every change after `cursor` in pages of `limit`; returns { items, next }.
async function drain(cursor, limit = 500) {
  const items = [];
  for (let i = 0; i < 10_000; i++) {
    const r = await get(`/changes?after=${cursor}&limit=${limit}`);
    assert.equal(r.status, 200, r.text);
    items.push(...r.body.items);
    assert.equal(typeof r.body.next, 'string');
    if (r.body.items.length) assert.equal(r.body.next, r.body.items.at(-1).cursor);
    else assert.equal(r.body.next, String(cursor));
    cursor = r.body.next;
    if (r.body.items.length < limit) return { items, next: cursor };
  }
  throw new Error('feed did not end');
}

describe('issue 11 the change feed', () => {
  test('issue 11 a student created, a lesson cancelled, a guardian unlinked: the feed shows them; polling again returns nothing new and a fresh next', async () => {
    const from = await latest();
    const s = await post(stack, admin.token, '/students', { full_name: `Feed ${randomHex(3)}`, birth_date: '2015-01-02' });
    const l = await post(stack, admin.token, '/lessons', { group_id: inst.group.id, date: '2026-10-06', starts_at: '15:00', ends_at: '16:00' });
    let r = await call(stack, 'POST', `/lessons/${l.id}/cancel`, { token: admin.token, body: { reason: 'Skolotāja slima' } });
    assert.equal(r.status, 200, r.text);
    r = await call(stack, 'PUT', `/students/${s.id}/guardians/${guardian.id}`, { token: admin.token });
    assert.equal(r.status, 200, r.text);
    r = await call(stack, 'DELETE', `/students/${s.id}/guardians/${guardian.id}`, { token: admin.token });
    assert.ok(r.status === 204 || r.status === 200, r.text);

    const { items, next } = await drain(from, 2);
    const summary = items.map((c) => `${c.entity}:${c.id}:${c.op}`);
    assert.deepEqual(summary, [`student:${s.id}:upsert`, `lesson:${l.id}:upsert`, `lesson:${l.id}:upsert`,
      'guardian_link:null:upsert', 'guardian_link:null:delete']);
    const cursors = items.map((c) => Number(c.cursor));
    assert.deepEqual(cursors, cursors.map((_, i) => Number(from) + 1 + i), 'positions are consecutive');
    // data is the representation as GET shows it to the superuser
    const shown = await call(stack, 'GET', `/students/${s.id}`, { token: admin.token });
    assert.deepEqual(items[0].data, shown.body);
    assert.equal(items[2].data.state, 'cancelled');
    assert.equal(items[2].data.cancel_reason, 'Skolotāja slima');
    const lessonNow = await call(stack, 'GET', `/lessons/${l.id}`, { token: admin.token });
    assert.deepEqual({ ...items[2].data, state: null }, { ...lessonNow.body, state: null });
    // the unlink is a delete carrying the link's last representation (both ends, with external ids)
    const unlink = items[4];
    assert.equal(unlink.op, 'delete');
    assert.equal(unlink.data.student_id, s.id);
    assert.equal(unlink.data.guardian_id, guardian.id);
    assert.ok('student_external_id' in unlink.data && 'guardian_external_id' in unlink.data);
    for (const c of items) {
      assert.match(c.committed_at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
      assert.ok('external_id' in c);
    }
    // polling again: nothing new, and a next to continue from
    r = await get(`/changes?after=${next}`);
    assert.equal(r.status, 200, r.text);
    assert.deepEqual(r.body.items, []);
    assert.equal(r.body.next, next);
    assert.equal(await latest(), next);
  });

  test('issue 11 a user change never carries password data; a rolled-back change never appears', async () => {
    const from = await latest();
    const u = await makeUser(stack, admin, { roles: ['teacher'], activate: true });
    // a refused write (duplicate username) rolls back: no change row
    const dup = await call(stack, 'POST', '/users', { token: admin.token, body: { username: u.username, full_name: 'X', roles: ['teacher'] } });
    assert.equal(dup.status, 409, dup.text);
    const { items } = await drain(from);
    assert.deepEqual(items.map((c) => `${c.entity}:${c.id}`), [`user:${u.id}`]);
    const text = JSON.stringify(items);
    assert.doesNotMatch(text, /password_hash|argon2|initial_password/);
  });

  test('issue 11 a teacher\'s GET /changes is 403; the integration account cannot write anything', async () => {
    for (const path of ['/changes', '/changes/bounds']) {
      const r = await get(path, teacher.token);
      assert.equal(r.status, 403, r.text);
      assert.equal(r.body.code, 'forbidden');
    }
    const writes = [
      ['POST', '/students', { full_name: 'X', birth_date: '2015-01-01' }],
      ['PATCH', `/students/${inst.students[0].id}`, { full_name: 'Y' }],
      ['POST', '/lessons', { group_id: inst.group.id, date: '2026-10-07', starts_at: '15:00', ends_at: '16:00' }],
      ['POST', '/users', { username: `x${randomHex(3)}`, full_name: 'X', roles: ['teacher'] }],
      ['PUT', `/students/${inst.students[0].id}/guardians/${guardian.id}`, undefined],
      ['POST', `/groups/${inst.group.id}/enrollments`, { student_id: inst.students[0].id, starts_on: '2026-09-01' }],
      ['POST', '/programs', { code: 'Z', name: 'Z' }],
      ['POST', '/absence-reports', { student_id: inst.students[0].id, from_date: '2026-10-01', to_date: '2026-10-01', reason_code: 'ill' }],
    ];
    const before = await latest();
    for (const [method, path, body] of writes) {
      const r = await call(stack, method, path, { token: sync.token, body });
      assert.equal(r.status, 403, `${method} ${path}: ${r.text}`);
    }
    assert.equal(await latest(), before, 'nothing changed');
  });

  test('issue 11 each page the integration account reads is one read audit record; the superuser reads the feed too', async () => {
    const [[mark]] = await stack.psql('SELECT coalesce(max(id), 0) FROM audit_log');
    for (let i = 0; i < 3; i++) assert.equal((await get('/changes?after=0&limit=1')).status, 200);
    const rows = await stack.query(`SELECT actor_id, action, entity FROM audit_log WHERE id > ${mark} ORDER BY id`);
    assert.deepEqual(rows, Array(3).fill({ actor_id: sync.id, action: 'read', entity: 'listChanges' }));
    const su = await get('/changes?limit=3', admin.token);
    assert.equal(su.status, 200, su.text);
    assert.equal(su.body.items.length, 3);
  });

  test('issue 11 bad cursors and limits are 400 invalid_query; a cursor past the retention is 410 cursor_expired naming the oldest', async () => {
    for (const q of ['after=abc', 'after=-1', 'after=01', `after=${Number(await latest()) + 5}`, 'limit=0', 'limit=501', 'since=1']) {
      const r = await get(`/changes?${q}`);
      assert.equal(r.status, 400, `${q}: ${r.text}`);
    }
    // Age the first commits past the 90 days and prune them.
    await stack.psql("UPDATE change_commits SET committed_at = now() - interval '91 days' WHERE last_position <= 3");
    const pr = await execFileP(stack.bin, ['prune'], { env: { ...process.env, EJ_DATABASE_URL: stack.dbUrl } });
    assert.match(pr.stdout, /\d+ changes older than 90 days/);
    const b = await get('/changes/bounds');
    assert.equal(b.status, 200);
    assert.ok(Number(b.body.oldest) >= 3, b.text);
    const r = await get('/changes?after=0');
    assert.equal(r.status, 410, r.text);
    assert.equal(r.body.code, 'cursor_expired');
    assert.equal(r.body.oldest, b.body.oldest);
    const ok = await get(`/changes?after=${b.body.oldest}&limit=1`);
    assert.equal(ok.status, 200, ok.text);
    assert.equal(Number(ok.body.items[0].cursor), Number(b.body.oldest) + 1);
    const fromStart = await get('/changes?limit=1');
    assert.equal(fromStart.body.items[0].cursor, ok.body.items[0].cursor, 'without after: from the oldest kept');
  });

  test('issue 11 8 writers committing concurrently while a reader polls with small pages: every change appears exactly once, none skipped', async () => {
    const from = await latest();
    const tag = randomHex(3);
    const WRITERS = 8, EACH = 8;
    const made = [];
    const slots = []; // {id, lessons}: one transaction of several changes each
    let writing = true;
    const writers = Array.from({ length: WRITERS }, async (_, w) => {
      for (let k = 0; k < EACH; k++) {
        if (w === WRITERS - 1) { // this writer's transactions each make a slot and its lessons
          const r = await call(stack, 'POST', `/groups/${inst.group.id}/schedule`, { token: admin.token,
            body: { weekday: (k % 5) + 1, starts_at: `${String(8 + k).padStart(2, '0')}:00`, ends_at: `${String(8 + k).padStart(2, '0')}:45`,
              valid_from: '2026-09-01', valid_to: '2026-09-30' } });
          assert.equal(r.status, 201, r.text);
          slots.push({ id: r.body.slot.id, lessons: r.body.lessons_created });
          continue;
        }
        const s = await post(stack, admin.token, '/students', { full_name: `W${tag}-${w}-${k}`, birth_date: '2015-01-02' });
        made.push(`student:${s.id}:1`);
        const r = await call(stack, 'PATCH', `/students/${s.id}`, { token: admin.token, body: { full_name: `W${tag}-${w}-${k}b` } });
        assert.equal(r.status, 200, r.text);
        made.push(`student:${s.id}:${r.body.version}`);
      }
    });
    const seen = [];
    let cursor = from;
    const reader = (async () => {
      for (let i = 0; i < 20_000; i++) {
        const done = !writing;
        const r = await get(`/changes?after=${cursor}&limit=3`);
        assert.equal(r.status, 200, r.text);
        seen.push(...r.body.items);
        cursor = r.body.next;
        if (done && r.body.items.length === 0) return;
      }
      throw new Error('reader did not finish');
    })();
    await Promise.all(writers);
    writing = false;
    await reader;
    const keys = seen.filter((c) => c.entity === 'student').map((c) => `student:${c.id}:${c.data.version}`);
    assert.equal(new Set(keys).size, keys.length, 'no change twice');
    assert.deepEqual([...keys].sort(), [...made].sort(), 'every change, none skipped');
    const cursors = seen.map((c) => Number(c.cursor));
    assert.deepEqual(cursors, cursors.map((_, i) => Number(from) + 1 + i), 'consecutive positions, each once');
    // a transaction's changes are consecutive, also when pages end inside it
    for (const s of slots) {
      const i = seen.findIndex((c) => c.entity === 'schedule_slot' && c.id === s.id);
      assert.ok(i >= 0, `slot ${s.id} in the feed`);
      const run = seen.slice(i + 1, i + 1 + s.lessons);
      assert.ok(s.lessons >= 3);
      assert.deepEqual(run.map((c) => `${c.entity}:${c.data.slot_id}`), Array(s.lessons).fill(`lesson:${s.id}`));
    }
    assert.equal(seen.filter((c) => c.entity === 'lesson').length, slots.reduce((n, s) => n + s.lessons, 0));
    // each student's create comes before its update
    const studentChanges = seen.filter((c) => c.entity === 'student');
    const at = new Map(studentChanges.map((c) => [`${c.id}:${c.data.version}`, Number(c.cursor)]));
    for (const c of studentChanges) if (c.data.version > 1) assert.ok(at.get(`${c.id}:1`) < Number(c.cursor));
  });

  test('issue 11 a transaction that started first and commits last is not skipped by a reader that read past it', async () => {
    const from = await latest();
    const slow = await post(stack, admin.token, '/students', { full_name: `Slow ${randomHex(3)}`, birth_date: '2015-01-02' });
    await drain(from); // past slow's creation
    // The slow writer: once its change row is written, its transaction sleeps before it commits.
    await stack.psql(`CREATE FUNCTION test_slow_change() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN IF NEW.entity = 'student' AND NEW.entity_id = ${slow.id} THEN PERFORM pg_sleep(2); END IF; RETURN NEW; END $$;
      CREATE TRIGGER test_slow_change AFTER INSERT ON changes FOR EACH ROW EXECUTE FUNCTION test_slow_change()`);
    try {
      const mark = await latest();
      const slowWrite = call(stack, 'PATCH', `/students/${slow.id}`, { token: admin.token, body: { full_name: 'Slow later' } });
      // wait until it sleeps inside its transaction (its xid and change row exist, uncommitted)
      for (let i = 0; i < 200; i++) {
        const [[n]] = await stack.psql("SELECT count(*) FROM pg_stat_activity WHERE wait_event = 'PgSleep'");
        if (n === '1') break;
        await new Promise((res) => setTimeout(res, 20));
      }
      const fast = [];
      for (let i = 0; i < 2; i++) fast.push(await post(stack, admin.token, '/students', { full_name: `Fast ${i}`, birth_date: '2015-01-02' }));
      // the reader reads past the fast ones while the slow one is still open
      const early = await drain(mark);
      assert.deepEqual(early.items.map((c) => c.id), fast.map((s) => s.id), 'the open transaction is not visible yet');
      const r = await slowWrite;
      assert.equal(r.status, 200, r.text);
      // the slow transaction began (and got its transaction id) first ...
      const xids = await stack.query(`SELECT entity_id AS id, xid::text::bigint AS xid FROM changes WHERE entity = 'student' AND entity_id IN (${slow.id}, ${fast[0].id}) AND data->>'version' = (CASE WHEN entity_id = ${slow.id} THEN '2' ELSE '1' END)`);
      const xid = Object.fromEntries(xids.map((x) => [x.id, x.xid]));
      assert.ok(xid[slow.id] < xid[fast[0].id], `the slow transaction started first: ${JSON.stringify(xid)}`);
      // ... committed last, and the reader continuing from its cursor gets it
      const late = await drain(early.next);
      assert.deepEqual(late.items.map((c) => `${c.id}:${c.data.full_name}`), [`${slow.id}:Slow later`]);
      assert.ok(Number(late.items[0].cursor) > Number(early.next));
    } finally {
      await stack.psql('DROP TRIGGER test_slow_change ON changes; DROP FUNCTION test_slow_change()');
    }
  });

  test('issue 11 the settings and an absence reason code, which have no id: in the feed with their key in data', async () => {
    const from = await latest();
    let r = await call(stack, 'PATCH', '/settings', { token: admin.token, body: { institution_name: `Skola ${randomHex(2)}` } });
    assert.equal(r.status, 200, r.text);
    const settings = (await call(stack, 'GET', '/settings', { token: admin.token })).body; // as GET shows it
    const code = `c${randomHex(3)}`;
    r = await call(stack, 'POST', '/absence-reasons', { token: admin.token, body: { code, name: 'Sacensības', excused: true } });
    assert.equal(r.status, 201, r.text);
    const { items } = await drain(from);
    assert.deepEqual(items.map((c) => `${c.entity}:${c.id}:${c.op}`), ['settings:null:upsert', 'absence_reason:null:upsert']);
    assert.deepEqual(items[0].data, settings);
    assert.equal(items[1].data.code, code);
  });

  test('issue 11 a generated schedule and an applied absence report: one change per lesson they touch', async () => {
    const from = await latest();
    const r = await call(stack, 'POST', `/groups/${inst.group.id}/schedule`, { token: admin.token,
      body: { weekday: 3, starts_at: '17:00', ends_at: '18:00', valid_from: '2026-09-02', valid_to: '2026-09-30' } });
    assert.equal(r.status, 201, r.text);
    const { items } = await drain(from);
    const lessons = items.filter((c) => c.entity === 'lesson');
    assert.equal(items[0].entity, 'schedule_slot');
    assert.equal(items[0].id, r.body.slot.id);
    assert.equal(lessons.length, r.body.lessons_created);
    assert.ok(lessons.length >= 3);
    for (const c of lessons) assert.equal(c.data.slot_id, r.body.slot.id);
  });
});
