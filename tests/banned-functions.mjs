// issue 14: functions the C code of api/, tests/unit/ and tests/fuzz/ may not call. Comments
// and string literals are skipped; a call is the name followed by `(`. Run by scripts/test.sh
// (stage banned).
//
// Why each is banned, and what to use instead:
//   strcpy strcat sprintf vsprintf gets   unbounded writes: snprintf, memcpy with a known length
//   strncpy strncat                       strncpy does not terminate, strncat's size is the room
//                                         left, not the buffer: snprintf, memcpy
//   strtok                                hidden static state, races between worker threads:
//                                         strtok_r, or strchr / strcspn
//   atoi atol atoll atof                  no error, undefined on overflow: strtol / strtoll with
//                                         errno and end checks (core/config.c parse_int)
//   rand srand random srandom drand48     predictable and shared between threads: auth/random
//                                         (getrandom) for anything secret or unguessable
//   system popen                          runs a shell over a string: nothing here needs one
//   tmpnam tempnam mktemp                 the name races its creation: mkstemp
//   localtime gmtime ctime asctime        a static result shared between threads: localtime_r,
//                                         gmtime_r; "today" is rules/calendar's ej_riga_today
//   alloca                                unbounded stack use from a runtime size: malloc
//
// In api/ only, outside api/core/alloc.c (tests may allocate as they like):
//   malloc calloc realloc strdup strndup  a NULL every caller must carry up, or forgets to
//   reallocarray aligned_alloc            (issue 14: out of memory aborts in one place):
//   posix_memalign asprintf vasprintf     ej_xmalloc, ej_xcalloc, ej_xrealloc, ej_xstrdup,
//                                         ej_xstrndup (core/alloc.h), snprintf into a buffer
//
// Known calls listed below are reported but tolerated; the script fails once one of them is
// gone, so the list only shrinks (as tests/include-graph.mjs does with its debt).
//
//   node tests/banned-functions.mjs

import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const DIRS = ['api', 'tests/unit', 'tests/fuzz'];
const BANNED = [
  'strcpy', 'strcat', 'sprintf', 'vsprintf', 'gets', 'strncpy', 'strncat', 'strtok',
  'atoi', 'atol', 'atoll', 'atof', 'rand', 'srand', 'random', 'srandom', 'drand48',
  'system', 'popen', 'tmpnam', 'tempnam', 'mktemp', 'localtime', 'gmtime', 'ctime', 'asctime',
  'alloca',
];
const ALLOC = [
  'malloc', 'calloc', 'realloc', 'strdup', 'strndup', 'reallocarray', 'aligned_alloc',
  'posix_memalign', 'asprintf', 'vasprintf',
];
const ALLOC_DIR = 'api/';
const ALLOC_HOME = 'api/core/alloc.c'; // the one place that calls them
// "file: function" -> number of calls tolerated for now. Empty: the last debts (store/quality.c
// sprintf, store/trail.c strncat) became snprintf in session 4; keep it so.
const KNOWN = new Map([]);

function walk(dir) {
  const out = [];
  if (!fs.existsSync(dir)) return out;
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...walk(p));
    else if (/\.[ch]$/.test(e.name)) out.push(p);
  }
  return out;
}

// Blanks out comments, string and character literals (keeping newlines for line numbers).
function codeOnly(src) {
  let out = '';
  let i = 0;
  const n = src.length;
  while (i < n) {
    const c = src[i], d = src[i + 1];
    if (c === '/' && d === '*') {
      const end = src.indexOf('*/', i + 2);
      const stop = end < 0 ? n : end + 2;
      out += src.slice(i, stop).replace(/[^\n]/g, ' ');
      i = stop;
    } else if (c === '/' && d === '/') {
      const end = src.indexOf('\n', i);
      const stop = end < 0 ? n : end;
      out += ' '.repeat(stop - i);
      i = stop;
    } else if (c === '"' || c === "'") {
      let j = i + 1;
      while (j < n && src[j] !== c && src[j] !== '\n') j += src[j] === '\\' ? 2 : 1;
      out += c + ' '.repeat(Math.max(0, j - i - 1)) + c;
      i = j + 1;
    } else {
      out += c;
      i++;
    }
  }
  return out;
}

const callRe = new RegExp(`(?<![A-Za-z0-9_.>])(${BANNED.join('|')})\\s*\\(`, 'g');
const allocRe = new RegExp(`(?<![A-Za-z0-9_.>])(${ALLOC.join('|')})\\s*\\(`, 'g');
const found = new Map(); // "file: fn" -> [lines]
for (const dir of DIRS) {
  for (const file of walk(path.join(root, dir)).sort()) {
    const rel = path.relative(root, file).split(path.sep).join('/');
    const lines = codeOnly(fs.readFileSync(file, 'utf8')).split('\n');
    lines.forEach((line, k) => {
      if (/^\s*#\s*(define|undef)\b/.test(line)) return;
      const calls = [...line.matchAll(callRe)];
      if (rel.startsWith(ALLOC_DIR) && rel !== ALLOC_HOME) calls.push(...line.matchAll(allocRe));
      for (const m of calls) {
        const key = `${rel}: ${m[1]}`;
        if (!found.has(key)) found.set(key, []);
        found.get(key).push(k + 1);
      }
    });
  }
}

let failed = false;
for (const [key, lines] of [...found].sort()) {
  const allowed = KNOWN.get(key) ?? 0;
  if (lines.length > allowed) {
    failed = true;
    console.error(`banned: ${key} at line ${lines.join(', ')} (see tests/banned-functions.mjs for why and what instead)`);
  } else {
    console.log(`banned: known debt: ${key} at line ${lines.join(', ')}`);
  }
}
for (const [key, allowed] of KNOWN) {
  const have = (found.get(key) ?? []).length;
  if (have < allowed) {
    failed = true;
    console.error(`banned: ${key} is down to ${have} (listed ${allowed}): shrink KNOWN in tests/banned-functions.mjs`);
  }
}
console.log(`banned: ${BANNED.length} functions (and ${ALLOC.length} allocators in api/), ${[...found.values()].reduce((a, l) => a + l.length, 0)} known calls, ${failed ? 'FAILED' : 'clean'}`);
process.exit(failed ? 1 : 0);
