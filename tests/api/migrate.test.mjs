// issue 14: `ejournal migrate` — numbered, forward-only migrations (db/migrations) and then the
// repeatable function files (db/functions, one current CREATE OR REPLACE per function), in one
// transaction under an advisory lock (api/store/migrate.c).
//
// The upgrade is tested against the schema as the migrate before db/functions left it: each
// numbered migration applied once in its own transaction and recorded in schema_migrations with its
// SHA-256, nothing else (replayed here with psql), then the new binary's migrate.

import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { promisify } from 'node:util';
import { repoRoot, scratchDatabase } from './lib/stack.mjs';

const execFileP = promisify(execFile);
const PG_BIN = fs.existsSync('/usr/lib/postgresql/15/bin') ? '/usr/lib/postgresql/15/bin' : '';
const pgTool = (name) => (PG_BIN ? path.join(PG_BIN, name) : name);

const MIGRATIONS = path.join(repoRoot, 'db', 'migrations');
const FUNCTIONS = path.join(repoRoot, 'db', 'functions');
// The numbered migrations written before db/functions existed: they may (re)define functions; the
// files win over them. Later ones must not define functions at all.
const LAST_WITH_FUNCTIONS = 15;
// The last migration of the schema before db/functions (the parent of issue 14's change).
const BEFORE_FUNCTIONS = 9;

const migrationFiles = () => fs.readdirSync(MIGRATIONS).filter((n) => /^\d{4}_.+\.sql$/.test(n)).sort();
const functionFiles = (dir = FUNCTIONS) => fs.readdirSync(dir).filter((n) => /^\d{2}_.+\.sql$/.test(n)).sort();

const scratch = [];
const tmpDirs = [];
after(async () => {
  for (const db of scratch) await db.drop();
  for (const d of tmpDirs) fs.rmSync(d, { recursive: true, force: true });
});

async function newDatabase() {
  const db = await scratchDatabase();
  scratch.push(db);
  return db;
}

function tmpDir() {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'ejournal-migrate-'));
  tmpDirs.push(d);
  return d;
}

function copyDir(from) {
  const to = tmpDir();
  for (const n of fs.readdirSync(from)) fs.copyFileSync(path.join(from, n), path.join(to, n));
  return to;
}

async function migrate(db, env = {}) {
  const res = await db.run(['migrate'], env);
  return res;
}

async function migrateOk(db, env = {}) {
  const res = await migrate(db, env);
  assert.equal(res.code, 0, `migrate failed:\n${res.stderr}${res.stdout}`);
  return res.stdout;
}

// What the migrate before db/functions did, file by file.
async function oldMigrate(db, upTo) {
  await db.psql('CREATE TABLE IF NOT EXISTS schema_migrations ( version integer PRIMARY KEY, name text NOT NULL,'
    + ' checksum text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())');
  for (const name of migrationFiles()) {
    const version = Number(name.slice(0, 4));
    if (version > upTo) break;
    const file = path.join(MIGRATIONS, name);
    const sum = createHash('sha256').update(fs.readFileSync(file)).digest('hex');
    await execFileP(pgTool('psql'), ['-X', '-q', '-v', 'ON_ERROR_STOP=1', '-1', '-h', db.cluster.host,
      '-p', String(db.cluster.port), '-U', 'postgres', '-d', db.db, '-f', file]);
    await db.psql(`INSERT INTO schema_migrations (version, name, checksum) VALUES (${version}, '${name}', '${sum}')`);
  }
}

async function schemaDump(db) {
  const { stdout } = await execFileP(pgTool('pg_dump'), ['--schema-only', '-h', db.cluster.host,
    '-p', String(db.cluster.port), '-U', 'postgres', '-d', db.db], { maxBuffer: 64 << 20 });
  // pg_dump 15.14+ brackets the script with \restrict <random key>: not part of the schema.
  return stdout.split('\n').filter((l) => !/^\\(un)?restrict /.test(l)).join('\n');
}

// Definitions, by signature, of the functions in the database (not of extensions).
async function functionDefs(db) {
  const out = await db.psql(`SELECT coalesce(json_object_agg(p.oid::regprocedure::text, pg_get_functiondef(p.oid)), '{}')
    FROM pg_proc p WHERE p.pronamespace = 'public'::regnamespace
      AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_proc'::regclass
                      AND d.objid = p.oid AND d.deptype = 'e')`);
  return JSON.parse(out);
}

test('issue 14: a fresh database and ones upgraded from the schema before db/functions end up identical (pg_dump --schema-only)', async () => {
  const fresh = await newDatabase();
  await migrateOk(fresh);
  const want = await schemaDump(fresh);
  assert.match(want, /CREATE FUNCTION public\.lesson_state\(l public\.lessons\)/);
  assert.match(want, /CREATE TABLE public\.schema_functions/);

  const last = Number(migrationFiles().at(-1).slice(0, 4));
  for (const upTo of [BEFORE_FUNCTIONS, last]) {
    const old = await newDatabase();
    await oldMigrate(old, upTo);
    const out = await migrateOk(old);
    // Every function file is applied over what the numbered migrations left.
    for (const f of functionFiles()) assert.match(out, new RegExp(`applied functions ${f}`));
    assert.equal(await schemaDump(old), want, `upgraded from ${upTo}: schema differs from a fresh one`);
  }
});

test('issue 14: every function in the database has its one current definition in db/functions', async () => {
  const db = await newDatabase();
  await migrateOk(db);
  const defs = await functionDefs(db);
  const sigs = Object.keys(defs);
  assert.ok(sigs.length >= 20, `only ${sigs.length} functions`);

  // In the files: every CREATE OR REPLACE definition by name and argument list, with its file.
  const defined = new Map();
  for (const f of functionFiles()) {
    const text = fs.readFileSync(path.join(FUNCTIONS, f), 'utf8');
    assert.doesNotMatch(text, /^\s*CREATE\s+FUNCTION/im, `${f}: CREATE FUNCTION without OR REPLACE`);
    for (const m of text.matchAll(/^CREATE OR REPLACE FUNCTION (\w+)\(([^)]*)\)/gm)) {
      const key = `${m[1]}(${m[2].replace(/\s+/g, ' ')})`;
      assert.ok(!defined.has(key), `${key} is defined twice in db/functions`);
      defined.set(key, f);
    }
  }
  // Every function of the database is there, by name and argument count, and nothing more.
  const byName = (s) => `${s.slice(0, s.indexOf('('))}/${s.slice(s.indexOf('(') + 1, -1).split(',').filter((x) => x.trim()).length}`;
  const inDb = new Set(sigs.map(byName));
  const inFiles = new Set([...defined.keys()].map(byName));
  for (const s of inDb) assert.ok(inFiles.has(s), `function ${s} is not defined in db/functions`);
  for (const s of inFiles) assert.ok(inDb.has(s), `db/functions defines ${s}, which the database does not have`);
});

test(`issue 14: numbered migrations after ${String(LAST_WITH_FUNCTIONS).padStart(4, '0')} define no functions (they belong in db/functions); a function a migration drops is not in db/functions`, () => {
  const inFiles = new Set();
  for (const f of functionFiles()) {
    for (const m of fs.readFileSync(path.join(FUNCTIONS, f), 'utf8').matchAll(/^CREATE OR REPLACE FUNCTION (\w+)\(/gm)) inFiles.add(m[1].toLowerCase());
  }
  for (const name of migrationFiles()) {
    const text = fs.readFileSync(path.join(MIGRATIONS, name), 'utf8');
    if (Number(name.slice(0, 4)) > LAST_WITH_FUNCTIONS) {
      assert.doesNotMatch(text, /CREATE\s+(OR\s+REPLACE\s+)?FUNCTION|ALTER\s+FUNCTION/i, name);
    }
    // The files are applied after every migration: one that still defined a dropped function
    // would bring it back.
    for (const m of text.matchAll(/DROP\s+FUNCTION\s+(?:IF\s+EXISTS\s+)?(\w+)/gi)) {
      assert.ok(!inFiles.has(m[1].toLowerCase()), `${name} drops ${m[1]}, which db/functions still defines: delete it there`);
    }
  }
});

test('issue 14: a changed function file is applied again on the next migrate, unchanged ones are not', async () => {
  const dir = copyDir(FUNCTIONS);
  const db = await newDatabase();
  await migrateOk(db, { EJ_FUNCTIONS_DIR: dir });
  const again = await migrateOk(db, { EJ_FUNCTIONS_DIR: dir });
  assert.doesNotMatch(again, /^applied/m, 'a second run applied something');
  assert.match(again, /0 applied now.*function files: 0 applied now/);

  const file = path.join(dir, '10_foundation.sql');
  const text = fs.readFileSync(file, 'utf8');
  assert.ok(text.includes("'audit_log is append-only'"));
  fs.writeFileSync(file, text.replace("'audit_log is append-only'", "'audit_log is append-only (changed)'"));
  const out = await migrateOk(db, { EJ_FUNCTIONS_DIR: dir });
  assert.deepEqual(out.split('\n').filter((l) => l.startsWith('applied')), ['applied functions 10_foundation.sql']);
  const def = await db.psql("SELECT pg_get_functiondef('audit_log_immutable'::regproc)");
  assert.match(def, /append-only \(changed\)/);
  const sum = createHash('sha256').update(fs.readFileSync(file)).digest('hex');
  assert.equal((await db.psql("SELECT checksum FROM schema_functions WHERE name = '10_foundation.sql'")).trim(), sum);

  // The trigger uses the new body at once.
  await db.psql("INSERT INTO audit_log (action, entity) VALUES ('test', 'test')");
  await assert.rejects(db.psql('DELETE FROM audit_log'), /append-only \(changed\)/);
});

test('issue 14: a failing function file rolls the whole run back, migrations included', async () => {
  const dir = copyDir(FUNCTIONS);
  fs.writeFileSync(path.join(dir, '99_broken.sql'), 'CREATE OR REPLACE FUNCTION broken() RETURNS int LANGUAGE sql AS $$ SELECT nope $$;\n');
  const db = await newDatabase();
  const res = await migrate(db, { EJ_FUNCTIONS_DIR: dir });
  assert.equal(res.code, 1);
  assert.match(res.stderr, /99_broken\.sql failed/);
  assert.match(res.stderr, /rolled back, nothing was applied/);
  assert.doesNotMatch(res.stdout, /^applied/m);
  assert.equal((await db.psql("SELECT to_regclass('schema_migrations') IS NULL, to_regclass('users') IS NULL")).trim(), 't\tt');

  fs.rmSync(path.join(dir, '99_broken.sql'));
  await migrateOk(db, { EJ_FUNCTIONS_DIR: dir });
  assert.equal((await db.psql('SELECT count(*) FROM schema_migrations')).trim(), String(migrationFiles().length));
});

test('issue 14: an applied numbered migration that was edited stops migrate; a missing functions folder too', async () => {
  const mig = copyDir(MIGRATIONS);
  const db = await newDatabase();
  await migrateOk(db, { EJ_MIGRATIONS_DIR: mig, EJ_FUNCTIONS_DIR: FUNCTIONS });
  fs.appendFileSync(path.join(mig, '0001_foundation.sql'), '\n-- edited\n');
  const res = await migrate(db, { EJ_MIGRATIONS_DIR: mig, EJ_FUNCTIONS_DIR: FUNCTIONS });
  assert.equal(res.code, 1);
  assert.match(res.stderr, /0001_foundation\.sql was changed after it was applied/);

  const missing = await migrate(db, { EJ_FUNCTIONS_DIR: path.join(tmpDir(), 'nope') });
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /cannot open .*nope \(set EJ_FUNCTIONS_DIR\)/);
});
