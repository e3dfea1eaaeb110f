// issue 14: one "today", Riga's (ej_riga_today in api/rules/calendar.c, as riga_today() in the
// database), whatever the server's own time zone. The server runs here under two TZ settings
// far from Riga's, so that at any hour one of them is on another date than Riga: with the
// server's local date, a superuser setting their own employment to begin or end today got 409
// cannot_end_own_access although user_access() counts them active.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { call, startStack } from './lib/stack.mjs';
import { adminSession } from './lib/fixtures.mjs';
import { rigaDay } from './lib/riga.mjs';

for (const tz of ['<-12>+12', '<+14>-14']) {
  test(`issue 14 §6 §7 today is Riga's under TZ=${tz}: own employment from or until today is allowed, tomorrow/yesterday is not; a birth date of today is no future date`, async () => {
    const stack = await startStack({ env: { TZ: tz } });
    try {
      const admin = await adminSession(stack);
      const patch = (body) => call(stack, 'PATCH', `/users/${admin.id}`, { token: admin.token, body });
      const today = rigaDay(0);
      let r = await patch({ employment_start: today });
      assert.equal(r.status, 200, r.text);
      assert.equal(r.body.access, 'active');
      r = await patch({ employment_end: today });
      assert.equal(r.status, 200, r.text);
      assert.equal(r.body.access, 'active');
      for (const body of [{ employment_start: rigaDay(1) }, { employment_end: rigaDay(-1) }]) {
        r = await patch(body);
        assert.equal(r.status, 409, r.text);
        assert.equal(r.body.code, 'cannot_end_own_access');
      }
      r = await call(stack, 'POST', '/students', { token: admin.token, body: { full_name: 'Jaundzimušais', birth_date: today } });
      assert.equal(r.status, 201, r.text);
      r = await call(stack, 'POST', '/students', { token: admin.token, body: { full_name: 'Nākotne', birth_date: rigaDay(1) } });
      assert.equal(r.status, 422, r.text);
      assert.deepEqual(r.body.errors, [{ field: 'birth_date', message: 'must not be in the future' }]);
    } finally {
      await stack.stop();
    }
  });
}
