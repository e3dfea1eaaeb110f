// A problem+json refusal as a sentence for the person, in their language. Every refusal code the
// screens can meet has its own message; anything else says what failed and the request id.
import { has, t, fmtDateTime } from './i18n.js?v=8fe23017d40d';

export function problemText(e) {
  if (e?.code === 'unreachable') return t('err.unreachable', { origin: e.problem.origin });
  if (!e || e.status === 0) return t('err.network');
  const p = e.problem || {};
  const code = e.code;
  switch (code) {
    case 'entry_deadline_passed':
      return t('err.entry_deadline_passed', { date: p.deadline ? fmtDateTime(p.extension_until || p.deadline) : '' });
    case 'lesson_not_started':
      return t('err.lesson_not_started', { date: p.starts ? fmtDateTime(p.starts) : '' });
    case 'student_not_enrolled':
      return t('err.student_not_enrolled', { missing: (p.missing || []).length, unexpected: (p.unexpected || []).length });
    case 'too_many_attempts':
      return t('err.too_many_attempts', { s: p.retry_after || 60 });
    case 'weak_password':
    case 'validation_failed': {
      const detail = (p.errors || []).map((x) => `${x.field}: ${x.message}`).join('; ') || p.detail || '';
      return t(`err.${code}`, { detail });
    }
    default:
      if (has(`err.${code}`)) return t(`err.${code}`);
      return t('err.generic', { status: e.status, id: e.requestId || '—' });
  }
}
