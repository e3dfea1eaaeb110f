// The query parameters each operation of openapi.yaml declares, read with a small line reader
// that relies on the file's fixed layout (paths at 2 spaces under `paths:`, methods at 4,
// operation keys at 6; parameters are list items at 8 under an operation's or a path item's
// `parameters:`, either `- name:` with `in:` below or `- $ref: '#/components/parameters/X'`).
// Returns [{method, path, operationId, roles (x-roles, absent for public ones), query: [names]}],
// one per operation.
import fs from 'node:fs';

export function operationQueryParams(file) {
  const lines = fs.readFileSync(file, 'utf8').split('\n');
  // components.parameters: name -> {name, in}
  const comp = new Map();
  let inComp = false, cur = null;
  for (const line of lines) {
    if (/^components:/.test(line)) { inComp = false; continue; }
    if (/^  parameters:\s*$/.test(line)) { inComp = true; continue; }
    if (inComp && /^  \S/.test(line)) { inComp = false; }
    if (!inComp) continue;
    let m;
    if ((m = /^    (\w+):\s*$/.exec(line))) { cur = { key: m[1] }; comp.set(m[1], cur); }
    else if (cur && (m = /^      name:\s*(\S+)/.exec(line))) cur.name = m[1];
    else if (cur && (m = /^      in:\s*(\S+)/.exec(line))) cur.in = m[1];
  }
  const ops = [];
  let inPaths = false, pathName = null, pathParams = [], op = null, inParams = null, item = null;
  const flush = () => { if (item && op && item.in === 'query') op.query.push(item.name);
    if (item && !op && item.in === 'query') pathParams.push(item.name); item = null; };
  for (const line of lines) {
    if (/^paths:/.test(line)) { inPaths = true; continue; }
    if (inPaths && /^\S/.test(line)) { flush(); inPaths = false; }
    if (!inPaths) continue;
    let m;
    if ((m = /^  (\/\S*):\s*$/.exec(line))) { flush(); pathName = m[1]; pathParams = []; op = null; inParams = 'path'; continue; }
    if ((m = /^    (get|put|post|patch|delete):\s*$/.exec(line))) {
      flush(); op = { method: m[1].toUpperCase(), path: pathName, operationId: null, query: [...pathParams] };
      ops.push(op); inParams = null; continue;
    }
    if (/^    parameters:\s*$/.test(line)) { inParams = 'pathitem'; continue; }
    if (op && (m = /^      operationId:\s*(\S+)/.exec(line))) { op.operationId = m[1]; }
    if (op && (m = /^      x-roles:\s*\[([^\]]*)\]/.exec(line))) op.roles = m[1].split(',').map((x) => x.trim());
    if (op && /^      parameters:\s*$/.test(line)) { flush(); inParams = 'op'; continue; }
    if (op && /^      \S/.test(line) && !/^      parameters:/.test(line)) { flush(); inParams = null; }
    if (!inParams) continue;
    const ind = op ? 8 : 6;
    const dash = new RegExp(`^ {${ind}}- (.*)$`).exec(line);
    if (dash) {
      flush();
      const body = dash[1];
      if ((m = /^\$ref:\s*'#\/components\/parameters\/(\w+)'/.exec(body))) {
        const c = comp.get(m[1]);
        item = { name: c.name, in: c.in };
      } else if ((m = /^name:\s*(\S+)/.exec(body))) item = { name: m[1] };
      continue;
    }
    if (item && (m = new RegExp(`^ {${ind + 2}}in:\\s*(\\S+)`).exec(line))) item.in = m[1];
  }
  flush();
  return ops;
}
