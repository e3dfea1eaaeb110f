// The role matrix (RULES §6, §8, §20; SPEC "Roles"): generated from the route table in api/routes.c.
// For every route × role (and no token at all) one request is sent; a role the table does not allow
// must get 403 `forbidden` (no token: 401), an allowed role must pass the gate (anything but 401 and
// 403 forbidden). The matrix is printed as a table. A route in the table the matrix did not cover
// fails the test.
// Run alone with: node --test tests/api/roles.test.mjs   (EJ_BIN=build-c-asan/ejournal to pick a binary)
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { startStack, login, call, randomHex, repoRoot } from './lib/stack.mjs';


const show = (r) => `${r.status} ${typeof r.body === 'string' ? r.body.slice(0, 300) : JSON.stringify(r.body)}`;

// --- the route table, read from the source -------------------------------------------------------

const read = (p) => fs.readFileSync(path.join(repoRoot, p), 'utf8');
const stripComments = (src) => src.replace(/\/\*[\s\S]*?\*\//g, ' ').replace(/\/\/[^\n]*/g, ' ');

// Symbols: enum members `NAME = expr` and `#define NAME expr` of the given sources.
function collectSymbols(sources) {
  const sym = new Map();
  for (const src of sources.map(stripComments)) {
    for (const m of src.matchAll(/^[ \t]*#define[ \t]+([A-Za-z_]\w*)[ \t]+([^\n]+)$/gm)) sym.set(m[1], m[2].trim());
    for (const e of src.matchAll(/enum\s+\w*\s*\{([^}]*)\}/g)) {
      for (const m of e[1].matchAll(/([A-Za-z_]\w*)\s*=\s*([^,]+)/g)) sym.set(m[1], m[2].trim());
    }
  }
  return sym;
}

// Evaluates a C constant expression of numbers, symbols, |, << and parentheses.
function evaluate(expr, sym, depth = 0) {
  if (depth > 20) throw new Error(`symbol loop in ${expr}`);
  const tokens = expr.match(/0[xX][0-9a-fA-F]+[uUlL]*|\d+[uUlL]*|[A-Za-z_]\w*|<<|\||\(|\)|\S/g) || [];
  let i = 0;
  const primary = () => {
    const t = tokens[i++];
    if (t === undefined) throw new Error(`unexpected end of ${expr}`);
    if (t === '(') {
      const v = or();
      if (tokens[i++] !== ')') throw new Error(`missing ) in ${expr}`);
      return v;
    }
    if (/^0[xX]/.test(t)) return parseInt(t.replace(/[uUlL]+$/, ''), 16);
    if (/^\d/.test(t)) return parseInt(t.replace(/[uUlL]+$/, ''), 10);
    if (/^[A-Za-z_]/.test(t)) {
      if (!sym.has(t)) throw new Error(`unknown symbol ${t} in ${expr}`);
      return evaluate(sym.get(t), sym, depth + 1);
    }
    throw new Error(`unsupported token ${t} in ${expr}`);
  };
  const shift = () => {
    let v = primary();
    while (tokens[i] === '<<') {
      i++;
      v = (v << primary()) >>> 0;
    }
    return v;
  };
  const or = () => {
    let v = shift();
    while (tokens[i] === '|') {
      i++;
      v = (v | shift()) >>> 0;
    }
    return v;
  };
  const v = or();
  if (i !== tokens.length) throw new Error(`unsupported expression ${expr} (at ${tokens[i]})`);
  return v;
}

function routeTable() {
  const routesSrc = read('api/routes.c');
  const sym = collectSymbols([read('api/core/req.h'), read('api/router.h'), routesSrc]);
  const body = /ej_routes\[\]\s*=\s*\{([\s\S]*?)\n\};/.exec(stripComments(routesSrc));
  if (!body) throw new Error('ej_routes[] not found in api/routes.c');
  const rowRe = /\{\s*"([A-Z]+)"\s*,\s*"([^"]+)"\s*,\s*([A-Za-z_]\w*)\s*,\s*"([^"]*)"\s*,\s*([^,{}]+?)\s*,\s*([^,{}]+?)\s*,\s*([^,{}]+?)\s*\}/g;
  const rows = [...body[1].matchAll(rowRe)].map((m) => ({
    method: m[1], path: m[2], handler: m[3], operationId: m[4],
    rolesExpr: m[5], roles: evaluate(m[5], sym), flags: evaluate(m[6], sym),
  }));
  // Every row of the array must have been read: count the rows another way.
  const opened = (body[1].match(/\{\s*"/g) || []).length;
  return { rows, opened, bits: {
    superuser: evaluate('EJ_ROLE_SUPERUSER', sym), director: evaluate('EJ_ROLE_DIRECTOR', sym),
    teacher: evaluate('EJ_ROLE_TEACHER', sym), staff: evaluate('EJ_ROLE_STAFF', sym),
    student: evaluate('EJ_ROLE_STUDENT', sym), guardian: evaluate('EJ_ROLE_GUARDIAN', sym),
    integration: evaluate('EJ_ROLE_INTEGRATION', sym),
  }, flag: { body: evaluate('EJ_R_BODY', sym), optBody: evaluate('EJ_R_BODY_OPTIONAL', sym) } };
}

const ROLES = ['superuser', 'director', 'teacher', 'staff', 'student', 'guardian', 'integration'];
const COLUMNS = [...ROLES, 'none'];

// A request path for a route: parameters named like dates get a date, all others a missing id.
function concretePath(p) {
  return p.replace(/\{([^}]+)\}/g, (_, name) => (/date|day/i.test(name) ? '2031-02-03' : '999999'));
}

// --- fixtures ------------------------------------------------------------------------------------

async function createUser(s, admin, role) {
  const username = `${role}.${randomHex(3)}`;
  const r = await call(s, 'POST', '/users', { token: admin, body: { username, full_name: `Matrix ${role}`, roles: [role] } });
  assert.equal(r.status, 201, `create ${role}: ${show(r)}`);
  return { role, id: r.body.id, username, initial: r.body.initial_password };
}

async function activate(s, u) {
  const first = await login(s, u.username, u.initial);
  assert.equal(first.status, 200, `first login of the ${u.role}: ${show(first)}`);
  u.password = `Matrix-${randomHex(8)}`;
  const ch = await call(s, 'POST', '/auth/password', {
    token: first.body.access_token, body: { current_password: u.initial, new_password: u.password },
  });
  assert.equal(ch.status, 200, `password change of the ${u.role}: ${show(ch)}`);
  u.token = ch.body.access_token;
}

// SETUP: students and guardians have access only while a linked student has a non-withdrawn
// enrollment (user_access(), db/functions/20_access.sql). Through the roster API when the route
// table has it, else straight into the tables.
async function enrollStudentAndChild(s, admin, table, users) {
  const has = (method, p) => table.rows.some((r) => r.method === method && r.path === p);
  const viaApi = has('POST', '/api/v1/school-years') && has('POST', '/api/v1/programs') && has('POST', '/api/v1/groups') &&
    has('POST', '/api/v1/students') && has('PUT', '/api/v1/students/{id}/guardians/{user_id}') &&
    has('POST', '/api/v1/groups/{id}/enrollments');
  const tag = randomHex(3);
  if (viaApi) {
    const post = async (p, body) => {
      const r = await call(s, 'POST', p, { token: admin, body });
      assert.equal(r.status, 201, `setup POST ${p}: ${show(r)}`);
      return r.body;
    };
    const year = await post('/school-years', { name: `M-${tag}`, starts_on: '2026-09-01', ends_on: '2027-05-31' });
    const program = await post('/programs', { code: `M${tag}`, name: 'Matrix programme' });
    const group = await post('/groups', { program_id: program.id, school_year_id: year.id, name: `Matrix ${tag}`, teacher_ids: [users.teacher.id] });
    const own = await post('/students', { full_name: 'Matrix Student', user_id: users.student.id });
    const child = await post('/students', { full_name: 'Matrix Child' });
    const link = await call(s, 'PUT', `/students/${child.id}/guardians/${users.guardian.id}`, { token: admin });
    assert.ok(link.status === 200 || link.status === 201 || link.status === 204, `setup link guardian: ${show(link)}`);
    await post(`/groups/${group.id}/enrollments`, { student_id: own.id, starts_on: '2026-09-01' });
    await post(`/groups/${group.id}/enrollments`, { student_id: child.id, starts_on: '2026-09-01' });
    return 'roster API';
  }
  await s.psql(`
    WITH y AS (INSERT INTO school_years (name, starts_on, ends_on) VALUES ('M-${tag}', '2026-09-01', '2027-05-31') RETURNING id),
         p AS (INSERT INTO programs (code, name) VALUES ('M${tag}', 'Matrix programme') RETURNING id),
         g AS (INSERT INTO groups (program_id, school_year_id, name) SELECT p.id, y.id, 'Matrix ${tag}' FROM p, y RETURNING id),
         t AS (INSERT INTO group_teachers (group_id, teacher_id) SELECT g.id, ${users.teacher.id} FROM g),
         own AS (INSERT INTO students (full_name, user_id) VALUES ('Matrix Student', ${users.student.id}) RETURNING id),
         child AS (INSERT INTO students (full_name) VALUES ('Matrix Child') RETURNING id),
         link AS (INSERT INTO student_guardians (student_id, guardian_id) SELECT child.id, ${users.guardian.id} FROM child)
    INSERT INTO enrollments (group_id, student_id, starts_on)
    SELECT g.id, own.id, '2026-09-01' FROM g, own UNION ALL SELECT g.id, child.id, '2026-09-01' FROM g, child`);
  return 'psql';
}

// --- the matrix ----------------------------------------------------------------------------------

describe('role matrix (generated from api/routes.c)', () => {
  let s;
  let table;
  const users = {};
  const results = []; // { route, col, status, code, ok, why }

  before(async () => {
    table = routeTable();
    s = await startStack({});
    const a = await login(s, s.superuser, s.adminPassword);
    assert.equal(a.status, 200, show(a));
    const admin = a.body.access_token;
    for (const role of ROLES) users[role] = await createUser(s, admin, role);
    const how = await enrollStudentAndChild(s, admin, table, users);
    console.log(`role matrix: ${table.rows.length} routes; student and guardian access set up via ${how}`);
    for (const role of ROLES) await activate(s, users[role]);
  });
  after(async () => {
    await s?.stop();
  });

  test('the route table parses: every row of ej_routes[] is read, every role expression resolves', () => {
    assert.ok(table.rows.length > 0, 'no routes parsed');
    assert.equal(table.rows.length, table.opened, `parsed ${table.rows.length} rows but ej_routes[] opens ${table.opened}: a row has a shape the parser does not know`);
    const keys = table.rows.map((r) => `${r.method} ${r.path}`);
    assert.equal(new Set(keys).size, keys.length, 'duplicate method+path in the table');
    for (const r of table.rows) assert.equal(r.roles & ~0x7f, 0, `${r.method} ${r.path}: unknown role bits in ${r.rolesExpr}`);
  });

  test('every role signs in with a changed password and has access (students and guardians through an enrollment)', async () => {
    for (const role of ROLES) {
      const m = await call(s, 'GET', '/me', { token: users[role].token });
      assert.equal(m.status, 200, `${role}: ${show(m)}`);
      assert.deepEqual(m.body.roles, [role]);
      assert.equal(m.body.must_change_password, false);
      assert.equal(m.body.access, 'active', `${role} access`);
    }
  });

  test('§6 §8 §20 route × role: a role not allowed → 403 forbidden (no token → 401); an allowed role passes the gate', async () => {
    for (const route of table.rows) {
      const url = `${s.base}${concretePath(route.path)}`;
      const takesBody = (route.flags & table.flag.body) !== 0;
      for (const col of COLUMNS) {
        let token = col === 'none' ? undefined : users[col].token;
        // Logging out would end the session the rest of the matrix uses: log out a fresh one.
        if (col !== 'none' && /\/auth\/logout$/.test(route.path)) {
          const l = await login(s, users[col].username, users[col].password);
          assert.equal(l.status, 200, `fresh login of the ${col}: ${show(l)}`);
          token = l.body.access_token;
        }
        const r = await call(s, route.method, url, takesBody ? { token, body: {} } : { token });
        const code = r.body && typeof r.body === 'object' ? r.body.code : undefined;
        let ok;
        let why;
        if (route.roles === 0) {
          ok = r.status !== 401 && r.status !== 403;
          why = 'public: no 401/403';
        } else if (col === 'none') {
          ok = r.status === 401 && code === 'unauthenticated';
          why = 'no token: 401 unauthenticated';
        } else if (route.roles & table.bits[col]) {
          ok = r.status !== 401 && !(r.status === 403 && (code === 'forbidden' || code === 'password_change_required'));
          why = 'allowed: passes the gate';
        } else {
          ok = r.status === 403 && code === 'forbidden';
          why = 'not allowed: 403 forbidden';
        }
        results.push({ route: `${route.method} ${route.path}`, col, status: r.status, code, ok, why });
      }
    }
    // The table: route × role → status (! marks a cell that broke the rule).
    const w = Math.max(...table.rows.map((r) => `${r.method} ${r.path}`.length));
    const head = `${'route'.padEnd(w)}  ${'roles'.padEnd(22)}${COLUMNS.map((c) => c.slice(0, 5).padStart(7)).join('')}`;
    const lines = [head, '-'.repeat(head.length)];
    for (const route of table.rows) {
      const key = `${route.method} ${route.path}`;
      const cells = COLUMNS.map((c) => {
        const x = results.find((y) => y.route === key && y.col === c);
        return `${x.ok ? '' : '!'}${x.status}`.padStart(7);
      });
      lines.push(`${key.padEnd(w)}  ${route.rolesExpr.slice(0, 21).padEnd(22)}${cells.join('')}`);
    }
    console.log(`role matrix (status per route and role; ! = wrong):\n${lines.join('\n')}`);
    const bad = results.filter((x) => !x.ok);
    assert.deepEqual(bad.map((x) => `${x.route} as ${x.col}: ${x.status} ${x.code ?? ''} (expected ${x.why})`), []);
  });

  test('the matrix covered every route of the table, with every role and without a token', () => {
    const fresh = routeTable(); // re-read: a route added to the table since must be covered too
    for (const route of fresh.rows) {
      const key = `${route.method} ${route.path}`;
      for (const col of COLUMNS) {
        assert.ok(results.some((x) => x.route === key && x.col === col), `route ${key} not covered for ${col}`);
      }
    }
    assert.equal(results.length, fresh.rows.length * COLUMNS.length, 'one request per route and column');
  });

  test('no request of the matrix got a 5xx', () => {
    const bad = results.filter((x) => x.status >= 500);
    assert.deepEqual(bad.map((x) => `${x.route} as ${x.col}: ${x.status} ${x.code ?? ''}`), []);
  });
});
