// Assertions shared by the API tests.
//
//   assertProblem(r, 409, 'school_year_closed');            r from call() / login()
//   assertProblem(r, 401, 'token_expired', 'after a day:');  with a label for the messages

import assert from 'node:assert/strict';

// An application/problem+json reply with this status and code.
export function assertProblem(r, status, code, what = '') {
  const label = what ? `${what} ` : '';
  assert.equal(r.status, status, `${label}expected ${status} ${code}, got ${r.status}: ${r.text}`);
  assert.match(r.headers.get('content-type') || '', /^application\/problem\+json/, `${label}content type: ${r.text}`);
  assert.equal(r.body?.code, code, `${label}code: ${r.text}`);
}
