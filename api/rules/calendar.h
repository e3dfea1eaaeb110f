/* Calendar rules: dates, Latvian public holidays, working days and entry
 * deadlines (docs/rules.md §13, §17).
 *
 * Pure C: no I/O, no allocation, no global state, no tzdata and no TZ
 * environment variable. Every function is reentrant and thread-safe. All
 * strings returned are static or borrowed from the caller's calendar entries
 * (never freed by the caller).
 *
 * Dates are counted in whole days since 1970-01-01 (proleptic Gregorian
 * calendar). Times are Unix seconds (UTC). Europe/Riga civil time is derived
 * by arithmetic from the EU summer-time rule (see ej_riga_local_to_utc).
 *
 * Public holidays follow the current text of the law "Par svētku, atceres un
 * atzīmējamām dienām" for every year: the law's history (for example that
 * 24 and 31 December became holidays only in 2007) is not modelled, because
 * the journal never holds lessons from before 2023.
 */
#ifndef EJ_RULES_CALENDAR_H
#define EJ_RULES_CALENDAR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Days since 1970-01-01 (0 = Thursday 1970-01-01, negative before it). */
typedef int32_t ej_day;

/* Years ej_date_parse accepts. */
#define EJ_DATE_MIN_YEAR 1900
#define EJ_DATE_MAX_YEAR 2200

/* Buffer sizes, including the terminating NUL: "YYYY-MM-DD" and
 * "YYYY-MM-DDTHH:MM:SSZ". */
#define EJ_DATE_BUFSZ 11
#define EJ_UTC_BUFSZ 21

/* The most entries ej_law_holidays can produce for one year: 15 fixed and
 * Easter-based days (14 when Pentecost is Mother's Day) plus at most 2
 * transferred days off (after 4 May and after 18 November). A buffer of
 * EJ_LAW_HOLIDAYS_MAX (or 32) entries is always enough. */
#define EJ_LAW_HOLIDAYS_MAX 17

/* Weekday numbers returned by ej_weekday (ISO 8601). */
enum ej_weekday {
    EJ_MONDAY = 1,
    EJ_TUESDAY,
    EJ_WEDNESDAY,
    EJ_THURSDAY,
    EJ_FRIDAY,
    EJ_SATURDAY,
    EJ_SUNDAY
};

/* One public holiday; name is a static UTF-8 string in Latvian. */
struct ej_holiday {
    ej_day date;
    const char *name;
};

/* What a superuser-entered calendar row means. */
enum ej_entry_kind {
    /* A one-off public holiday (e.g. 29 May 2023). With weekend_rule set and
     * the day on a Saturday or Sunday, the next Monday-Friday that is not a
     * public holiday is a public holiday as well (as for the closing day of
     * the Song and Dance Festival). */
    EJ_ENTRY_HOLIDAY = 1,
    /* A transferred day off: not a working day, but not a public holiday
     * (lessons may exist on it). */
    EJ_ENTRY_DAY_OFF = 2,
    /* A transferred working day, e.g. a Saturday that is worked. */
    EJ_ENTRY_WORKING_DAY = 3
};

/* One superuser-entered calendar row. weekend_rule is only meaningful for
 * EJ_ENTRY_HOLIDAY and is ignored for the other kinds. name: the name the
 * superuser gave a one-off holiday (borrowed, UTF-8; NULL: none given), the
 * name ej_public_holiday_name gives the day. */
struct ej_calendar_entry {
    ej_day date;
    enum ej_entry_kind kind;
    bool weekend_rule;
    const char *name;
};

/* The law plus the superuser's entries. entries is borrowed (the caller owns
 * it and keeps it alive while the calendar is used); it may be in any order
 * and may contain several entries for one date; n may be 0 (entries may then
 * be NULL), giving the law alone. Entries with an unknown kind are ignored.
 *
 * Precedence when one date has several meanings:
 *   public holiday (law, one-off, or a transferred holiday)
 *     > EJ_ENTRY_DAY_OFF > EJ_ENTRY_WORKING_DAY > Monday-Friday rule.
 * So a working-day entry on a public holiday has no effect (the holiday
 * wins), and a day-off entry beats a working-day entry on the same date.
 *
 * The weekend rule (law: 4 May and 18 November; entries: EJ_ENTRY_HOLIDAY
 * with weekend_rule) moves the day off to the next Monday-Friday that is not
 * already a public holiday, counting earlier transfers; day-off and
 * working-day entries do not influence where it lands. When several
 * weekend holidays wait for a free day, they get free days in date order. */
struct ej_calendar {
    const struct ej_calendar_entry *entries;
    size_t n;
};

/* Parses a strict "YYYY-MM-DD" date: exactly 10 characters, ASCII digits and
 * '-' in place, a real calendar date with the year in
 * EJ_DATE_MIN_YEAR..EJ_DATE_MAX_YEAR. Returns true and stores the day in
 * *out on success; returns false and leaves *out untouched otherwise
 * (NULL s is rejected). */
bool ej_date_parse(const char *s, ej_day *out);

/* Writes d as "YYYY-MM-DD" (NUL-terminated) into out. Days outside the years
 * 0000..9999 are written as "0000-00-00", which ej_date_parse rejects. */
void ej_date_format(ej_day d, char out[EJ_DATE_BUFSZ]);

/* Returns the day number of year y, month m (1..12), day d. Months outside
 * 1..12 and days outside the month are carried over (month 13 is January of
 * the next year, 2024-02-30 is 2024-03-01, day 0 is the previous month's
 * last day). y must stay within +-1,000,000. */
ej_day ej_date_from_ymd(int y, int m, int d);

/* Splits day d into year, month (1..12) and day of month (1..31); any of
 * the output pointers may be NULL. */
void ej_date_to_ymd(ej_day d, int *y, int *m, int *dd);

/* Returns true when y-m-d is a real date (any year, month 1..12). */
bool ej_date_is_valid(int y, int m, int d);

/* Returns the number of days in month m (1..12) of year y, 0 for a bad m. */
int ej_days_in_month(int y, int m);

/* Returns the ISO weekday of d: 1 = Monday ... 7 = Sunday. */
int ej_weekday(ej_day d);

/* Returns Easter Sunday of year y in the Gregorian (Western) computus
 * (anonymous Gregorian algorithm, Meeus/Jones/Butcher), meaningful for
 * y >= 1583. */
ej_day ej_easter(int year);

/* Writes the law's public holidays of year into out, sorted by date, one
 * entry per date (when Pentecost falls on Mother's Day they share one entry
 * named "Mātes diena; Vasarsvētki"). Includes the transferred day off after
 * a 4 May or 18 November that falls on a Saturday or Sunday. Writes at most
 * cap entries and returns the total number of holidays in the year (like
 * snprintf: a return value > cap means the output was cut short); the total
 * never exceeds EJ_LAW_HOLIDAYS_MAX. out may be NULL when cap is 0. */
size_t ej_law_holidays(int year, struct ej_holiday *out, size_t cap);

/* Returns the Latvian name of the public holiday on d (law, one-off entry, or
 * a day off transferred by the weekend rule), or NULL when d is not a public
 * holiday. The law's days keep their fixed names, also when an entry falls
 * on one; a one-off entry is named with its own name (the entry's, borrowed
 * from c), "Svētku diena" when it has none; a day transferred from a one-off
 * holiday is "Brīvdiena (pārcelta svētku diena)". c may be NULL (the law
 * alone). */
const char *ej_public_holiday_name(const struct ej_calendar *c, ej_day d);

/* Returns true when d is a public holiday: the law (including its weekend
 * rule), one-off holiday entries, and the days their weekend rule moves to.
 * c may be NULL (the law alone). */
bool ej_is_public_holiday(const struct ej_calendar *c, ej_day d);

/* Returns true when d is a working day: a Monday-Friday that is neither a
 * public holiday nor a day-off entry, or a working-day entry that is not a
 * public holiday and has no day-off entry (see struct ej_calendar for the
 * precedence). c may be NULL (the law alone). */
bool ej_is_working_day(const struct ej_calendar *c, ej_day d);

/* Returns the n-th working day strictly after d for n >= 1, d itself for
 * n == 0, and the |n|-th working day strictly before d for n < 0. d need not
 * be a working day. |n| is clamped to 100000. c may be NULL. */
ej_day ej_add_working_days(const struct ej_calendar *c, ej_day d, int n);

/* Converts Europe/Riga civil time on day d to Unix seconds (UTC).
 * Riga is UTC+2 (EET) in winter and UTC+3 (EEST) in summer, summer time
 * running from 01:00 UTC on the last Sunday of March to 01:00 UTC on the last
 * Sunday of October (the EU rule, applied to every year; Latvia's actual
 * history differs before 2001). hh, mm and ss are normally 0..23, 0..59,
 * 0..59; other values are carried over linearly (hh 24 is midnight of the
 * next day).
 * Times that do not exist or occur twice are read with the summer offset,
 * i.e. as the earlier of the two possible instants:
 *   - 03:00:00-03:59:59 on the last Sunday of March (clocks jump from 03:00
 *     to 04:00) is read as UTC+3, so 03:30 gives 00:30 UTC (= 02:30 EET);
 *   - 03:00:00-03:59:59 on the last Sunday of October (clocks go back from
 *     04:00 to 03:00) is the first occurrence, UTC+3. */
int64_t ej_riga_local_to_utc(ej_day d, int hh, int mm, int ss);

/* Returns the UTC offset of Europe/Riga at instant t, in seconds: 7200 or
 * 10800. */
int32_t ej_riga_utc_offset(int64_t t);

/* The calendar date in Riga at instant t: the date employment, enrollments and
 * birth dates are compared with, as riga_today() in the database. */
ej_day ej_riga_date(int64_t t);

/* Today in Riga, ej_riga_date of now: the server's one "today", whatever its
 * own time zone (TZ) says. */
ej_day ej_riga_today(void);

/* Returns the entry deadline of a lesson held on lesson_date (§13): the end,
 * 23:59:59 Europe/Riga, of the working_days-th working day after
 * lesson_date, as Unix seconds UTC. working_days <= 0 gives the end of the
 * lesson day itself. c may be NULL (the law alone). */
int64_t ej_entry_deadline(const struct ej_calendar *c, ej_day lesson_date, int working_days);

/* Writes t as "YYYY-MM-DDTHH:MM:SSZ" (NUL-terminated) into out. Instants
 * outside the years 0000..9999 are written as "0000-00-00T00:00:00Z". */
void ej_format_utc(int64_t t, char out[EJ_UTC_BUFSZ]);

/* Buffer size of ej_format_riga: "YYYY-MM-DD HH:MM:SS (UTC+03:00)" and NUL. */
#define EJ_RIGA_BUFSZ 32
/* Writes instant t as Riga wall-clock time for people, with its offset:
 * "2026-12-01 15:00 (UTC+02:00)"; seconds only when they are not zero
 * ("2026-11-26 23:59:59 (UTC+02:00)"). For messages (`detail`); fields keep
 * RFC 3339 UTC (ej_format_utc). */
void ej_format_riga(int64_t t, char out[EJ_RIGA_BUFSZ]);
/* Parses exactly "YYYY-MM-DDTHH:MM:SSZ" (as ej_format_utc and the database's
 * utc() write it) into Unix seconds. Returns false for anything else. */
bool ej_parse_utc(const char *s, int64_t *t);
/* ej_format_riga of a "YYYY-MM-DDTHH:MM:SSZ" text; any other text is copied
 * as it is (cut to fit). */
void ej_utc_text_to_riga(const char *utc, char out[EJ_RIGA_BUFSZ]);

#endif
