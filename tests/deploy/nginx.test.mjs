// issue 9: the production recipe in deploy/nginx/, rendered for loopback with a throwaway certificate
// and started in front of a real `ejournal serve` (tests/deploy/lib/nginx.mjs via startStack's
// `nginx` option). Each test names what the configuration protects against and proves it through
// the real nginx and the real server. The limits are production's (render.sh's defaults).
//
// Clients bind other loopback addresses (127.0.0.2, 127.0.1.x, ...) with `localAddress`, so that
// nginx and the server see distinct client addresses. Requests go over node:https/tls with the
// throwaway CA, so this file does not need NODE_EXTRA_CA_CERTS. Timeouts: nginx's header and body
// timeouts are 10 s; the whole file takes about a minute.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import net from 'node:net';
import tls from 'node:tls';
import { startStack, randomHex, raw } from '../api/lib/stack.mjs';
import { adminSession, makeUser } from '../api/lib/fixtures.mjs';
import { httpsRequest, tlsFiles } from './lib/nginx.mjs';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

let s; // the stack: nginx in front of the server
let direct; // the same stack addressed directly (set-up and checks that bypass nginx)
let ca;

before(async () => {
  s = await startStack({ nginx: true });
  direct = { ...s, api: s.direct.api, base: s.direct.base };
  ({ ca } = await tlsFiles());
});

after(async () => {
  if (s) await s.stop();
});

// A TLS connection to nginx from `localAddress`; resolves once the handshake is done. The socket
// collects what it receives in sock.received and records its close in sock.closedAt.
function tlsConnect({ localAddress = '127.0.0.1', ...opts } = {}) {
  return new Promise((resolve, reject) => {
    const sock = tls.connect({ host: '127.0.0.1', port: s.nginx.httpsPort, ca, localAddress, ...opts });
    sock.received = '';
    sock.closedAt = null;
    sock.setEncoding('utf8');
    sock.on('data', (d) => (sock.received += d));
    sock.on('close', () => (sock.closedAt = Date.now()));
    sock.once('secureConnect', () => resolve(sock));
    sock.once('error', (e) => {
      sock.lastError = e;
      reject(e);
    });
  });
}

const url = (p, base = s.base) => `${base}${p}`;

// The server's log line of the request with this X-Request-Id.
function serverLine(requestId, timeoutMs = 5000) {
  return s.waitForLog((o) => o.request_id === requestId, timeoutMs);
}

describe('issue 9 nginx (deploy/nginx/ejournal.conf.in in front of the server)', () => {
  test('issue 9 nginx: a slow body is held by nginx, not by an API worker; nginx drops it at its body timeout', async () => {
    // 50 senders (more than the server's 16 threads), each from its own address so that the login
    // route's per-address budget does not refuse them first, announce 4000 bytes and trickle them.
    const senders = [];
    for (let i = 0; i < 50; i++) {
      const sock = await tlsConnect({ localAddress: `127.0.2.${10 + i}` });
      sock.on('error', () => {});
      sock.write('POST /api/v1/auth/login HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n' +
        'Content-Length: 4000\r\n\r\n{');
      senders.push(sock);
    }
    const lastByte = [];
    try {
      for (let round = 0; round < 3; round++) {
        await sleep(2000);
        senders.forEach((sock, i) => {
          if (sock.closedAt) return;
          sock.write(' ');
          lastByte[i] = Date.now();
        });
        // Meanwhile the server answers at once, directly and through nginx, and a login works.
        const t0 = Date.now();
        const d = await fetch(url('/healthz', s.direct.base), { signal: AbortSignal.timeout(5000) });
        assert.equal(d.status, 200);
        const n = await httpsRequest(url('/healthz'), { timeoutMs: 5000 });
        assert.equal(n.status, 200);
        const ms = Date.now() - t0;
        assert.ok(ms < 4000, `healthz took ${ms} ms while 50 slow bodies trickled`);
      }
      const ok = await httpsRequest(url('/api/v1/auth/login'), {
        method: 'POST', localAddress: '127.0.0.2', headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username: s.superuser, password: s.adminPassword }), timeoutMs: 10_000,
      });
      assert.equal(ok.status, 200, ok.text);
      assert.equal(senders.filter((x) => x.closedAt).length, 0, 'nginx keeps a slow sender while it sends');
      // None of them reached the server: nginx reads a whole body before it sends the request on.
      await s.waitForLog((o) => o.route === '/api/v1/auth/login');
      const logins = s.logs().filter((o) => o.route === '/api/v1/auth/login');
      assert.equal(logins.length, 1, `the server saw ${logins.length} logins, expected only the complete one`);

      // Then they fall silent: nginx closes each one at its body timeout (10 s), itself.
      const deadline = Date.now() + 25_000;
      while (senders.some((x) => !x.closedAt) && Date.now() < deadline) await sleep(200);
      const open = senders.filter((x) => !x.closedAt).length;
      assert.equal(open, 0, `${open} slow senders still connected 25 s after their last byte`);
      for (let i = 0; i < senders.length; i++) {
        const waited = senders[i].closedAt - lastByte[i];
        assert.ok(waited > 5000, `sender ${i} was closed after ${waited} ms, before nginx's body timeout`);
        // nginx ends a timed-out request with 408 in its log and closes without an answer (the
        // client has stopped reading, as far as it can tell); never the server's answer.
        assert.equal(senders[i].received, '');
      }
      const timedOut = s.nginx.accessLog().split('\n').filter((l) => /"POST \/api\/v1\/auth\/login HTTP\/1\.1" 408 /.test(l));
      assert.equal(timedOut.length, 50, `nginx logged ${timedOut.length} slow logins as 408`);
      assert.equal(s.logs().filter((o) => o.route === '/api/v1/auth/login').length, 1);
    } finally {
      for (const sock of senders) sock.destroy();
    }
  });

  test('issue 9 nginx: 200 idle sockets to nginx do not delay a normal request', async () => {
    const admin = await adminSession(direct);
    const idle = [];
    try {
      // 100 that make one keep-alive request and then stay connected, idle ...
      await Promise.all(Array.from({ length: 100 }, async (_, i) => {
        const sock = await tlsConnect({ localAddress: `127.0.4.${i + 1}` });
        sock.on('error', () => {});
        idle.push(sock);
        sock.write('GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n');
        const deadline = Date.now() + 15_000;
        while (!/\r\n\r\n[\s\S]*\}/.test(sock.received) && Date.now() < deadline) await sleep(20);
        assert.match(sock.received, /^HTTP\/1\.1 200 /, `keep-alive client ${i}: ${sock.received}`);
      }));
      // ... and 100 that connect and send nothing at all, not even a TLS handshake (nginx would
      // drop these after its 10 s header timeout; the requests below come well before that).
      await Promise.all(Array.from({ length: 100 }, (_, i) => new Promise((resolve, reject) => {
        const sock = net.connect({ host: '127.0.0.1', port: s.nginx.httpsPort, localAddress: `127.0.3.${i + 1}` });
        sock.once('connect', resolve);
        sock.once('error', reject);
        sock.on('close', () => (sock.closedAt = Date.now()));
        idle.push(sock);
      })));
      assert.equal(idle.filter((x) => x.closedAt || x.destroyed).length, 0, 'every idle socket is still open');

      // A normal request through nginx (a database round trip: the token's user is read) and one
      // directly: both prompt.
      for (let i = 0; i < 3; i++) {
        const t0 = Date.now();
        const me = await httpsRequest(url('/api/v1/me'), { headers: { authorization: `Bearer ${admin.token}` }, timeoutMs: 10_000 });
        const ms = Date.now() - t0;
        assert.equal(me.status, 200, me.text);
        assert.ok(ms < 3000, `GET /api/v1/me through nginx took ${ms} ms beside 200 idle sockets`);
        const t1 = Date.now();
        const d = await fetch(url('/healthz', s.direct.base), { signal: AbortSignal.timeout(10_000) });
        assert.equal(d.status, 200);
        assert.ok(Date.now() - t1 < 3000, `GET /healthz directly took ${Date.now() - t1} ms`);
      }
    } finally {
      for (const sock of idle) sock.destroy();
    }
  });

  test('issue 9 nginx: the client address reaches the server through X-Forwarded-For (the throttle tells clients apart)', async () => {
    const admin = await adminSession(direct);
    const v = await makeUser(direct, admin, { roles: ['teacher'] });
    const attempt = (localAddress, password, requestId) => httpsRequest(url('/api/v1/auth/login'), {
      method: 'POST', localAddress,
      headers: { 'content-type': 'application/json', 'x-request-id': requestId },
      body: JSON.stringify({ username: v.username, password }), timeoutMs: 10_000,
    });
    // Six wrong passwords from 127.0.0.2: that pair (username + address) locks (after 5).
    for (let i = 0; i < 6; i++) {
      const r = await attempt('127.0.0.2', 'wrong password 123', `xff-a-${i}-${randomHex(4)}`);
      assert.ok([401, 429].includes(r.status), r.text);
    }
    const locked = await attempt('127.0.0.2', v.password, `xff-b-${randomHex(4)}`);
    assert.equal(locked.status, 429, `the attacker's own address is throttled: ${locked.text}`);
    assert.equal(locked.body.code, 'too_many_attempts', 'the server throttles, not nginx');
    // The owner on 127.0.0.3, behind the same nginx, is not.
    const rid = `xff-c-${randomHex(4)}`;
    const owner = await attempt('127.0.0.3', v.password, rid);
    assert.equal(owner.status, 200, `a client on another address is not locked out: ${owner.text}`);
    const line = await serverLine(rid);
    assert.equal(line.remote, '127.0.0.3', `the server logged remote ${line.remote}`);
  });

  test('issue 9 nginx: a forged X-Forwarded-For cannot choose the address the server sees', async () => {
    // A client on an ordinary address claims another one.
    const rid1 = `forge-1-${randomHex(4)}`;
    const r1 = await httpsRequest(url('/healthz'), {
      localAddress: '127.0.0.4', headers: { 'x-forwarded-for': '127.0.0.9', 'x-request-id': rid1 },
    });
    assert.equal(r1.status, 200);
    assert.equal((await serverLine(rid1)).remote, '127.0.0.4');
    // A client whose own address is the trusted proxy's (127.0.0.1) claims another one: appending to
    // the client's header ($proxy_add_x_forwarded_for) would let this one through, since the
    // server skips trusted entries; nginx overwrites it instead.
    const rid2 = `forge-2-${randomHex(4)}`;
    const r2 = await httpsRequest(url('/healthz'), {
      localAddress: '127.0.0.1', headers: { 'x-forwarded-for': '127.0.0.9, 127.0.0.8', 'x-request-id': rid2 },
    });
    assert.equal(r2.status, 200);
    const remote = (await serverLine(rid2)).remote;
    assert.ok(remote !== '127.0.0.9' && remote !== '127.0.0.8', `the server took the forged address ${remote}`);
    assert.equal(remote, '127.0.0.1');
    // And the throttle: wrong passwords from 127.0.0.5 that claim to come from 127.0.0.6 count
    // against 127.0.0.5 only.
    const admin = await adminSession(direct);
    const w = await makeUser(direct, admin, { roles: ['teacher'] });
    const attempt = (localAddress, password, xff) => httpsRequest(url('/api/v1/auth/login'), {
      method: 'POST', localAddress,
      headers: { 'content-type': 'application/json', ...(xff ? { 'x-forwarded-for': xff } : {}) },
      body: JSON.stringify({ username: w.username, password }), timeoutMs: 10_000,
    });
    for (let i = 0; i < 6; i++) await attempt('127.0.0.5', 'wrong password 123', '127.0.0.6');
    const victim = await attempt('127.0.0.6', w.password);
    assert.equal(victim.status, 200, `the address named in a forged header is not locked out: ${victim.text}`);
    const forger = await attempt('127.0.0.5', w.password, '127.0.0.6');
    assert.equal(forger.status, 429, `the forger's own address is: ${forger.text}`);
  });

  test('issue 9 nginx: logins beyond the per-address rate get 429 rate_limited (problem+json) from nginx, before the server', async () => {
    const tag = `rate-${randomHex(4)}-`;
    // 60 at once from one address (malformed bodies: the server refuses them cheaply, no hashing).
    const rs = await Promise.all(Array.from({ length: 60 }, (_, i) => httpsRequest(url('/api/v1/auth/login'), {
      method: 'POST', localAddress: '127.0.0.7', body: '{', timeoutMs: 15_000,
      headers: { 'content-type': 'application/json', 'x-request-id': `${tag}${i}` },
    })));
    const limited = rs.filter((r) => r.status === 429);
    const passed = rs.filter((r) => r.status !== 429);
    // The budget: 20 at once (burst) and 1 a second after that.
    assert.ok(limited.length >= 30, `${limited.length} of 60 were limited`);
    assert.ok(passed.length >= 20, `${passed.length} of 60 passed`);
    for (const r of passed) assert.equal(r.body?.code, 'malformed_json', r.text);
    for (const r of limited) {
      assert.match(r.headers['content-type'], /^application\/problem\+json/);
      assert.equal(r.body.code, 'rate_limited');
      assert.equal(r.body.status, 429);
      assert.equal(r.headers['retry-after'], '1');
    }
    // The limited ones never reached the server.
    await sleep(200);
    const seen = s.logs().filter((o) => String(o.request_id).startsWith(tag)).length;
    assert.equal(seen, passed.length, `the server saw ${seen} logins`);
    // Another address is not limited.
    const other = await httpsRequest(url('/api/v1/auth/login'), {
      method: 'POST', localAddress: '127.0.0.8', headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: s.superuser, password: s.adminPassword }),
    });
    assert.equal(other.status, 200, other.text);
  });

  test('issue 9 nginx: plain HTTP only redirects to HTTPS; HTTPS answers carry HSTS and no nginx version', async () => {
    const res = await fetch(`${s.nginx.httpBase}/api/v1/me?x=1`, { redirect: 'manual' });
    assert.equal(res.status, 301);
    assert.equal(res.headers.get('location'), `https://127.0.0.1:${s.nginx.httpsPort}/api/v1/me?x=1`);
    // A login sent over plain HTTP is not passed on to the server.
    const before = s.logs().filter((o) => o.route === '/api/v1/auth/login').length;
    const post = await fetch(`${s.nginx.httpBase}/api/v1/auth/login`, {
      method: 'POST', redirect: 'manual', headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: s.superuser, password: s.adminPassword }),
    });
    assert.equal(post.status, 301);
    await sleep(200);
    assert.equal(s.logs().filter((o) => o.route === '/api/v1/auth/login').length, before);

    const h = await httpsRequest(url('/healthz'));
    assert.equal(h.status, 200);
    assert.equal(h.headers['strict-transport-security'], 'max-age=63072000');
    assert.equal(h.headers.server, 'nginx');
    const err = await httpsRequest(url('/api/v1/me'));
    assert.equal(err.status, 401, 'the server\'s own errors pass unchanged');
    assert.equal(err.body.code, 'unauthenticated');
    assert.equal(err.headers['strict-transport-security'], 'max-age=63072000');
    // Plain HTTP sent to the HTTPS port: refused, as problem+json.
    const plain = await raw(s.nginx.httpsPort, 'GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n');
    assert.equal(plain.status, 400);
    assert.match(plain.headers['content-type'], /^application\/problem\+json/);
    assert.equal(JSON.parse(plain.body).code, 'bad_request');
    // The metrics are not served to the outside.
    const m = await httpsRequest(url('/metrics'));
    assert.equal(m.status, 404);
    assert.equal(m.body.code, 'not_found');
  });

  test('issue 9 nginx: TLS 1.2 and 1.3 with forward-secret AEAD suites only', async () => {
    // The client can speak TLS 1.0 and 1.1: a local TLS server that allows them accepts it.
    const { cert, key } = await tlsFiles();
    const control = tls.createServer({ cert: fs.readFileSync(cert), key: fs.readFileSync(key), minVersion: 'TLSv1', ciphers: 'DEFAULT@SECLEVEL=0' },
      (sock) => sock.end());
    await new Promise((resolve) => control.listen(0, '127.0.0.1', resolve));
    try {
      for (const v of ['TLSv1', 'TLSv1.1']) {
        const protocol = await new Promise((resolve, reject) => {
          const sock = tls.connect({ host: '127.0.0.1', port: control.address().port, ca, minVersion: v, maxVersion: v, ciphers: 'DEFAULT@SECLEVEL=0' });
          sock.once('secureConnect', () => {
            resolve(sock.getProtocol());
            sock.destroy();
          });
          sock.once('error', reject);
        });
        assert.equal(protocol, v);
      }
    } finally {
      control.close();
    }

    const tryTls = (opts) => tlsConnect({ localAddress: '127.0.0.1', ...opts }).then(
      (sock) => {
        const r = { ok: true, protocol: sock.getProtocol(), cipher: sock.getCipher().name };
        sock.destroy();
        return r;
      },
      (e) => ({ ok: false, error: e.code || e.message }),
    );
    const t13 = await tryTls({ minVersion: 'TLSv1.3' });
    assert.deepEqual([t13.ok, t13.protocol], [true, 'TLSv1.3']);
    const t12 = await tryTls({ maxVersion: 'TLSv1.2' });
    assert.deepEqual([t12.ok, t12.protocol], [true, 'TLSv1.2']);
    assert.match(t12.cipher, /^ECDHE-ECDSA-(AES\d+-GCM|CHACHA20-POLY1305)/);
    // CBC suites (forward-secret, but not AEAD) are refused: that is ssl_ciphers.
    const cbc = await tryTls({ maxVersion: 'TLSv1.2', ciphers: 'ECDHE-ECDSA-AES128-SHA:ECDHE-ECDSA-AES256-SHA384' });
    assert.equal(cbc.ok, false, `a CBC suite was accepted: ${JSON.stringify(cbc)}`);
    // TLS 1.0 and 1.1 are refused (ssl_protocols; Debian's OpenSSL refuses them too at its default
    // security level, so this guards the outcome rather than the one directive).
    for (const v of ['TLSv1', 'TLSv1.1']) {
      const old = await tryTls({ minVersion: v, maxVersion: v, ciphers: 'DEFAULT@SECLEVEL=0' });
      assert.equal(old.ok, false, `${v} was accepted: ${JSON.stringify(old)}`);
    }
  });

  test('issue 9 nginx: body ceilings follow the API routes (256 KiB, 4 KiB for login, 4 MiB for the import)', async () => {
    const admin = await adminSession(direct);
    const auth = { authorization: `Bearer ${admin.token}`, 'content-type': 'application/json' };
    const big = await httpsRequest(url('/api/v1/programs'), { method: 'POST', headers: auth, body: 'x'.repeat(300 * 1024) });
    assert.equal(big.status, 413);
    assert.equal(big.body.code, 'body_too_large');
    const login5k = await httpsRequest(url('/api/v1/auth/login'), {
      method: 'POST', localAddress: '127.0.0.9', headers: { 'content-type': 'application/json' }, body: 'x'.repeat(5 * 1024),
    });
    assert.equal(login5k.status, 413);
    assert.equal(login5k.body.code, 'body_too_large');
    // 3 MiB to the import route passes nginx; the server judges it (not JSON: 400).
    const rid = `import-${randomHex(4)}`;
    const imp = await httpsRequest(url('/api/v1/imports/enrollments'), {
      method: 'POST', headers: { ...auth, 'x-request-id': rid }, body: '['.padEnd(3 * 1024 * 1024, ' '), timeoutMs: 30_000,
    });
    assert.notEqual(imp.status, 413, imp.text);
    const line = await serverLine(rid);
    assert.equal(line.route, '/api/v1/imports/enrollments');
    assert.equal(line.status, imp.status);
  });
});
