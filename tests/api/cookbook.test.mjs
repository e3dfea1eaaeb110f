// The README's curl examples are scripts, line for line: "Using the API with curl" is
// clients/curl/basics.sh, "The journal with curl" clients/curl/journal.sh and "Settings and the
// year's end with curl" clients/curl/settings.sh (after their
// walkthrough line), and each script runs to its end against a live server, checking every status
// (issue 15: "every curl example in the README lives in a script that the test command runs").
// Run alone with: bash scripts/test.sh tests/api/cookbook.test.mjs
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';

import { repoRoot, startStack } from './lib/stack.mjs';

const SCRIPTS = [
  ['Using the API with curl', path.join(repoRoot, 'clients', 'curl', 'basics.sh'), 'basics', 10],
  ['The journal with curl', path.join(repoRoot, 'clients', 'curl', 'journal.sh'), 'journal', 20],
  ['Settings and the year\'s end with curl', path.join(repoRoot, 'clients', 'curl', 'settings.sh'), 'settings', 15],
];
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

function run(script, env) {
  return new Promise((resolve) => {
    execFile('bash', [script], { env: { ...process.env, ...env }, timeout: TIMEOUT_MS, maxBuffer: 4 << 20 },
      (error, stdout, stderr) => resolve({ code: error ? (error.code ?? 'killed') : 0, stdout, stderr }));
  });
}

let stack;
before(async () => { stack = await startStack(); });
after(async () => stack && stack.stop());

describe('issue 15 the README\'s curl examples are tested scripts', () => {
  test('issue 15 every ```sh block of README.md is one of the scripts (no curl example lives only in the README)', () => {
    const readme = fs.readFileSync(path.join(repoRoot, 'README.md'), 'utf8');
    const inSections = SCRIPTS.map(([heading]) => readmeBlocks(heading)).join('');
    for (const m of readme.matchAll(/```sh\n([\s\S]*?)```/g)) {
      if (!/(^|[\s(|;])curl /m.test(m[1])) continue;
      assert.ok(inSections.includes(m[1]), `a curl example outside the tested sections:\n${m[1].slice(0, 300)}`);
    }
  });

  for (const [heading, script, name, minCurls] of SCRIPTS) {
    test(`issue 15 README.md "${heading}" is clients/curl/${name}.sh after its walkthrough line, exactly`, () => {
      const text = fs.readFileSync(script, 'utf8');
      const at = text.indexOf(`${MARK}\n`);
      assert.ok(at >= 0, `the script has the line ${MARK}`);
      const walkthrough = text.slice(at + MARK.length + 1);
      const a = readmeBlocks(heading).split('\n'), b = walkthrough.split('\n');
      for (let i = 0; i < Math.max(a.length, b.length); i++) {
        assert.equal(a[i], b[i], `line ${i + 1} of the walkthrough: README vs clients/curl/${name}.sh`);
      }
      assert.ok((walkthrough.match(/^curl |[ (]curl /gm) || []).length >= minCurls, 'the walkthrough has its curl calls');
    });

    test(`issue 15 clients/curl/${name}.sh runs to its end against a live server, every status as expected (twice: it can run again)`, async () => {
      for (let i = 0; i < 2; i++) {
        const r = await run(script, { API: stack.api, ADMIN_PASSWORD: stack.adminPassword });
        assert.equal(r.code, 0, `exit ${r.code}\nstdout: ${r.stdout}\nstderr: ${r.stderr}`);
        assert.match(r.stdout, new RegExp(`${name} walkthrough: done\\n$`));
        if (name === 'journal') {
          assert.match(r.stdout, /The deadline for this entry was \d{4}-\d{2}-\d{2} 23:59:59 \(UTC\+0[23]:00\)/);
          assert.match(r.stdout, /"state":"recorded","late":true/);
        } else if (name === 'settings') {
          // §22 the new number shows in the deadline rule at once; §18 the closed year refuses.
          assert.match(r.stdout, /"entry_deadline_working_days":3,"deadlines_changed":\d+/);
          assert.match(r.stdout, /"working_days":3/);
          assert.match(r.stdout, /The school year is closed; its journal is read-only \(§18\)\./);
          assert.match(r.stdout, /"lessons":1,"late":1,"hours_attended":2/);
          assert.match(r.stdout, /<h1>Personas lieta<\/h1>/);
        } else {
          assert.match(r.stdout, /"initial_password":null/, 'the idempotent replay leaves out the one-time password');
        }
      }
    });

    test(`issue 15 clients/curl/${name}.sh fails on an unexpected status (its checks can fail)`, async () => {
      const r = await run(script, { API: stack.api, ADMIN_PASSWORD: 'not the password' });
      assert.notEqual(r.code, 0);
      assert.match(r.stderr, /expected 200, got 401/);
    });
  }
});
