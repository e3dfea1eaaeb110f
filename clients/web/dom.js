// The only way text reaches the page: h() sets textContent and attributes, never innerHTML, so data
// from the API can never become markup (and the CSP needs no 'unsafe-inline').
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2), v);
    else if (k === 'class') el.className = v;
    else if (k === 'value') el.value = v;
    else if (k === 'checked') el.checked = Boolean(v);
    else el.setAttribute(k, v === true ? '' : String(v));
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const c of children.flat(Infinity)) {
    if (c === undefined || c === null || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
}

export function clear(el, ...children) {
  el.replaceChildren();
  append(el, children);
  return el;
}

let uid = 0;
export const newId = (prefix) => `${prefix}-${++uid}`;

// A labelled field: <label for> + control (+ hint) in one block.
export function field(labelText, control, hint) {
  const id = control.id || newId('f');
  control.id = id;
  let hintEl = null;
  if (hint) {
    hintEl = h('p', { class: 'hint', id: `${id}-hint` }, hint);
    control.setAttribute('aria-describedby', hintEl.id);
  }
  return h('div', { class: 'field' }, h('label', { for: id }, labelText), control, hintEl);
}

// A message box that screen readers announce.
export function notice(kind, text) {
  return h('div', { class: `notice notice-${kind}`, role: kind === 'error' ? 'alert' : 'status' }, text);
}

// A refusal that belongs to one field, said under it and named by it (aria-describedby,
// aria-invalid), with the focus there; `clear()` takes every such message away again.
export function fieldMarks() {
  const marks = [];
  const clearAll = () => {
    for (const [c, el, described] of marks.splice(0)) {
      el.remove();
      c.removeAttribute('aria-invalid');
      if (described) c.setAttribute('aria-describedby', described);
      else c.removeAttribute('aria-describedby');
    }
  };
  const mark = (control, ...content) => {
    const el = h('div', { class: 'notice notice-error', role: 'alert', id: `${control.id}-error` }, ...content);
    const described = control.getAttribute('aria-describedby');
    marks.push([control, el, described]);
    control.parentElement.append(el);
    control.setAttribute('aria-invalid', 'true');
    control.setAttribute('aria-describedby', [described, el.id].filter(Boolean).join(' '));
    control.focus();
  };
  return { mark, clear: clearAll };
}
