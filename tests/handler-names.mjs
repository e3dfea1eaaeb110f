// issue 14: every handler is named after its operation: the handler of operationId `listMyLogins`
// is `ej_op_list_my_logins` (ej_op_ + the operationId in snake_case), so the route table, the
// resources and openapi.yaml read the same. Parses the rows of api/routes.c
// ({"GET", "/path", ej_op_x, "operationId", ...}) and fails on a mismatch not listed below as
// known; a known one that is gone fails too, so the list only shrinks. Run by scripts/test.sh
// (stage handlers).
//
//   node tests/handler-names.mjs          check
//   node tests/handler-names.mjs --sed    print a sed script that renames every mismatch in api/
//                                         (sed -i -E -f script $(git ls-files 'api/*.[ch]'))

import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const routes = fs.readFileSync(path.join(root, 'api/routes.c'), 'utf8');

// Known mismatches: none. A handler whose name is not ej_op_ + snake_case(operationId) fails.
const KNOWN = new Map([]);

const snake = (id) => id.replace(/([a-z0-9])([A-Z])/g, '$1_$2').replace(/([A-Z]+)([A-Z][a-z])/g, '$1_$2').toLowerCase();
const rowRe = /\{\s*"(GET|POST|PUT|PATCH|DELETE)"\s*,\s*"([^"]+)"\s*,\s*(\w+)\s*,\s*"(\w+)"/g;
const rows = [...routes.matchAll(rowRe)].map((m) => ({ method: m[1], path: m[2], handler: m[3], op: m[4] }));
if (rows.length === 0) {
  console.error('handlers: no route rows found in api/routes.c');
  process.exit(1);
}

const mismatches = rows.filter((r) => r.handler !== `ej_op_${snake(r.op)}`);
if (process.argv.includes('--sed')) {
  for (const r of mismatches) console.log(`s/\\b${r.handler}\\b/ej_op_${snake(r.op)}/g`);
  process.exit(0);
}
let failed = false;
for (const r of mismatches) {
  const known = KNOWN.get(r.handler) === r.op;
  if (!known) failed = true;
  (known ? console.log : console.error)(
    `handlers: ${known ? 'known: ' : ''}${r.method} ${r.path}: ${r.handler} should be ej_op_${snake(r.op)} (operationId ${r.op})`);
}
for (const [handler, op] of KNOWN) {
  if (!mismatches.some((r) => r.handler === handler && r.op === op)) {
    failed = true;
    console.error(`handlers: ${handler} (${op}) is no longer a mismatch: remove it from KNOWN in tests/handler-names.mjs`);
  }
}
console.log(`handlers: ${rows.length} routes, ${mismatches.length} known mismatches, ${failed ? 'FAILED' : 'ok'}`);
process.exit(failed ? 1 : 0);
