// Proposals to change the rules (RULES.md §23, SPEC.md "Proposals"): any signed-in person files one,
// optionally about a paragraph (1–23); the author sees their own and the decision; the director and
// the superuser see all and decide (accepted, declined, noted) with a response; audited (§19).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { assertProblem } from './lib/assert.mjs';
import { adminSession, makeUser } from './lib/fixtures.mjs';
import { call, startStack } from './lib/stack.mjs';

let stack, admin, director, teacher, guardian, otherGuardian, integration;
const get = (path, token) => call(stack, 'GET', path, { token });
const post = (path, body, token, headers = {}) => call(stack, 'POST', path, { token, body, headers });

before(async () => {
  stack = await startStack();
  admin = await adminSession(stack);
  director = await makeUser(stack, admin, { roles: ['director'], full_name: 'Direktore Dace' });
  teacher = await makeUser(stack, admin, { roles: ['teacher'] });
  // Guardians without children have no access (§11); a child each keeps them signed in.
  guardian = await makeUser(stack, admin, { roles: ['guardian'], activate: false, full_name: 'Māra Ozola' });
  otherGuardian = await makeUser(stack, admin, { roles: ['guardian'], activate: false });
  integration = await makeUser(stack, admin, { roles: ['integration'] });
  const year = (await post('/school-years', { name: 'P 2026/27', starts_on: '2026-09-01', ends_on: '2027-05-31' }, admin.token)).body;
  const program = (await post('/programs', { code: 'PRP', name: 'Deja' }, admin.token)).body;
  const group = (await post('/groups', { program_id: program.id, school_year_id: year.id, name: 'Deja 1', teacher_ids: [teacher.id] }, admin.token)).body;
  for (const g of [guardian, otherGuardian]) {
    const s = (await post('/students', { full_name: `Bērns ${g.username}` }, admin.token)).body;
    assert.equal((await post(`/groups/${group.id}/enrollments`, { student_id: s.id, starts_on: '2026-09-01' }, admin.token)).status, 201);
    assert.equal((await call(stack, 'PUT', `/students/${s.id}/guardians/${g.id}`, { token: admin.token })).status, 200);
    const first = await call(stack, 'POST', '/auth/login', { body: { username: g.username, password: g.initial } });
    assert.equal(first.status, 200, first.text);
    g.password = `pw-${g.username}-12345`;
    const ch = await post('/auth/password', { current_password: g.initial, new_password: g.password }, first.body.access_token);
    assert.equal(ch.status, 200, ch.text);
    g.token = ch.body.access_token;
  }
});
after(async () => stack && stack.stop());

describe('§23 proposals', () => {
  let proposal;

  test('§23 a guardian files a proposal about a paragraph; it starts open and is audited', async () => {
    const r = await post('/proposals', { text: 'Lūdzu ļaut kavējumu pieteikt arī pa e-pastu.', paragraph: 14 }, guardian.token);
    assert.equal(r.status, 201, r.text);
    proposal = r.body;
    assert.deepEqual(Object.keys(proposal), ['id', 'author_id', 'author_name', 'paragraph', 'text', 'status', 'response',
      'decided_by', 'decided_by_name', 'decided_at', 'version', 'created_at', 'updated_at']);
    assert.equal(proposal.author_id, guardian.id);
    assert.equal(proposal.author_name, 'Māra Ozola');
    assert.equal(proposal.paragraph, 14);
    assert.equal(proposal.status, 'open');
    assert.equal(proposal.response, null);
    assert.equal(r.headers.get('location'), `/api/v1/proposals/${proposal.id}`);
    assert.equal(r.headers.get('etag'), '"v1"');
    const audit = await get(`/audit?entity=proposal&entity_id=${proposal.id}`, director.token);
    assert.deepEqual(audit.body.items.map((i) => [i.action, i.actor_id]), [['proposal.create', guardian.id]]);
    // Without a paragraph, and by a teacher.
    const t = await post('/proposals', { text: 'Vairāk laika ierakstiem.' }, teacher.token);
    assert.equal(t.status, 201, t.text);
    assert.equal(t.body.paragraph, null);
  });

  test('§23 a guardian\'s proposal is invisible to a teacher and to another guardian; the director and superuser see all', async () => {
    for (const u of [teacher, otherGuardian]) {
      assertProblem(await get(`/proposals/${proposal.id}`, u.token), 404, 'not_found');
      const list = await get('/proposals', u.token);
      assert.equal(list.status, 200, list.text);
      assert.ok(!list.body.items.some((p) => p.id === proposal.id));
      assert.ok(list.body.items.every((p) => p.author_id === u.id));
    }
    for (const token of [director.token, admin.token]) {
      const list = await get('/proposals?status=open', token);
      assert.ok(list.body.items.some((p) => p.id === proposal.id));
      assert.ok(list.body.items.some((p) => p.author_id === teacher.id));
    }
    assert.equal((await get(`/proposals/${proposal.id}`, guardian.token)).status, 200);
    assertProblem(await get('/proposals', integration.token), 403, 'forbidden');
    assertProblem(await get('/proposals?status=maybe', director.token), 400, 'invalid_query');
  });

  test('§23 the director decides with a response; the author sees the decision; a second decision is 409', async () => {
    assertProblem(await post(`/proposals/${proposal.id}/decision`, { status: 'accepted', response: 'Jā' }, guardian.token), 403, 'forbidden');
    assertProblem(await post(`/proposals/${proposal.id}/decision`, { status: 'accepted', response: 'Jā' }, teacher.token), 403, 'forbidden');
    assertProblem(await post(`/proposals/${proposal.id}/decision`, { status: 'accepted', response: 'Jā' }, director.token,
      { 'If-Match': '"v7"' }), 412, 'precondition_failed');
    let r = await post(`/proposals/${proposal.id}/decision`, { status: 'accepted', response: 'Iekļausim noteikumu grozījumos.' },
      director.token, { 'If-Match': '"v1"' });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.body.status, 'accepted');
    assert.equal(r.body.decided_by, director.id);
    assert.equal(r.body.decided_by_name, 'Direktore Dace');
    assert.match(r.body.decided_at, /Z$/);
    r = await get(`/proposals/${proposal.id}`, guardian.token);
    assert.equal(r.body.status, 'accepted');
    assert.equal(r.body.response, 'Iekļausim noteikumu grozījumos.');
    assert.equal(r.headers.get('etag'), '"v2"');
    r = await get('/proposals?status=accepted', guardian.token);
    assert.deepEqual(r.body.items.map((p) => p.id), [proposal.id]);
    r = await post(`/proposals/${proposal.id}/decision`, { status: 'noted', response: 'Vēlreiz' }, admin.token);
    assertProblem(r, 409, 'proposal_decided');
    assert.equal(r.body.proposal_status, 'accepted');
    const audit = await get(`/audit?entity=proposal&entity_id=${proposal.id}&action=proposal.decide`, admin.token);
    assert.equal(audit.body.items.length, 1);
    assert.equal(audit.body.items[0].before.status, 'open');
    assert.equal(audit.body.items[0].after.status, 'accepted');
    assertProblem(await post('/proposals/999999/decision', { status: 'noted', response: 'x' }, director.token), 404, 'not_found');
  });

  test('§23 bad input is 422 and changes nothing: empty or blank text, 100 KiB of text, paragraph 0 or 24, a bad decision', async () => {
    const count = async () => (await stack.query('SELECT count(*)::int AS n FROM proposals'))[0].n;
    const n0 = await count();
    for (const body of [{ text: '' }, { text: '   \u200b ' }, { text: 'ā'.repeat(100 * 1024 / 2) }, { text: 'x'.repeat(100 * 1024) },
      { text: 'Labs', paragraph: 0 }, { text: 'Labs', paragraph: 24 }, { text: 'Labs', paragraph: -1 }]) {
      const r = await post('/proposals', body, guardian.token);
      assertProblem(r, 422, 'validation_failed');
      assert.ok(r.body.errors.some((e) => e.field === ('paragraph' in body ? 'paragraph' : 'text')), r.text);
    }
    assertProblem(await post('/proposals', {}, guardian.token), 422, 'validation_failed');
    assertProblem(await post('/proposals', { text: 'x', paragraph: '5' }, guardian.token), 400, 'invalid_field');
    assertProblem(await post('/proposals', { text: 'x', author_id: 1 }, guardian.token), 400, 'unknown_field');
    assert.equal(await count(), n0);
    const open = (await post('/proposals', { text: 'Vēl viens' }, guardian.token)).body;
    for (const body of [{ status: 'open', response: 'x' }, { status: 'accepted', response: '' }, { status: 'accepted' }]) {
      assertProblem(await post(`/proposals/${open.id}/decision`, body, director.token), 422, 'validation_failed');
    }
    assert.equal((await get(`/proposals/${open.id}`, director.token)).body.status, 'open');
  });
});
