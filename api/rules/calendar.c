/* Calendar rules: dates, Latvian public holidays, working days and entry
 * deadlines. See calendar.h for the contract; this file is pure arithmetic. */
#include "rules/calendar.h"

#include <string.h>
#include <time.h>

#define SECS_PER_DAY INT64_C(86400)
#define EET_OFFSET INT64_C(7200)
#define EEST_OFFSET INT64_C(10800)
#define WORKING_DAYS_CLAMP 100000

/* Law holidays without transfers: 15 days, 14 when two coincide. */
#define LAW_FIXED_MAX 15

/* How many waiting weekend holidays the transfer walk remembers by name. */
#define TRANSFER_QUEUE_CAP 32

static const char NAME_NEW_YEAR[] = "Jaunais gads";
static const char NAME_GOOD_FRIDAY[] = "Lielā Piektdiena";
static const char NAME_EASTER[] = "Pirmās Lieldienas";
static const char NAME_EASTER_MONDAY[] = "Otrās Lieldienas";
static const char NAME_MAY_1[] =
    "Darba svētki, Latvijas Republikas Satversmes sapulces sasaukšanas diena";
static const char NAME_MAY_4[] =
    "Latvijas Republikas Neatkarības deklarācijas pasludināšanas diena";
static const char NAME_MOTHERS_DAY[] = "Mātes diena";
static const char NAME_PENTECOST[] = "Vasarsvētki";
static const char NAME_MOTHERS_PENTECOST[] = "Mātes diena; Vasarsvētki";
static const char NAME_LIGO[] = "Līgo diena";
static const char NAME_JANI[] = "Jāņu diena";
static const char NAME_NOV_18[] = "Latvijas Republikas proklamēšanas diena";
static const char NAME_CHRISTMAS_EVE[] = "Ziemassvētku vakars";
static const char NAME_CHRISTMAS_1[] = "Pirmie Ziemassvētki";
static const char NAME_CHRISTMAS_2[] = "Otrie Ziemassvētki";
static const char NAME_NEW_YEARS_EVE[] = "Vecgada diena";
static const char NAME_MOVED_MAY_4[] = "Brīvdiena (pārcelta no 4. maija)";
static const char NAME_MOVED_NOV_18[] = "Brīvdiena (pārcelta no 18. novembra)";
static const char NAME_MOVED_CUSTOM[] = "Brīvdiena (pārcelta svētku diena)";
static const char NAME_CUSTOM[] = "Svētku diena";

/* Floor division for b > 0 (rounds towards minus infinity). */
static int64_t floor_div(int64_t a, int64_t b)
{
    int64_t q = a / b;
    return (a % b < 0) ? q - 1 : q;
}

/* Floor modulo for b > 0: the result is in 0..b-1. */
static int64_t floor_mod(int64_t a, int64_t b)
{
    int64_t r = a % b;
    return r < 0 ? r + b : r;
}

/* Days since 1970-01-01 of y-m-d with m in 1..12 (H. Hinnant's
 * days_from_civil); d is used linearly. */
static int64_t days_from_civil(int64_t y, int m, int64_t d)
{
    y -= m <= 2;
    int64_t era = floor_div(y, 400);
    int64_t yoe = y - era * 400;                         /* 0..399 */
    int64_t mp = m > 2 ? m - 3 : m + 9;                  /* 0..11, from March */
    int64_t doy = (153 * mp + 2) / 5 + d - 1;            /* day of year */
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy; /* day of era */
    return era * 146097 + doe - 719468;
}

/* Splits days since 1970-01-01 into year, month and day (H. Hinnant's
 * civil_from_days). */
static void civil_from_days(int64_t z, int64_t *y, int *m, int *d)
{
    z += 719468;
    int64_t era = floor_div(z, 146097);
    int64_t doe = z - era * 146097; /* 0..146096 */
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100); /* 0..365 */
    int64_t mp = (5 * doy + 2) / 153;                      /* 0..11 */
    *d = (int)(doy - (153 * mp + 2) / 5 + 1);
    *m = (int)(mp < 10 ? mp + 3 : mp - 9);
    *y = yoe + era * 400 + (*m <= 2);
}

/* Returns true when y is a Gregorian leap year. */
static bool is_leap(int64_t y)
{
    return floor_mod(y, 4) == 0 && (floor_mod(y, 100) != 0 || floor_mod(y, 400) == 0);
}

/* Returns the year that day d falls in. */
static int year_of(ej_day d)
{
    int64_t y;
    int m, dd;
    civil_from_days(d, &y, &m, &dd);
    return (int)y;
}

/* Writes v (0 <= v < 10^width) as exactly width decimal digits at p. */
static void put_digits(char *p, int64_t v, int width)
{
    for (int i = width - 1; i >= 0; i--) {
        p[i] = (char)('0' + v % 10);
        v /= 10;
    }
}

/* Reads width ASCII digits at s into *out; false if any is not a digit. */
static bool get_digits(const char *s, int width, int *out)
{
    int v = 0;
    for (int i = 0; i < width; i++) {
        if (s[i] < '0' || s[i] > '9') {
            return false;
        }
        v = v * 10 + (s[i] - '0');
    }
    *out = v;
    return true;
}

/* Returns true for Saturday and Sunday. */
static bool is_weekend(ej_day d)
{
    return ej_weekday(d) >= EJ_SATURDAY;
}

int ej_days_in_month(int y, int m)
{
    static const int days[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (m < 1 || m > 12) {
        return 0;
    }
    return (m == 2 && is_leap(y)) ? 29 : days[m - 1];
}

bool ej_date_is_valid(int y, int m, int d)
{
    return m >= 1 && m <= 12 && d >= 1 && d <= ej_days_in_month(y, m);
}

ej_day ej_date_from_ymd(int y, int m, int d)
{
    int64_t yy = (int64_t)y + floor_div((int64_t)m - 1, 12);
    int mm = (int)floor_mod((int64_t)m - 1, 12) + 1;
    return (ej_day)days_from_civil(yy, mm, d);
}

void ej_date_to_ymd(ej_day d, int *y, int *m, int *dd)
{
    int64_t yy;
    int mm, day;
    civil_from_days(d, &yy, &mm, &day);
    if (y) {
        *y = (int)yy;
    }
    if (m) {
        *m = mm;
    }
    if (dd) {
        *dd = day;
    }
}

bool ej_date_parse(const char *s, ej_day *out)
{
    int y, m, d;
    if (!s) {
        return false;
    }
    /* Check the characters one by one so that a short string stops at its
     * NUL before anything past it is read. */
    for (int i = 0; i < 10; i++) {
        bool dash = (i == 4 || i == 7);
        if (dash ? s[i] != '-' : (s[i] < '0' || s[i] > '9')) {
            return false;
        }
    }
    if (s[10] != '\0') {
        return false;
    }
    if (!get_digits(s, 4, &y) || !get_digits(s + 5, 2, &m) || !get_digits(s + 8, 2, &d)) {
        return false;
    }
    if (y < EJ_DATE_MIN_YEAR || y > EJ_DATE_MAX_YEAR || !ej_date_is_valid(y, m, d)) {
        return false;
    }
    *out = ej_date_from_ymd(y, m, d);
    return true;
}

void ej_date_format(ej_day d, char out[EJ_DATE_BUFSZ])
{
    int64_t y;
    int m, dd;
    civil_from_days(d, &y, &m, &dd);
    if (y < 0 || y > 9999) {
        y = 0;
        m = 0;
        dd = 0;
    }
    put_digits(out, y, 4);
    out[4] = '-';
    put_digits(out + 5, m, 2);
    out[7] = '-';
    put_digits(out + 8, dd, 2);
    out[10] = '\0';
}

int ej_weekday(ej_day d)
{
    /* 1970-01-01 was a Thursday (4). */
    return (int)floor_mod((int64_t)d + 3, 7) + 1;
}

ej_day ej_easter(int year)
{
    int64_t y = year;
    int64_t a = floor_mod(y, 19);
    int64_t b = floor_div(y, 100);
    int64_t c = floor_mod(y, 100);
    int64_t d = floor_div(b, 4);
    int64_t e = floor_mod(b, 4);
    int64_t f = floor_div(b + 8, 25);
    int64_t g = floor_div(b - f + 1, 3);
    int64_t h = floor_mod(19 * a + b - d - g + 15, 30);
    int64_t i = c / 4;
    int64_t k = c % 4;
    int64_t l = floor_mod(32 + 2 * e + 2 * i - h - k, 7);
    int64_t m = (a + 11 * h + 22 * l) / 451;
    int64_t month = (h + l - 7 * m + 114) / 31;
    int64_t day = (h + l - 7 * m + 114) % 31 + 1;
    return (ej_day)days_from_civil(y, (int)month, day);
}

/* Returns the second Sunday of May of year y (Mother's Day). */
static ej_day second_sunday_of_may(int y)
{
    ej_day may1 = ej_date_from_ymd(y, 5, 1);
    int w = ej_weekday(may1);
    return may1 + (EJ_SUNDAY - w) + 7;
}

/* Returns the last Sunday of month m of year y. */
static ej_day last_sunday(int64_t y, int m)
{
    int64_t last = days_from_civil(y, m, ej_days_in_month((int)y, m));
    return (ej_day)(last - floor_mod(ej_weekday((ej_day)last), 7));
}

/* Writes the law's holidays of year without the weekend-rule transfers into
 * out (LAW_FIXED_MAX entries), sorted by date with one entry per date, and
 * returns how many. */
static size_t law_fixed(int year, struct ej_holiday out[LAW_FIXED_MAX])
{
    ej_day easter = ej_easter(year);
    ej_day mother = second_sunday_of_may(year);
    ej_day pentecost = easter + 49;
    size_t n = 0;

    out[n++] = (struct ej_holiday){ej_date_from_ymd(year, 1, 1), NAME_NEW_YEAR};
    out[n++] = (struct ej_holiday){easter - 2, NAME_GOOD_FRIDAY};
    out[n++] = (struct ej_holiday){easter, NAME_EASTER};
    out[n++] = (struct ej_holiday){easter + 1, NAME_EASTER_MONDAY};
    out[n++] = (struct ej_holiday){ej_date_from_ymd(year, 5, 1), NAME_MAY_1};
    out[n++] = (struct ej_holiday){ej_date_from_ymd(year, 5, 4), NAME_MAY_4};
    /* Mother's Day (8..14 May) and Pentecost (10 May..13 June) may come in
     * either order or coincide; everything else is in a fixed order. */
    if (mother == pentecost) {
        out[n++] = (struct ej_holiday){mother, NAME_MOTHERS_PENTECOST};
    } else if (mother < pentecost) {
        out[n++] = (struct ej_holiday){mother, NAME_MOTHERS_DAY};
        out[n++] = (struct ej_holiday){pentecost, NAME_PENTECOST};
    } else {
        out[n++] = (struct ej_holiday){pentecost, NAME_PENTECOST};
        out[n++] = (struct ej_holiday){mother, NAME_MOTHERS_DAY};
    }
    out[n++] = (struct ej_holiday){ej_date_from_ymd(year, 6, 23), NAME_LIGO};
    out[n++] = (struct ej_holiday){ej_date_from_ymd(year, 6, 24), NAME_JANI};
    out[n++] = (struct ej_holiday){ej_date_from_ymd(year, 11, 18), NAME_NOV_18};
    out[n++] = (struct ej_holiday){ej_date_from_ymd(year, 12, 24), NAME_CHRISTMAS_EVE};
    out[n++] = (struct ej_holiday){ej_date_from_ymd(year, 12, 25), NAME_CHRISTMAS_1};
    out[n++] = (struct ej_holiday){ej_date_from_ymd(year, 12, 26), NAME_CHRISTMAS_2};
    out[n++] = (struct ej_holiday){ej_date_from_ymd(year, 12, 31), NAME_NEW_YEARS_EVE};
    return n;
}

/* Returns the name of the law holiday (without transfers) on d, or NULL. */
static const char *law_fixed_name(ej_day d)
{
    struct ej_holiday fixed[LAW_FIXED_MAX];
    size_t n = law_fixed(year_of(d), fixed);
    for (size_t i = 0; i < n; i++) {
        if (fixed[i].date == d) {
            return fixed[i].name;
        }
    }
    return NULL;
}

/* Returns the name of the transferred day off that a law weekend holiday on
 * d causes (d is 4 May or 18 November on a Saturday or Sunday), or NULL. */
static const char *law_source_name(ej_day d)
{
    int m, dd;
    if (!is_weekend(d)) {
        return NULL;
    }
    ej_date_to_ymd(d, NULL, &m, &dd);
    if (m == 5 && dd == 4) {
        return NAME_MOVED_MAY_4;
    }
    if (m == 11 && dd == 18) {
        return NAME_MOVED_NOV_18;
    }
    return NULL;
}

size_t ej_law_holidays(int year, struct ej_holiday *out, size_t cap)
{
    struct ej_holiday all[EJ_LAW_HOLIDAYS_MAX];
    size_t n = law_fixed(year, all);
    size_t nfixed = n;
    const ej_day sources[2] = {ej_date_from_ymd(year, 5, 4), ej_date_from_ymd(year, 11, 18)};

    for (size_t s = 0; s < 2; s++) {
        const char *name = law_source_name(sources[s]);
        if (!name) {
            continue;
        }
        /* The next Monday-Friday that is not already a holiday. */
        ej_day x = sources[s] + 1;
        for (;;) {
            bool taken = is_weekend(x);
            for (size_t i = 0; i < n && !taken; i++) {
                taken = all[i].date == x;
            }
            if (!taken) {
                break;
            }
            x++;
        }
        all[n++] = (struct ej_holiday){x, name};
    }
    /* Insert the transfers in date order (at most two, among ~15). */
    for (size_t i = nfixed; i < n; i++) {
        struct ej_holiday h = all[i];
        size_t j = i;
        while (j > 0 && all[j - 1].date > h.date) {
            all[j] = all[j - 1];
            j--;
        }
        all[j] = h;
    }
    for (size_t i = 0; i < n && i < cap; i++) {
        out[i] = all[i];
    }
    return n;
}

/* Returns the first entry of kind on d, or NULL. */
static const struct ej_calendar_entry *entry_of(const struct ej_calendar *c, ej_day d,
                                                enum ej_entry_kind kind)
{
    if (!c || !c->entries) {
        return NULL;
    }
    for (size_t i = 0; i < c->n; i++) {
        if (c->entries[i].date == d && c->entries[i].kind == kind) {
            return &c->entries[i];
        }
    }
    return NULL;
}

/* Returns the name of a holiday on d before any weekend-rule transfer (law
 * days, or one-off entries by the name the superuser gave them), or NULL. */
static const char *base_holiday_name(const struct ej_calendar *c, ej_day d)
{
    const char *name = law_fixed_name(d);
    if (!name) {
        const struct ej_calendar_entry *e = entry_of(c, d, EJ_ENTRY_HOLIDAY);
        if (e) {
            name = e->name && e->name[0] ? e->name : NAME_CUSTOM;
        }
    }
    return name;
}

/* Returns true when an entry makes d a weekend-rule holiday (a one-off
 * holiday with weekend_rule on a Saturday or Sunday). */
static bool is_custom_source(const struct ej_calendar *c, ej_day d)
{
    if (!c || !c->entries || !is_weekend(d)) {
        return false;
    }
    for (size_t i = 0; i < c->n; i++) {
        const struct ej_calendar_entry *e = &c->entries[i];
        if (e->date == d && e->kind == EJ_ENTRY_HOLIDAY && e->weekend_rule) {
            return true;
        }
    }
    return false;
}

/* If d is a weekend holiday whose day off moves to the next free weekday,
 * returns the name that day off gets; otherwise NULL. Law names win when a
 * law day also has an entry. */
static const char *source_name(const struct ej_calendar *c, ej_day d)
{
    const char *name = law_source_name(d);
    if (!name && is_custom_source(c, d)) {
        name = NAME_MOVED_CUSTOM;
    }
    return name;
}

/* Returns the first weekend-rule source in [from, limit), or limit if none. */
static ej_day next_source(const struct ej_calendar *c, ej_day from, ej_day limit)
{
    ej_day best = limit;
    if (c && c->entries) {
        for (size_t i = 0; i < c->n; i++) {
            const struct ej_calendar_entry *e = &c->entries[i];
            if (e->date >= from && e->date < best && e->kind == EJ_ENTRY_HOLIDAY &&
                e->weekend_rule && is_weekend(e->date)) {
                best = e->date;
            }
        }
    }
    /* Law sources: 4 May and 18 November on a weekend, year by year. */
    int last_year = year_of(best - 1);
    for (int y = year_of(from); y <= last_year; y++) {
        const ej_day cand[2] = {ej_date_from_ymd(y, 5, 4), ej_date_from_ymd(y, 11, 18)};
        for (int k = 0; k < 2; k++) {
            if (cand[k] >= from && cand[k] < best && is_weekend(cand[k])) {
                return cand[k];
            }
        }
    }
    return best;
}

/* Returns the first day of the walk that decides transfers up to d: the
 * 1 January of d's year or of the year of the earliest one-off holiday
 * entry before d, whichever is earlier. Before that day only the law applies,
 * and the law's own transfers always land on the Monday right after the
 * weekend, so no transfer is pending on it. */
static ej_day walk_start(const struct ej_calendar *c, ej_day d)
{
    ej_day earliest = d;
    if (c && c->entries) {
        for (size_t i = 0; i < c->n; i++) {
            const struct ej_calendar_entry *e = &c->entries[i];
            if (e->kind == EJ_ENTRY_HOLIDAY && e->date < earliest) {
                earliest = e->date;
            }
        }
    }
    return ej_date_from_ymd(year_of(earliest), 1, 1);
}

/* If d is a day off transferred by the weekend rule, returns its name;
 * otherwise NULL.
 *
 * Walks forward from walk_start() keeping the weekend holidays still waiting
 * for a free day (a Monday-Friday that is not a holiday) in a FIFO; each free
 * day goes to the oldest waiting one. While nothing waits the walk jumps
 * straight to the next weekend holiday, so it costs a few steps per weekend
 * holiday rather than one per day. The FIFO remembers TRANSFER_QUEUE_CAP
 * names; past that (which needs dozens of weekend holidays in a row) the days
 * still count correctly but get the generic name. */
static const char *transfer_name(const struct ej_calendar *c, ej_day d)
{
    const char *queue[TRANSFER_QUEUE_CAP];
    size_t head = 0, queued = 0;
    long pending = 0;
    bool overflow = false;

    if (is_weekend(d) || base_holiday_name(c, d)) {
        return NULL;
    }
    ej_day x = walk_start(c, d);
    for (;;) {
        if (pending == 0) {
            ej_day s = next_source(c, x, d);
            if (s >= d) {
                return NULL;
            }
            head = 0;
            queued = 0;
            overflow = false;
            queue[queued++] = source_name(c, s);
            pending = 1;
            x = s + 1;
            continue;
        }
        if (is_weekend(x)) {
            const char *name = source_name(c, x);
            if (name) {
                pending++;
                if (!overflow && queued < TRANSFER_QUEUE_CAP) {
                    queue[(head + queued++) % TRANSFER_QUEUE_CAP] = name;
                } else {
                    overflow = true;
                }
            }
        } else if (!base_holiday_name(c, x)) {
            const char *name = NAME_MOVED_CUSTOM;
            if (queued > 0) {
                name = queue[head];
                head = (head + 1) % TRANSFER_QUEUE_CAP;
                queued--;
            }
            pending--;
            if (x == d) {
                return name;
            }
        }
        if (x >= d) {
            return NULL;
        }
        x++;
    }
}

const char *ej_public_holiday_name(const struct ej_calendar *c, ej_day d)
{
    const char *name = base_holiday_name(c, d);
    return name ? name : transfer_name(c, d);
}

bool ej_is_public_holiday(const struct ej_calendar *c, ej_day d)
{
    return ej_public_holiday_name(c, d) != NULL;
}

bool ej_is_working_day(const struct ej_calendar *c, ej_day d)
{
    if (ej_is_public_holiday(c, d)) {
        return false;
    }
    if (entry_of(c, d, EJ_ENTRY_DAY_OFF)) {
        return false;
    }
    if (entry_of(c, d, EJ_ENTRY_WORKING_DAY)) {
        return true;
    }
    return !is_weekend(d);
}

ej_day ej_add_working_days(const struct ej_calendar *c, ej_day d, int n)
{
    int step = n < 0 ? -1 : 1;
    long left = n < 0 ? -(long)n : n;
    if (left > WORKING_DAYS_CLAMP) {
        left = WORKING_DAYS_CLAMP;
    }
    while (left > 0) {
        d += step;
        if (ej_is_working_day(c, d)) {
            left--;
        }
    }
    return d;
}

/* Returns true when instant t (Unix seconds) is in Riga summer time. */
static bool riga_is_summer(int64_t t)
{
    int64_t day = floor_div(t, SECS_PER_DAY);
    int64_t y;
    int m, d;
    civil_from_days(day, &y, &m, &d);
    if (m < 3 || m > 10) {
        return false;
    }
    int64_t start = (int64_t)last_sunday(y, 3) * SECS_PER_DAY + 3600;
    int64_t end = (int64_t)last_sunday(y, 10) * SECS_PER_DAY + 3600;
    return t >= start && t < end;
}

int32_t ej_riga_utc_offset(int64_t t)
{
    return riga_is_summer(t) ? (int32_t)EEST_OFFSET : (int32_t)EET_OFFSET;
}

ej_day ej_riga_date(int64_t t)
{
    return (ej_day)floor_div(t + ej_riga_utc_offset(t), SECS_PER_DAY);
}

ej_day ej_riga_today(void)
{
    return ej_riga_date((int64_t)time(NULL));
}

int64_t ej_riga_local_to_utc(ej_day d, int hh, int mm, int ss)
{
    int64_t local = (int64_t)d * SECS_PER_DAY + (int64_t)hh * 3600 + (int64_t)mm * 60 + ss;
    /* Try summer time first: it is the earlier instant whenever both
     * readings are valid (the repeated October hour) or neither is (the
     * skipped March hour). */
    int64_t summer = local - EEST_OFFSET;
    if (riga_is_summer(summer)) {
        return summer;
    }
    int64_t winter = local - EET_OFFSET;
    if (!riga_is_summer(winter)) {
        return winter;
    }
    return summer;
}

int64_t ej_entry_deadline(const struct ej_calendar *c, ej_day lesson_date, int working_days)
{
    ej_day due = working_days > 0 ? ej_add_working_days(c, lesson_date, working_days) : lesson_date;
    return ej_riga_local_to_utc(due, 23, 59, 59);
}

void ej_format_utc(int64_t t, char out[EJ_UTC_BUFSZ])
{
    int64_t day = floor_div(t, SECS_PER_DAY);
    int64_t sec = floor_mod(t, SECS_PER_DAY);
    int64_t y;
    int m, d;
    civil_from_days(day, &y, &m, &d);
    if (y < 0 || y > 9999) {
        y = 0;
        m = 0;
        d = 0;
        sec = 0;
    }
    put_digits(out, y, 4);
    out[4] = '-';
    put_digits(out + 5, m, 2);
    out[7] = '-';
    put_digits(out + 8, d, 2);
    out[10] = 'T';
    put_digits(out + 11, sec / 3600, 2);
    out[13] = ':';
    put_digits(out + 14, sec / 60 % 60, 2);
    out[16] = ':';
    put_digits(out + 17, sec % 60, 2);
    out[19] = 'Z';
    out[20] = '\0';
}

void ej_format_riga(int64_t t, char out[EJ_RIGA_BUFSZ])
{
    int32_t offset = ej_riga_utc_offset(t);
    char utc[EJ_UTC_BUFSZ];
    /* The local wall-clock time is the UTC format of t shifted by the offset. */
    ej_format_utc(t + offset, utc);
    memcpy(out, utc, 10);
    out[10] = ' ';
    memcpy(out + 11, utc + 11, 5);
    size_t n = 16;
    if (utc[17] != '0' || utc[18] != '0') {
        memcpy(out + n, utc + 16, 3);
        n += 3;
    }
    const char *zone = offset == EEST_OFFSET ? " (UTC+03:00)" : " (UTC+02:00)";
    memcpy(out + n, zone, 13);
}

bool ej_parse_utc(const char *s, int64_t *t)
{
    char date[EJ_DATE_BUFSZ];
    ej_day d;
    if (!s || strlen(s) != 20 || s[10] != 'T' || s[13] != ':' || s[16] != ':' || s[19] != 'Z')
        return false;
    memcpy(date, s, 10);
    date[10] = '\0';
    if (!ej_date_parse(date, &d))
        return false;
    int v[3];
    for (int i = 0; i < 3; i++) {
        const char *p = s + 11 + 3 * i;
        if (p[0] < '0' || p[0] > '9' || p[1] < '0' || p[1] > '9')
            return false;
        v[i] = (p[0] - '0') * 10 + (p[1] - '0');
    }
    if (v[0] > 23 || v[1] > 59 || v[2] > 59)
        return false;
    *t = (int64_t)d * SECS_PER_DAY + v[0] * 3600 + v[1] * 60 + v[2];
    return true;
}

void ej_utc_text_to_riga(const char *utc, char out[EJ_RIGA_BUFSZ])
{
    int64_t t;
    if (ej_parse_utc(utc, &t))
        ej_format_riga(t, out);
    else {
        size_t n = utc ? strnlen(utc, EJ_RIGA_BUFSZ - 1) : 0;
        memcpy(out, utc ? utc : "", n);
        out[n] = '\0';
    }
}
