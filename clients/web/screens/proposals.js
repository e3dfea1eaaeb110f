// Proposals to change the rules (§23): anyone signed in files one (optionally naming the paragraph,
// §1–§23) and reads their own with the decision and its response; the director and the superuser
// see every proposal and decide an open one (accepted / declined / noted, with a response the author
// reads; If-Match from the proposal's version). One API call to show (GET /proposals), one to file,
// one per decision.
import * as api from '../api.js?v=8b41fb46a3bf';
import { h, clear, field, notice } from '../dom.js?v=f8d81987da69';
import { problemText } from '../errors.js?v=b0683b6435aa';
import { t, fmtDateTime } from '../i18n.js?v=8fe23017d40d';
import { inlineForm } from './office.js?v=19245c20a2ff';

const decides = (me) => me.roles.includes('director') || me.roles.includes('superuser');

export async function render(main, ctx) {
  const me = api.me;
  const judge = decides(me);
  const again = () => render(main, ctx);
  clear(main, h('h1', {}, t('proposals.title')), h('p', { class: 'muted' }, t('common.loading')));
  let page;
  try {
    page = await api.get('/proposals?limit=500');
  } catch (e) {
    clear(main, h('h1', {}, t('proposals.title')), notice('error', problemText(e)),
      h('button', { type: 'button', onclick: again }, t('common.retry')));
    return;
  }

  // Filing one.
  const para = h('select', {}, h('option', { value: '' }, t('proposals.paragraph.none')),
    Array.from({ length: 23 }, (_, i) => h('option', { value: String(i + 1) }, `§${i + 1}`)));
  const text = h('textarea', { rows: 4, maxlength: 10000, required: true });
  const msg = h('div', { class: 'form-msg' });
  const send = h('button', { type: 'submit', class: 'primary' }, t('proposals.submit'));
  const form = h('form', { novalidate: true }, field(t('proposals.paragraph'), para, t('proposals.paragraph.hint')),
    field(t('proposals.text'), text), msg, h('div', { class: 'actions' }, send));
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    clear(msg);
    if (!text.value.trim()) {
      clear(msg, notice('error', t('proposals.notext')));
      text.focus();
      return;
    }
    send.disabled = true;
    try {
      await api.post('/proposals', { text: text.value.trim(), paragraph: para.value ? Number(para.value) : null });
      ctx.say(t('proposals.filed'));
      await again();
    } catch (e) {
      clear(msg, notice('error', problemText(e)));
      send.disabled = false;
    }
  });

  const row = (p) => {
    const slot = h('div', { class: 'actions' });
    const subject = p.paragraph ? `§${p.paragraph}` : t('proposals.general');
    const buttons = () => clear(slot, p.status === 'open' && judge
      ? h('button', { type: 'button', class: 'primary', 'aria-label': t('proposals.decide.label', { n: p.id, who: p.author_name }), onclick: () => {
        const status = h('select', {}, ['accepted', 'declined', 'noted'].map((s) => h('option', { value: s }, t(`proposal.${s}`))));
        const response = h('textarea', { rows: 3, maxlength: 4000, required: true });
        inlineForm(slot, { fields: [[t('proposals.decision'), status], [t('proposals.response'), response, t('proposals.response.hint')]],
          submitText: t('proposals.decide.submit'), restore: buttons,
          onSubmit: async (m) => {
            if (!response.value.trim()) {
              clear(m, notice('error', t('proposals.noresponse')));
              response.focus();
              return;
            }
            await api.post(`/proposals/${p.id}/decision`, { status: status.value, response: response.value.trim() }, { 'If-Match': `"v${p.version}"` });
            ctx.say(t('proposals.decided', { n: p.id, status: t(`proposal.${status.value}`) }));
            await again();
          } });
      } }, t('proposals.decide'))
      : null);
    buttons();
    return h('li', { class: 'card item' },
      h('div', { class: 'item-main' },
        h('span', {}, h('strong', {}, `#${p.id} · ${subject}`), ' ', h('span', { class: `badge proposal-${p.status}` }, t(`proposal.${p.status}`))),
        h('span', { class: 'small muted' }, judge ? t('proposals.by', { who: p.author_name, date: fmtDateTime(p.created_at) }) : t('proposals.on', { date: fmtDateTime(p.created_at) })),
        h('span', { class: 'topic' }, p.text),
        p.response ? h('span', { class: 'response' }, t('proposals.answer', { who: p.decided_by_name || '', date: p.decided_at ? fmtDateTime(p.decided_at) : '' }), ' ', p.response) : null),
      slot);
  };

  const items = [...page.items].reverse(); // newest first
  clear(main,
    h('h1', {}, t('proposals.title')),
    h('p', { class: 'muted' }, t('proposals.intro')),
    h('section', { class: 'card', 'aria-labelledby': 'prop-new-h' }, h('h2', { id: 'prop-new-h' }, t('proposals.new')), form),
    h('section', { 'aria-labelledby': 'prop-list-h' },
      h('h2', { id: 'prop-list-h' }, t(judge ? 'proposals.all' : 'proposals.mine'), h('span', { class: 'count' }, ` (${items.length})`)),
      items.length ? h('ul', { class: 'plain stack' }, items.map(row)) : h('p', { class: 'empty' }, t('proposals.none'))));
}
