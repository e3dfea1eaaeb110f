// openapi.yaml tells the truth about the route table, and the server serves it (SPEC "Layout":
// "openapi.yaml the API description, kept true by tests").
//
// The route table (api/routes.c) and openapi.yaml are both read as text, without npm packages: the
// table's rows with a regular expression, openapi.yaml with a small line reader that relies on the
// layout the file's header comment fixes (paths at 2 spaces under `paths:`, methods at 4,
// operation keys at 6). For every row: the same path, method and operationId; `security: []` for
// public rows and `x-roles` naming exactly the roles of the others; a request body (required or
// not) exactly when the row takes one, with its limit in `x-body-limit`; the Idempotency-Key
// parameter exactly when the row honours it; 401 and 403 listed where they can happen. And no
// operation in openapi.yaml that the table lacks. Also: the ErrorCode schema lists exactly the
// codes that the server source (api/**/*.c) can send, each under its status.
//
// Run alone with: node --test tests/api/openapi.test.mjs   (EJ_BIN=build/ejournal to pick a binary)
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { startStack, repoRoot } from './lib/stack.mjs';

const ROUTES_C = path.join(repoRoot, 'api', 'routes.c');
const OPENAPI = path.join(repoRoot, 'openapi.yaml');
const ROUTER_H = path.join(repoRoot, 'api', 'router.h');

const ROLE_BITS = {
  EJ_ROLE_SUPERUSER: ['superuser'],
  EJ_ROLE_DIRECTOR: ['director'],
  EJ_ROLE_TEACHER: ['teacher'],
  EJ_ROLE_STAFF: ['staff'],
  EJ_ROLE_STUDENT: ['student'],
  EJ_ROLE_GUARDIAN: ['guardian'],
  EJ_ROLE_INTEGRATION: ['integration'],
  EJ_ROLE_ALL: ['superuser', 'director', 'teacher', 'staff', 'student', 'guardian', 'integration'],
};
const FLAG_NAMES = ['EJ_R_BODY', 'EJ_R_BODY_OPTIONAL', 'EJ_R_TX', 'EJ_R_PWCHANGE_OK', 'EJ_R_IDEMPOTENT', 'EJ_R_HASHES', 'EJ_R_PERSONAL'];

// ---- api/routes.c --------------------------------------------------------------------------------

function stripComments(c) {
  return c.replace(/\/\*[\s\S]*?\*\//g, ' ').replace(/\/\/[^\n]*/g, ' ');
}

function readDefines(c) {
  const defines = new Map();
  for (const m of c.matchAll(/^[ \t]*#define[ \t]+(\w+)[ \t]+(.+?)[ \t]*$/gm)) defines.set(m[1], m[2]);
  return defines;
}

// Resolves `SU | DIR`, `ANY`, `0`, `EJ_ROLE_TEACHER`, `(SU | DIR | TEACHER)` ... through routes.c's
// own #defines into the set of names that `known` accepts.
function expandTerms(expr, defines, known, what, depth = 0) {
  if (depth > 8) throw new Error(`routes.c: #define loop at '${expr}'`);
  const out = new Set();
  for (const term of expr.replace(/[()]/g, ' ').split('|').map((t) => t.trim())) {
    if (term === '0' || term === '') continue;
    if (known(term)) out.add(term);
    else if (defines.has(term)) for (const t of expandTerms(defines.get(term), defines, known, what, depth + 1)) out.add(t);
    else throw new Error(`routes.c: unknown ${what} '${term}' in '${expr}'`);
  }
  return out;
}

function evalSize(expr) {
  if (!/^[\d\s*()]+$/.test(expr)) throw new Error(`routes.c: body limit '${expr}' is not a constant`);
  return expr
    .replace(/[()]/g, '')
    .split('*')
    .map((n) => Number(n.trim()))
    .reduce((a, b) => a * b, 1);
}

function readRouteTable(text) {
  const c = stripComments(text);
  const defines = readDefines(c);
  const table = /ej_routes\[\]\s*=\s*\{([\s\S]*?)\n\};/.exec(c);
  if (!table) throw new Error('routes.c: no `const struct ej_route ej_routes[] = {...};`');
  const rows = [];
  const rowRe = /\{\s*"([A-Z]+)"\s*,\s*"([^"]+)"\s*,\s*(\w+)\s*,\s*"([^"]+)"\s*,\s*([^,{}]+?)\s*,\s*([^,{}]+?)\s*,\s*([^,{}]+?)\s*\}/g;
  for (const m of table[1].matchAll(rowRe)) {
    const roles = new Set();
    for (const r of expandTerms(m[5], defines, (t) => t in ROLE_BITS, 'role')) for (const n of ROLE_BITS[r]) roles.add(n);
    const flags = expandTerms(m[6], defines, (t) => FLAG_NAMES.includes(t), 'flag');
    rows.push({ method: m[1], path: m[2], handler: m[3], operationId: m[4], roles, flags, bodyLimit: evalSize(m[7]) });
  }
  // Every `{"METHOD", ...` in the table must have been read as a row.
  const opened = (table[1].match(/\{\s*"[A-Z]+"/g) || []).length;
  if (opened !== rows.length) throw new Error(`routes.c: read ${rows.length} rows of ${opened}; the row layout changed`);
  return rows;
}

// ---- openapi.yaml --------------------------------------------------------------------------------

const METHODS = ['get', 'put', 'post', 'patch', 'delete', 'head', 'options', 'trace'];

// Returns [{path, method, keys: {name: {value, lines}}}] for every operation under `paths:`.
function readOperations(text) {
  const ops = [];
  let inPaths = false;
  let pathKey = null;
  let op = null;
  let key = null;
  text.split('\n').forEach((line, i) => {
    const where = `openapi.yaml:${i + 1}`;
    if (/^\s*(#.*)?$/.test(line)) return; // blank or comment
    if (/^\S/.test(line)) {
      inPaths = /^paths:\s*$/.test(line);
      pathKey = op = key = null;
      return;
    }
    if (!inPaths) return;
    let m;
    if ((m = /^ {2}(\S.*?):\s*$/.exec(line))) {
      if (!m[1].startsWith('/')) throw new Error(`${where}: path key '${m[1]}' must be a plain /path`);
      pathKey = m[1];
      op = key = null;
    } else if ((m = /^ {4}(\S+):/.exec(line))) {
      op = key = null;
      if (METHODS.includes(m[1])) {
        if (!pathKey) throw new Error(`${where}: method outside a path`);
        op = { path: pathKey, method: m[1].toUpperCase(), line: i + 1, keys: {} };
        ops.push(op);
      }
    } else if (op && (m = /^ {6}([\w$-]+):\s*(.*?)\s*$/.exec(line))) {
      key = m[1];
      op.keys[key] = { value: m[2], lines: [] };
    } else if (op && /^ {7}/.test(line)) {
      if (!key) throw new Error(`${where}: indented line outside an operation key`);
      op.keys[key].lines.push(line);
    } else if (op) {
      throw new Error(`${where}: unexpected indentation inside an operation`);
    }
  });
  return ops;
}

function flowList(v) {
  const m = /^\[(.*)\]$/.exec(v || '');
  return m ? m[1].split(',').map((s) => s.trim()).filter(Boolean) : null;
}

function responseCodes(op) {
  const r = op.keys.responses;
  if (!r) return [];
  return r.lines.map((l) => /^ {8}'?(\d{3})'?:/.exec(l)?.[1]).filter(Boolean);
}

// ---- the tests -----------------------------------------------------------------------------------

describe('openapi.yaml lists exactly the operations of the route table', () => {
  const routerDefines = readDefines(stripComments(fs.readFileSync(ROUTER_H, 'utf8')));
  const DEFAULT_BODY_LIMIT = evalSize(routerDefines.get('EJ_DEFAULT_BODY_LIMIT') || 'missing');
  const routes = readRouteTable(fs.readFileSync(ROUTES_C, 'utf8'));
  const yaml = fs.readFileSync(OPENAPI, 'utf8');
  const ops = readOperations(yaml);
  const opsByKey = new Map(ops.map((o) => [`${o.method} ${o.path}`, o]));

  test('both sides were read', () => {
    assert.ok(routes.length >= 10, `only ${routes.length} rows read from api/routes.c`);
    assert.ok(ops.length >= 10, `only ${ops.length} operations read from openapi.yaml`);
  });

  test('servers is "/" so that paths are full (ops routes live outside /api/v1)', () => {
    assert.match(yaml, /^servers:\n {2}- url: \/\n/m);
  });

  test('no duplicates on either side', () => {
    const seen = new Set();
    for (const r of routes) {
      const k = `${r.method} ${r.path}`;
      assert.ok(!seen.has(k), `routes.c has ${k} twice`);
      seen.add(k);
    }
    assert.equal(opsByKey.size, ops.length, 'openapi.yaml has an operation twice');
    const ids = ops.map((o) => o.keys.operationId?.value);
    assert.equal(new Set(ids).size, ids.length, 'openapi.yaml repeats an operationId');
  });

  for (const r of routes) {
    test(`${r.method} ${r.path} (${r.operationId})`, () => {
      const op = opsByKey.get(`${r.method} ${r.path}`);
      assert.ok(op, `openapi.yaml has no ${r.method.toLowerCase()} under ${r.path}`);
      const where = `openapi.yaml:${op.line} ${r.method} ${r.path}`;
      const k = op.keys;
      assert.equal(k.operationId?.value, r.operationId, `${where}: operationId`);
      assert.ok(k.summary?.value, `${where}: summary`);
      assert.ok(k.tags, `${where}: tags`);

      // who may call
      if (r.roles.size === 0) {
        assert.equal(k.security?.value, '[]', `${where}: a public operation says \`security: []\``);
        assert.equal(k['x-roles'], undefined, `${where}: a public operation has no x-roles`);
      } else {
        assert.equal(k.security, undefined, `${where}: uses the global bearer security`);
        const listed = flowList(k['x-roles']?.value);
        assert.ok(listed, `${where}: x-roles: [..] is missing`);
        assert.deepEqual([...new Set(listed)].sort(), [...r.roles].sort(), `${where}: x-roles vs routes.c`);
        const codes = responseCodes(op);
        assert.ok(codes.includes('401'), `${where}: lists 401`);
        const forbiddenPossible =
          !r.flags.has('EJ_R_PWCHANGE_OK') || r.roles.size < ROLE_BITS.EJ_ROLE_ALL.length;
        if (forbiddenPossible) assert.ok(codes.includes('403'), `${where}: lists 403 (password_change_required / forbidden)`);
      }

      // the body
      const body = r.flags.has('EJ_R_BODY') ? 'required' : r.flags.has('EJ_R_BODY_OPTIONAL') ? 'optional' : 'none';
      if (body === 'none') {
        assert.equal(k.requestBody, undefined, `${where}: takes no body`);
        assert.equal(k['x-body-limit'], undefined, `${where}: no x-body-limit without a body`);
      } else {
        assert.ok(k.requestBody, `${where}: requestBody is missing`);
        const req = k.requestBody.lines.map((l) => /^ {8}required:\s*(true|false)\s*$/.exec(l)?.[1]).find(Boolean);
        assert.equal(req, body === 'required' ? 'true' : 'false', `${where}: requestBody.required`);
        assert.match(k.requestBody.lines.join('\n'), /application\/json:/, `${where}: the body is application/json`);
        assert.equal(Number(k['x-body-limit']?.value), r.bodyLimit || DEFAULT_BODY_LIMIT, `${where}: x-body-limit vs routes.c`);
        for (const c of ['400', '411', '413', '415']) assert.ok(responseCodes(op).includes(c), `${where}: lists ${c}`);
      }

      // Idempotency-Key
      const params = k.parameters ? k.parameters.lines.join('\n') : '';
      const idem = params.includes("'#/components/parameters/IdempotencyKey'");
      assert.equal(idem, r.flags.has('EJ_R_IDEMPOTENT'), `${where}: the Idempotency-Key parameter exactly when routes.c says IDEM`);

      // Reads of students' personal data by employees are audited (PERSONAL, §20).
      const audited = k['x-read-audited']?.value === 'true';
      assert.equal(audited, r.flags.has('EJ_R_PERSONAL'), `${where}: x-read-audited: true exactly when routes.c says PERSONAL`);

      // A route that hashes passwords may answer 503 busy at once (HASH).
      if (r.flags.has('EJ_R_HASHES')) assert.ok(responseCodes(op).includes('503'), `${where}: lists 503 (busy)`);
    });
  }

  test('openapi.yaml has no operation that the route table lacks', () => {
    const inTable = new Set(routes.map((r) => `${r.method} ${r.path}`));
    const extra = ops.filter((o) => !inTable.has(`${o.method} ${o.path}`)).map((o) => `${o.method} ${o.path} (openapi.yaml:${o.line})`);
    assert.deepEqual(extra, [], 'operations in openapi.yaml that api/routes.c does not route');
  });
});

// ---- error codes -----------------------------------------------------------------------------------

// Every stable `code` the server can send, with its status where the call names one:
// ej_problem(r, 409, "code", ...), helpers such as lessons_problem(r, "code", ...), and the raw
// problems of the HTTP layer (code = "code").
function sourceCodes() {
  const out = new Map(); // code -> Set of statuses (empty when the call names none)
  const dir = path.join(repoRoot, 'api');
  for (const f of fs.readdirSync(dir, { recursive: true })) {
    if (!String(f).endsWith('.c')) continue;
    const c = stripComments(fs.readFileSync(path.join(dir, String(f)), 'utf8'));
    const add = (code, status) => {
      if (!out.has(code)) out.set(code, new Set());
      if (status) out.get(code).add(status);
    };
    for (const m of c.matchAll(/_problem\(\s*\w+\s*,\s*(?:(\d{3})\s*,\s*)?"([a-z][a-z0-9_]*)"/g)) add(m[2], m[1]);
    for (const m of c.matchAll(/\bcode\s*=\s*"([a-z][a-z0-9_]*)"/g)) add(m[1], null);
  }
  return out;
}

// The ErrorCode schema: its enum, and its description's table `| status | `code`, ... |`.
function documentedCodes(yaml) {
  const m = /^ {4}ErrorCode:\n((?: {6}.*\n|\s*\n)+)/m.exec(yaml);
  if (!m) throw new Error('openapi.yaml: no components.schemas.ErrorCode');
  const enumCodes = new Set([...m[1].matchAll(/^ {8}- ([a-z][a-z0-9_]*)\s*$/gm)].map((x) => x[1]));
  const byStatus = new Map();
  for (const row of m[1].matchAll(/^ {8}\| (\d{3}) \|(.*)\|\s*$/gm)) {
    byStatus.set(row[1], new Set([...row[2].matchAll(/`([a-z][a-z0-9_]*)`/g)].map((x) => x[1])));
  }
  return { enumCodes, byStatus };
}

describe('openapi.yaml lists every error code the server sends (they are part of the contract)', () => {
  const src = sourceCodes();
  const { enumCodes, byStatus } = documentedCodes(fs.readFileSync(OPENAPI, 'utf8'));

  test('the server source was read', () => {
    assert.ok(src.size >= 20, `only ${src.size} codes found in api/`);
  });

  test('every code in api/*.c is in ErrorCode, in the table row of each status it is sent with', () => {
    const missing = [];
    for (const [code, statuses] of src) {
      if (!enumCodes.has(code)) missing.push(`${code}: not in the enum`);
      for (const st of statuses) if (!byStatus.get(st)?.has(code)) missing.push(`${code}: not in the ${st} row`);
    }
    assert.deepEqual(missing, []);
  });

  test('ErrorCode lists no code that the server no longer sends', () => {
    assert.deepEqual([...enumCodes].filter((c) => !src.has(c)), []);
  });
});

describe('the server serves openapi.yaml', () => {
  let s;
  before(async () => {
    s = await startStack();
  });
  after(async () => {
    await s?.stop();
  });

  test('GET /api/v1/openapi.yaml is the file, byte for byte, without a token', async () => {
    const res = await fetch(`${s.api}/openapi.yaml`);
    const served = Buffer.from(await res.arrayBuffer());
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') || '', /^application\/yaml\b/);
    const file = fs.readFileSync(OPENAPI);
    assert.ok(served.equals(file), `served ${served.length} bytes differ from openapi.yaml (${file.length} bytes)`);
  });
});
