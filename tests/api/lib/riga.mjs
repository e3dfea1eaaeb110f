// Calendar days in Riga (Europe/Riga), the days the server's rules count in (riga_today() in the
// database), computed from UTC with the EU summer-time rule instead of Intl: a locale's date
// pattern depends on the ICU data Node was built with (Debian 12's Node 18 formats 'en-CA' as
// 12/1/2026), and a Node built without full ICU may have no time zones at all.
//
// Riga is UTC+2, and UTC+3 from 01:00 UTC on the last Sunday of March to 01:00 UTC on the last
// Sunday of October (EU rule, Latvia since 2000).

// The instant (ms since the epoch) of 01:00 UTC on the last Sunday of a month (0-based).
function lastSunday0100Utc(year, month) {
  const d = new Date(Date.UTC(year, month + 1, 0, 1)); // the month's last day, 01:00 UTC
  d.setUTCDate(d.getUTCDate() - d.getUTCDay());
  return d.getTime();
}

// Riga's offset from UTC in hours at an instant.
export function rigaOffsetHours(ms) {
  const y = new Date(ms).getUTCFullYear();
  return ms >= lastSunday0100Utc(y, 2) && ms < lastSunday0100Utc(y, 9) ? 3 : 2;
}

// An ISO date (YYYY-MM-DD) plus n calendar days.
export function addDays(iso, n) {
  const d = new Date(`${iso}T12:00:00Z`);
  d.setUTCDate(d.getUTCDate() + n);
  return d.toISOString().slice(0, 10);
}

// Riga's calendar date (YYYY-MM-DD) at an instant (default now), plus n calendar days.
export function rigaDay(n = 0, ms = Date.now()) {
  return addDays(new Date(ms + rigaOffsetHours(ms) * 3600_000).toISOString().slice(0, 10), n);
}
