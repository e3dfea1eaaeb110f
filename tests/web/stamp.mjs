// The web client's cache scheme without a build step: every reference from one of its files to
// another (HTML src/href, JavaScript import, CSS url()) carries ?v=<the first 12 hex digits of the
// SHA-256 of the target>, which the server (api/http/static.c) answers as immutable; index.html
// itself is always revalidated. The files stay plain source, served as they are.
//
//   node tests/web/stamp.mjs           rewrite the stamps in clients/web (run after editing it)
//   node tests/web/stamp.mjs --check   exit 1 if any stamp is stale (the browser tests run this)
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'clients', 'web');
const SERVED = /\.(html|js|css|svg|png|ico|woff2|webmanifest)$/;
const SKIP = new Set(['node_modules']);

function files(dir) {
  const out = [];
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    if (e.name.startsWith('.') || SKIP.has(e.name)) continue;
    const p = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...files(p));
    else if (SERVED.test(e.name)) out.push(p);
  }
  return out;
}

const version = (p) => createHash('sha256').update(fs.readFileSync(p)).digest('hex').slice(0, 12);

// Patterns whose group 2 is a relative reference (group 1 and 3 are kept as they are).
const PATTERNS = {
  '.js': [/(\bfrom\s*['"])(\.{1,2}\/[^'"?]+)(?:\?v=[0-9a-f]*)?(['"])/g, /(\bimport\s*\(\s*['"])(\.{1,2}\/[^'"?]+)(?:\?v=[0-9a-f]*)?(['"])/g],
  '.html': [/(\b(?:src|href)=")(?!https?:|#|\/|data:|mailto:)([^"?]+)(?:\?v=[0-9a-f]*)?(")/g],
  '.css': [/(url\(\s*['"]?)(?!https?:|data:|\/)([^'")?]+)(?:\?v=[0-9a-f]*)?(['"]?\s*\))/g],
};

function stampOnce(file) {
  const pats = PATTERNS[path.extname(file)];
  if (!pats) return false;
  const before = fs.readFileSync(file, 'utf8');
  let text = before;
  for (const re of pats) {
    text = text.replace(re, (m, a, ref, b) => {
      const target = path.resolve(path.dirname(file), ref);
      if (!target.startsWith(root + path.sep) || !fs.existsSync(target)) {
        throw new Error(`${path.relative(root, file)}: reference to a missing file: ${ref}`);
      }
      return `${a}${ref}?v=${version(target)}${b}`;
    });
  }
  if (text === before) return false;
  fs.writeFileSync(file, text);
  return true;
}

const check = process.argv.includes('--check');
const all = files(root);
const saved = new Map(all.map((f) => [f, fs.readFileSync(f)]));
// References form a tree (index.html → app.js → screens → modules), so a few passes reach the
// fixed point; a cycle would never settle.
let passes = 0;
for (; passes < 20; passes++) {
  let changed = false;
  for (const f of all) changed = stampOnce(f) || changed;
  if (!changed) break;
}
if (passes === 20) throw new Error('stamps do not settle: is there an import cycle?');
const stale = all.filter((f) => !saved.get(f).equals(fs.readFileSync(f)));
if (check) {
  for (const [f, buf] of saved) fs.writeFileSync(f, buf);
  if (stale.length) {
    console.error(`stale ?v= stamps in: ${stale.map((f) => path.relative(root, f)).join(', ')}; run node tests/web/stamp.mjs`);
    process.exit(1);
  }
  console.log(`stamps current in ${all.length} files`);
} else {
  console.log(stale.length ? `restamped ${stale.map((f) => path.relative(root, f)).join(', ')}` : 'stamps already current');
}
