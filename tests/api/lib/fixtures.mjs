// Fixtures built through the real API: users that can log in, and a small
// institution (school year, programme, group, students, guardians).
//
//   const admin = await adminSession(stack);
//   const teacher = await makeUser(stack, admin, { roles: ['teacher'] });
//   const inst = await makeInstitution(stack, admin, { teachers: [teacher.id] });

import assert from 'node:assert/strict';
import { call, login, randomHex } from './stack.mjs';

export async function adminSession(stack) {
  const r = await login(stack, 'admin', stack.adminPassword);
  assert.equal(r.status, 200, `admin login: ${r.text}`);
  return { id: r.body.user.id, token: r.body.access_token, refresh: r.body.refresh_token };
}

// Creates a user and signs them in with a password of their own (the
// one-time password is changed), unless opts.activate === false.
export async function makeUser(stack, admin, opts = {}) {
  const username = opts.username || `u${randomHex(5)}`;
  const body = { username, full_name: opts.full_name || `User ${username}`, roles: opts.roles || ['teacher'] };
  for (const k of ['email', 'phone', 'employment_start', 'employment_end']) if (k in opts) body[k] = opts[k];
  const r = await call(stack, 'POST', '/users', { token: admin.token, body });
  assert.equal(r.status, 201, `create user: ${r.text}`);
  const user = { id: r.body.id, username, initial: r.body.initial_password };
  if (opts.activate === false) return user;
  const first = await login(stack, username, user.initial);
  if (first.status !== 200) return { ...user, loginStatus: first.status, loginBody: first.body };
  user.password = `pw-${randomHex(12)}`;
  const ch = await call(stack, 'POST', '/auth/password', {
    token: first.body.access_token,
    body: { current_password: user.initial, new_password: user.password },
  });
  assert.equal(ch.status, 200, `password change: ${ch.text}`);
  user.token = ch.body.access_token;
  user.refresh = ch.body.refresh_token;
  return user;
}

// Signs an existing user in again; returns the token (asserts 200).
export async function signIn(stack, user) {
  const r = await login(stack, user.username, user.password);
  assert.equal(r.status, 200, `login ${user.username}: ${r.text}`);
  user.token = r.body.access_token;
  return user.token;
}

export async function post(stack, token, path, body, expect = 201) {
  const r = await call(stack, 'POST', path, { token, body });
  assert.equal(r.status, expect, `POST ${path}: ${r.text}`);
  return r.body;
}

// A school year 2026/27 (1 Sep 2026 – 31 May 2027), a programme and one group
// taught by opts.teachers, with opts.students (names) enrolled from 1 Sep.
export async function makeInstitution(stack, admin, opts = {}) {
  const tag = randomHex(3);
  const year = await post(stack, admin.token, '/school-years',
    { name: opts.yearName || `2026/27-${tag}`, starts_on: opts.starts_on || '2026-09-01', ends_on: opts.ends_on || '2027-05-31' });
  const program = await post(stack, admin.token, '/programs', { code: `P${tag}`, name: 'Keramika' });
  const group = await post(stack, admin.token, '/groups',
    { program_id: program.id, school_year_id: year.id, name: `Group ${tag}`, teacher_ids: opts.teachers || [] });
  const students = [];
  for (const name of opts.students || []) {
    const s = await post(stack, admin.token, '/students', { full_name: name, birth_date: '2014-03-01' });
    const e = await post(stack, admin.token, `/groups/${group.id}/enrollments`,
      { student_id: s.id, starts_on: opts.starts_on || '2026-09-01' });
    students.push({ ...s, enrollment: e });
  }
  return { year, program, group, students };
}

// A user made with { activate: false } (or one whose password was reset) signs in with the
// one-time password and sets `pw-<username>-12345`; u gets .password and .token. Returns u.
export async function activate(stack, u) {
  const first = await login(stack, u.username, u.initial);
  assert.equal(first.status, 200, first.text);
  u.password = `pw-${u.username}-12345`;
  const ch = await call(stack, 'POST', '/auth/password', {
    token: first.body.access_token,
    body: { current_password: u.initial, new_password: u.password },
  });
  assert.equal(ch.status, 200, ch.text);
  u.token = ch.body.access_token;
  return u;
}
