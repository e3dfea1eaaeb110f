// What idle sockets and keep-alive pollers do to a normal client (issue 9 #2): measures, does not
// assert. Starts a real server with its default thread count over a throwaway database.
//
//   EJ_BIN=build/ejournal node tests/bench/hostile-clients.mjs [idle=200] [pollers=200]
//
// Prints, for each situation, how long GET /healthz and GET /api/v1/me (a database read with a
// token) took for a new client (or "no answer in 30 s").
import http from 'node:http';
import net from 'node:net';
import { startStack, login } from '../api/lib/stack.mjs';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const IDLE = Number(process.argv[2] || 200);
const POLLERS = Number(process.argv[3] || 200);
const LIMIT_MS = 30_000;

// One request on a fresh connection (no agent reuse); resolves with milliseconds or a failure text.
function timed(port, path, token) {
  return new Promise((resolve) => {
    const started = Date.now();
    const req = http.get({ host: '127.0.0.1', port, path, agent: false, headers: token ? { authorization: `Bearer ${token}` } : {} }, (res) => {
      res.resume();
      res.on('end', () => resolve(`${res.statusCode} in ${Date.now() - started} ms`));
    });
    req.setTimeout(LIMIT_MS, () => {
      req.destroy();
      resolve(`no answer in ${LIMIT_MS / 1000} s`);
    });
    req.on('error', (e) => resolve(`${e.code || e.message} after ${Date.now() - started} ms`));
  });
}

async function probe(stack, token, what) {
  const h = await timed(stack.port, '/healthz');
  const m = await timed(stack.port, '/api/v1/me', token);
  console.log(`${what}: GET /healthz ${h}; GET /api/v1/me ${m}`);
}

const stack = await startStack({ env: { EJ_THREADS: undefined } });
try {
  const token = (await login(stack, 'admin', stack.adminPassword)).body.access_token;
  await probe(stack, token, 'quiet server');

  // Idle sockets: connect and send nothing.
  const idle = [];
  for (let i = 0; i < IDLE; i++) {
    const s = net.connect({ port: stack.port, host: '127.0.0.1' });
    s.on('error', () => {});
    idle.push(s);
  }
  await sleep(500);
  await probe(stack, token, `${IDLE} idle sockets`);
  for (const s of idle) s.destroy();
  await sleep(500);

  // Keep-alive pollers: each its own connection, GET /healthz every 3 s.
  let stop = false;
  let polls = 0;
  let pollFailures = 0;
  const pollers = [];
  for (let i = 0; i < POLLERS; i++) {
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    pollers.push((async () => {
      await sleep(Math.random() * 3000);
      while (!stop) {
        await new Promise((resolve) => {
          const req = http.get({ host: '127.0.0.1', port: stack.port, path: '/healthz', agent }, (res) => {
            res.resume();
            res.on('end', resolve);
          });
          req.setTimeout(LIMIT_MS, () => req.destroy());
          req.on('error', () => {
            pollFailures++;
            resolve();
          });
        });
        polls++;
        await sleep(3000);
      }
      agent.destroy();
    })());
  }
  await sleep(4000);
  await probe(stack, token, `${POLLERS} keep-alive pollers (every 3 s)`);
  stop = true;
  await Promise.all(pollers);
  console.log(`pollers: ${polls} polls, ${pollFailures} failed`);
} finally {
  await stack.stop({ expectCode: null });
}
