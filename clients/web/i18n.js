// Every string the person reads comes from here: Latvian first, English switchable. t(key, vars)
// fills {name} placeholders; a missing key shows the key itself (and the tests fail on it).
const dict = {
  lv: {
    'app.name': 'E-žurnāls',
    'app.skip': 'Pāriet uz saturu',
    'lang.switch': 'English',
    'lang.switch.label': 'Switch to English',
    'nav.lessons': 'Nodarbības',
    'nav.children': 'Bērni',
    'nav.account': 'Konts',
    'nav.main': 'Galvenā izvēlne',
    'net.offline': 'Nav savienojuma. Ieraksti tiek saglabāti ierīcē un tiks nosūtīti, kad savienojums atjaunosies.',
    'net.outbox': 'Nenosūtīti ieraksti: {n}',
    'net.sent': 'Ierīcē saglabātais ieraksts nosūtīts: {what}',
    'common.loading': 'Ielādē…',
    'common.retry': 'Mēģināt vēlreiz',
    'common.back': 'Atpakaļ',
    'common.save': 'Saglabāt',
    'common.cancel': 'Atcelt',
    'common.close': 'Aizvērt',
    'common.none': 'Nav',
    'signin.title': 'Pieteikšanās',
    'signin.intro': 'Ievadiet lietotājvārdu un paroli, ko izsniedza direktora vietnieks.',
    'signin.username': 'Lietotājvārds',
    'signin.password': 'Parole',
    'signin.submit': 'Pieteikties',
    'signin.again': 'Sesija beigusies. Piesakieties vēlreiz: ievadītais nav zudis.',
    'password.title': 'Jaunas paroles izveide',
    'password.intro': 'Šī ir pirmā pieteikšanās ar izsniegto vienreizējo paroli. Izveidojiet savu paroli (§9): vismaz 12 rakstzīmes, ne lietotājvārds un ne bieži lietota parole.',
    'password.current': 'Pašreizējā (izsniegtā) parole',
    'password.new': 'Jaunā parole',
    'password.repeat': 'Jaunā parole vēlreiz',
    'password.mismatch': 'Jaunās paroles nesakrīt.',
    'password.submit': 'Mainīt paroli',
    'password.done': 'Parole nomainīta.',
    'account.title': 'Konts',
    'account.signedin': 'Pieteicies: {name} ({user})',
    'account.roles': 'Lomas: {roles}',
    'account.signout': 'Iziet',
    'account.signout.everywhere': 'Iziet visās ierīcēs',
    'account.signout.everywhere.hint': 'Beidz visas jūsu sesijas, arī citos telefonos un datoros.',
    'account.logins': 'Pēdējās pieteikšanās',
    'account.login.ok': 'veiksmīga',
    'account.login.fail': 'neveiksmīga',
    'account.signedout': 'Jūs izgājāt no e-žurnāla.',
    'role.superuser': 'direktora vietnieks',
    'role.director': 'direktors',
    'role.teacher': 'skolotājs',
    'role.staff': 'darbinieks',
    'role.student': 'audzēknis',
    'role.guardian': 'vecāks',
    'role.integration': 'integrācija',
    'lessons.title': 'Manas nodarbības',
    'lessons.torecord': 'Jāieraksta',
    'lessons.today': 'Šodien',
    'lessons.overdue': 'Nokavēti ieraksti',
    'lessons.recorded': 'Nesen ierakstītas',
    'lessons.upcoming': 'Vēl nav sākušās',
    'lessons.empty': 'Nav nodarbību.',
    'lessons.group': 'Grupa {id}',
    'lessons.left': 'Termiņš: vēl {time}',
    'lessons.passed': 'Termiņš pagājis {date}',
    'lessons.substitute': 'aizvietošana',
    'lessons.room': 'telpa {room}',
    'lessons.open': 'Atvērt',
    'lessons.record': 'Ierakstīt',
    'lessons.pending': 'gaida nosūtīšanu',
    'state.planned': 'plānota',
    'state.due': 'jāieraksta',
    'state.recorded': 'ierakstīta',
    'state.overdue': 'nokavēta',
    'state.cancelled': 'atcelta',
    'time.dh': '{d} d {h} h',
    'time.hm': '{h} h {m} min',
    'time.m': '{m} min',
    'entry.title': 'Nodarbības ieraksts',
    'entry.topic': 'Tēma',
    'entry.topic.hint': 'Ko nodarbībā darījāt (§13).',
    'entry.attendance': 'Apmeklējums',
    'entry.allpresent': 'Visi klātesoši',
    'entry.present': 'Klāt',
    'entry.absent': 'Nav',
    'entry.late': 'Kavē',
    'entry.save': 'Saglabāt ierakstu',
    'entry.saved': 'Ieraksts saglabāts.',
    'entry.queued': 'Nav savienojuma: ieraksts saglabāts ierīcē un tiks nosūtīts automātiski.',
    'entry.count': 'Klāt {p}, nav {a}, kavē {l}',
    'entry.notall': 'Atzīmējiet visus audzēkņus ({n} vēl nav atzīmēti).',
    'entry.notopic': 'Ierakstiet tēmu.',
    'entry.readonly': 'Šo ierakstu jūs varat tikai skatīt.',
    'entry.reason': 'iemesls: {r}',
    'entry.late.flag': 'Ierakstīts pēc termiņa',
    'entry.deadline': 'Termiņš {date}',
    'entry.overdue': 'Ieraksta termiņš beidzās {date} (§13). Ierakstīt var tikai tad, ja direktora vietnieks piešķir pagarinājumu.',
    'conflict.title': 'Ierakstu kāds jau mainīja',
    'conflict.intro': 'Kamēr jūs rakstījāt, ieraksts serverī tika mainīts. Salīdziniet abas versijas un izvēlieties, kuru paturēt. Nekas netiek dzēsts bez jūsu izvēles.',
    'conflict.mine': 'Jūsu versija',
    'conflict.theirs': 'Versija serverī',
    'conflict.keepmine': 'Saglabāt manu versiju',
    'conflict.keeptheirs': 'Paturēt servera versiju',
    'guardian.title': 'Mani bērni',
    'guardian.lessons': 'Nodarbības',
    'guardian.summary': 'Nodarbības {n}: klāt {p}, nav {a}, kavē {l}',
    'guardian.nolessons': 'Vēl nav ierakstītu nodarbību.',
    'guardian.reports': 'Kavējumu zīmes',
    'guardian.noreports': 'Nav iesniegtu zīmju.',
    'guardian.report.new': 'Ziņot par kavējumu',
    'guardian.report.child': 'Bērns',
    'guardian.report.from': 'No',
    'guardian.report.to': 'Līdz',
    'guardian.report.reason': 'Iemesls',
    'guardian.report.comment': 'Komentārs (bez diagnozēm)',
    'guardian.report.submit': 'Iesniegt',
    'guardian.report.sent': 'Zīme iesniegta. Direktora vietnieks to izskatīs.',
    'guardian.report.note': 'Piezīme: {note}',
    'guardian.nochildren': 'Jūsu kontam nav piesaistītu bērnu.',
    'status.present': 'klāt',
    'status.absent': 'nav',
    'status.late': 'kavē',
    'report.pending': 'gaida izskatīšanu',
    'report.applied': 'pieņemta',
    'report.rejected': 'noraidīta',
    'reason.none': 'iemesls vēl nav norādīts',
    'err.network': 'Nav savienojuma ar serveri. Pārbaudiet internetu un mēģiniet vēlreiz.',
    'err.generic': 'Neizdevās ({status}). Mēģiniet vēlreiz; ja atkārtojas, sazinieties ar direktora vietnieku (pieprasījums {id}).',
    'err.invalid_credentials': 'Nepareizs lietotājvārds vai parole.',
    'err.access_revoked': 'Jūsu kontam šobrīd nav piekļuves. Sazinieties ar direktora vietnieku.',
    'err.too_many_attempts': 'Pārāk daudz mēģinājumu. Pagaidiet {s} s un mēģiniet vēlreiz.',
    'err.current_password_incorrect': 'Pašreizējā parole nav pareiza.',
    'err.weak_password': 'Parole par vāju: {detail}',
    'err.password_change_required': 'Vispirms nomainiet izsniegto paroli.',
    'err.entry_deadline_passed': 'Ieraksta termiņš beidzās {date} (§13). Lūdziet direktora vietniekam pagarinājumu.',
    'err.lesson_not_started': 'Nodarbība vēl nav sākusies ({date}). Ierakstu var veikt pēc tās sākuma.',
    'err.not_conducting_teacher': 'Šo nodarbību vada cits skolotājs (aizvietošana, §15): ierakstu veic vadītājs.',
    'err.school_year_closed': 'Mācību gads ir slēgts (§18): ierakstus vairs nevar mainīt.',
    'err.student_not_enrolled': 'Audzēkņu saraksts ir mainījies: trūkst {missing}, lieki {unexpected}. Atveriet nodarbību no jauna.',
    'err.precondition_failed': 'Ierakstu kāds jau mainīja. Salīdziniet versijas.',
    'err.lesson_cancelled': 'Nodarbība ir atcelta: to neieraksta.',
    'err.reason_set': 'Kavējuma iemeslu norādījis direktora vietnieks: šo audzēkni nevar atzīmēt kā klātesošu.',
    'err.reason_requires_superuser': 'Kavējuma iemeslus norāda tikai direktora vietnieks (§14).',
    'err.validation_failed': 'Pārbaudiet ievadīto: {detail}',
    'err.not_found': 'Nav atrasts.',
    'err.forbidden': 'Jums nav tiesību to darīt.',
    'err.busy': 'Serveris ir aizņemts. Mēģiniet pēc brīža.',
  },
  en: {
    'app.name': 'E-journal',
    'app.skip': 'Skip to content',
    'lang.switch': 'Latviski',
    'lang.switch.label': 'Pārslēgt uz latviešu valodu',
    'nav.lessons': 'Lessons',
    'nav.children': 'Children',
    'nav.account': 'Account',
    'nav.main': 'Main menu',
    'net.offline': 'No connection. Entries are kept on this device and sent when the connection returns.',
    'net.outbox': 'Entries not sent yet: {n}',
    'net.sent': 'The entry kept on this device was sent: {what}',
    'common.loading': 'Loading…',
    'common.retry': 'Try again',
    'common.back': 'Back',
    'common.save': 'Save',
    'common.cancel': 'Cancel',
    'common.close': 'Close',
    'common.none': 'None',
    'signin.title': 'Sign in',
    'signin.intro': 'Enter the username and password the deputy director gave you.',
    'signin.username': 'Username',
    'signin.password': 'Password',
    'signin.submit': 'Sign in',
    'signin.again': 'Your session ended. Sign in again: nothing you typed is lost.',
    'password.title': 'Choose a new password',
    'password.intro': 'This is your first sign-in with the one-time password. Choose your own (§9): at least 12 characters, not your username and not a common password.',
    'password.current': 'Current (one-time) password',
    'password.new': 'New password',
    'password.repeat': 'New password again',
    'password.mismatch': 'The new passwords do not match.',
    'password.submit': 'Change password',
    'password.done': 'Password changed.',
    'account.title': 'Account',
    'account.signedin': 'Signed in: {name} ({user})',
    'account.roles': 'Roles: {roles}',
    'account.signout': 'Sign out',
    'account.signout.everywhere': 'Sign out everywhere',
    'account.signout.everywhere.hint': 'Ends all your sessions, on other phones and computers too.',
    'account.logins': 'Recent sign-ins',
    'account.login.ok': 'succeeded',
    'account.login.fail': 'failed',
    'account.signedout': 'You have signed out of the e-journal.',
    'role.superuser': 'deputy director',
    'role.director': 'director',
    'role.teacher': 'teacher',
    'role.staff': 'staff',
    'role.student': 'student',
    'role.guardian': 'guardian',
    'role.integration': 'integration',
    'lessons.title': 'My lessons',
    'lessons.torecord': 'To record',
    'lessons.today': 'Today',
    'lessons.overdue': 'Overdue entries',
    'lessons.recorded': 'Recently recorded',
    'lessons.upcoming': 'Not started yet',
    'lessons.empty': 'No lessons.',
    'lessons.group': 'Group {id}',
    'lessons.left': 'Deadline: {time} left',
    'lessons.passed': 'Deadline passed {date}',
    'lessons.substitute': 'substitute',
    'lessons.room': 'room {room}',
    'lessons.open': 'Open',
    'lessons.record': 'Record',
    'lessons.pending': 'waiting to be sent',
    'state.planned': 'planned',
    'state.due': 'to record',
    'state.recorded': 'recorded',
    'state.overdue': 'overdue',
    'state.cancelled': 'cancelled',
    'time.dh': '{d} d {h} h',
    'time.hm': '{h} h {m} min',
    'time.m': '{m} min',
    'entry.title': 'Lesson entry',
    'entry.topic': 'Topic',
    'entry.topic.hint': 'What the lesson covered (§13).',
    'entry.attendance': 'Attendance',
    'entry.allpresent': 'All present',
    'entry.present': 'Present',
    'entry.absent': 'Absent',
    'entry.late': 'Late',
    'entry.save': 'Save entry',
    'entry.saved': 'Entry saved.',
    'entry.queued': 'No connection: the entry is kept on this device and will be sent automatically.',
    'entry.count': 'Present {p}, absent {a}, late {l}',
    'entry.notall': 'Mark every student ({n} not marked yet).',
    'entry.notopic': 'Write the topic.',
    'entry.readonly': 'You can only view this entry.',
    'entry.reason': 'reason: {r}',
    'entry.late.flag': 'Recorded after the deadline',
    'entry.deadline': 'Deadline {date}',
    'entry.overdue': 'The deadline for this entry was {date} (§13). It can be recorded only if the deputy director grants an extension.',
    'conflict.title': 'Someone changed this entry',
    'conflict.intro': 'While you were typing, the entry on the server changed. Compare both versions and choose which to keep. Nothing is dropped without your choice.',
    'conflict.mine': 'Your version',
    'conflict.theirs': 'Version on the server',
    'conflict.keepmine': 'Save my version',
    'conflict.keeptheirs': 'Keep the server\'s version',
    'guardian.title': 'My children',
    'guardian.lessons': 'Lessons',
    'guardian.summary': 'Lessons {n}: present {p}, absent {a}, late {l}',
    'guardian.nolessons': 'No recorded lessons yet.',
    'guardian.reports': 'Absence reports',
    'guardian.noreports': 'No reports filed.',
    'guardian.report.new': 'Report an absence',
    'guardian.report.child': 'Child',
    'guardian.report.from': 'From',
    'guardian.report.to': 'To',
    'guardian.report.reason': 'Reason',
    'guardian.report.comment': 'Comment (no diagnoses)',
    'guardian.report.submit': 'Submit',
    'guardian.report.sent': 'Report filed. The deputy director will review it.',
    'guardian.report.note': 'Note: {note}',
    'guardian.nochildren': 'No children are linked to your account.',
    'status.present': 'present',
    'status.absent': 'absent',
    'status.late': 'late',
    'report.pending': 'pending',
    'report.applied': 'applied',
    'report.rejected': 'rejected',
    'reason.none': 'no reason given yet',
    'err.network': 'Cannot reach the server. Check the connection and try again.',
    'err.generic': 'That failed ({status}). Try again; if it keeps happening, contact the deputy director (request {id}).',
    'err.invalid_credentials': 'Wrong username or password.',
    'err.access_revoked': 'Your account has no access right now. Contact the deputy director.',
    'err.too_many_attempts': 'Too many attempts. Wait {s} s and try again.',
    'err.current_password_incorrect': 'The current password is wrong.',
    'err.weak_password': 'Password too weak: {detail}',
    'err.password_change_required': 'Change the one-time password first.',
    'err.entry_deadline_passed': 'The deadline for this entry was {date} (§13). Ask the deputy director for an extension.',
    'err.lesson_not_started': 'The lesson has not started yet ({date}). Record it after it starts.',
    'err.not_conducting_teacher': 'Another teacher conducts this lesson (substitute, §15): they record it.',
    'err.school_year_closed': 'The school year is closed (§18): entries can no longer change.',
    'err.student_not_enrolled': 'The list of students changed: missing {missing}, not enrolled {unexpected}. Open the lesson again.',
    'err.precondition_failed': 'Someone changed this entry meanwhile. Compare the versions.',
    'err.lesson_cancelled': 'The lesson is cancelled: it is not recorded.',
    'err.reason_set': 'The deputy director gave a reason for this absence: the student cannot be marked present.',
    'err.reason_requires_superuser': 'Only the deputy director marks absence reasons (§14).',
    'err.validation_failed': 'Check what you entered: {detail}',
    'err.not_found': 'Not found.',
    'err.forbidden': 'You may not do that.',
    'err.busy': 'The server is busy. Try again in a moment.',
  },
};

const KEY = 'ej.lang';
let lang = (() => {
  try {
    return localStorage.getItem(KEY) === 'en' ? 'en' : 'lv';
  } catch {
    return 'lv';
  }
})();

export function getLang() {
  return lang;
}

export function setLang(next) {
  lang = next === 'en' ? 'en' : 'lv';
  try {
    localStorage.setItem(KEY, lang);
  } catch {
    /* private mode: the choice lasts this page */
  }
  document.documentElement.lang = lang;
}

export function has(key) {
  return key in dict[lang];
}

export function t(key, vars = {}) {
  const text = dict[lang][key] ?? dict.lv[key] ?? key;
  return text.replace(/\{(\w+)\}/g, (m, k) => (k in vars ? String(vars[k]) : m));
}

const locale = () => (lang === 'lv' ? 'lv-LV' : 'en-GB');
const RIGA = 'Europe/Riga';

// Dates and times are shown in Riga time, whatever the device's zone.
export function fmtDate(iso) {
  const d = new Date(`${iso}T12:00:00Z`);
  return d.toLocaleDateString(locale(), { weekday: 'short', day: 'numeric', month: 'long', timeZone: 'UTC' });
}

export function fmtDateTime(iso) {
  return new Date(iso).toLocaleString(locale(), {
    day: 'numeric', month: 'short', hour: '2-digit', minute: '2-digit', timeZone: RIGA,
  });
}

export function fmtLeft(ms) {
  const min = Math.max(0, Math.floor(ms / 60000));
  const d = Math.floor(min / 1440);
  const h = Math.floor((min % 1440) / 60);
  const m = min % 60;
  if (d > 0) return t('time.dh', { d, h });
  if (h > 0) return t('time.hm', { h, m });
  return t('time.m', { m });
}

export function rigaToday() {
  return new Date().toLocaleDateString('sv-SE', { timeZone: RIGA });
}

export function addDays(iso, n) {
  const d = new Date(`${iso}T12:00:00Z`);
  d.setUTCDate(d.getUTCDate() + n);
  return d.toISOString().slice(0, 10);
}
