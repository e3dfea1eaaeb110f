// nginx from deploy/nginx/ in front of a test server, on loopback, in a folder of its own.
//
//   import { startNginx, tlsFiles, httpsRequest } from '../deploy/lib/nginx.mjs';
//   const ngx = await startNginx({ upstreamPort: 8080 });   // https://127.0.0.1:<port>
//   await ngx.stop();
//
// The site file is deploy/nginx/ejournal.conf.in rendered by deploy/nginx/render.sh with the
// listen addresses, the certificate and the upstream changed for loopback (and, if the caller asks,
// other rates); the main nginx.conf around it (pid, logs, temporary folders, one worker, no daemon)
// is written here, in place of Debian's /etc/nginx/nginx.conf. It is Debian's nginx binary, not the
// system service: nothing outside the folder is touched.
//
// Certificate: EJ_TEST_NGINX_CERT_DIR (made by tests/deploy/make-cert.sh; scripts/test.sh makes one
// per run and points NODE_EXTRA_CA_CERTS at its ca.pem so that fetch() trusts it), else one made here
// for this process. Folders: under EJ_TEST_NGINX_DIR if set (scripts/test.sh stops whatever nginx
// is left there by its pid file), else the system's temporary folder; removed by stop().

import { execFile, spawn } from 'node:child_process';
import fs from 'node:fs';
import https from 'node:https';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const execFileP = promisify(execFile);
const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const RENDER = path.join(repoRoot, 'deploy', 'nginx', 'render.sh');
const MAKE_CERT = path.join(repoRoot, 'tests', 'deploy', 'make-cert.sh');
const NGINX = fs.existsSync('/usr/sbin/nginx') ? '/usr/sbin/nginx' : 'nginx';
const START_TIMEOUT_MS = 15_000;
const STOP_TIMEOUT_MS = 10_000;

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

const live = new Set(); // nginx master processes still running: ended at exit
const ownedDirs = new Set();
process.on('exit', () => {
  // SIGTERM, not SIGKILL: the master then ends its workers (a killed master would leave them).
  for (const child of live) {
    try {
      child.kill('SIGTERM');
    } catch {
      /* ignore */
    }
  }
  for (const d of ownedDirs) fs.rmSync(d, { recursive: true, force: true });
});

let certs = null; // Promise<{ dir, ca, cert, key }>

// The throwaway certificate's files: { dir, ca (PEM text), cert, key (paths) }.
export function tlsFiles() {
  if (!certs) {
    certs = (async () => {
      let dir = process.env.EJ_TEST_NGINX_CERT_DIR;
      if (!dir) {
        dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ejournal-tls-'));
        ownedDirs.add(dir);
      }
      try {
        await execFileP('bash', [MAKE_CERT, dir]);
      } catch (e) {
        throw new Error(`tests/deploy/make-cert.sh failed:\n${e.stderr || e.message}`);
      }
      return {
        dir,
        ca: fs.readFileSync(path.join(dir, 'ca.pem'), 'utf8'),
        cert: path.join(dir, 'cert.pem'),
        key: path.join(dir, 'key.pem'),
      };
    })();
  }
  return certs;
}

function freePort() {
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

// One HTTPS request that trusts the throwaway CA (fetch() needs NODE_EXTRA_CA_CERTS for that; this
// does not). Resolves with { status, headers, text, body (parsed JSON or null) }; rejects on a
// network error or after timeoutMs.
export async function httpsRequest(url, { method = 'GET', headers = {}, body, localAddress, timeoutMs = 10_000, agent = false } = {}) {
  const { ca } = await tlsFiles();
  return new Promise((resolve, reject) => {
    const req = https.request(url, { method, headers, ca, localAddress, agent, timeout: timeoutMs }, (res) => {
      const chunks = [];
      res.on('data', (d) => chunks.push(d));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let parsed = null;
        try {
          parsed = text === '' ? null : JSON.parse(text);
        } catch {
          /* not JSON */
        }
        resolve({ status: res.statusCode, headers: res.headers, text, body: parsed });
      });
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`${method} ${url}: no answer within ${timeoutMs} ms`)));
    req.on('error', reject);
    req.end(body);
  });
}

function mainConf(prefix) {
  return `# Written by tests/deploy/lib/nginx.mjs: the test's stand-in for /etc/nginx/nginx.conf.
daemon off;
worker_processes 1;
pid ${prefix}/nginx.pid;
error_log ${prefix}/error.log info;
worker_shutdown_timeout 5s;
events { worker_connections 4096; }
http {
    default_type application/octet-stream;
    access_log ${prefix}/access.log;
    client_body_temp_path ${prefix}/tmp/body;
    proxy_temp_path ${prefix}/tmp/proxy;
    fastcgi_temp_path ${prefix}/tmp/fastcgi;
    uwsgi_temp_path ${prefix}/tmp/uwsgi;
    scgi_temp_path ${prefix}/tmp/scgi;
    include ${prefix}/ejournal.conf;
}
`;
}

// Renders the site for loopback into a new folder; resolves with { prefix, conf }.
export async function renderLoopback({ upstreamPort, httpsPort, httpPort, render = {}, parent }) {
  const { cert, key } = await tlsFiles();
  const base = parent || process.env.EJ_TEST_NGINX_DIR || os.tmpdir();
  fs.mkdirSync(base, { recursive: true });
  const prefix = fs.mkdtempSync(path.join(base, 'ejournal-nginx-'));
  fs.chmodSync(prefix, 0o755); // the workers run as nobody and create their temporary files here
  fs.mkdirSync(path.join(prefix, 'tmp'), { mode: 0o755 });
  const vars = {
    SERVER_NAME: '127.0.0.1',
    CERT: cert,
    KEY: key,
    UPSTREAM: `127.0.0.1:${upstreamPort}`,
    HTTPS_LISTEN: `127.0.0.1:${httpsPort}`,
    HTTP_LISTEN: `127.0.0.1:${httpPort}`,
    HTTPS_PORT: String(httpsPort),
    ...render,
  };
  let site;
  try {
    ({ stdout: site } = await execFileP('bash', [RENDER, ...Object.entries(vars).map(([k, v]) => `${k}=${v}`)]));
  } catch (e) {
    throw new Error(`deploy/nginx/render.sh failed:\n${e.stderr || e.message}`);
  }
  fs.writeFileSync(path.join(prefix, 'ejournal.conf'), site);
  const conf = path.join(prefix, 'nginx.conf');
  fs.writeFileSync(conf, mainConf(prefix));
  return { prefix, conf };
}

async function waitExit(child, ms) {
  if (child.exitCode !== null || child.signalCode !== null) return true;
  return new Promise((resolve) => {
    const t = setTimeout(() => resolve(false), ms);
    child.once('exit', () => {
      clearTimeout(t);
      resolve(true);
    });
  });
}

async function spawnOnce(opts) {
  const httpsPort = await freePort();
  const httpPort = await freePort();
  const { prefix, conf } = await renderLoopback({ ...opts, httpsPort, httpPort });
  const stderrFile = path.join(prefix, 'stderr.log');
  const errFd = fs.openSync(stderrFile, 'a');
  const child = spawn(NGINX, ['-p', prefix, '-c', conf, '-e', path.join(prefix, 'error.log')], {
    stdio: ['ignore', errFd, errFd],
  });
  fs.closeSync(errFd);
  child.unref();
  live.add(child);
  let spawnError = null;
  child.on('error', (e) => (spawnError = e));
  const read = (name) => {
    try {
      return fs.readFileSync(path.join(prefix, name), 'utf8');
    } catch {
      return '';
    }
  };
  const base = `https://127.0.0.1:${httpsPort}`;
  const deadline = Date.now() + START_TIMEOUT_MS;
  for (;;) {
    if (spawnError) throw new Error(`cannot run ${NGINX}: ${spawnError.message} (install Debian's nginx: bash scripts/setup.sh)`);
    if (child.exitCode !== null || child.signalCode !== null) {
      live.delete(child);
      const log = read('stderr.log') + read('error.log');
      fs.rmSync(prefix, { recursive: true, force: true });
      const e = new Error(`nginx exited (${child.exitCode ?? child.signalCode}) at start:\n${log}`);
      e.bindFailed = /bind\(\) .* failed|Address already in use/.test(log);
      throw e;
    }
    try {
      const res = await httpsRequest(`${base}/healthz`, { timeoutMs: 1000 });
      if (res.status === 200) break;
    } catch {
      /* not listening yet */
    }
    if (Date.now() > deadline) {
      child.kill('SIGTERM');
      await waitExit(child, STOP_TIMEOUT_MS);
      live.delete(child);
      throw new Error(`nginx did not answer GET /healthz 200 within ${START_TIMEOUT_MS} ms:\n${read('error.log')}`);
    }
    await sleep(50);
  }

  let stopped = null;
  return {
    base,
    api: `${base}/api/v1`,
    httpsPort,
    httpPort,
    httpBase: `http://127.0.0.1:${httpPort}`,
    prefix,
    pid: child.pid,
    child,
    alive: () => child.exitCode === null && child.signalCode === null,
    errorLog: () => read('error.log'),
    accessLog: () => read('access.log'),
    // Graceful stop (SIGQUIT), then SIGTERM, then SIGKILL; removes the folder.
    stop() {
      if (!stopped) {
        stopped = (async () => {
          for (const sig of ['SIGQUIT', 'SIGTERM', 'SIGKILL']) {
            if (child.exitCode !== null || child.signalCode !== null) break;
            child.kill(sig);
            if (await waitExit(child, STOP_TIMEOUT_MS)) break;
          }
          live.delete(child);
          if (!process.env.EJ_TEST_KEEP_NGINX) fs.rmSync(prefix, { recursive: true, force: true });
        })();
      }
      return stopped;
    },
  };
}

// Starts nginx in front of 127.0.0.1:upstreamPort and waits until GET /healthz through it answers
// 200. opts.render: other render.sh values (e.g. { LOGIN_RATE: '100r/s' }).
export async function startNginx(opts) {
  let lastError;
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      return await spawnOnce(opts);
    } catch (e) {
      lastError = e;
      if (!e.bindFailed) break; // a port taken meanwhile: try others
    }
  }
  throw lastError;
}
