#!/usr/bin/env node
// Validates the responses the API tests received (recorded by tests/api/lib/stack.mjs when
// EJ_TEST_RESPONSES_DIR is set) against ../../openapi.yaml, so that the description cannot drift
// from what the server sends:
//
//   node validate-responses.mjs FOLDER-OR-FILE...     (responses-*.jsonl files)
//
// Each response is matched to its operation by method and path template (a literal segment wins
// over a {parameter}) and checked for
//   - status: documented for that operation;
//   - Content-Type: one of the media types documented for that status (none: the body is empty);
//   - headers: every header the description marks `required: true` is there and matches its
//     schema; ETag, Location and Retry-After, when sent, are documented for that response;
//     every response carries X-Request-Id (and every response of the description lists it);
//   - error code: where the response's description names codes (`code`), the body's is one of them;
//   - body: valid against the JSON Schema of that media type (OpenAPI 3.1 = JSON Schema 2020-12,
//     Ajv2020 with formats, $refs into components), and no object carries a field its schema
//     does not describe (responses are read as closed: a field the server sends and the
//     description does not name is drift).
// Every problem's code is one that ErrorCode's table lists under that status. Requests to no
// operation of the description may only be 404 `not_found`, 405 `method_not_allowed` (with
// Allow), a CORS preflight (OPTIONS: 204, or 403 `cors_origin_not_allowed`), or another problem
// refused before routing (e.g. 400 `bad_request`, 431) whose code the table lists.
//
// Prints a compact report grouped by operation and status, then one line
// `validate-responses: N checked, M mismatches`; exits 1 on any mismatch (2 on bad input).

import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import YAML from 'yaml';

const addFormats = addFormatsModule.default || addFormatsModule;
const here = path.dirname(fileURLToPath(import.meta.url));
const specPath = process.env.EJ_OPENAPI || path.join(here, '..', '..', 'openapi.yaml');
const spec = YAML.parse(fs.readFileSync(specPath, 'utf8'));

const METHODS = ['get', 'put', 'post', 'delete', 'patch', 'options', 'head'];
const SCHEMA_BASE = 'https://ejournal.invalid/schemas/';
const MAX_EXAMPLES = 3; // per distinct mismatch

// --- the description -----------------------------------------------------------------------------

function pointer(ref) {
  if (!ref.startsWith('#/')) throw new Error(`only local $refs are supported: ${ref}`);
  let node = spec;
  for (const part of ref.slice(2).split('/')) {
    node = node?.[part.replace(/~1/g, '/').replace(/~0/g, '~')];
  }
  if (node === undefined) throw new Error(`unresolved $ref ${ref}`);
  return node;
}
const deref = (o) => {
  for (let i = 0; o && o.$ref && i < 10; i++) o = pointer(o.$ref);
  return o;
};

// A schema from the description as Ajv wants it: $refs into components.schemas become absolute ids,
// the OpenAPI-only keywords (x-*, example) go.
function toJsonSchema(node) {
  if (Array.isArray(node)) return node.map(toJsonSchema);
  if (!node || typeof node !== 'object') return node;
  const out = {};
  for (const [k, v] of Object.entries(node)) {
    if (k.startsWith('x-') || k === 'example') continue;
    if (k === '$ref' && typeof v === 'string') {
      const m = /^#\/components\/schemas\/(.+)$/.exec(v);
      out.$ref = m ? SCHEMA_BASE + m[1] : v;
      continue;
    }
    if ((k === 'properties' || k === 'patternProperties' || k === '$defs') && v && typeof v === 'object') {
      // These hold names, not keywords: keep their keys as they are.
      out[k] = Object.fromEntries(Object.entries(v).map(([n, s]) => [n, toJsonSchema(s)]));
      continue;
    }
    out[k] = toJsonSchema(v);
  }
  return out;
}

const ajv = new Ajv2020({ strict: true, allErrors: true, allowUnionTypes: true, strictRequired: false });
addFormats(ajv);
const componentSchemas = spec.components?.schemas || {};
for (const [name, schema] of Object.entries(componentSchemas)) {
  ajv.addSchema({ ...toJsonSchema(schema), $id: SCHEMA_BASE + name });
}
const compiled = new Map(); // schema object of the description → validate function
function validatorFor(schema) {
  if (!compiled.has(schema)) compiled.set(schema, ajv.compile(toJsonSchema(schema)));
  return compiled.get(schema);
}

const operations = [];
for (const [template, item] of Object.entries(spec.paths || {})) {
  const segs = template.split('/');
  const literal = segs.filter((s) => !/^\{.+\}$/.test(s)).length;
  const re = new RegExp(`^${segs.map((s) => (/^\{.+\}$/.test(s) ? '[^/]+' : s.replace(/[.*+?^$()|[\]\\]/g, '\\$&'))).join('/')}$`);
  for (const m of METHODS) {
    if (item[m]) operations.push({ template, method: m.toUpperCase(), re, literal, op: item[m] });
  }
}

function matchOperation(method, pathname) {
  const candidates = operations.filter((o) => o.re.test(pathname)).sort((a, b) => b.literal - a.literal);
  if (candidates.length === 0) return { pathKnown: false };
  const best = candidates.filter((o) => o.template === candidates[0].template);
  const want = method === 'HEAD' ? ['HEAD', 'GET'] : [method];
  for (const w of want) {
    const hit = best.find((o) => o.method === w);
    if (hit) return { pathKnown: true, operation: hit };
  }
  return { pathKnown: true };
}

// --- closed objects: fields the description does not name -------------------------------------

// The object shape a list of schemas describes for `data`: the named properties (each with its
// schemas) and whether other names are allowed (additionalProperties true or a schema).
function shapeOf(schemas, data, seen = new Set()) {
  const shape = { props: new Map(), open: false, any: false };
  const visit = (s) => {
    if (s === true) {
      shape.open = true;
      return;
    }
    if (!s || typeof s !== 'object' || seen.has(s)) return;
    seen.add(s);
    if (s.$ref) return visit(pointer(s.$ref));
    if (s.type && ![].concat(s.type).includes('object')) return;
    let described = false;
    if (s.properties) {
      described = true;
      for (const [k, v] of Object.entries(s.properties)) {
        if (!shape.props.has(k)) shape.props.set(k, []);
        shape.props.get(k).push(v);
      }
    }
    if (s.additionalProperties !== undefined && s.additionalProperties !== false) shape.open = true;
    if (s.patternProperties) shape.open = true;
    for (const sub of s.allOf || []) visit(sub);
    // anyOf/oneOf: the branches this data is valid against.
    // (None valid: the schema error is reported already; all branches, not to report twice.)
    for (const key of ['anyOf', 'oneOf']) {
      const subs = s[key] || [];
      const valid = subs.filter((sub) => validatorFor(sub)(data));
      for (const sub of valid.length ? valid : subs) visit(sub);
    }
    if (s.properties || s.allOf || s.anyOf || s.oneOf || s.additionalProperties !== undefined) shape.any = true;
    if (!described && !s.allOf && !s.anyOf && !s.oneOf && s.additionalProperties === undefined) {
      // An object schema that names nothing ({type: object}) says nothing about its fields.
      if ([].concat(s.type || []).includes('object')) shape.open = true;
    }
  };
  for (const s of schemas) visit(s);
  if (!shape.any) shape.open = true;
  return shape;
}

function itemsOf(schemas) {
  const out = [];
  const visit = (s, seen = new Set()) => {
    if (!s || typeof s !== 'object' || seen.has(s)) return;
    seen.add(s);
    if (s.$ref) return visit(pointer(s.$ref), seen);
    if (s.items) out.push(s.items);
    for (const sub of [...(s.allOf || []), ...(s.anyOf || []), ...(s.oneOf || [])]) visit(sub, seen);
  };
  for (const s of schemas) visit(s);
  return out;
}

function undocumentedFields(schemas, data, where, out) {
  if (Array.isArray(data)) {
    const items = itemsOf(schemas);
    if (items.length) data.forEach((d, i) => undocumentedFields(items, d, `${where}/${i}`, out));
    return;
  }
  if (!data || typeof data !== 'object') return;
  const shape = shapeOf(schemas, data);
  for (const [k, v] of Object.entries(data)) {
    if (shape.props.has(k)) undocumentedFields(shape.props.get(k), v, `${where}/${k}`, out);
    else if (!shape.open) out.push(`${where}/${k}`);
  }
}

// --- one response ------------------------------------------------------------------------------

const isJson = (mt) => mt === 'application/json' || /^application\/[a-z0-9.+-]+\+json$/.test(mt);

function checkBody(schema, mediaType, r, problems) {
  if (r.body === null || r.body === undefined) return; // not read (aborted or too large)
  if (!isJson(mediaType)) {
    if (schema && deref(schema).type === 'string') return;
    if (schema) problems.push(`body of ${mediaType} is not checked against a non-string schema`);
    return;
  }
  let data;
  try {
    data = JSON.parse(r.body);
  } catch {
    problems.push(`body is not JSON: ${String(r.body).slice(0, 80)}`);
    return;
  }
  if (!schema) return;
  const validate = validatorFor(schema);
  if (!validate(data)) {
    for (const e of validate.errors.slice(0, 5)) {
      problems.push(`body${e.instancePath || ''} ${e.message}${e.params && Object.keys(e.params).length ? ` ${JSON.stringify(e.params)}` : ''}`);
    }
  }
  const extra = [];
  undocumentedFields([schema], data, 'body', extra);
  for (const f of extra.slice(0, 5)) problems.push(`${f} is not described in the schema`);
}

function checkHeaders(resp, r, problems) {
  const documented = new Map();
  for (const [name, h] of Object.entries(resp.headers || {})) documented.set(name.toLowerCase(), deref(h));
  for (const [name, h] of documented) {
    const value = r.headers[name];
    if (value === undefined) {
      if (h.required) problems.push(`header ${name} missing`);
      continue;
    }
    if (h.schema) {
      const s = deref(h.schema);
      const v = [].concat(s.type || []).includes('integer') && /^-?[0-9]+$/.test(value) ? Number(value) : value;
      const validate = validatorFor(h.schema);
      if (!validate(v)) problems.push(`header ${name}: ${JSON.stringify(value)} ${validate.errors[0].message}`);
    }
  }
  for (const name of ['etag', 'location', 'retry-after']) {
    if (r.headers[name] !== undefined && !documented.has(name)) problems.push(`header ${name} is sent but not documented`);
  }
  if (!r.headers['x-request-id']) problems.push('header x-request-id missing');
}

// The error codes a response's description names (`code` in backquotes), if it names any.
const errorCodes = new Set(componentSchemas.ErrorCode?.enum || []);
// ErrorCode's table `| status | codes |`: the codes each status may carry.
const codesByStatus = new Map();
for (const m of String(componentSchemas.ErrorCode?.description || '').matchAll(/^\|\s*(\d{3})\s*\|(.*)\|\s*$/gm)) {
  codesByStatus.set(Number(m[1]), new Set([...m[2].matchAll(/`([a-z][a-z0-9_]*)`/g)].map((x) => x[1])));
}
function problemCode(r) {
  if (!/^application\/problem\+json/.test(r.headers['content-type'] || '') || !r.body) return undefined;
  try {
    return JSON.parse(r.body).code;
  } catch {
    return undefined;
  }
}
function checkCodeStatus(r, problems) {
  const code = problemCode(r);
  if (code === undefined || !codesByStatus.size) return;
  if (!codesByStatus.get(r.status)?.has(code)) problems.push(`code ${code} is not in ErrorCode's table under ${r.status}`);
}
function namedCodes(resp) {
  const names = [...String(resp.description || '').matchAll(/`([a-z][a-z0-9_]*)`/g)].map((m) => m[1]);
  return new Set(names.filter((n) => errorCodes.has(n)));
}

function checkAgainst(resp, r, problems) {
  resp = deref(resp);
  const codes = namedCodes(resp);
  if (codes.size && r.body) {
    let code;
    try {
      code = JSON.parse(r.body).code;
    } catch {
      /* reported with the body */
    }
    if (code !== undefined && !codes.has(code)) {
      problems.push(`code ${code} is not named in this response's description (${[...codes].join(', ')})`);
    }
  }
  checkHeaders(resp, r, problems);
  const ct = (r.headers['content-type'] || '').split(';')[0].trim().toLowerCase();
  const content = resp.content || {};
  const types = Object.keys(content);
  const hasBody = r.body !== '' && r.method !== 'HEAD' && r.status !== 204 && r.status !== 304;
  if (types.length === 0) {
    if (hasBody && r.body !== null) problems.push(`a body (${ct || 'no Content-Type'}) where none is documented`);
    return;
  }
  if (!hasBody) {
    if (r.method !== 'HEAD') problems.push(`no body where ${types.join(', ')} is documented`);
    return;
  }
  const key = types.find((t) => t.toLowerCase() === ct);
  if (!key) {
    problems.push(`Content-Type ${ct || '(none)'} is not documented (${types.join(', ')})`);
    return;
  }
  checkBody(content[key].schema, ct, r, problems);
}

// Requests outside the description: only the router's own refusals and CORS preflights.
const problemSchema = { $ref: '#/components/schemas/Problem' };
function checkUnmatched(r, pathKnown, problems) {
  const asProblem = (code) => {
    checkAgainst({ content: { 'application/problem+json': { schema: problemSchema } } }, r, problems);
    try {
      const b = JSON.parse(r.body ?? 'null');
      if (b && b.code !== code) problems.push(`code ${b.code}, expected ${code}`);
    } catch {
      /* reported above */
    }
  };
  if (r.method === 'OPTIONS') {
    if (r.status === 204) return checkAgainst({}, r, problems);
    if (r.status === 403) return asProblem('cors_origin_not_allowed');
  } else if (r.status === 404 && !pathKnown) {
    return asProblem('not_found');
  } else if (r.status === 405 && pathKnown) {
    if (!r.headers.allow) problems.push('405 without Allow');
    return asProblem('method_not_allowed');
  } else if (r.status >= 400 && r.status !== 404 && r.status !== 405 && problemCode(r) !== undefined) {
    // Refused before routing (framing, header size, timeouts, a malformed target): any
    // problem whose code ErrorCode's table lists under its status.
    return asProblem(problemCode(r));
  }
  problems.push(pathKnown ? `${r.method} is no operation of this path` : 'no such path in the description');
}

function statusKey(responses, status) {
  const s = String(status);
  if (responses[s]) return s;
  if (responses[`${s[0]}XX`]) return `${s[0]}XX`;
  if (responses.default) return 'default';
  return null;
}

// --- main --------------------------------------------------------------------------------------

function inputFiles(args) {
  const files = [];
  for (const a of args) {
    const st = fs.statSync(a, { throwIfNoEntry: false });
    if (!st) continue;
    if (st.isDirectory()) {
      for (const f of fs.readdirSync(a).sort()) if (f.endsWith('.jsonl')) files.push(path.join(a, f));
    } else files.push(a);
  }
  return files;
}

const files = inputFiles(process.argv.slice(2));
if (files.length === 0) {
  console.error('validate-responses: no recorded responses (responses-*.jsonl) found');
  process.exit(2);
}

const groups = new Map(); // "operationId status" → { count, bad }
const mismatches = new Map(); // "where: message" → { count, examples }
let checked = 0;
let bad = 0;

// The description itself: every response lists the X-Request-Id header every response carries.
for (const o of operations) {
  for (const [status, resp] of Object.entries(o.op.responses || {})) {
    const names = Object.keys(deref(resp).headers || {}).map((n) => n.toLowerCase());
    if (!names.includes('x-request-id')) {
      bad++;
      mismatches.set(`${o.op.operationId} ${status}: openapi.yaml lists no X-Request-Id header for this response`, { count: 1, examples: [] });
    }
  }
}
const seenOps = new Set();
for (const f of files) {
  for (const line of fs.readFileSync(f, 'utf8').split('\n')) {
    if (!line.trim()) continue;
    let r;
    try {
      r = JSON.parse(line);
    } catch {
      continue; // a line cut off by a killed test process
    }
    checked++;
    const url = new URL(r.url, 'http://x');
    const { pathKnown, operation } = matchOperation(r.method, url.pathname);
    const problems = [];
    let where;
    if (operation && r.method !== 'OPTIONS') {
      const id = operation.op.operationId || `${operation.method} ${operation.template}`;
      seenOps.add(id);
      where = `${id} ${r.status}`;
      const key = statusKey(operation.op.responses || {}, r.status);
      if (!key) problems.push(`status ${r.status} is not documented for ${operation.method} ${operation.template}`);
      else checkAgainst(operation.op.responses[key], r, problems);
    } else {
      where = `(${r.method === 'OPTIONS' ? 'preflight' : 'no operation'}) ${r.status}`;
      checkUnmatched(r, pathKnown, problems);
    }
    checkCodeStatus(r, problems);
    const g = groups.get(where) || { count: 0, bad: 0 };
    g.count++;
    if (problems.length) {
      g.bad++;
      bad++;
      for (const p of problems) {
        const k = `${where}: ${p}`;
        const m = mismatches.get(k) || { count: 0, examples: [] };
        m.count++;
        if (m.examples.length < MAX_EXAMPLES) m.examples.push(`${r.file}: ${r.method} ${r.url}`);
        mismatches.set(k, m);
      }
    }
    groups.set(where, g);
  }
}

const sorted = [...groups.entries()].sort(([a], [b]) => a.localeCompare(b));
const cells = sorted.map(([k, g]) => `${k}: ${g.count}${g.bad ? ` (${g.bad} BAD)` : ''}`);
console.log(`validate-responses: ${checked} responses in ${files.length} files, ${seenOps.size} of ${new Set(operations.map((o) => o.op.operationId)).size} operations seen`);
for (let i = 0; i < cells.length; i += 4) console.log(`  ${cells.slice(i, i + 4).join('; ')}`);
if (mismatches.size) {
  console.log('mismatches:');
  for (const [k, m] of [...mismatches.entries()].sort(([a], [b]) => a.localeCompare(b))) {
    console.log(`  ${k} (${m.count}×)`);
    for (const e of m.examples) console.log(`      ${e}`);
  }
}
console.log(`validate-responses: ${checked} checked, ${bad} mismatches`);
process.exit(bad ? 1 : 0);
