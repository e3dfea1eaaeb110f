// A one-off public holiday is named what the superuser named it (§17): in a schedule's `skipped`
// list and in the 422 public_holiday of a lesson on it; the holidays of the law, and the days off
// the weekend rule gives, keep their fixed names.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { assertProblem } from './lib/assert.mjs';
import { adminSession, makeInstitution, makeUser, post } from './lib/fixtures.mjs';
import { call, startStack } from './lib/stack.mjs';

let stack, admin, inst;

// A school year far in the future, so that every lesson is planned whatever today is.
before(async () => {
  stack = await startStack();
  admin = await adminSession(stack);
  const teacher = await makeUser(stack, admin, { roles: ['teacher'] });
  inst = await makeInstitution(stack, admin, { teachers: [teacher.id], starts_on: '2040-09-01', ends_on: '2041-05-31' });
  await post(stack, admin.token, '/calendar/holidays', { date: '2040-10-17', name: 'Skolas jubileja' });
  // a Saturday with the weekend rule: Monday 15 October is the day off
  await post(stack, admin.token, '/calendar/holidays', { date: '2040-10-13', name: 'Dziesmu svētku noslēgums', weekend_rule: true });
});
after(async () => stack && stack.stop());

const slot = (body) => call(stack, 'POST', `/groups/${inst.group.id}/schedule`, { token: admin.token, body });

describe('§17 a one-off holiday carries the name the superuser gave it', () => {
  test('§17 a weekly slot skips a one-off holiday under its own name', async () => {
    const r = await slot({ weekday: 3, starts_at: '15:00', ends_at: '16:30', valid_from: '2040-10-01', valid_to: '2040-10-31' });
    assert.equal(r.status, 201, r.text);
    assert.deepEqual(r.body.skipped, [{ date: '2040-10-17', reason: 'public_holiday', name: 'Skolas jubileja' }]);
    assert.equal(r.body.lessons_created, 4);
  });

  test('§17 the law\'s holidays and the weekend rule\'s days off keep their fixed names in skipped', async () => {
    const r = await slot({ weekday: 1, starts_at: '15:00', ends_at: '16:30', valid_from: '2040-10-01', valid_to: '2040-11-30' });
    assert.equal(r.status, 201, r.text);
    assert.deepEqual(r.body.skipped, [
      { date: '2040-10-15', reason: 'public_holiday', name: 'Brīvdiena (pārcelta svētku diena)' },
      { date: '2040-11-19', reason: 'public_holiday', name: 'Brīvdiena (pārcelta no 18. novembra)' },
    ]);
  });

  test('§17 a single lesson on a one-off holiday is 422 public_holiday naming it', async () => {
    const r = await call(stack, 'POST', '/lessons', { token: admin.token,
      body: { group_id: inst.group.id, date: '2040-10-17', starts_at: '10:00', ends_at: '11:00' } });
    assertProblem(r, 422, 'public_holiday');
    assert.equal(r.body.holiday, 'Skolas jubileja');
    assert.equal(r.body.date, '2040-10-17');
    assert.match(r.body.detail, /\(Skolas jubileja\)/);
    // a law holiday keeps its name there too (Christmas Day 2040 is a Tuesday)
    const x = await call(stack, 'POST', '/lessons', { token: admin.token,
      body: { group_id: inst.group.id, date: '2040-12-25', starts_at: '10:00', ends_at: '11:00' } });
    assertProblem(x, 422, 'public_holiday');
    assert.equal(x.body.holiday, 'Pirmie Ziemassvētki');
  });

});
