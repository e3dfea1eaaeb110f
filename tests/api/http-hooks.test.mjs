// issue 14 "the cycles gone": http/ includes only core/, and main.c hands it what it needs from the
// layers above (hooks for the pipeline, the database pool, random request ids and the route's name
// in the log; the metrics labels of the route table; whether a path is the API's). These tests pin
// what that wiring carries, as seen from outside: the metrics labels by route, the request log's
// route name (a route's pattern, "unmatched", "static"), generated and kept request ids, API paths
// kept from the static folder, and a connection given back after every request.
// Run alone with: EJ_BIN=build/ejournal node --test tests/api/http-hooks.test.mjs
import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';

import { call, startStack } from './lib/stack.mjs';

let stack, dir;

before(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ejournal-hooks-'));
  fs.writeFileSync(path.join(dir, 'index.html'), '<!doctype html><title>x</title>\n');
  fs.writeFileSync(path.join(dir, 'readyz'), 'shadow\n'); // a file named like an API route
  // One database connection: a request that kept its connection would starve every later one.
  stack = await startStack({ env: { EJ_WEB_DIR: dir, EJ_DB_CONNECTIONS: '1', EJ_DB_WAIT_MS: '2000' } });
});
after(async () => {
  if (stack) await stack.stop();
  fs.rmSync(dir, { recursive: true, force: true });
});

// Through node:http, not the harness's fetch: static files and unknown paths are no operation of
// openapi.yaml (the harness validates every response it fetches against it).
function get(p, headers = {}) {
  return new Promise((resolve, reject) => {
    const req = http.request(`${stack.base}${p}`, { headers, agent: false }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, text: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('error', reject);
    req.end();
  });
}

const logOf = (rid) => stack.waitForLog((o) => o.request_id === rid && o.msg === 'request');

describe('issue 14 the HTTP layer gets the route table, the pipeline and the pool from main.c', () => {
  test('issue 14 the request log names a matched route by its pattern, else "unmatched"', async () => {
    const rid = `hooks-route-${Date.now()}`;
    const r = await call(stack, 'GET', '/users/7', { headers: { 'x-request-id': rid } });
    assert.equal(r.status, 401, r.text); // routed: the pipeline ran (authentication refused)
    const line = await logOf(rid);
    assert.equal(line.route, '/api/v1/users/{id}');
    assert.equal(line.method, 'GET');
    assert.equal(line.status, 401);

    const rid2 = `hooks-unmatched-${Date.now()}`;
    const n = await get('/api/v1/no-such-thing', { 'x-request-id': rid2 });
    assert.equal(n.status, 404);
    assert.equal(JSON.parse(n.text).code, 'not_found');
    assert.equal((await logOf(rid2)).route, 'unmatched');
  });

  test('issue 14 a static file, and a name the folder does not serve, are logged as route "static"', async () => {
    const rid = `hooks-static-${Date.now()}`;
    const ok = await get('/index.html', { 'x-request-id': rid });
    assert.equal(ok.status, 200);
    assert.equal(ok.headers['x-request-id'], rid);
    assert.equal((await logOf(rid)).route, 'static');

    const rid2 = `hooks-static404-${Date.now()}`;
    const miss = await get('/missing.js', { 'x-request-id': rid2 });
    assert.equal(miss.status, 404);
    assert.equal(JSON.parse(miss.text).code, 'not_found');
    const line = await logOf(rid2);
    assert.equal(line.route, 'static');
    assert.equal(line.code, 'not_found');
  });

  test('issue 14 a path of the route table is never served from the folder', async () => {
    const r = await get('/readyz');
    assert.equal(r.status, 200);
    assert.deepEqual(JSON.parse(r.text), { status: 'ready' });
    // Any method's route counts: POST-only paths are the API's too.
    const login = await get('/api/v1/auth/login');
    assert.equal(login.status, 405);
    assert.equal(login.headers.allow, 'POST');
  });

  test('issue 14 metrics are labelled with the route table\'s method and pattern, unmatched apart', async () => {
    await call(stack, 'GET', '/users/8');
    await get('/api/v1/no-such-thing');
    const res = await fetch(`${stack.base}/metrics`);
    assert.equal(res.status, 200);
    const text = await res.text();
    assert.match(text, /^ejournal_http_requests_total\{method="GET",route="\/api\/v1\/users\/\{id\}",status="401"\} [1-9]\d*$/m);
    assert.match(text, /^ejournal_http_requests_total\{method="",route="unmatched",status="404"\} [1-9]\d*$/m);
    assert.match(text, /^ejournal_http_request_duration_seconds_count\{method="GET",route="\/readyz"\} [1-9]\d*$/m);
    // Every label names a row of the table or "unmatched": nothing unlabelled or out of range.
    for (const m of text.matchAll(/^ejournal_http_requests_total\{method="([A-Z]*)",route="([^"]*)"/gm)) {
      if (m[2] === 'unmatched') assert.equal(m[1], '');
      else assert.ok(m[2].startsWith('/') && m[1] !== '', m[0]);
    }
  });

  test('issue 14 request ids: a valid X-Request-Id is kept, else 24 random hex digits', async () => {
    const given = await call(stack, 'GET', `${stack.base}/healthz`, { headers: { 'x-request-id': 'abc.DEF:1-2_3' } });
    assert.equal(given.headers.get('x-request-id'), 'abc.DEF:1-2_3');
    const ids = new Set();
    for (const h of [{}, { 'x-request-id': 'not valid!' }, { 'x-request-id': 'x'.repeat(65) }]) {
      const r = await call(stack, 'GET', `${stack.base}/healthz`, { headers: h });
      const id = r.headers.get('x-request-id');
      assert.match(id, /^[0-9a-f]{24}$/);
      ids.add(id);
    }
    assert.equal(ids.size, 3);
  });

  test('issue 14 each request gives its database connection back (one connection, many requests)', async () => {
    // readyz pings the database; with EJ_DB_CONNECTIONS=1 a connection kept by an earlier request
    // on another worker would make these wait EJ_DB_WAIT_MS and answer 503 database_busy. Each
    // request on a new TCP connection, two at a time, so that they land on different workers.
    for (let i = 0; i < 10; i++) {
      const pair = await Promise.all([get('/readyz'), get('/readyz')]);
      for (const r of pair) assert.equal(r.status, 200, r.text);
    }
  });
});
