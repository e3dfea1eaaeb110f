// Issue 9: hostile or simply numerous clients at the HTTP layer (findings #1, #2, #5, #8, #11).
// Run alone with: node --test tests/api/hostile.test.mjs   (EJ_BIN=build/ejournal to pick a binary)
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import net from 'node:net';
import { startStack, call, login } from './lib/stack.mjs';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// A conversation on one TCP connection: writes each part of `parts` (strings or Buffers; a number
// is a pause in ms), collects everything the server sends until it closes the connection or
// timeoutMs pass. Resolves with { text, statuses (status codes of the responses seen, in order),
// closed (the server ended the connection), timedOut, elapsedMs }.
function converse(port, parts, { timeoutMs = 8000 } = {}) {
  return new Promise((resolve) => {
    const started = Date.now();
    const chunks = [];
    let done = false;
    let closed = false;
    const sock = net.connect({ port, host: '127.0.0.1' });
    const finish = (timedOut) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      sock.destroy();
      const text = Buffer.concat(chunks).toString('latin1');
      const statuses = [...text.matchAll(/HTTP\/1\.[01] (\d{3}) /g)].map((m) => Number(m[1]));
      resolve({ text, statuses, closed, timedOut, elapsedMs: Date.now() - started });
    };
    const timer = setTimeout(() => finish(true), timeoutMs);
    sock.on('data', (d) => chunks.push(d));
    sock.on('end', () => {
      closed = true;
      finish(false);
    });
    sock.on('close', () => {
      closed = true;
      finish(false);
    });
    sock.on('error', () => {
      closed = true; // a reset after the response is the server closing too
      finish(false);
    });
    sock.on('connect', async () => {
      for (const p of parts) {
        if (done) return;
        if (typeof p === 'number') await sleep(p);
        else sock.write(p);
      }
    });
  });
}

// The JSON body of the first response in a conversation's text.
function firstBody(text) {
  const start = text.indexOf('\r\n\r\n');
  const m = /content-length: *(\d+)/i.exec(text.slice(0, start));
  const body = text.slice(start + 4, start + 4 + Number(m ? m[1] : 0));
  return JSON.parse(body);
}

function assertCode(r, status, code) {
  assert.ok(r.statuses.length > 0, `no response (timedOut=${r.timedOut}): ${JSON.stringify(r.text.slice(0, 300))}`);
  assert.equal(r.statuses[0], status, r.text.slice(0, 400));
  assert.match(r.text, /content-type: application\/problem\+json/i);
  assert.equal(firstBody(r.text).code, code, r.text.slice(0, 400));
}

// One GET on a fresh connection; resolves with { status, ms } or { error, ms }.
function timedGet(port, path, token, limitMs = 10_000) {
  return new Promise((resolve) => {
    const started = Date.now();
    const req = http.get({ host: '127.0.0.1', port, path, agent: false, headers: token ? { authorization: `Bearer ${token}` } : {} }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode, ms: Date.now() - started }));
    });
    req.setTimeout(limitMs, () => req.destroy(new Error(`no answer within ${limitMs} ms`)));
    req.on('error', (e) => resolve({ error: e.message, ms: Date.now() - started }));
  });
}

const LOGIN_HEAD = (length) =>
  `POST /api/v1/auth/login HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\nContent-Length: ${length}\r\n\r\n`;

describe('issue 9 #1 slow body: a total deadline for the request headers and body', () => {
  let s;
  before(async () => {
    // Two workers: two slow senders would take all of them if nothing cut them off.
    s = await startStack({ env: { EJ_THREADS: '2', EJ_REQUEST_TIMEOUT_MS: '1500' } });
  });
  after(() => s?.stop());

  test('issue 9 #1 a body trickled one byte at a time gets 408 request_timeout and the socket closed, and frees the worker', async () => {
    const trickle = (n) => {
      const parts = [LOGIN_HEAD(1000)];
      for (let i = 0; i < n; i++) parts.push(200, '{');
      return parts;
    };
    const slow = [converse(s.port, trickle(100), { timeoutMs: 15_000 }), converse(s.port, trickle(100), { timeoutMs: 15_000 })];
    await sleep(300);
    // Both workers are taken by the slow senders: this is answered once the deadline frees them.
    const health = await timedGet(s.port, '/healthz', null, 12_000);
    for (const r of await Promise.all(slow)) {
      assertCode(r, 408, 'request_timeout');
      assert.equal(r.statuses.length, 1);
      assert.ok(r.closed, 'the server closes the connection after 408');
      assert.ok(r.elapsedMs < 8000, `408 after ${r.elapsedMs} ms (deadline 1500 ms)`);
    }
    assert.equal(health.status, 200, JSON.stringify(health));
    assert.ok(health.ms < 8000, `GET /healthz waited ${health.ms} ms behind two slow senders`);
  });

  test('issue 9 #1 headers trickled one line at a time get 408 request_timeout and the socket closed', async () => {
    const parts = ['GET /healthz HTTP/1.1\r\nHost: t\r\n'];
    for (let i = 0; i < 60; i++) parts.push(200, `X-Slow-${i}: 1\r\n`);
    const r = await converse(s.port, parts, { timeoutMs: 15_000 });
    assertCode(r, 408, 'request_timeout');
    assert.ok(r.closed, 'closed after 408');
    assert.ok(r.elapsedMs < 8000, `408 after ${r.elapsedMs} ms`);
  });

  test('issue 9 #1 a body that arrives in parts within the deadline is read normally', async () => {
    const body = JSON.stringify({ username: 'nobody-here', password: 'not the password at all' });
    const r = await converse(s.port, [LOGIN_HEAD(Buffer.byteLength(body)), 300, body.slice(0, 10), 300, body.slice(10)], { timeoutMs: 8000 });
    assertCode(r, 401, 'invalid_credentials');
  });
});

describe('issue 9 #2 thread exhaustion: idle clients cost a thread, not a database connection', () => {
  let s;
  let token;
  before(async () => {
    s = await startStack({ env: { EJ_THREADS: undefined } }); // the default thread count
    token = (await login(s, 'admin', s.adminPassword)).body.access_token;
  });
  after(() => s?.stop());

  test('issue 9 #2 200 idle sockets do not keep a normal GET /healthz and GET /api/v1/me waiting', async () => {
    const idle = [];
    for (let i = 0; i < 200; i++) {
      const sock = net.connect({ port: s.port, host: '127.0.0.1' });
      sock.on('error', () => {});
      idle.push(sock);
    }
    try {
      await sleep(500);
      const h = await timedGet(s.port, '/healthz');
      const m = await timedGet(s.port, '/api/v1/me', token);
      assert.equal(h.status, 200, JSON.stringify(h));
      assert.equal(m.status, 200, JSON.stringify(m));
      assert.ok(h.ms < 3000 && m.ms < 3000, `with 200 idle sockets: /healthz ${h.ms} ms, /me ${m.ms} ms`);
    } finally {
      for (const sock of idle) sock.destroy();
    }
  });

  test('issue 9 #2 100 keep-alive clients polling every 500 ms do not starve a new client', async () => {
    let stop = false;
    let polls = 0;
    const pollers = [];
    for (let i = 0; i < 100; i++) {
      const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
      pollers.push((async () => {
        while (!stop) {
          await new Promise((resolve) => {
            const req = http.get({ host: '127.0.0.1', port: s.port, path: '/api/v1/me', agent, headers: { authorization: `Bearer ${token}` } }, (res) => {
              res.resume();
              res.on('end', resolve);
            });
            req.on('error', resolve);
          });
          polls++;
          await sleep(500);
        }
        agent.destroy();
      })());
    }
    try {
      await sleep(1500);
      const m = await timedGet(s.port, '/api/v1/me', token);
      assert.equal(m.status, 200, JSON.stringify(m));
      assert.ok(m.ms < 3000, `a new client waited ${m.ms} ms behind 100 keep-alive pollers`);
    } finally {
      stop = true;
      await Promise.all(pollers);
    }
    assert.ok(polls >= 100, `the pollers polled (${polls})`);
  });
});

describe('issue 9 #2 the pool: fewer database connections than threads, bounded waits', () => {
  test('issue 9 #2 20 concurrent requests share EJ_DB_CONNECTIONS=2 connections, and /metrics reports them', async () => {
    const s = await startStack({ env: { EJ_THREADS: '16', EJ_DB_CONNECTIONS: '2' } });
    try {
      const token = (await login(s, 'admin', s.adminPassword)).body.access_token;
      const all = await Promise.all(Array.from({ length: 20 }, () => timedGet(s.port, '/api/v1/me', token)));
      assert.deepEqual(all.map((r) => r.status), Array(20).fill(200), JSON.stringify(all));
      const [[n]] = await s.psql(`SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND application_name = 'ejournal'`);
      assert.ok(Number(n) >= 1 && Number(n) <= 2, `${n} server connections to the database`);
      const metrics = await (await fetch(`${s.base}/metrics`)).text();
      const open = Number(/^ejournal_db_connections (\d+)$/m.exec(metrics)?.[1]);
      assert.ok(open >= 1 && open <= 2, `ejournal_db_connections ${open}`);
    } finally {
      await s.stop();
    }
  });

  test('issue 9 #2 a request that finds no free connection within EJ_DB_WAIT_MS gets 503 database_busy with Retry-After', async () => {
    const s = await startStack({ env: { EJ_DB_CONNECTIONS: '1', EJ_DB_WAIT_MS: '300' } });
    try {
      const token = (await login(s, 'admin', s.adminPassword)).body.access_token;
      // The only connection is held by a request waiting on a lock taken here for 3 s.
      const lock = s.psql('BEGIN; LOCK TABLE sessions IN ACCESS EXCLUSIVE MODE; SELECT pg_sleep(3); COMMIT;');
      await sleep(300);
      const held = call(s, 'GET', '/me', { token });
      await sleep(300);
      const started = Date.now();
      const busy = await call(s, 'GET', '/me', { token });
      assert.equal(busy.status, 503, busy.text);
      assert.equal(busy.body.code, 'database_busy');
      assert.equal(busy.headers.get('retry-after'), '1');
      assert.ok(Date.now() - started < 2500, `refused after ${Date.now() - started} ms`);
      await lock;
      assert.equal((await held).status, 200);
      assert.equal((await call(s, 'GET', '/me', { token })).status, 200, 'the connection went back to the pool');
    } finally {
      await s.stop();
    }
  });
});

describe('issue 9 #5 framing: every refusal really closes the connection', () => {
  let s;
  let token;
  before(async () => {
    s = await startStack();
    token = (await login(s, 'admin', s.adminPassword)).body.access_token;
  });
  after(() => s?.stop());

  const smuggled = () => `GET /api/v1/me HTTP/1.1\r\nHost: t\r\nAuthorization: Bearer ${token}\r\n\r\n`;
  const cases = [
    ['400 ambiguous_framing (Content-Length and Transfer-Encoding)', 400, 'ambiguous_framing',
      () => `POST /api/v1/auth/login HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n`],
    ['411 length_required (chunked)', 411, 'length_required',
      () => `POST /api/v1/auth/login HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n`],
    ['400 invalid_content_length', 400, 'invalid_content_length',
      () => `POST /api/v1/auth/login HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\nContent-Length: 2abc\r\n\r\n{}`],
    ['400 ambiguous_framing (two Content-Length)', 400, 'ambiguous_framing',
      () => `POST /api/v1/auth/login HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\nContent-Length: 2\r\nContent-Length: 2\r\n\r\n{}`],
    ['431 headers_too_large', 431, 'headers_too_large',
      () => `GET /healthz HTTP/1.1\r\nHost: t\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`],
    ['413 body_too_large (a body where none is taken)', 413, 'body_too_large',
      () => `GET /healthz HTTP/1.1\r\nHost: t\r\nContent-Length: 2\r\n\r\n{}`],
    ['400 bad_request (CivetWeb cannot parse the request line)', 400, 'bad_request',
      () => `GET\r\n\r\n`],
  ];
  for (const [name, status, code, bad] of cases) {
    test(`issue 9 #5 after ${name} a pipelined second request is never run`, async () => {
      const r = await converse(s.port, [bad() + smuggled()], { timeoutMs: 8000 });
      assertCode(r, status, code);
      assert.match(r.text, /\r\nconnection: close\r\n/i);
      assert.deepEqual(r.statuses, [status], `exactly one response: ${r.text.slice(0, 600)}`);
      assert.ok(r.closed && !r.timedOut, 'the server closed the connection');
    });
  }

  test('issue 9 #5 a good request keeps the connection open for the next one (the control)', async () => {
    const ok = `GET /healthz HTTP/1.1\r\nHost: t\r\n\r\n`;
    const r = await converse(s.port, [ok + smuggled()], { timeoutMs: 4000 });
    assert.deepEqual(r.statuses, [200, 200], r.text.slice(0, 600));
    assert.match(r.text, /\r\nkeep-alive: timeout=\d+\r\n/i);
  });
});

describe('issue 9 #8 decoded routing: the raw path is routed, escapes and non-canonical ids refused', () => {
  let s;
  let admin;
  before(async () => {
    s = await startStack();
    const r = await login(s, 'admin', s.adminPassword);
    admin = { id: r.body.user.id, token: r.body.access_token };
  });
  after(() => s?.stop());

  for (const path of ['/%6detrics', '/metrics%00.png', '/api/v1/me%2Flogins', '/api/v1/students/%31', '/api/v1/%75sers']) {
    test(`issue 9 #8 GET ${path} is 400 invalid_path, not served`, async () => {
      const r = await converse(s.port, [`GET ${path} HTTP/1.1\r\nHost: t\r\nAuthorization: Bearer ${admin.token}\r\nConnection: close\r\n\r\n`]);
      assertCode(r, 400, 'invalid_path');
    });
  }

  test('issue 9 #8 ids only in canonical form: leading zeros, signs and huge numbers are 404 like an unknown id', async () => {
    const ok = await call(s, 'GET', `/users/${admin.id}`, { token: admin.token });
    assert.equal(ok.status, 200, ok.text);
    for (const id of [`0${admin.id}`, `00${admin.id}`, `+${admin.id}`, '99999999999999999999', '0']) {
      const r = await converse(s.port, [`GET /api/v1/users/${id} HTTP/1.1\r\nHost: t\r\nAuthorization: Bearer ${admin.token}\r\nConnection: close\r\n\r\n`]);
      assertCode(r, 404, 'not_found');
    }
  });

  test('issue 9 #8 dot segments are not resolved into another route', async () => {
    const r = await converse(s.port, [`GET /api/v1/../../metrics HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n`]);
    assertCode(r, 404, 'not_found');
  });
});

describe('issue 9 #11 invalid UTF-8 in the request target is refused before any SQL', () => {
  let s;
  let token;
  before(async () => {
    s = await startStack();
    token = (await login(s, 'admin', s.adminPassword)).body.access_token;
  });
  after(() => s?.stop());

  test('issue 9 #11 GET /api/v1/users?q=%ff is 400 invalid_query and logs nothing at error level', async () => {
    const r = await call(s, 'GET', '/users?q=%ff', { token });
    assert.equal(r.status, 400, r.text);
    assert.equal(r.body.code, 'invalid_query');
    const rid = r.headers.get('x-request-id');
    await s.waitForLog((o) => o.request_id === rid && o.msg === 'request');
    const errors = s.logs().filter((o) => o.level === 'error');
    assert.deepEqual(errors, [], 'no error-level log line');
    // Valid UTF-8 still searches.
    const ok = await call(s, 'GET', `/users?q=${encodeURIComponent('ā')}`, { token });
    assert.equal(ok.status, 200, ok.text);
  });

  for (const q of ['x=%ff', 'limit=%c0%80', 'q=%ed%a0%80', 'q=%f4%90%80%80', 'q=%zz', 'q=a%00b']) {
    test(`issue 9 #11 ?${q} on any operation is 400 invalid_query (whether or not it reads the parameter)`, async () => {
      const r = await call(s, 'GET', `/me?${q}`, { token });
      assert.equal(r.status, 400, r.text);
      assert.equal(r.body.code, 'invalid_query');
    });
  }

  test('issue 9 #11 a path that is not UTF-8 is 400: escaped (invalid_path) or raw (CivetWeb refuses the request line)', async () => {
    const escaped = await converse(s.port, [`GET /api/v1/users/%ff HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n`]);
    assertCode(escaped, 400, 'invalid_path');
    const req = Buffer.concat([Buffer.from('GET /api/v1/'), Buffer.from([0xff, 0xfe]), Buffer.from(' HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n')]);
    const rawByte = await converse(s.port, [req]);
    assertCode(rawByte, 400, 'bad_request');
  });
});
