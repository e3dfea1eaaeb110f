// The child's access log (§20, GDPR art. 15): who (by role: the family is not told names) read or
// changed the child's data, and when, newest first. One API call per page of 50
// (GET /students/{id}/access-log), "show more" follows `next`.
import * as api from '../api.js?v=8b41fb46a3bf';
import { h, clear, notice } from '../dom.js?v=f8d81987da69';
import { problemText } from '../errors.js?v=b0683b6435aa';
import { has, t, fmtDateTime } from '../i18n.js?v=8fe23017d40d';

const what = (x) => {
  if (has(`access.op.${x.operation}`)) return t(`access.op.${x.operation}`);
  if (x.entity && has(`access.entity.${x.entity}`)) return t(`access.entity.${x.entity}`);
  return x.operation;
};

const who = (x) => {
  const roles = x.actor_roles.length ? x.actor_roles.map((r) => t(`role.${r}`)).join(', ') : t('access.system');
  return x.actor ? `${x.actor} (${roles})` : roles;
};

export async function render(main, ctx, studentId) {
  const me = api.me;
  const child = (me.children || []).find((c) => c.id === studentId);
  const title = child ? t('access.title', { name: child.full_name }) : t('access.title.any');
  const list = h('ul', { class: 'plain stack access' });
  const more = h('div', { class: 'actions' });
  const status = h('div', {});
  clear(main, h('p', {}, h('a', { href: child ? '#/children' : `#/students/${studentId}` }, t('common.back'))),
    h('h1', {}, title), h('p', { class: 'muted' }, t('access.intro')), status,
    h('section', { 'aria-label': t('access.list') }, list), more);
  clear(status, h('p', { class: 'muted' }, t('common.loading')));

  const load = async (after) => {
    let page;
    try {
      page = await api.get(`/students/${studentId}/access-log?limit=50${after ? `&after=${encodeURIComponent(after)}` : ''}`);
    } catch (e) {
      clear(status, notice('error', problemText(e)));
      return;
    }
    clear(status);
    if (!after && page.items.length === 0) clear(status, h('p', { class: 'empty' }, t('access.none')));
    for (const x of page.items) {
      list.append(h('li', { class: 'row' },
        h('span', {}, h('strong', {}, who(x)), h('br'),
          h('span', { class: 'small' }, what(x)), h('br'),
          h('span', { class: 'small muted' }, fmtDateTime(x.at))),
        h('span', { class: `badge access-${x.kind}` }, t(`access.kind.${x.kind}`))));
    }
    clear(more, page.next ? h('button', { type: 'button', onclick: () => load(page.next) }, t('access.more')) : null);
  };
  await load(null);
}
