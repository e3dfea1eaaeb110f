// Black-box test harness: a real `ejournal serve` over a real PostgreSQL, no npm packages.
//
//   import { startStack, raw, json, login, call } from './lib/stack.mjs';
//   const s = await startStack({ env: { EJ_CORS_ORIGINS: 'https://app.example' } });
//   const res = await fetch(`${s.api}/me`);
//   await s.stop();                       // SIGTERM; asserts the server exits 0
//
// PostgreSQL: scripts/test.sh starts one cluster for the whole run and passes its socket folder and
// port in EJ_TEST_PGHOST / EJ_TEST_PGPORT. Without them (a developer running one file with
// `node --test tests/api/foundation.test.mjs`) the first startStack() starts a throwaway cluster via
// scripts/pg.sh and stops it when this process exits. Every stack gets a fresh database `ej_<random>`
// on that cluster; `opts.ownCluster: true` gives the stack a cluster of its own instead, which the
// test may stop and start (stack.pgStop() / stack.pgStart()); with `opts.durable: true` as well, that
// cluster runs with fsync and synchronous_commit on (the default: EJ_PG_FAST, crash-unsafe).
//
// Binary: EJ_BIN (relative to the repository root, or absolute), else build-asan/ejournal, else
// build/ejournal. A stopped stack's database is dropped unless EJ_TEST_KEEP_DB=1.

import assert from 'node:assert/strict';
import { spawn, execFile, execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { startNginx } from '../../deploy/lib/nginx.mjs';

const execFileP = promisify(execFile);

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const PG_SH = path.join(repoRoot, 'scripts', 'pg.sh');
const PSQL = fs.existsSync('/usr/lib/postgresql/15/bin/psql') ? '/usr/lib/postgresql/15/bin/psql' : 'psql';

const HEALTH_TIMEOUT_MS = 20_000;
const STOP_TIMEOUT_MS = 20_000;

export function serverBinary() {
  if (process.env.EJ_BIN) return path.resolve(repoRoot, process.env.EJ_BIN);
  const asan = path.join(repoRoot, 'build-asan', 'ejournal');
  if (fs.existsSync(asan)) return asan;
  return path.join(repoRoot, 'build', 'ejournal');
}

// --- PostgreSQL clusters --------------------------------------------------------------------------

const ownedClusters = new Set(); // cluster folders this process started: stopped and removed at exit
const liveServers = new Set(); // child processes still running: killed at exit

function stopClusterSync(dir) {
  try {
    execFileSync('bash', [PG_SH, 'stop', dir], { stdio: 'ignore' });
  } catch {
    /* best effort at exit */
  }
  try {
    fs.rmSync(path.dirname(dir), { recursive: true, force: true }); // the mkdtemp folder around it
  } catch {
    /* ignore */
  }
}

function cleanupAtExit() {
  for (const child of liveServers) {
    try {
      child.kill('SIGKILL');
    } catch {
      /* ignore */
    }
  }
  liveServers.clear();
  for (const dir of ownedClusters) stopClusterSync(dir);
  ownedClusters.clear();
}
process.on('exit', cleanupAtExit);
for (const sig of ['SIGINT', 'SIGTERM']) {
  process.once(sig, () => {
    cleanupAtExit();
    process.exit(130);
  });
}

function parseConnString(s) {
  const out = {};
  for (const m of s.trim().matchAll(/(\w+)=(\S+)/g)) out[m[1]] = m[2];
  return out;
}

// Starts (or restarts) a cluster in `dir` via scripts/pg.sh; resolves with { host, port }. `fast`:
// fsync and synchronous_commit off (EJ_PG_FAST=1), for clusters whose data may be lost in a crash.
async function pgShStart(dir, fast = true) {
  let stdout;
  try {
    ({ stdout } = await execFileP('bash', [PG_SH, 'start', dir], {
      env: { ...process.env, EJ_PG_FAST: fast ? '1' : '0' },
    }));
  } catch (e) {
    throw new Error(`scripts/pg.sh start ${dir} failed:\n${e.stderr || e.message}`);
  }
  const kv = parseConnString(stdout.trim().split('\n').pop());
  return { host: kv.host, port: Number(kv.port || 5432) };
}

// mode: 'fast' (a clean shutdown) or 'immediate' (PostgreSQL's crash: recovery on the next start).
async function pgShStop(dir, mode = 'fast') {
  try {
    await execFileP('bash', [PG_SH, 'stop', dir], { env: { ...process.env, EJ_PG_STOP_MODE: mode } });
  } catch (e) {
    throw new Error(`scripts/pg.sh stop ${dir} failed:\n${e.stderr || e.message}`);
  }
}

function makeClusterDir() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ejournal-api-pg-'));
  fs.chmodSync(dir, 0o755); // the cluster runs as an unprivileged user who must enter it
  return path.join(dir, 'pg');
}

let sharedCluster = null; // Promise<{host, port}>

function getSharedCluster() {
  if (!sharedCluster) {
    if (process.env.EJ_TEST_PGHOST) {
      sharedCluster = Promise.resolve({
        host: process.env.EJ_TEST_PGHOST,
        port: Number(process.env.EJ_TEST_PGPORT || 5432),
      });
    } else {
      const dir = makeClusterDir();
      ownedClusters.add(dir);
      sharedCluster = pgShStart(dir);
    }
  }
  return sharedCluster;
}

export async function psqlAt(cluster, db, sql) {
  try {
    const { stdout } = await execFileP(
      PSQL,
      ['-X', '-q', '-At', '-F', '\t', '-v', 'ON_ERROR_STOP=1',
        '-h', cluster.host, '-p', String(cluster.port), '-U', 'postgres', '-d', db, '-c', sql],
      { env: { ...process.env, PGCONNECT_TIMEOUT: '10' }, maxBuffer: 64 << 20 },
    );
    return stdout;
  } catch (e) {
    throw new Error(`psql failed: ${sql}\n${e.stderr || e.message}`);
  }
}

function conninfo(cluster, db) {
  return `host=${cluster.host} port=${cluster.port} user=postgres dbname=${db}`;
}

// --- small helpers --------------------------------------------------------------------------------

export function randomHex(bytes) {
  return randomBytes(bytes).toString('hex');
}

export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function runCommand(bin, args, env, input) {
  return new Promise((resolve, reject) => {
    const child = spawn(bin, args, { env, stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout: out, stderr: err }));
    child.stdin.on('error', () => {}); // the program may exit without reading stdin
    child.stdin.end(input ?? '');
  });
}

function childEnv(extra) {
  const env = {};
  // Nothing from the developer's own EJ_* configuration leaks into the server under test.
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('EJ_')) env[k] = v;
  return { ...env, ...extra };
}

// --- response recording ----------------------------------------------------------------------------
//
// When EJ_TEST_RESPONSES_DIR is set (scripts/test.sh sets it), every response that fetch() (and so
// call() and login()) receives from a server this harness started is appended, one JSON object a
// line, to responses-<pid>.jsonl in that folder: { file, method, url, status, headers, body }. The
// validator (tests/openapi/validate-responses.mjs) then checks each against openapi.yaml. raw()
// speaks bytes over a socket on purpose (malformed framing and the like) and is not recorded.

const RECORD_DIR = process.env.EJ_TEST_RESPONSES_DIR || '';
const RECORD_BODY_MAX = 4 << 20; // a larger body is recorded as truncated and its schema not checked
const recordedOrigins = new Set(); // `http://127.0.0.1:<port>` of every server spawned here

function recordResponse(method, url, res) {
  const file = path.join(RECORD_DIR, `responses-${process.pid}.jsonl`);
  const headers = {};
  for (const [k, v] of res.headers) headers[k] = v;
  const base = {
    file: path.relative(repoRoot, process.argv[1] || '?'),
    method,
    url: url.pathname + url.search,
    status: res.status,
    headers,
  };
  const write = (extra) => {
    try {
      fs.appendFileSync(file, `${JSON.stringify({ ...base, ...extra })}\n`);
    } catch {
      /* the folder went away: the run is over */
    }
  };
  if (method === 'HEAD' || !res.body) {
    write({ body: '' });
    return;
  }
  // A clone of the body, read in the background: the test reads the original as it likes.
  res.clone().arrayBuffer().then(
    (buf) => write(buf.byteLength > RECORD_BODY_MAX
      ? { body: null, truncated: buf.byteLength }
      : { body: Buffer.from(buf).toString('utf8') }),
    () => write({ body: null, unread: true }), // the test aborted it: status and headers still count
  );
}

if (RECORD_DIR) {
  const realFetch = globalThis.fetch;
  globalThis.fetch = async function recordingFetch(input, init) {
    const res = await realFetch(input, init);
    try {
      const url = new URL(typeof input === 'string' || input instanceof URL ? input : input.url);
      if (recordedOrigins.has(url.origin)) {
        const method = String(init?.method || (input instanceof Request ? input.method : 'GET')).toUpperCase();
        recordResponse(method, url, res);
      }
    } catch {
      /* recording never changes what the test sees */
    }
    return res;
  };
}

// --- the commands on their own ---------------------------------------------------------------------

// An empty database on the shared cluster, for tests of `ejournal migrate` and the other commands
// (tests/api/migrate.test.mjs): run(args, env) runs the binary against it with only `env` as further
// EJ_* configuration and resolves with { code, signal, stdout, stderr }; drop() removes it.
export async function scratchDatabase() {
  const cluster = await getSharedCluster();
  const db = `ej_${randomHex(8)}`;
  await psqlAt(cluster, 'postgres', `CREATE DATABASE ${db}`);
  const url = conninfo(cluster, db);
  return {
    cluster,
    db,
    url,
    run: (args, env = {}, input) => runCommand(serverBinary(), args, childEnv({ EJ_DATABASE_URL: url, ...env }), input),
    psql: (sql) => psqlAt(cluster, db, sql),
    drop: () => psqlAt(cluster, 'postgres', `DROP DATABASE IF EXISTS ${db} WITH (FORCE)`).catch(() => {}),
  };
}

// --- the stack -----------------------------------------------------------------------------------

// opts.env: extra environment for the server (e.g. EJ_CORS_ORIGINS); a value of undefined removes one
// of the defaults. opts.ownCluster: a separate PostgreSQL cluster for this stack (pgStop/pgStart);
// opts.durable: that cluster with fsync and synchronous_commit on, for crash tests.
// opts.superuser: username of the superuser to create (default "admin").
// opts.nginx: true (or { render: {...} }, deploy/nginx/render.sh values) puts nginx with the deploy/
// configuration in front of the server (tests/deploy/lib/nginx.mjs): stack.base and stack.api are
// then its HTTPS address, stack.direct the server's own ({ base, api, port }; stack.port stays the
// server's, for raw()), stack.nginx the nginx (its logs, ports); the server trusts 127.0.0.1 as its
// proxy (EJ_TRUSTED_PROXIES) and has 16 threads (fewer than tests/deploy's 50 slow senders, so a
// sender that held a thread would show; more than nginx keeps idle), unless opts.env says otherwise. EJ_TEST_VIA_NGINX=1 does that for every stack, with rates raised so that a test file's
// requests, all from 127.0.0.1, are not limited (scripts/test.sh, stage nginx).
export async function startStack(opts = {}) {
  const bin = serverBinary();
  if (!fs.existsSync(bin)) throw new Error(`server binary not found: ${bin} (build it: bash scripts/setup.sh --asan)`);

  let cluster;
  let clusterDir = null;
  const fastCluster = !opts.durable;
  if (opts.ownCluster) {
    clusterDir = makeClusterDir();
    ownedClusters.add(clusterDir);
    cluster = await pgShStart(clusterDir, fastCluster);
  } else {
    cluster = await getSharedCluster();
  }

  const db = `ej_${randomHex(8)}`;
  await psqlAt(cluster, 'postgres', `CREATE DATABASE ${db}`);
  const dbUrl = conninfo(cluster, db);

  const baseEnv = {
    EJ_DATABASE_URL: dbUrl,
    EJ_JWT_SECRET: randomHex(32),
    EJ_THREADS: '4',
    EJ_LOG_LEVEL: 'info',
  };

  const migrate = await runCommand(bin, ['migrate'], childEnv(baseEnv));
  if (migrate.code !== 0) {
    throw new Error(`ejournal migrate exited ${migrate.code ?? migrate.signal}:\n${migrate.stderr}${migrate.stdout}`);
  }

  const superuser = opts.superuser || 'admin';
  const adminPassword = `Pw-${randomHex(12)}`;
  const cs = await runCommand(bin, ['create-superuser', superuser], childEnv(baseEnv), `${adminPassword}\n`);
  if (cs.code !== 0) {
    throw new Error(`ejournal create-superuser exited ${cs.code ?? cs.signal}:\n${cs.stderr}${cs.stdout}`);
  }

  let viaNginx = opts.nginx ?? (process.env.EJ_TEST_VIA_NGINX === '1'
    ? { render: { API_RATE: '10000r/s', API_BURST: '10000', LOGIN_RATE: '10000r/s', LOGIN_BURST: '10000' } }
    : false);
  if (viaNginx === true) viaNginx = {};
  const proxyEnv = viaNginx ? { EJ_TRUSTED_PROXIES: '127.0.0.1', EJ_THREADS: '16' } : {};

  // Start the server; retry on a new port if the one we picked was taken meanwhile.
  let server;
  let lastError;
  for (let attempt = 0; attempt < 3 && !server; attempt++) {
    const port = await freePort();
    try {
      server = await spawnServer(bin, port, { ...baseEnv, EJ_LISTEN: `127.0.0.1:${port}`, ...proxyEnv, ...(opts.env || {}) });
    } catch (e) {
      lastError = e;
      if (!e.earlyExit) break;
    }
  }
  if (!server) throw lastError;

  const { child, port, logState } = server;
  const direct = { base: `http://127.0.0.1:${port}`, api: `http://127.0.0.1:${port}/api/v1`, port };
  let nginx = null;
  if (viaNginx) {
    try {
      nginx = await startNginx({ upstreamPort: port, render: viaNginx.render });
    } catch (e) {
      child.kill('SIGKILL');
      liveServers.delete(child);
      throw e;
    }
  }
  const base = nginx ? nginx.base : direct.base;
  let stopped = null;

  const stack = {
    base,
    api: `${base}/api/v1`,
    port,
    direct,
    nginx,
    pid: child.pid,
    db,
    dbUrl,
    cluster,
    bin,
    superuser,
    adminPassword,
    child,
    alive: () => child.exitCode === null && child.signalCode === null,
    // Parsed log lines (objects); lines that are not JSON appear as { raw: line, not_json: true }.
    logs: () => logState.lines.map((l) => {
      try {
        return JSON.parse(l);
      } catch {
        return { raw: l, not_json: true };
      }
    }),
    rawLogs: () => logState.text,
    // Resolves with the first log object for which pred() is true (the server may log a request
    // just after answering it).
    async waitForLog(pred, timeoutMs = 5000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const hit = stack.logs().find((o) => !o.not_json && pred(o));
        if (hit) return hit;
        if (Date.now() > deadline) throw new Error(`no matching log line within ${timeoutMs} ms; logs:\n${logState.text.slice(-4000)}`);
        await sleep(25);
      }
    },
    // Rows as arrays of strings (NULL comes back as ''), via psql -At.
    async psql(sql) {
      const out = await psqlAt(cluster, db, sql);
      return out.split('\n').filter((l) => l !== '').map((l) => l.split('\t'));
    },
    // Rows of a SELECT as objects with their JSON types, via json_agg.
    async query(sql) {
      const out = await psqlAt(cluster, db, `SELECT coalesce(json_agg(t), '[]'::json) FROM (${sql}) t`);
      return JSON.parse(out);
    },
    // SIGTERM, wait for the exit, and require exit code 0. Resolves with { code, signal }.
    async stop({ signal = 'SIGTERM', expectCode = 0 } = {}) {
      if (!stopped) {
        stopped = (async () => {
          if (nginx) await nginx.stop();
          if (stack.alive()) child.kill(signal);
          const res = await waitExit(child, STOP_TIMEOUT_MS);
          liveServers.delete(child);
          if (clusterDir) {
            await pgShStop(clusterDir).catch(() => {});
          } else if (!process.env.EJ_TEST_KEEP_DB) {
            // Keeps a long run's shared cluster small; EJ_TEST_KEEP_DB=1 keeps them for a post-mortem.
            await psqlAt(cluster, 'postgres', `DROP DATABASE IF EXISTS ${db} WITH (FORCE)`).catch(() => {});
          }
          return res;
        })();
      }
      const res = await stopped;
      if (res.timedOut) throw new Error(`server did not exit within ${STOP_TIMEOUT_MS} ms after ${signal}; logs:\n${logState.text.slice(-4000)}`);
      if (expectCode !== null && (res.code !== expectCode || res.signal !== null)) {
        throw new Error(`server exited with ${res.signal ? `signal ${res.signal}` : `code ${res.code}`} after ${signal}, expected code ${expectCode}; logs:\n${logState.text.slice(-4000)}`);
      }
      return res;
    },
    // Own cluster only: stop / start PostgreSQL under the running server. pgStop({ immediate: true })
    // is PostgreSQL's own crash (no checkpoint; the next pgStart() recovers from the WAL).
    async pgStop({ immediate = false } = {}) {
      if (!clusterDir) throw new Error('pgStop() needs startStack({ ownCluster: true })');
      await pgShStop(clusterDir, immediate ? 'immediate' : 'fast');
    },
    async pgStart() {
      if (!clusterDir) throw new Error('pgStart() needs startStack({ ownCluster: true })');
      await pgShStart(clusterDir, fastCluster);
    },
  };
  return stack;
}

function waitExit(child, timeoutMs) {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) {
      resolve({ code: child.exitCode, signal: child.signalCode });
      return;
    }
    const t = setTimeout(() => {
      child.kill('SIGKILL');
      resolve({ code: null, signal: 'SIGKILL', timedOut: true });
    }, timeoutMs);
    child.once('exit', (code, signal) => {
      clearTimeout(t);
      resolve({ code, signal });
    });
  });
}

async function spawnServer(bin, port, env) {
  for (const [k, v] of Object.entries(env)) if (v === undefined) delete env[k];
  const child = spawn(bin, ['serve'], { env: childEnv(env), stdio: ['ignore', 'pipe', 'pipe'] });
  liveServers.add(child);
  // A server a test forgot to stop must not keep this process alive forever: the server does not
  // hold the event loop open, so the file ends and the exit hook above kills what still runs. Code
  // that waits for the server's exit (an 'exit'/'close' listener) holds the loop open again.
  child.unref();
  child.stdout.unref?.();
  child.stderr.unref?.();
  child.on('newListener', (event) => {
    if (event === 'exit' || event === 'close') child.ref();
  });
  const logState = { text: '', lines: [], partial: '' };
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (d) => {
    logState.text += d;
    const parts = (logState.partial + d).split('\n');
    logState.partial = parts.pop();
    for (const l of parts) if (l.trim() !== '') logState.lines.push(l);
  });
  child.stdout.setEncoding('utf8');
  child.stdout.on('data', (d) => (logState.text += d));
  let spawnError = null;
  child.on('error', (e) => (spawnError = e));

  const deadline = Date.now() + HEALTH_TIMEOUT_MS;
  for (;;) {
    if (spawnError) throw spawnError;
    if (child.exitCode !== null || child.signalCode !== null) {
      liveServers.delete(child);
      const e = new Error(`ejournal serve exited (${child.exitCode ?? child.signalCode}) before answering /healthz; stderr:\n${logState.text}`);
      e.earlyExit = true;
      throw e;
    }
    try {
      const res = await fetch(`http://127.0.0.1:${port}/healthz`, { signal: AbortSignal.timeout(1000) });
      await res.arrayBuffer();
      if (res.status === 200) {
        recordedOrigins.add(`http://127.0.0.1:${port}`);
        return { child, port, logState };
      }
    } catch {
      /* not listening yet */
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      liveServers.delete(child);
      throw new Error(`ejournal serve did not answer GET /healthz 200 within ${HEALTH_TIMEOUT_MS} ms; stderr:\n${logState.text}`);
    }
    await sleep(50);
  }
}

// --- HTTP helpers --------------------------------------------------------------------------------

// Sends exact bytes (string or Buffer) over a fresh TCP connection and resolves with what came back:
// { status, statusText, headers (lower-case names; repeated ones joined with ', '), body, text,
//   complete, closed, timedOut, error, elapsedMs }. It resolves when one whole response has arrived
// (by Content-Length or chunked framing), when the server closes, or after timeoutMs. It never
// rejects: a reset or timeout is reported in the result so the test can assert on it.
export function raw(port, data, { timeoutMs = 10_000, host = '127.0.0.1' } = {}) {
  return new Promise((resolve) => {
    const started = Date.now();
    const chunks = [];
    let done = false;
    let error = null;
    let closed = false;
    const sock = net.connect({ port, host });
    const finish = (timedOut = false) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      sock.destroy();
      const buf = Buffer.concat(chunks);
      resolve({ ...parseResponse(buf), closed, timedOut, error, elapsedMs: Date.now() - started });
    };
    const timer = setTimeout(() => finish(true), timeoutMs);
    sock.on('connect', () => {
      sock.write(data, (e) => {
        if (e) error = error || e;
      });
    });
    sock.on('data', (d) => {
      chunks.push(d);
      if (parseResponse(Buffer.concat(chunks)).complete) finish();
    });
    sock.on('error', (e) => {
      error = error || e;
      finish();
    });
    sock.on('end', () => {
      closed = true;
      finish();
    });
    sock.on('close', () => {
      closed = true;
      finish();
    });
  });
}

function parseResponse(buf) {
  const text = buf.toString('latin1');
  const out = { status: null, statusText: '', headers: {}, body: '', text: buf.toString('utf8'), complete: false };
  const end = text.indexOf('\r\n\r\n');
  if (end < 0) return out;
  const lines = text.slice(0, end).split('\r\n');
  const m = /^HTTP\/1\.[01] (\d{3}) ?(.*)$/.exec(lines[0]);
  if (!m) return out;
  out.status = Number(m[1]);
  out.statusText = m[2];
  for (const line of lines.slice(1)) {
    const i = line.indexOf(':');
    if (i < 0) continue;
    const name = line.slice(0, i).trim().toLowerCase();
    const value = line.slice(i + 1).trim();
    out.headers[name] = name in out.headers ? `${out.headers[name]}, ${value}` : value;
  }
  const bodyBuf = buf.subarray(Buffer.byteLength(text.slice(0, end + 4), 'latin1'));
  const te = (out.headers['transfer-encoding'] || '').toLowerCase();
  if (te.includes('chunked')) {
    const parts = [];
    let pos = 0;
    for (;;) {
      const nl = bodyBuf.indexOf('\r\n', pos);
      if (nl < 0) break;
      const size = parseInt(bodyBuf.subarray(pos, nl).toString('latin1'), 16);
      if (Number.isNaN(size)) break;
      if (size === 0) {
        out.complete = true;
        break;
      }
      if (bodyBuf.length < nl + 2 + size + 2) break;
      parts.push(bodyBuf.subarray(nl + 2, nl + 2 + size));
      pos = nl + 2 + size + 2;
    }
    out.body = Buffer.concat(parts).toString('utf8');
  } else if ('content-length' in out.headers) {
    const n = Number(out.headers['content-length']);
    out.body = bodyBuf.subarray(0, n).toString('utf8');
    out.complete = bodyBuf.length >= n;
  } else {
    out.body = bodyBuf.toString('utf8');
    out.complete = out.status === 204 || out.status === 304 || (out.status >= 100 && out.status < 200);
  }
  return out;
}

// Parses a JSON body from a fetch Response or a raw() result; throws with the text when it is not JSON.
export async function json(res) {
  const text = typeof res.text === 'function' ? await res.text() : res.body;
  try {
    return JSON.parse(text);
  } catch {
    throw new Error(`response body is not JSON (status ${res.status}): ${String(text).slice(0, 500)}`);
  }
}

// One API call: call(stack, 'POST', '/auth/login', { body, token, headers }) →
// { res, status, headers, body } (body parsed as JSON when it is JSON, else the text).
export async function call(stack, method, urlPath, { body, token, headers = {}, rawBody } = {}) {
  const h = { ...headers };
  if (token) h.authorization = `Bearer ${token}`;
  let payload;
  if (rawBody !== undefined) payload = rawBody;
  else if (body !== undefined) {
    payload = JSON.stringify(body);
    if (!Object.keys(h).some((k) => k.toLowerCase() === 'content-type')) h['content-type'] = 'application/json';
  }
  const url = urlPath.startsWith('http') ? urlPath : `${stack.api}${urlPath}`;
  const res = await fetch(url, { method, headers: h, body: payload });
  const text = await res.text();
  let parsed = text;
  try {
    parsed = text === '' ? null : JSON.parse(text);
  } catch {
    /* not JSON */
  }
  return { res, status: res.status, headers: res.headers, body: parsed, text };
}

// POST /api/v1/auth/login → { res, status, headers, body }.
export function login(stack, username, password) {
  return call(stack, 'POST', '/auth/login', { body: { username, password } });
}

// Another `ejournal serve` on an existing stack's database: a restart (end the first server with
// stack.child.kill('SIGTERM') and wait for its exit, not stack.stop(), which drops the database; call
// stack.stop() at the end to clean up), or the same data under another configuration. `env` is the
// server configuration apart from EJ_DATABASE_URL and EJ_LISTEN (the harness does not keep the
// secret it generated: a test that needs it passes its own EJ_JWT_SECRET to startStack and here).
// Resolves with { base, api, port, pid, alive(), rawLogs(), stop() }; stop() asserts exit code 0.
export async function serveAgain(stack, env = {}) {
  const port = await freePort();
  const { child, logState } = await spawnServer(stack.bin, port, {
    EJ_THREADS: '4', EJ_LOG_LEVEL: 'info', ...env,
    EJ_DATABASE_URL: stack.dbUrl, EJ_LISTEN: `127.0.0.1:${port}`,
  });
  const base = `http://127.0.0.1:${port}`;
  return {
    base, api: `${base}/api/v1`, port, pid: child.pid,
    alive: () => child.exitCode === null && child.signalCode === null,
    rawLogs: () => logState.text,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      const res = await waitExit(child, STOP_TIMEOUT_MS);
      liveServers.delete(child);
      if (res.code !== 0 || res.signal !== null) throw new Error(`server exited with ${res.signal || res.code}; logs:\n${logState.text.slice(-4000)}`);
      return res;
    },
  };
}

// Ends the stack's server process but keeps its database (stack.stop() drops it).
export async function haltServer(stack) {
  if (!stack.alive()) return;
  let timer;
  // The harness unrefs the child: the timer also keeps the event loop alive while it exits.
  const exited = new Promise((resolve, reject) => {
    timer = setTimeout(() => reject(new Error('the server did not exit within 20 s of SIGTERM')), 20_000);
    stack.child.once('exit', (code, signal) => resolve({ code, signal }));
  });
  stack.child.kill('SIGTERM');
  try {
    const { code, signal } = await exited;
    assert.equal(code, 0, `the server exited with ${signal || code}`);
  } finally {
    clearTimeout(timer);
  }
}
