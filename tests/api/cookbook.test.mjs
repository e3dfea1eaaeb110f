// The README's journal walkthrough with curl is clients/curl/journal.sh, line for line, and the
// script runs to its end against a live server, checking every status (issue 15: "every curl
// example in the README lives in a script that the test command runs").
// Run alone with: bash scripts/test.sh tests/api/cookbook.test.mjs
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';

import { repoRoot, startStack } from './lib/stack.mjs';

const SCRIPT = path.join(repoRoot, 'clients', 'curl', 'journal.sh');
const MARK = '# ---- walkthrough ----';
const TIMEOUT_MS = Number(process.env.EJ_COOKBOOK_TIMEOUT_MS || 120_000);

// The ```sh blocks of the README section `## heading`, joined.
function readmeBlocks(heading) {
  const readme = fs.readFileSync(path.join(repoRoot, 'README.md'), 'utf8');
  const start = readme.indexOf(`\n## ${heading}\n`);
  assert.ok(start >= 0, `README.md has a section "## ${heading}"`);
  const rest = readme.slice(start + 1);
  const end = rest.indexOf('\n## ', 1);
  const section = end < 0 ? rest : rest.slice(0, end);
  return [...section.matchAll(/```sh\n([\s\S]*?)```/g)].map((m) => m[1]).join('');
}

function run(env) {
  return new Promise((resolve) => {
    execFile('bash', [SCRIPT], { env: { ...process.env, ...env }, timeout: TIMEOUT_MS, maxBuffer: 4 << 20 },
      (error, stdout, stderr) => resolve({ code: error ? (error.code ?? 'killed') : 0, stdout, stderr }));
  });
}

let stack;
before(async () => { stack = await startStack(); });
after(async () => stack && stack.stop());

describe('issue 15 the README journal walkthrough is a tested script', () => {
  test('issue 15 README.md "The journal with curl" is clients/curl/journal.sh after its walkthrough line, exactly', () => {
    const script = fs.readFileSync(SCRIPT, 'utf8');
    const at = script.indexOf(`${MARK}\n`);
    assert.ok(at >= 0, `the script has the line ${MARK}`);
    const walkthrough = script.slice(at + MARK.length + 1);
    const readme = readmeBlocks('The journal with curl');
    const a = readme.split('\n'), b = walkthrough.split('\n');
    for (let i = 0; i < Math.max(a.length, b.length); i++) {
      assert.equal(a[i], b[i], `line ${i + 1} of the walkthrough: README vs clients/curl/journal.sh`);
    }
    assert.ok((walkthrough.match(/^curl |[ (]curl /gm) || []).length >= 20, 'the walkthrough has its curl calls');
  });

  test('issue 15 clients/curl/journal.sh runs to its end against a live server, every status as expected (twice: it can run again)', async () => {
    for (let i = 0; i < 2; i++) {
      const r = await run({ API: stack.api, ADMIN_PASSWORD: stack.adminPassword });
      assert.equal(r.code, 0, `exit ${r.code}\nstdout: ${r.stdout}\nstderr: ${r.stderr}`);
      assert.match(r.stdout, /journal walkthrough: done\n$/);
      assert.match(r.stdout, /The deadline for this entry was \d{4}-\d{2}-\d{2} 23:59:59 \(UTC\+0[23]:00\)/);
      assert.match(r.stdout, /"state":"recorded","late":true/);
    }
  });

  test('issue 15 the script fails on an unexpected status (its checks can fail)', async () => {
    const r = await run({ API: stack.api, ADMIN_PASSWORD: 'not the password' });
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /expected 200, got 401/);
  });
});
