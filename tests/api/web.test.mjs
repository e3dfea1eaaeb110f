// The web client's static files (issue 12): `ejournal serve` serves EJ_WEB_DIR at /, with strict
// headers, a cache policy (?v=<sha256 prefix> immutable, everything else no-cache + ETag), HEAD and
// conditional GET; it serves only regular files inside the folder, and the API keeps precedence.
// Run alone with: EJ_BIN=build/ejournal node --test tests/api/web.test.mjs
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';

import { raw, repoRoot, startStack } from './lib/stack.mjs';

const CSP = "default-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";
let stack, dir, outside;

const INDEX = '<!doctype html><html lang="lv"><title>e-žurnāls</title><script type="module" src="app.js"></script></html>\n';
const APP = 'export const ok = 1;\n';
const version = (text) => createHash('sha256').update(text).digest('hex').slice(0, 12);

before(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ejournal-web-'));
  outside = fs.mkdtempSync(path.join(os.tmpdir(), 'ejournal-outside-'));
  fs.writeFileSync(path.join(outside, 'secret.txt'), 'outside the web folder\n');
  fs.writeFileSync(path.join(dir, 'index.html'), INDEX);
  fs.writeFileSync(path.join(dir, 'app.js'), APP);
  fs.mkdirSync(path.join(dir, 'css'));
  fs.writeFileSync(path.join(dir, 'css', 'site.css'), 'body { margin: 0 }\n');
  fs.writeFileSync(path.join(dir, '.env'), 'SECRET=1\n');
  fs.writeFileSync(path.join(dir, 'notes.md'), '# not served: no type\n');
  fs.symlinkSync(path.join(outside, 'secret.txt'), path.join(dir, 'leak.txt'));
  fs.symlinkSync(outside, path.join(dir, 'out'));
  fs.symlinkSync(path.join(dir, 'app.js'), path.join(dir, 'alias.js')); // even one inside: refused
  fs.mkdirSync(path.join(dir, 'empty.js')); // a folder with a served extension
  stack = await startStack({ env: { EJ_WEB_DIR: dir } });
});
after(async () => {
  if (stack) await stack.stop();
  fs.rmSync(dir, { recursive: true, force: true });
  fs.rmSync(outside, { recursive: true, force: true });
});

// The static files are no operation of openapi.yaml, so these requests go through node:http, not
// the harness's fetch (which records every response for the validation against the description).
// The answer looks like fetch's: status, headers.get(), text(), json(), arrayBuffer().
function get(p, headers = {}, method = 'GET', base = stack.base, body = undefined) {
  return new Promise((resolve, reject) => {
    const req = http.request(`${base}${p}`, { method, headers, agent: false }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => {
        const body = Buffer.concat(chunks);
        resolve({
          status: res.statusCode,
          headers: { get: (n) => { const v = res.headers[n.toLowerCase()]; return v === undefined ? null : String(v); } },
          text: async () => body.toString('utf8'),
          json: async () => JSON.parse(body.toString('utf8')),
          arrayBuffer: async () => body,
        });
      });
    });
    req.on('error', reject);
    req.setTimeout(10_000, () => req.destroy(new Error(`GET ${p}: timeout`)));
    req.end(body);
  });
}

// The exact request line, as a browser never sends it but an attacker does.
async function rawGet(target) {
  const res = await raw(stack.port, `GET ${target} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n`);
  assert.ok(res.complete || res.closed, `no reply for ${target}`);
  return res;
}

function assertStrictHeaders(res) {
  assert.equal(res.headers.get('content-security-policy'), CSP);
  assert.equal(res.headers.get('x-content-type-options'), 'nosniff');
  assert.equal(res.headers.get('referrer-policy'), 'no-referrer');
  assert.equal(res.headers.get('x-frame-options'), 'DENY');
}

describe('issue 12 static files of EJ_WEB_DIR', () => {
  test('issue 12 GET / is index.html with the strict headers, no-cache and a strong ETag', async () => {
    const res = await get('/');
    assert.equal(res.status, 200);
    assert.equal(await res.text(), INDEX);
    assert.equal(res.headers.get('content-type'), 'text/html; charset=utf-8');
    assertStrictHeaders(res);
    assert.equal(res.headers.get('cache-control'), 'no-cache');
    assert.match(res.headers.get('etag'), /^"[0-9a-f]{20}"$/);
    assert.ok(res.headers.get('x-request-id'));
  });

  test('issue 12 content types by extension: JavaScript modules and CSS', async () => {
    const js = await get('/app.js');
    assert.equal(js.status, 200);
    assert.equal(js.headers.get('content-type'), 'text/javascript; charset=utf-8');
    assert.equal(await js.text(), APP);
    const css = await get('/css/site.css');
    assert.equal(css.status, 200);
    assert.equal(css.headers.get('content-type'), 'text/css; charset=utf-8');
    assertStrictHeaders(css);
  });

  test('issue 12 ?v= with the file\'s own version is immutable; a stale or other query is no-cache', async () => {
    const good = await get(`/app.js?v=${version(APP)}`);
    assert.equal(good.status, 200);
    assert.equal(good.headers.get('cache-control'), 'public, max-age=31536000, immutable');
    const stale = await get('/app.js?v=000000000000');
    assert.equal(stale.status, 200);
    assert.equal(stale.headers.get('cache-control'), 'no-cache');
    const other = await get(`/app.js?v=${version(APP)}&x=1`);
    assert.equal(other.headers.get('cache-control'), 'no-cache');
  });

  test('issue 12 conditional GET: If-None-Match with the ETag is 304 without a body; another is 200', async () => {
    const first = await get('/');
    const etag = first.headers.get('etag');
    await first.arrayBuffer();
    const again = await get('/', { 'If-None-Match': etag });
    assert.equal(again.status, 304);
    assert.equal(again.headers.get('etag'), etag);
    assert.equal(again.headers.get('cache-control'), 'no-cache');
    assert.equal(await again.text(), '');
    const list = await get('/', { 'If-None-Match': `"nope", W/${etag}` });
    assert.equal(list.status, 304);
    const other = await get('/', { 'If-None-Match': '"0000"' });
    assert.equal(other.status, 200);
    assert.equal(await other.text(), INDEX);
  });

  test('issue 12 the ETag follows the content: a changed file gets a new one', async () => {
    const before1 = (await get('/css/site.css')).headers.get('etag');
    fs.writeFileSync(path.join(dir, 'css', 'site.css'), 'body { margin: 1px }\n');
    const res = await get('/css/site.css', { 'If-None-Match': before1 });
    assert.equal(res.status, 200);
    assert.notEqual(res.headers.get('etag'), before1);
  });

  test('issue 12 HEAD: the headers of GET (Content-Length too) and no body', async () => {
    const res = await raw(stack.port, 'HEAD /app.js HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
    assert.equal(res.status, 200);
    assert.equal(res.headers['content-length'], String(Buffer.byteLength(APP)));
    assert.equal(res.headers['content-type'], 'text/javascript; charset=utf-8');
    assert.equal(res.headers['content-security-policy'], CSP);
    assert.equal(res.body.length, 0);
  });

  test('issue 12 GET /../../etc/passwd is 404 (raw request line)', async () => {
    const res = await rawGet('/../../etc/passwd');
    assert.equal(res.status, 404);
    assert.doesNotMatch(res.text, /root:/);
  });

  test('issue 12 GET /%2e%2e/ and encoded traversal are 404', async () => {
    for (const t of ['/%2e%2e/', '/%2e%2e/%2e%2e/etc/passwd', '/%2E%2E%2Fetc%2Fpasswd', '/css/..%2f..%2fetc/passwd',
      '/%252e%252e/etc/passwd', '/out/..%2f..%2f..%2fetc/passwd']) {
      const res = await rawGet(t);
      assert.equal(res.status, 404, t);
      assert.doesNotMatch(res.text, /root:|outside the web folder/, t);
    }
  });

  test('issue 12 escapes outside the API are 404 (a name that is no file); under /api/ still 400 invalid_path', async () => {
    for (const t of ['/%6detrics', '/app%2ejs', '/index.html%00']) {
      const res = await rawGet(t);
      assert.equal(res.status, 404, t);
      assert.equal(JSON.parse(res.body).code, 'not_found', t);
    }
    const api = await rawGet('/api/v1/me%2Flogins');
    assert.equal(api.status, 400);
    assert.equal(JSON.parse(api.body).code, 'invalid_path');
  });

  test('issue 12 a symlink out of the folder (file or folder) is 404, and so is one inside it', async () => {
    for (const p of ['/leak.txt', '/out/secret.txt', '/alias.js']) {
      const res = await get(p);
      assert.equal(res.status, 404, p);
      const text = await res.text();
      assert.doesNotMatch(text, /outside the web folder|export const/, p);
      assert.equal(JSON.parse(text).code, 'not_found', p);
    }
  });

  test('issue 12 a directory is 404: no listing, with or without a trailing slash', async () => {
    for (const p of ['/css', '/css/', '/empty.js', '/empty.js/']) {
      const res = await get(p);
      assert.equal(res.status, 404, p);
      assert.doesNotMatch(await res.text(), /site\.css/, p);
    }
  });

  test('issue 12 dotfiles, files of no served type and unknown files are 404', async () => {
    for (const p of ['/.env', '/css/.env', '/notes.md', '/missing.js', '/index.html/x']) {
      const res = await get(p);
      assert.equal(res.status, 404, p);
      assert.equal((await res.json()).code, 'not_found', p);
    }
  });

  test('issue 12 API routes keep precedence: /healthz, /readyz, /metrics and /api/… unchanged', async () => {
    fs.writeFileSync(path.join(dir, 'healthz'), 'shadow');
    fs.mkdirSync(path.join(dir, 'api', 'v1'), { recursive: true });
    fs.writeFileSync(path.join(dir, 'api', 'v1', 'me.json'), '{"shadow":true}');
    const h = await get('/healthz');
    assert.deepEqual(await h.json(), { status: 'ok' });
    assert.equal(h.headers.get('cache-control'), 'no-store');
    assert.equal(h.headers.get('content-security-policy'), null);
    assert.equal((await get('/readyz')).status, 200);
    assert.match(await (await get('/metrics')).text(), /ejournal_http_requests_total/);
    const shadow = await get('/api/v1/me.json');
    assert.equal(shadow.status, 404);
    assert.equal((await shadow.json()).code, 'not_found');
    const me = await get('/api/v1/me');
    assert.equal(me.status, 401);
  });

  test('issue 12 only GET and HEAD: POST / is the API\'s 404 and changes nothing', async () => {
    const res = await get('/', { 'Content-Type': 'application/json' }, 'POST', stack.base, '{}');
    assert.equal(res.status, 404);
    assert.equal((await res.json()).code, 'not_found');
  });

  test('issue 12 without EJ_WEB_DIR nothing is served at /', async () => {
    const plain = await startStack();
    try {
      const res = await get('/', {}, 'GET', plain.base);
      assert.equal(res.status, 404);
      assert.equal((await res.json()).code, 'not_found');
    } finally {
      await plain.stop();
    }
  });

  test('issue 12 an EJ_WEB_DIR that is not a folder stops serve with one line naming it', async () => {
    await assert.rejects(startStack({ env: { EJ_WEB_DIR: path.join(repoRoot, 'no-such-folder') } }),
      /EJ_WEB_DIR is not a readable folder/);
  });
});
