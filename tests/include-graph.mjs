// issue 14: the include graph of api/ (README, Architecture). Parses every `#include "..."` in
// api/**/*.{c,h} and fails on
//   - a cycle between modules (a module is a .c and its .h: core/json, store/lessons, pipeline),
//   - a cycle between components (a folder of api/: core, http, store, auth, rules, resources; a
//     file at the top of api/ is a component of its own: pipeline, routes, queries, main),
//   - http/ including anything but core/ (and http/ itself),
// unless it is listed below as known debt: then it is reported, and the script fails once it is
// gone, so that the list only shrinks. Run by scripts/test.sh (stage includes).
//
//   node tests/include-graph.mjs           check; prints the component graph
//   node tests/include-graph.mjs --dot     the module graph in Graphviz dot

import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const api = path.join(root, 'api');

// Known debt (issue 14, not yet done): the holiday use case (holiday → cancel lessons → refresh
// deadlines) still lives in store/calendar.c, which calls store/lessons, which needs
// store/calendar's calendar.
const KNOWN_CYCLES = new Set([
  'module store/calendar <-> store/lessons',
]);
const KNOWN_HTTP_INCLUDES = new Set([]);

function walk(dir) {
  const out = [];
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...walk(p));
    else if (/\.[ch]$/.test(e.name)) out.push(p);
  }
  return out;
}

const moduleOf = (rel) => rel.replace(/\.[ch]$/, '');
const componentOf = (mod) => (mod.includes('/') ? mod.slice(0, mod.indexOf('/')) : mod);

const edges = new Map(); // module -> Set(module)
const problems = [];
for (const file of walk(api).sort()) {
  const rel = path.relative(api, file).split(path.sep).join('/');
  const from = moduleOf(rel);
  if (!edges.has(from)) edges.set(from, new Set());
  const text = fs.readFileSync(file, 'utf8');
  for (const m of text.matchAll(/^\s*#\s*include\s+"([^"]+)"/gm)) {
    const target = m[1];
    if (!fs.existsSync(path.join(api, target))) {
      problems.push(`${rel}: #include "${target}" is not a file under api/`);
      continue;
    }
    const to = moduleOf(target);
    if (to !== from) edges.get(from).add(to);
  }
}
for (const set of edges.values()) for (const to of set) if (!edges.has(to)) edges.set(to, new Set());

// Strongly connected components (Tarjan): every one with more than one node is a cycle.
function cycles(graph) {
  let index = 0;
  const idx = new Map();
  const low = new Map();
  const stack = [];
  const on = new Set();
  const out = [];
  const visit = (v) => {
    idx.set(v, index);
    low.set(v, index++);
    stack.push(v);
    on.add(v);
    for (const w of graph.get(v) || []) {
      if (!idx.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v), low.get(w)));
      } else if (on.has(w)) {
        low.set(v, Math.min(low.get(v), idx.get(w)));
      }
    }
    if (low.get(v) === idx.get(v)) {
      const scc = [];
      let w;
      do {
        w = stack.pop();
        on.delete(w);
        scc.push(w);
      } while (w !== v);
      if (scc.length > 1) out.push(scc.sort());
    }
  };
  for (const v of [...graph.keys()].sort()) if (!idx.has(v)) visit(v);
  return out;
}

const components = new Map();
for (const [from, tos] of edges) {
  const a = componentOf(from);
  if (!components.has(a)) components.set(a, new Set());
  for (const to of tos) {
    const b = componentOf(to);
    if (b !== a) components.get(a).add(b);
  }
}

if (process.argv.includes('--dot')) {
  console.log('digraph api {');
  for (const [from, tos] of [...edges].sort()) for (const to of [...tos].sort()) console.log(`  "${from}" -> "${to}";`);
  console.log('}');
  process.exit(0);
}

const found = new Set();
for (const scc of cycles(edges)) found.add(`module ${scc.join(' <-> ')}`);
for (const scc of cycles(components)) found.add(`component ${scc.join(' <-> ')}`);
for (const [from, tos] of edges) {
  if (componentOf(from) !== 'http') continue;
  for (const to of tos) {
    const c = componentOf(to);
    if (c !== 'core' && c !== 'http') found.add(`${from} -> ${to}`);
  }
}

const isCycle = (s) => s.startsWith('module ') || s.startsWith('component ');
for (const f of [...found].sort()) {
  const known = isCycle(f) ? KNOWN_CYCLES.has(f) : KNOWN_HTTP_INCLUDES.has(f);
  if (known) console.log(`include-graph: known debt: ${isCycle(f) ? 'cycle' : 'http/ includes'} ${f}`);
  else problems.push(isCycle(f) ? `cycle: ${f}` : `http/ may include only core/: ${f}`);
}
for (const k of [...KNOWN_CYCLES, ...KNOWN_HTTP_INCLUDES]) {
  if (!found.has(k)) problems.push(`listed as known debt but gone (remove it from tests/include-graph.mjs): ${k}`);
}

console.log('include-graph: components (api/): ' + [...components].sort()
  .map(([a, bs]) => `${a} -> ${[...bs].sort().join(' ') || '-'}`).join('; '));
if (problems.length) {
  for (const p of problems) console.error(`include-graph: ${p}`);
  process.exit(1);
}
console.log(`include-graph: ok (${edges.size} modules, ${found.size} known debts)`);
