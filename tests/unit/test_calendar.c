/* Unit tests for api/rules/calendar.c: dates, Latvian public holidays (§17),
 * working days and entry deadlines (§13), Europe/Riga time. */
#include "check.h"
#include "easter_table.h"
#include "rules/calendar.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

/* Shorthand for a day number. */
static ej_day ymd(int y, int m, int d)
{
    return ej_date_from_ymd(y, m, d);
}

/* Returns ej_date_format(d) in a static buffer (one call per expression). */
static const char *fmt_day(ej_day d)
{
    static char buf[EJ_DATE_BUFSZ];
    ej_date_format(d, buf);
    return buf;
}

/* Returns ej_format_utc(t) in a static buffer (one call per expression). */
static const char *fmt_utc(int64_t t)
{
    static char buf[EJ_UTC_BUFSZ];
    ej_format_utc(t, buf);
    return buf;
}

/* The test's own leap-year rule, independent of the module. */
static bool test_is_leap(int y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

/* The test's own month lengths, independent of the module. */
static int test_days_in_month(int y, int m)
{
    static const int len[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return (m == 2 && test_is_leap(y)) ? 29 : len[m - 1];
}

/* Every day 1900-01-01..2200-12-31: counting y/m/d by hand, formatting,
 * parsing back, splitting, joining and the weekday cycle all agree. */
static void test_date_round_trip_1900_2200(void)
{
    ej_day first = ymd(1900, 1, 1), last = ymd(2200, 12, 31);
    int y = 1900, m = 1, dd = 1, bad = 0;
    int prev_wd = EJ_SUNDAY; /* 1899-12-31 was a Sunday */
    long days = 0;

    /* Python: (date(1900,1,1) - date(1970,1,1)).days etc. */
    CHECK(first == -25567);
    CHECK(last == 84370);
    CHECK(ymd(1970, 1, 1) == 0);
    CHECK(ej_weekday(first) == EJ_MONDAY);

    for (ej_day d = first; d <= last; d++, days++) {
        char want[48], got[EJ_DATE_BUFSZ];
        ej_day back = -1;
        int gy = 0, gm = 0, gd = 0;
        snprintf(want, sizeof want, "%04d-%02d-%02d", y, m, dd);
        ej_date_format(d, got);
        ej_date_to_ymd(d, &gy, &gm, &gd);
        int wd = ej_weekday(d);
        bool ok = strcmp(got, want) == 0 && ej_date_parse(got, &back) && back == d && gy == y &&
                  gm == m && gd == dd && ymd(y, m, dd) == d && ej_date_is_valid(y, m, dd) &&
                  ej_days_in_month(y, m) == test_days_in_month(y, m) && wd == prev_wd % 7 + 1;
        if (!ok && bad++ < 5) {
            fprintf(stderr, "round trip failed at %s (got %s)\n", want, got);
        }
        prev_wd = wd;
        if (++dd > test_days_in_month(y, m)) {
            dd = 1;
            if (++m > 12) {
                m = 1;
                y++;
            }
        }
    }
    CHECK(bad == 0);
    CHECK(days == 301 * 365 + 73); /* 73 leap years: 1900, 2100, 2200 are not */
    CHECK(y == 2201 && m == 1 && dd == 1);
}

/* ej_date_parse accepts only strict, real YYYY-MM-DD dates in 1900..2200 and
 * leaves *out alone when it refuses. */
static void test_date_parse_rejects(void)
{
    static const char *const bad[] = {
        "2023-02-29",   "2024-13-01",  "2024-1-01",   "2024-01-1",
        "2024-01-011",  "2024-01-01 ", " 2024-01-01", "2024-01-01T00:00",
        "2024-01-01\n", "1899-12-31",  "2201-01-01",  "2024-00-10",
        "2024-01-00",   "2024-04-31",  "2100-02-29",  "1900-02-29",
        "2024/01/01",   "20240101",    "+024-01-01",  "2024-0a-01",
        "2024--1-01",   "-2024-01-01", "2024-01-32",  "",
        "2024",         "2024-01-",    "0000-00-00",  "9999-12-31",
        "2024-02-30",
    };
    for (size_t i = 0; i < ARRAY_LEN(bad); i++) {
        ej_day out = 12345;
        bool ok = ej_date_parse(bad[i], &out);
        if (ok || out != 12345) {
            fprintf(stderr, "accepted bad date \"%s\"\n", bad[i]);
        }
        CHECK(!ok && out == 12345);
    }
    ej_day out = 12345;
    CHECK(!ej_date_parse(NULL, &out) && out == 12345);
    /* "2024-01-01" followed by a NUL and junk is fine: the string ends. */
    CHECK(ej_date_parse("2024-01-01\0junk", &out) && out == ymd(2024, 1, 1));

    static const char *const good[] = {
        "1900-01-01", "2200-12-31", "2000-02-29", "2024-02-29", "2023-12-31", "1970-01-01",
    };
    for (size_t i = 0; i < ARRAY_LEN(good); i++) {
        CHECK(ej_date_parse(good[i], &out));
        CHECK_STR(fmt_day(out), good[i]);
    }
}

/* Formatting, joining and splitting outside the parse range. */
static void test_date_format_edges(void)
{
    CHECK_STR(fmt_day(0), "1970-01-01");
    CHECK_STR(fmt_day(-1), "1969-12-31");
    CHECK_STR(fmt_day(ymd(1899, 12, 31)), "1899-12-31");
    CHECK_STR(fmt_day(ymd(0, 1, 1)), "0000-01-01");
    CHECK_STR(fmt_day(ymd(9999, 12, 31)), "9999-12-31");
    CHECK_STR(fmt_day(ymd(10000, 1, 1)), "0000-00-00");
    CHECK_STR(fmt_day(ymd(-1, 12, 31)), "0000-00-00");
    CHECK_STR(fmt_day(INT32_MAX), "0000-00-00");
    CHECK_STR(fmt_day(INT32_MIN), "0000-00-00");
    /* Carrying of months and days. */
    CHECK(ymd(2024, 13, 1) == ymd(2025, 1, 1));
    CHECK(ymd(2024, 0, 1) == ymd(2023, 12, 1));
    CHECK(ymd(2024, -11, 1) == ymd(2023, 1, 1));
    CHECK(ymd(2024, 2, 30) == ymd(2024, 3, 1));
    CHECK(ymd(2024, 3, 0) == ymd(2024, 2, 29));
    CHECK(ymd(2023, 1, 365) == ymd(2023, 12, 31));
    int y = 0, m = 0, d = 0;
    ej_date_to_ymd(ymd(2024, 2, 29), &y, &m, &d);
    CHECK(y == 2024 && m == 2 && d == 29);
    ej_date_to_ymd(ymd(2024, 2, 29), NULL, NULL, NULL); /* NULLs allowed */
    CHECK(!ej_date_is_valid(2023, 2, 29));
    CHECK(!ej_date_is_valid(2024, 0, 1));
    CHECK(!ej_date_is_valid(2024, 1, 0));
    CHECK(ej_days_in_month(2024, 13) == 0);
    CHECK(ej_days_in_month(2000, 2) == 29 && ej_days_in_month(1900, 2) == 28);
}

/* Weekdays of dates checked against a calendar (Python isoweekday()). */
static void test_weekday_known_dates(void)
{
    CHECK(ej_weekday(ymd(1970, 1, 1)) == EJ_THURSDAY);
    CHECK(ej_weekday(ymd(1969, 12, 31)) == EJ_WEDNESDAY);
    CHECK(ej_weekday(ymd(1900, 1, 1)) == EJ_MONDAY);
    CHECK(ej_weekday(ymd(2000, 1, 1)) == EJ_SATURDAY);
    CHECK(ej_weekday(ymd(2200, 12, 31)) == EJ_WEDNESDAY);
    CHECK(ej_weekday(ymd(2024, 5, 4)) == EJ_SATURDAY);
    CHECK(ej_weekday(ymd(2023, 7, 9)) == EJ_SUNDAY);
    CHECK(ej_weekday(ymd(2023, 11, 18)) == EJ_SATURDAY);
    CHECK(ej_weekday(ymd(2018, 11, 18)) == EJ_SUNDAY);
    CHECK(ej_weekday(ymd(2026, 4, 30)) == EJ_THURSDAY);
    CHECK(ej_weekday(ymd(2026, 1, 9)) == EJ_FRIDAY);
    CHECK(ej_weekday(ymd(2026, 3, 29)) == EJ_SUNDAY);
    CHECK(ej_weekday(ymd(2026, 10, 25)) == EJ_SUNDAY);
    CHECK(ej_weekday(INT32_MIN) >= 1 && ej_weekday(INT32_MIN) <= 7);
    CHECK(ej_weekday(INT32_MAX) >= 1 && ej_weekday(INT32_MAX) <= 7);
}

/* §17 Easter-based holidays: ej_easter matches ncal -e for 1900..2200. */
static void test_s17_easter_table_1900_2200(void)
{
    CHECK(ARRAY_LEN(easter_table) == 301);
    int bad = 0;
    for (size_t i = 0; i < ARRAY_LEN(easter_table); i++) {
        int y = easter_table[i][0];
        ej_day want = ymd(y, easter_table[i][1], easter_table[i][2]);
        ej_day got = ej_easter(y);
        if ((got != want || ej_weekday(got) != EJ_SUNDAY) && bad++ < 5) {
            fprintf(stderr, "easter %d: got %s\n", y, fmt_day(got));
        }
        CHECK(y == 1900 + (int)i);
    }
    CHECK(bad == 0);
}

/* Checks that ej_law_holidays(year) is exactly want (month, day pairs). */
static void check_law_year(int year, const int (*want)[2], size_t nwant)
{
    struct ej_holiday h[32];
    size_t n = ej_law_holidays(year, h, ARRAY_LEN(h));
    CHECK(n == nwant);
    if (n != nwant) {
        fprintf(stderr, "%d: %zu holidays, want %zu\n", year, n, nwant);
    }
    for (size_t i = 0; i < n && i < nwant; i++) {
        ej_day w = ymd(year, want[i][0], want[i][1]);
        if (h[i].date != w) {
            fprintf(stderr, "%d: holiday %zu is %s", year, i, fmt_day(h[i].date));
            fprintf(stderr, ", want %s\n", fmt_day(w));
        }
        CHECK(h[i].date == w);
        CHECK(h[i].name != NULL && h[i].name[0] != '\0');
        CHECK(ej_is_public_holiday(NULL, w));
    }
}

/* §17 holidays of 2023: 18 Nov on Saturday moves a day off to Monday 20 Nov. */
static void test_s17_holidays_2023(void)
{
    static const int want[][2] = {
        {1, 1},  {4, 7},  {4, 9},   {4, 10},  {5, 1},   {5, 4},   {5, 14},  {5, 28},
        {6, 23}, {6, 24}, {11, 18}, {11, 20}, {12, 24}, {12, 25}, {12, 26}, {12, 31},
    };
    check_law_year(2023, want, ARRAY_LEN(want));
    CHECK_STR(ej_public_holiday_name(NULL, ymd(2023, 11, 20)),
              "Brīvdiena (pārcelta no 18. novembra)");
    CHECK(!ej_is_public_holiday(NULL, ymd(2023, 11, 19)));
    CHECK(!ej_is_working_day(NULL, ymd(2023, 11, 20)));
}

/* §17 holidays of 2024: 4 May on Saturday moves a day off to Monday 6 May. */
static void test_s17_holidays_2024(void)
{
    static const int want[][2] = {
        {1, 1},  {3, 29}, {3, 31}, {4, 1},   {5, 1},   {5, 4},   {5, 6},   {5, 12},
        {5, 19}, {6, 23}, {6, 24}, {11, 18}, {12, 24}, {12, 25}, {12, 26}, {12, 31},
    };
    check_law_year(2024, want, ARRAY_LEN(want));
    CHECK_STR(ej_public_holiday_name(NULL, ymd(2024, 5, 6)), "Brīvdiena (pārcelta no 4. maija)");
    CHECK_STR(ej_public_holiday_name(NULL, ymd(2024, 3, 29)), "Lielā Piektdiena");
    CHECK_STR(ej_public_holiday_name(NULL, ymd(2024, 3, 31)), "Pirmās Lieldienas");
    CHECK_STR(ej_public_holiday_name(NULL, ymd(2024, 4, 1)), "Otrās Lieldienas");
    CHECK_STR(ej_public_holiday_name(NULL, ymd(2024, 5, 12)), "Mātes diena");
    CHECK_STR(ej_public_holiday_name(NULL, ymd(2024, 5, 19)), "Vasarsvētki");
    CHECK(ej_public_holiday_name(NULL, ymd(2024, 5, 7)) == NULL);
}

/* §17 holidays of 2025: 4 May on Sunday moves a day off to Monday 5 May. */
static void test_s17_holidays_2025(void)
{
    static const int want[][2] = {
        {1, 1}, {4, 18}, {4, 20}, {4, 21},  {5, 1},   {5, 4},   {5, 5},   {5, 11},
        {6, 8}, {6, 23}, {6, 24}, {11, 18}, {12, 24}, {12, 25}, {12, 26}, {12, 31},
    };
    check_law_year(2025, want, ARRAY_LEN(want));
    CHECK_STR(ej_public_holiday_name(NULL, ymd(2025, 5, 5)), "Brīvdiena (pārcelta no 4. maija)");
}

/* §17 holidays of 2026: no weekend transfers. */
static void test_s17_holidays_2026(void)
{
    static const int want[][2] = {
        {1, 1},  {4, 3},  {4, 5},   {4, 6},   {5, 1},   {5, 4},   {5, 10},  {5, 24},
        {6, 23}, {6, 24}, {11, 18}, {12, 24}, {12, 25}, {12, 26}, {12, 31},
    };
    check_law_year(2026, want, ARRAY_LEN(want));
    CHECK_STR(ej_public_holiday_name(NULL, ymd(2026, 1, 1)), "Jaunais gads");
    CHECK_STR(ej_public_holiday_name(NULL, ymd(2026, 5, 1)),
              "Darba svētki, Latvijas Republikas Satversmes sapulces sasaukšanas diena");
    CHECK_STR(ej_public_holiday_name(NULL, ymd(2026, 5, 4)),
              "Latvijas Republikas Neatkarības deklarācijas pasludināšanas diena");
    CHECK_STR(ej_public_holiday_name(NULL, ymd(2026, 6, 23)), "Līgo diena");
    CHECK_STR(ej_public_holiday_name(NULL, ymd(2026, 6, 24)), "Jāņu diena");
    CHECK_STR(ej_public_holiday_name(NULL, ymd(2026, 11, 18)),
              "Latvijas Republikas proklamēšanas diena");
    CHECK_STR(ej_public_holiday_name(NULL, ymd(2026, 12, 24)), "Ziemassvētku vakars");
    CHECK_STR(ej_public_holiday_name(NULL, ymd(2026, 12, 25)), "Pirmie Ziemassvētki");
    CHECK_STR(ej_public_holiday_name(NULL, ymd(2026, 12, 26)), "Otrie Ziemassvētki");
    CHECK_STR(ej_public_holiday_name(NULL, ymd(2026, 12, 31)), "Vecgada diena");
}

/* §17 18 Nov on a Sunday (2018, 2029) moves a day off to Monday 19 Nov. */
static void test_s17_holidays_nov18_sunday(void)
{
    static const int want[][2] = {
        {1, 1},  {3, 30}, {4, 1},   {4, 2},   {5, 1},   {5, 4},   {5, 13},  {5, 20},
        {6, 23}, {6, 24}, {11, 18}, {11, 19}, {12, 24}, {12, 25}, {12, 26}, {12, 31},
    };
    check_law_year(2018, want, ARRAY_LEN(want));
    check_law_year(2029, want, ARRAY_LEN(want));
    CHECK_STR(ej_public_holiday_name(NULL, ymd(2029, 11, 19)),
              "Brīvdiena (pārcelta no 18. novembra)");
}

/* §17 Pentecost on Mother's Day (2008-05-11) is one holiday with both names;
 * 4 May 2008 was a Sunday. */
static void test_s17_holidays_pentecost_on_mothers_day(void)
{
    static const int want[][2] = {
        {1, 1},  {3, 21}, {3, 23},  {3, 24},  {5, 1},   {5, 4},   {5, 5},   {5, 11},
        {6, 23}, {6, 24}, {11, 18}, {12, 24}, {12, 25}, {12, 26}, {12, 31},
    };
    check_law_year(2008, want, ARRAY_LEN(want));
    CHECK_STR(ej_public_holiday_name(NULL, ymd(2008, 5, 11)), "Mātes diena; Vasarsvētki");
}

/* ej_law_holidays reports the full count when cap is too small, like
 * snprintf, and writes no more than cap entries. */
static void test_s17_law_holidays_cap(void)
{
    struct ej_holiday h[4];
    memset(h, 0, sizeof h);
    CHECK(ej_law_holidays(2024, NULL, 0) == 16);
    CHECK(ej_law_holidays(2024, h, 3) == 16);
    CHECK(h[0].date == ymd(2024, 1, 1) && h[2].date == ymd(2024, 3, 31));
    CHECK(h[3].date == 0 && h[3].name == NULL);
}

/* §17 for every year 1900..2200: the list is sorted, within the year, no
 * longer than EJ_LAW_HOLIDAYS_MAX, has every fixed date, and agrees day by
 * day (dates and names) with ej_public_holiday_name for the law alone. */
static void test_s17_law_list_matches_predicate_1900_2200(void)
{
    struct ej_calendar empty = {NULL, 0};
    int bad = 0;
    size_t most = 0;
    for (int y = 1900; y <= 2200; y++) {
        struct ej_holiday h[32];
        size_t n = ej_law_holidays(y, h, ARRAY_LEN(h));
        if (n > most) {
            most = n;
        }
        size_t k = 0;
        ej_day easter = ej_easter(y);
        for (ej_day d = ymd(y, 1, 1); d <= ymd(y, 12, 31); d++) {
            const char *name = ej_public_holiday_name(NULL, d);
            bool listed = k < n && h[k].date == d;
            bool ok = listed ? (name != NULL && strcmp(name, h[k].name) == 0) : name == NULL;
            ok = ok && ej_is_public_holiday(&empty, d) == (name != NULL);
            ok = ok && ej_is_working_day(NULL, d) == (name == NULL && ej_weekday(d) <= 5);
            if (!ok && bad++ < 5) {
                fprintf(stderr, "law list mismatch at %s\n", fmt_day(d));
            }
            if (listed) {
                k++;
            }
        }
        CHECK(k == n);
        /* Every fixed and Easter-based day is there. */
        static const int fixed[][2] = {{1, 1},   {5, 1},   {5, 4},   {6, 23},  {6, 24},
                                       {11, 18}, {12, 24}, {12, 25}, {12, 26}, {12, 31}};
        for (size_t i = 0; i < ARRAY_LEN(fixed); i++) {
            if (!ej_is_public_holiday(NULL, ymd(y, fixed[i][0], fixed[i][1])) && bad++ < 5) {
                fprintf(stderr, "%d: fixed holiday missing\n", y);
            }
        }
        if (!(ej_is_public_holiday(NULL, easter - 2) && ej_is_public_holiday(NULL, easter) &&
              ej_is_public_holiday(NULL, easter + 1) && ej_is_public_holiday(NULL, easter + 49)) &&
            bad++ < 5) {
            fprintf(stderr, "%d: Easter holiday missing\n", y);
        }
        /* Weekend rule of the law: the Monday after. */
        ej_day sources[2] = {ymd(y, 5, 4), ymd(y, 11, 18)};
        for (int s = 0; s < 2; s++) {
            int wd = ej_weekday(sources[s]);
            if (wd >= EJ_SATURDAY) {
                ej_day monday = sources[s] + (8 - wd);
                if (!ej_is_public_holiday(NULL, monday) && bad++ < 5) {
                    fprintf(stderr, "%d: transfer missing\n", y);
                }
            }
        }
    }
    CHECK(bad == 0);
    CHECK(most <= EJ_LAW_HOLIDAYS_MAX);
}

/* §13 working-day arithmetic under the law alone: weekends and holidays are
 * skipped; n == 0 gives the day itself; n < 0 counts backwards. */
static void test_s13_working_days_law(void)
{
    /* Thu 30 Apr 2026: Fri 1 May and Mon 4 May are holidays. */
    ej_day thu = ymd(2026, 4, 30);
    CHECK(ej_add_working_days(NULL, thu, 0) == thu);
    CHECK(ej_add_working_days(NULL, thu, 1) == ymd(2026, 5, 5));
    CHECK(ej_add_working_days(NULL, thu, 2) == ymd(2026, 5, 6));
    CHECK(ej_add_working_days(NULL, thu, 3) == ymd(2026, 5, 7));
    CHECK(ej_add_working_days(NULL, ymd(2026, 5, 5), -1) == thu);
    CHECK(ej_add_working_days(NULL, ymd(2026, 5, 6), -2) == thu);
    /* Friday 9 Jan 2026 -> Mon 12, Tue 13. */
    CHECK(ej_add_working_days(NULL, ymd(2026, 1, 9), 1) == ymd(2026, 1, 12));
    CHECK(ej_add_working_days(NULL, ymd(2026, 1, 9), 2) == ymd(2026, 1, 13));
    /* From a Saturday and a Sunday. */
    CHECK(ej_add_working_days(NULL, ymd(2026, 1, 10), 1) == ymd(2026, 1, 12));
    CHECK(ej_add_working_days(NULL, ymd(2026, 1, 11), 2) == ymd(2026, 1, 13));
    /* Easter 2026: Good Friday 3 Apr, Easter Monday 6 Apr. */
    CHECK(ej_add_working_days(NULL, ymd(2026, 4, 2), 1) == ymd(2026, 4, 7));
    /* Christmas and New Year 2025/2026: 24, 25, 26, 31 Dec, 1 Jan. */
    CHECK(ej_add_working_days(NULL, ymd(2025, 12, 23), 1) == ymd(2025, 12, 29));
    CHECK(ej_add_working_days(NULL, ymd(2025, 12, 23), 3) == ymd(2026, 1, 2));
    /* 2024: Sat 4 May -> Mon 6 May off. */
    CHECK(ej_add_working_days(NULL, ymd(2024, 5, 3), 1) == ymd(2024, 5, 7));
    /* Midsummer 2026: Tue 23, Wed 24 June. */
    CHECK(ej_add_working_days(NULL, ymd(2026, 6, 22), 1) == ymd(2026, 6, 25));
    /* A year has 365 - weekends - weekday holidays working days: 2026 has
     * 104 weekend days and 11 holidays on Mon-Fri -> 250. */
    int count = 0;
    for (ej_day d = ymd(2026, 1, 1); d <= ymd(2026, 12, 31); d++) {
        count += ej_is_working_day(NULL, d);
    }
    CHECK(count == 250);
    CHECK(ej_add_working_days(NULL, ymd(2025, 12, 31), 250) == ymd(2026, 12, 30));
}

/* §17 one-off holiday 29 May 2023 (ice hockey bronze) and the Song and Dance
 * Festival closing day Sunday 9 July 2023 with the weekend rule, which makes
 * Monday 10 July 2023 a holiday too. */
static void test_s17_custom_holidays_2023(void)
{
    const struct ej_calendar_entry e[] = {
        {ymd(2023, 7, 9), EJ_ENTRY_HOLIDAY, true, "Dziesmu un deju svētku noslēguma diena"},
        {ymd(2023, 5, 29), EJ_ENTRY_HOLIDAY, false, "Hokeja bronzas diena"},
    };
    struct ej_calendar c = {e, ARRAY_LEN(e)};

    CHECK(ej_is_public_holiday(&c, ymd(2023, 5, 29)));
    CHECK(!ej_is_public_holiday(NULL, ymd(2023, 5, 29)));
    CHECK_STR(ej_public_holiday_name(&c, ymd(2023, 5, 29)), "Hokeja bronzas diena");
    CHECK_STR(ej_public_holiday_name(&c, ymd(2023, 7, 9)),
              "Dziesmu un deju svētku noslēguma diena");
    CHECK(!ej_is_working_day(&c, ymd(2023, 5, 29)));
    CHECK(ej_is_public_holiday(&c, ymd(2023, 7, 9)));
    CHECK(ej_is_public_holiday(&c, ymd(2023, 7, 10)));
    CHECK_STR(ej_public_holiday_name(&c, ymd(2023, 7, 10)), "Brīvdiena (pārcelta svētku diena)");
    CHECK(!ej_is_public_holiday(&c, ymd(2023, 7, 11)));
    CHECK(!ej_is_working_day(&c, ymd(2023, 7, 10)));
    CHECK(ej_is_working_day(NULL, ymd(2023, 7, 10)));
    /* Fri 7 July + 1 working day = Tue 11 July (Mon 10 is off). */
    CHECK(ej_add_working_days(&c, ymd(2023, 7, 7), 1) == ymd(2023, 7, 11));
    /* Fri 26 May 2023 + 1: Mon 29 May is off -> Tue 30 May. (Pentecost
     * 28 May is a Sunday.) */
    CHECK(ej_add_working_days(&c, ymd(2023, 5, 26), 1) == ymd(2023, 5, 30));
    CHECK(ej_add_working_days(NULL, ymd(2023, 5, 26), 1) == ymd(2023, 5, 29));
    /* Law days are unaffected. */
    CHECK(ej_is_public_holiday(&c, ymd(2023, 11, 20)));
    /* Without the weekend rule, nothing moves. */
    const struct ej_calendar_entry e2[] = {{ymd(2023, 7, 9), EJ_ENTRY_HOLIDAY, false, NULL}};
    struct ej_calendar c2 = {e2, 1};
    CHECK(ej_is_public_holiday(&c2, ymd(2023, 7, 9)));
    CHECK(!ej_is_public_holiday(&c2, ymd(2023, 7, 10)));
    /* The weekend rule on a weekday does nothing extra. */
    const struct ej_calendar_entry e3[] = {{ymd(2023, 5, 29), EJ_ENTRY_HOLIDAY, true, NULL}};
    struct ej_calendar c3 = {e3, 1};
    CHECK(ej_is_public_holiday(&c3, ymd(2023, 5, 29)));
    CHECK(!ej_is_public_holiday(&c3, ymd(2023, 5, 30)));
    /* weekend_rule is ignored on a day-off entry. */
    const struct ej_calendar_entry e4[] = {{ymd(2023, 7, 9), EJ_ENTRY_DAY_OFF, true, NULL}};
    struct ej_calendar c4 = {e4, 1};
    CHECK(!ej_is_public_holiday(&c4, ymd(2023, 7, 9)));
    CHECK(!ej_is_public_holiday(&c4, ymd(2023, 7, 10)));
}

/* §17 a one-off holiday is named with the name its entry carries (the one
 * the superuser entered); without one it is "Svētku diena"; the law's days
 * and the days off the weekend rule gives keep their fixed names. */
static void test_s17_custom_holiday_names(void)
{
    const struct ej_calendar_entry e[] = {
        {ymd(2026, 10, 14), EJ_ENTRY_HOLIDAY, false, "Skolas jubileja"},
        {ymd(2026, 10, 15), EJ_ENTRY_HOLIDAY, false, NULL},
        {ymd(2026, 10, 16), EJ_ENTRY_HOLIDAY, false, ""},
        {ymd(2026, 11, 18), EJ_ENTRY_HOLIDAY, false, "Ne tā"}, /* a law day: its name wins */
        {ymd(2026, 10, 10), EJ_ENTRY_HOLIDAY, true, "Sestdienas svētki"}, /* Sat -> Mon 12 */
        {ymd(2026, 10, 21), EJ_ENTRY_DAY_OFF, false, "Rudens brīvdiena"}, /* not a holiday */
    };
    struct ej_calendar c = {e, ARRAY_LEN(e)};

    CHECK_STR(ej_public_holiday_name(&c, ymd(2026, 10, 14)), "Skolas jubileja");
    CHECK_STR(ej_public_holiday_name(&c, ymd(2026, 10, 15)), "Svētku diena");
    CHECK_STR(ej_public_holiday_name(&c, ymd(2026, 10, 16)), "Svētku diena");
    CHECK_STR(ej_public_holiday_name(&c, ymd(2026, 11, 18)),
              "Latvijas Republikas proklamēšanas diena");
    CHECK_STR(ej_public_holiday_name(&c, ymd(2026, 10, 10)), "Sestdienas svētki");
    CHECK_STR(ej_public_holiday_name(&c, ymd(2026, 10, 12)), "Brīvdiena (pārcelta svētku diena)");
    CHECK(ej_public_holiday_name(&c, ymd(2026, 10, 21)) == NULL);
    CHECK(!ej_is_working_day(&c, ymd(2026, 10, 21)));
    /* The name is a fact only: which days are holidays does not depend on it. */
    for (size_t i = 0; i < ARRAY_LEN(e); i++) {
        struct ej_calendar_entry nameless[ARRAY_LEN(e)];
        memcpy(nameless, e, sizeof e);
        nameless[i].name = NULL;
        struct ej_calendar n = {nameless, ARRAY_LEN(e)};
        for (ej_day d = ymd(2026, 10, 1); d <= ymd(2026, 11, 30); d++) {
            CHECK(ej_is_public_holiday(&n, d) == ej_is_public_holiday(&c, d));
            CHECK(ej_is_working_day(&n, d) == ej_is_working_day(&c, d));
        }
    }
}

/* §13 transferred days off and working days (an illustrative Cabinet-style
 * transfer: Friday 17 Nov 2023 off, worked on Saturday 25 Nov 2023), and
 * the precedence holiday > day off > working day. */
static void test_s13_transferred_days(void)
{
    const struct ej_calendar_entry e[] = {
        {ymd(2023, 11, 25), EJ_ENTRY_WORKING_DAY, false, NULL},
        {ymd(2023, 11, 17), EJ_ENTRY_DAY_OFF, false, NULL},
        {ymd(2023, 11, 20), EJ_ENTRY_WORKING_DAY, false, NULL}, /* on a holiday: no effect */
        {ymd(2023, 12, 2), EJ_ENTRY_WORKING_DAY, false, NULL},  /* day off wins below */
        {ymd(2023, 12, 2), EJ_ENTRY_DAY_OFF, false, NULL},
        {ymd(2023, 12, 5), (enum ej_entry_kind)99, true, NULL}, /* unknown kind: ignored */
    };
    struct ej_calendar c = {e, ARRAY_LEN(e)};

    CHECK(!ej_is_working_day(&c, ymd(2023, 11, 17)));
    CHECK(!ej_is_public_holiday(&c, ymd(2023, 11, 17))); /* a day off is no holiday */
    CHECK(ej_is_working_day(&c, ymd(2023, 11, 25)));
    CHECK(!ej_is_working_day(NULL, ymd(2023, 11, 25)));
    CHECK(!ej_is_working_day(&c, ymd(2023, 11, 20))); /* holiday wins */
    CHECK(ej_is_public_holiday(&c, ymd(2023, 11, 20)));
    CHECK(!ej_is_working_day(&c, ymd(2023, 12, 2)));
    CHECK(ej_is_working_day(&c, ymd(2023, 12, 5)));
    CHECK(!ej_is_public_holiday(&c, ymd(2023, 12, 5)));
    /* Thu 16 Nov 2023: Fri 17 off, Sat 18 holiday, Sun 19, Mon 20 off
     * -> Tue 21, Wed 22. */
    CHECK(ej_add_working_days(&c, ymd(2023, 11, 16), 1) == ymd(2023, 11, 21));
    CHECK(ej_add_working_days(&c, ymd(2023, 11, 16), 2) == ymd(2023, 11, 22));
    CHECK(ej_add_working_days(NULL, ymd(2023, 11, 16), 1) == ymd(2023, 11, 17));
    /* Fri 24 Nov: the worked Saturday 25 Nov counts. */
    CHECK(ej_add_working_days(&c, ymd(2023, 11, 24), 1) == ymd(2023, 11, 25));
    CHECK(ej_add_working_days(&c, ymd(2023, 11, 24), 2) == ymd(2023, 11, 27));
    CHECK(ej_add_working_days(&c, ymd(2023, 11, 27), -1) == ymd(2023, 11, 25));
    CHECK(ej_add_working_days(NULL, ymd(2023, 11, 24), 2) == ymd(2023, 11, 28));
    /* A lesson on the worked Saturday itself. */
    CHECK(ej_add_working_days(&c, ymd(2023, 11, 25), 2) == ymd(2023, 11, 28));
}

/* §17 weekend rule interactions: a one-off holiday on the Monday after
 * 4 May pushes the law's day off on; two weekend holidays in a row take free
 * days in date order; a duplicate of a law day counts once; a transfer
 * crosses New Year. */
static void test_s17_weekend_rule_interactions(void)
{
    const struct ej_calendar_entry e[] = {
        {ymd(2024, 5, 5), EJ_ENTRY_HOLIDAY, true, NULL},   /* Sun, next to law Sat 4 May */
        {ymd(2024, 5, 6), EJ_ENTRY_HOLIDAY, false, NULL},  /* Mon: already taken */
        {ymd(2024, 5, 7), EJ_ENTRY_HOLIDAY, false, NULL},  /* Tue: already taken */
        {ymd(2023, 11, 18), EJ_ENTRY_HOLIDAY, true, NULL}, /* duplicate of a law day */
        {ymd(2023, 12, 30), EJ_ENTRY_HOLIDAY, true, NULL}, /* Sat; 31 Dec, 1 Jan taken */
    };
    struct ej_calendar c = {e, ARRAY_LEN(e)};

    CHECK(ej_is_public_holiday(&c, ymd(2024, 5, 6)));
    CHECK(ej_is_public_holiday(&c, ymd(2024, 5, 7)));
    CHECK_STR(ej_public_holiday_name(&c, ymd(2024, 5, 8)), "Brīvdiena (pārcelta no 4. maija)");
    CHECK_STR(ej_public_holiday_name(&c, ymd(2024, 5, 9)), "Brīvdiena (pārcelta svētku diena)");
    CHECK(!ej_is_public_holiday(&c, ymd(2024, 5, 10)));
    CHECK(ej_add_working_days(&c, ymd(2024, 5, 3), 1) == ymd(2024, 5, 10));
    CHECK(ej_is_public_holiday(&c, ymd(2023, 11, 20)));
    CHECK(!ej_is_public_holiday(&c, ymd(2023, 11, 21)));
    CHECK_STR(ej_public_holiday_name(&c, ymd(2024, 1, 2)), "Brīvdiena (pārcelta svētku diena)");
    CHECK(!ej_is_public_holiday(NULL, ymd(2024, 1, 2)));
    CHECK(!ej_is_public_holiday(&c, ymd(2024, 1, 3)));
    CHECK(!ej_is_public_holiday(&c, ymd(2023, 12, 29)));
    CHECK(ej_add_working_days(&c, ymd(2023, 12, 29), 1) == ymd(2024, 1, 3));
    /* Years later only the law applies. */
    for (ej_day d = ymd(2030, 1, 1); d <= ymd(2030, 12, 31); d++) {
        if (ej_is_public_holiday(&c, d) != ej_is_public_holiday(NULL, d)) {
            CHECK(!"2030 differs from the law");
            break;
        }
    }
}

/* ---- A reference model of the calendar for differential tests ---------- */

#define REF_FIRST_YEAR 2022
#define REF_LAST_YEAR 2029
#define REF_DAYS 3000

struct ref_model {
    ej_day base; /* day number of index 0: 1 Jan REF_FIRST_YEAR */
    bool holiday[REF_DAYS];
    bool working[REF_DAYS];
};

/* Returns true when an entry of kind (with weekend_rule if asked) is on d. */
static bool ref_has(const struct ej_calendar_entry *e, size_t n, ej_day d, int kind, bool rule)
{
    for (size_t i = 0; i < n; i++) {
        if (e[i].date == d && (int)e[i].kind == kind && (!rule || e[i].weekend_rule)) {
            return true;
        }
    }
    return false;
}

/* Builds the model straight from the brief, written independently of the
 * module: fixed dates and Easter from easter_table.h; then each weekend
 * holiday that has the weekend rule, in date order, takes the first
 * Monday-Friday after it that is neither a holiday nor already taken. */
static void ref_build(struct ref_model *r, const struct ej_calendar_entry *e, size_t n)
{
    static const int fixed[][2] = {{1, 1},   {5, 1},   {5, 4},   {6, 23},  {6, 24},
                                   {11, 18}, {12, 24}, {12, 25}, {12, 26}, {12, 31}};
    bool base_hol[REF_DAYS];
    memset(r, 0, sizeof *r);
    memset(base_hol, 0, sizeof base_hol);
    r->base = ymd(REF_FIRST_YEAR, 1, 1);
    for (int y = REF_FIRST_YEAR; y <= REF_LAST_YEAR + 1; y++) {
        const int *row = easter_table[y - 1900];
        ej_day easter = ymd(y, row[1], row[2]);
        ej_day may1 = ymd(y, 5, 1);
        ej_day mother = may1 + (7 - ej_weekday(may1)) + 7;
        ej_day list[16];
        size_t k = 0;
        for (size_t i = 0; i < ARRAY_LEN(fixed); i++) {
            list[k++] = ymd(y, fixed[i][0], fixed[i][1]);
        }
        list[k++] = easter - 2;
        list[k++] = easter;
        list[k++] = easter + 1;
        list[k++] = easter + 49;
        list[k++] = mother;
        for (size_t i = 0; i < k; i++) {
            if (list[i] - r->base >= 0 && list[i] - r->base < REF_DAYS) {
                base_hol[list[i] - r->base] = true;
            }
        }
    }
    for (int i = 0; i < REF_DAYS; i++) {
        if (ref_has(e, n, r->base + i, EJ_ENTRY_HOLIDAY, false)) {
            base_hol[i] = true;
        }
        r->holiday[i] = base_hol[i];
    }
    for (int i = 0; i < REF_DAYS; i++) {
        ej_day d = r->base + i;
        int m, dd;
        ej_date_to_ymd(d, NULL, &m, &dd);
        bool weekend = ej_weekday(d) >= EJ_SATURDAY;
        bool law_source = (m == 5 && dd == 4) || (m == 11 && dd == 18);
        if (!weekend || !(law_source || ref_has(e, n, d, EJ_ENTRY_HOLIDAY, true))) {
            continue;
        }
        int x = i + 1;
        while (x < REF_DAYS && (ej_weekday(r->base + x) >= EJ_SATURDAY || r->holiday[x])) {
            x++;
        }
        if (x < REF_DAYS) {
            r->holiday[x] = true;
        }
    }
    for (int i = 0; i < REF_DAYS; i++) {
        ej_day d = r->base + i;
        r->working[i] = !r->holiday[i] && !ref_has(e, n, d, EJ_ENTRY_DAY_OFF, false) &&
                        (ref_has(e, n, d, EJ_ENTRY_WORKING_DAY, false) ||
                         ej_weekday(d) < EJ_SATURDAY);
    }
}

/* Compares the module with the model for every day of
 * REF_FIRST_YEAR..REF_LAST_YEAR, and ej_add_working_days with a walk over
 * the model for n = 1..3. Returns the number of mismatches. */
static int ref_compare(const struct ref_model *r, const struct ej_calendar *c)
{
    int bad = 0;
    ej_day last = ymd(REF_LAST_YEAR, 12, 31);
    for (ej_day d = r->base; d <= last; d++) {
        int i = d - r->base;
        bool hol = ej_is_public_holiday(c, d);
        bool work = ej_is_working_day(c, d);
        bool named = ej_public_holiday_name(c, d) != NULL;
        if ((hol != r->holiday[i] || work != r->working[i] || named != hol) && bad++ < 5) {
            fprintf(stderr, "model mismatch at %s: holiday %d/%d working %d/%d\n", fmt_day(d), hol,
                    r->holiday[i], work, r->working[i]);
        }
        /* Skip the days where the 3rd working day is far away (inside the
         * stress calendar's long holiday blocks): slow and no new cases. */
        int found = 0;
        for (int x = i + 1; found < 3 && x <= i + 40 && r->base + x <= last; x++) {
            if (r->working[x]) {
                found++;
                if (ej_add_working_days(c, d, found) != r->base + x && bad++ < 5) {
                    fprintf(stderr, "add_working_days(%s, %d) wrong\n", fmt_day(d), found);
                }
            }
        }
    }
    return bad;
}

/* A stress calendar: many weekend-rule holidays in a row that queue for free
 * days (more than the module's name queue holds), holidays blocking the
 * law's transfers, days off and working days everywhere, duplicates. */
static size_t build_stress_entries(struct ej_calendar_entry *e, size_t cap)
{
    size_t n = 0;
    /* 2023: the real one-off days. */
    e[n++] = (struct ej_calendar_entry){ymd(2023, 5, 29), EJ_ENTRY_HOLIDAY, false, NULL};
    e[n++] = (struct ej_calendar_entry){ymd(2023, 7, 9), EJ_ENTRY_HOLIDAY, true, NULL};
    e[n++] = (struct ej_calendar_entry){ymd(2023, 12, 30), EJ_ENTRY_HOLIDAY, true, NULL};
    e[n++] = (struct ej_calendar_entry){ymd(2023, 11, 18), EJ_ENTRY_HOLIDAY, true, NULL};
    e[n++] = (struct ej_calendar_entry){ymd(2023, 11, 25), EJ_ENTRY_WORKING_DAY, false, NULL};
    e[n++] = (struct ej_calendar_entry){ymd(2023, 11, 17), EJ_ENTRY_DAY_OFF, false, NULL};
    /* 2024: around 4 May. */
    e[n++] = (struct ej_calendar_entry){ymd(2024, 5, 5), EJ_ENTRY_HOLIDAY, true, NULL};
    e[n++] = (struct ej_calendar_entry){ymd(2024, 5, 6), EJ_ENTRY_HOLIDAY, false, NULL};
    e[n++] = (struct ej_calendar_entry){ymd(2024, 5, 8), EJ_ENTRY_DAY_OFF, false, NULL};
    e[n++] = (struct ej_calendar_entry){ymd(2024, 5, 11), EJ_ENTRY_WORKING_DAY, false, NULL};
    e[n++] = (struct ej_calendar_entry){ymd(2024, 5, 12), EJ_ENTRY_WORKING_DAY, false, NULL};
    /* 2025: a weekend before Midsummer, then four weeks of holidays. */
    e[n++] = (struct ej_calendar_entry){ymd(2025, 6, 21), EJ_ENTRY_HOLIDAY, true, NULL};
    e[n++] = (struct ej_calendar_entry){ymd(2025, 6, 22), EJ_ENTRY_HOLIDAY, true, NULL};
    for (ej_day d = ymd(2025, 9, 1); d <= ymd(2025, 9, 28); d++) {
        e[n++] = (struct ej_calendar_entry){d, EJ_ENTRY_HOLIDAY, true, NULL};
    }
    /* 2026-2027: 130 days of holidays around New Year, weekend rule on all
     * (about 37 weekend days waiting at once). */
    for (ej_day d = ymd(2026, 11, 2); d < ymd(2026, 11, 2) + 130 && n < cap - 4; d++) {
        e[n++] = (struct ej_calendar_entry){d, EJ_ENTRY_HOLIDAY, true, NULL};
    }
    e[n++] = (struct ej_calendar_entry){ymd(2027, 3, 13), EJ_ENTRY_WORKING_DAY, false, NULL};
    e[n++] = (struct ej_calendar_entry){ymd(2027, 3, 16), EJ_ENTRY_DAY_OFF, false, NULL};
    e[n++] = (struct ej_calendar_entry){ymd(2028, 5, 7), EJ_ENTRY_HOLIDAY, true, NULL};
    e[n++] = (struct ej_calendar_entry){ymd(2028, 5, 7), EJ_ENTRY_HOLIDAY, true, NULL};
    return n;
}

/* §13/§17 the module agrees with an independently written model for the law
 * alone, the 2023 calendar and a stress calendar, whatever the entry order. */
static void test_s17_calendar_matches_model(void)
{
    static struct ref_model r;
    static struct ej_calendar_entry e[256], rev[256];

    ref_build(&r, NULL, 0);
    CHECK(ref_compare(&r, NULL) == 0);

    size_t n = build_stress_entries(e, ARRAY_LEN(e));
    CHECK(n > 150 && n <= ARRAY_LEN(e));
    ref_build(&r, e, n);
    struct ej_calendar c = {e, n};
    CHECK(ref_compare(&r, &c) == 0);
    for (size_t i = 0; i < n; i++) {
        rev[i] = e[n - 1 - i];
    }
    struct ej_calendar cr = {rev, n};
    CHECK(ref_compare(&r, &cr) == 0);
    /* Spot checks of the stress calendar against hand counting. */
    CHECK(ej_is_public_holiday(&c, ymd(2025, 6, 25)));
    CHECK(ej_is_public_holiday(&c, ymd(2025, 6, 26)));
    CHECK(!ej_is_public_holiday(&c, ymd(2025, 6, 27)));
    /* 8 weekend days in September 2025 -> Mon 29 Sep .. Wed 8 Oct. */
    CHECK(ej_is_public_holiday(&c, ymd(2025, 9, 29)));
    CHECK(ej_is_public_holiday(&c, ymd(2025, 10, 8)));
    CHECK(!ej_is_public_holiday(&c, ymd(2025, 10, 9)));
    CHECK(ej_add_working_days(&c, ymd(2025, 8, 29), 1) == ymd(2025, 10, 9));
}

/* ---- Europe/Riga time and deadlines ------------------------------------- */

/* issue 15: instants for people, in Riga wall-clock time with the offset. */
static void test_format_riga(void)
{
    char out[EJ_RIGA_BUFSZ];
    int64_t t = 0;
    ej_format_riga(ej_riga_local_to_utc(ymd(2026, 12, 1), 15, 0, 0), out);
    CHECK_STR(out, "2026-12-01 15:00 (UTC+02:00)");
    ej_format_riga(ej_riga_local_to_utc(ymd(2026, 11, 26), 23, 59, 59), out);
    CHECK_STR(out, "2026-11-26 23:59:59 (UTC+02:00)");
    ej_format_riga(ej_riga_local_to_utc(ymd(2026, 7, 1), 9, 30, 0), out);
    CHECK_STR(out, "2026-07-01 09:30 (UTC+03:00)");
    /* 21:30 UTC in winter is already the next day in Riga. */
    CHECK(ej_parse_utc("2026-12-01T22:30:00Z", &t));
    ej_format_riga(t, out);
    CHECK_STR(out, "2026-12-02 00:30 (UTC+02:00)");
    /* Around the October change: 00:59:59 UTC is 03:59:59 summer time, 01:00 is 03:00 winter. */
    CHECK(ej_parse_utc("2026-10-25T00:59:59Z", &t));
    ej_format_riga(t, out);
    CHECK_STR(out, "2026-10-25 03:59:59 (UTC+03:00)");
    CHECK(ej_parse_utc("2026-10-25T01:00:00Z", &t));
    ej_format_riga(t, out);
    CHECK_STR(out, "2026-10-25 03:00 (UTC+02:00)");
    CHECK(!ej_parse_utc("2026-10-25 01:00:00Z", &t));
    CHECK(!ej_parse_utc("2026-10-25T24:00:00Z", &t));
    CHECK(!ej_parse_utc("2026-02-30T01:00:00Z", &t));
    CHECK(!ej_parse_utc("2026-10-25T01:00:00", &t));
    CHECK(!ej_parse_utc(NULL, &t));
    ej_utc_text_to_riga("2026-12-01T13:00:00Z", out);
    CHECK_STR(out, "2026-12-01 15:00 (UTC+02:00)");
    ej_utc_text_to_riga("not an instant", out);
    CHECK_STR(out, "not an instant");
}

/* Europe/Riga civil time to UTC at hand-checked instants (verified with
 * Python zoneinfo), including the days of and around the 2026 transitions
 * (29 March and 25 October). */
static void test_riga_local_to_utc(void)
{
    CHECK_STR(fmt_utc(ej_riga_local_to_utc(ymd(2026, 1, 15), 12, 0, 0)), "2026-01-15T10:00:00Z");
    CHECK_STR(fmt_utc(ej_riga_local_to_utc(ymd(2026, 7, 1), 0, 0, 0)), "2026-06-30T21:00:00Z");
    CHECK_STR(fmt_utc(ej_riga_local_to_utc(ymd(2026, 1, 1), 0, 0, 0)), "2025-12-31T22:00:00Z");
    /* Around 29 March 2026: 03:00 EET becomes 04:00 EEST (01:00 UTC). */
    CHECK_STR(fmt_utc(ej_riga_local_to_utc(ymd(2026, 3, 28), 23, 59, 59)), "2026-03-28T21:59:59Z");
    CHECK_STR(fmt_utc(ej_riga_local_to_utc(ymd(2026, 3, 29), 0, 0, 0)), "2026-03-28T22:00:00Z");
    CHECK_STR(fmt_utc(ej_riga_local_to_utc(ymd(2026, 3, 29), 2, 59, 59)), "2026-03-29T00:59:59Z");
    /* The skipped hour is read as summer time: the earlier instant. */
    CHECK_STR(fmt_utc(ej_riga_local_to_utc(ymd(2026, 3, 29), 3, 0, 0)), "2026-03-29T00:00:00Z");
    CHECK_STR(fmt_utc(ej_riga_local_to_utc(ymd(2026, 3, 29), 3, 30, 0)), "2026-03-29T00:30:00Z");
    CHECK_STR(fmt_utc(ej_riga_local_to_utc(ymd(2026, 3, 29), 3, 59, 59)), "2026-03-29T00:59:59Z");
    CHECK_STR(fmt_utc(ej_riga_local_to_utc(ymd(2026, 3, 29), 4, 0, 0)), "2026-03-29T01:00:00Z");
    CHECK_STR(fmt_utc(ej_riga_local_to_utc(ymd(2026, 3, 29), 23, 59, 59)), "2026-03-29T20:59:59Z");
    CHECK_STR(fmt_utc(ej_riga_local_to_utc(ymd(2026, 3, 30), 0, 0, 0)), "2026-03-29T21:00:00Z");
    /* Around 25 October 2026: 04:00 EEST becomes 03:00 EET (01:00 UTC). */
    CHECK_STR(fmt_utc(ej_riga_local_to_utc(ymd(2026, 10, 24), 23, 59, 59)), "2026-10-24T20:59:59Z");
    CHECK_STR(fmt_utc(ej_riga_local_to_utc(ymd(2026, 10, 25), 2, 59, 59)), "2026-10-24T23:59:59Z");
    /* The repeated hour is read as its first occurrence (summer time). */
    CHECK_STR(fmt_utc(ej_riga_local_to_utc(ymd(2026, 10, 25), 3, 0, 0)), "2026-10-25T00:00:00Z");
    CHECK_STR(fmt_utc(ej_riga_local_to_utc(ymd(2026, 10, 25), 3, 59, 59)), "2026-10-25T00:59:59Z");
    CHECK_STR(fmt_utc(ej_riga_local_to_utc(ymd(2026, 10, 25), 4, 0, 0)), "2026-10-25T02:00:00Z");
    CHECK_STR(fmt_utc(ej_riga_local_to_utc(ymd(2026, 10, 25), 23, 59, 59)), "2026-10-25T21:59:59Z");
    CHECK_STR(fmt_utc(ej_riga_local_to_utc(ymd(2026, 10, 26), 12, 0, 0)), "2026-10-26T10:00:00Z");
    /* Other years' last Sundays: 31 Mar / 27 Oct 2024, 30 Mar / 26 Oct 2025. */
    CHECK_STR(fmt_utc(ej_riga_local_to_utc(ymd(2024, 3, 31), 4, 0, 0)), "2024-03-31T01:00:00Z");
    CHECK_STR(fmt_utc(ej_riga_local_to_utc(ymd(2024, 3, 30), 12, 0, 0)), "2024-03-30T10:00:00Z");
    CHECK_STR(fmt_utc(ej_riga_local_to_utc(ymd(2024, 10, 27), 4, 0, 0)), "2024-10-27T02:00:00Z");
    CHECK_STR(fmt_utc(ej_riga_local_to_utc(ymd(2025, 3, 30), 12, 0, 0)), "2025-03-30T09:00:00Z");
    CHECK_STR(fmt_utc(ej_riga_local_to_utc(ymd(2025, 10, 26), 12, 0, 0)), "2025-10-26T10:00:00Z");
    /* Carrying: 24:00 is midnight of the next day. */
    CHECK(ej_riga_local_to_utc(ymd(2026, 1, 15), 24, 0, 0) ==
          ej_riga_local_to_utc(ymd(2026, 1, 16), 0, 0, 0));
    /* The offset flips exactly at 01:00 UTC. */
    int64_t spring = ej_riga_local_to_utc(ymd(2026, 3, 29), 4, 0, 0);
    int64_t autumn = ej_riga_local_to_utc(ymd(2026, 10, 25), 4, 0, 0) - 3600;
    CHECK(ej_riga_utc_offset(spring - 1) == 7200 && ej_riga_utc_offset(spring) == 10800);
    CHECK(ej_riga_utc_offset(autumn - 1) == 10800 && ej_riga_utc_offset(autumn) == 7200);
    CHECK_STR(fmt_utc(autumn), "2026-10-25T01:00:00Z");
}

/* issue 14: ej_riga_date is the date in Riga, not UTC's nor the server's TZ's: between 22:00
 * (21:00 in summer) and midnight UTC Riga is a day ahead. */
static void test_riga_date(void)
{
    int64_t t = ej_riga_local_to_utc(ymd(2026, 12, 2), 0, 0, 0); /* 2026-12-01T22:00:00Z */
    CHECK_STR(fmt_utc(t), "2026-12-01T22:00:00Z");
    CHECK(ej_riga_date(t - 1) == ymd(2026, 12, 1));
    CHECK(ej_riga_date(t) == ymd(2026, 12, 2));
    CHECK(ej_riga_date(t + 2 * 3600 - 1) == ymd(2026, 12, 2));       /* 00:00 UTC, 02:00 Riga */
    int64_t summer = ej_riga_local_to_utc(ymd(2026, 7, 1), 0, 0, 0); /* 2026-06-30T21:00:00Z */
    CHECK_STR(fmt_utc(summer), "2026-06-30T21:00:00Z");
    CHECK(ej_riga_date(summer - 1) == ymd(2026, 6, 30));
    CHECK(ej_riga_date(summer) == ymd(2026, 7, 1));
    /* New Year and before 1970 (rounded down, not toward zero) */
    CHECK(ej_riga_date(ej_riga_local_to_utc(ymd(2027, 1, 1), 0, 30, 0)) == ymd(2027, 1, 1));
    CHECK(ej_riga_date(ej_riga_local_to_utc(ymd(1969, 12, 31), 23, 0, 0)) == ymd(1969, 12, 31));
    CHECK(ej_riga_date(-1) == ymd(1970, 1, 1)); /* 1970-01-01 01:59:59 in Riga */
    CHECK(ej_riga_date(-7201) == ymd(1969, 12, 31));
    /* today is some date around now */
    int64_t now = (int64_t)time(NULL);
    ej_day today = ej_riga_today();
    CHECK(today == ej_riga_date(now) || today == ej_riga_date(now + 5));
}

/* Every UTC hour (and the seconds at each transition) of 2000..2040 maps to
 * a Riga local time that converts back to it, except the second pass of the
 * repeated October hour, which converts back one hour earlier. */
static void test_riga_round_trip_2000_2040(void)
{
    int bad = 0, repeated = 0;
    int64_t from = (int64_t)ymd(2000, 1, 1) * 86400, to = (int64_t)ymd(2041, 1, 1) * 86400;
    for (int64_t t = from; t < to; t += 1800) {
        for (int64_t dt = -1; dt <= 1; dt++) {
            int64_t u = t + dt;
            int64_t local = u + ej_riga_utc_offset(u);
            int64_t day = local >= 0 ? local / 86400 : -((-local + 86399) / 86400);
            int64_t sec = local - day * 86400;
            int64_t back = ej_riga_local_to_utc((ej_day)day, (int)(sec / 3600),
                                                (int)(sec / 60 % 60), (int)(sec % 60));
            bool second_pass = ej_riga_utc_offset(u) == 7200 &&
                               ej_riga_utc_offset(u - 3600) == 10800;
            if (second_pass) {
                repeated++;
            }
            if (back != (second_pass ? u - 3600 : u) && bad++ < 5) {
                fprintf(stderr, "riga round trip failed at %s\n", fmt_utc(u));
            }
        }
    }
    CHECK(bad == 0);
    CHECK(repeated > 0);
}

/* §13 a lesson on Thursday 30 April 2026 is due at the end of Wednesday
 * 6 May (1 and 4 May are holidays), in summer time. */
static void test_s13_deadline_after_may_holidays(void)
{
    CHECK_STR(fmt_utc(ej_entry_deadline(NULL, ymd(2026, 4, 30), 2)), "2026-05-06T20:59:59Z");
    CHECK_STR(fmt_utc(ej_entry_deadline(NULL, ymd(2026, 4, 30), 1)), "2026-05-05T20:59:59Z");
    CHECK_STR(fmt_utc(ej_entry_deadline(NULL, ymd(2026, 4, 30), 3)), "2026-05-07T20:59:59Z");
}

/* §13 a lesson on a Friday in January is due at the end of Tuesday, in
 * winter time; a Saturday lesson counts from Monday; 0 days is the lesson
 * day itself. */
static void test_s13_deadline_winter_and_saturday(void)
{
    CHECK_STR(fmt_utc(ej_entry_deadline(NULL, ymd(2026, 1, 9), 2)), "2026-01-13T21:59:59Z");
    CHECK_STR(fmt_utc(ej_entry_deadline(NULL, ymd(2026, 1, 9), 1)), "2026-01-12T21:59:59Z");
    CHECK_STR(fmt_utc(ej_entry_deadline(NULL, ymd(2026, 1, 9), 3)), "2026-01-14T21:59:59Z");
    CHECK_STR(fmt_utc(ej_entry_deadline(NULL, ymd(2026, 1, 10), 1)), "2026-01-12T21:59:59Z");
    CHECK_STR(fmt_utc(ej_entry_deadline(NULL, ymd(2026, 1, 10), 2)), "2026-01-13T21:59:59Z");
    CHECK_STR(fmt_utc(ej_entry_deadline(NULL, ymd(2026, 1, 10), 3)), "2026-01-14T21:59:59Z");
    CHECK_STR(fmt_utc(ej_entry_deadline(NULL, ymd(2026, 1, 11), 2)), "2026-01-13T21:59:59Z");
    CHECK_STR(fmt_utc(ej_entry_deadline(NULL, ymd(2026, 1, 9), 0)), "2026-01-09T21:59:59Z");
    CHECK_STR(fmt_utc(ej_entry_deadline(NULL, ymd(2026, 1, 9), -3)), "2026-01-09T21:59:59Z");
    /* The 2023 calendar: Fri 7 July 2023 + 2 skips the moved Monday. */
    const struct ej_calendar_entry e[] = {{ymd(2023, 7, 9), EJ_ENTRY_HOLIDAY, true, NULL}};
    struct ej_calendar c = {e, 1};
    CHECK_STR(fmt_utc(ej_entry_deadline(&c, ymd(2023, 7, 7), 2)), "2023-07-12T20:59:59Z");
    CHECK_STR(fmt_utc(ej_entry_deadline(NULL, ymd(2023, 7, 7), 2)), "2023-07-11T20:59:59Z");
}

/* §13 deadlines whose last day is a DST transition day (a Sunday made a
 * working day) or lies next to one. */
static void test_s13_deadline_dst_boundaries(void)
{
    const struct ej_calendar_entry e[] = {
        {ymd(2026, 3, 29), EJ_ENTRY_WORKING_DAY, false, NULL},
        {ymd(2026, 10, 25), EJ_ENTRY_WORKING_DAY, false, NULL},
    };
    struct ej_calendar c = {e, ARRAY_LEN(e)};

    /* March: the worked Sunday ends in summer time. */
    CHECK_STR(fmt_utc(ej_entry_deadline(&c, ymd(2026, 3, 27), 1)), "2026-03-29T20:59:59Z");
    CHECK_STR(fmt_utc(ej_entry_deadline(&c, ymd(2026, 3, 27), 2)), "2026-03-30T20:59:59Z");
    CHECK_STR(fmt_utc(ej_entry_deadline(&c, ymd(2026, 3, 26), 1)), "2026-03-27T21:59:59Z");
    CHECK_STR(fmt_utc(ej_entry_deadline(NULL, ymd(2026, 3, 27), 1)), "2026-03-30T20:59:59Z");
    CHECK_STR(fmt_utc(ej_entry_deadline(NULL, ymd(2026, 3, 26), 2)), "2026-03-30T20:59:59Z");
    CHECK_STR(fmt_utc(ej_entry_deadline(NULL, ymd(2026, 3, 28), 0)), "2026-03-28T21:59:59Z");
    CHECK_STR(fmt_utc(ej_entry_deadline(NULL, ymd(2026, 3, 29), 0)), "2026-03-29T20:59:59Z");
    /* October: the worked Sunday ends in winter time. */
    CHECK_STR(fmt_utc(ej_entry_deadline(&c, ymd(2026, 10, 23), 1)), "2026-10-25T21:59:59Z");
    CHECK_STR(fmt_utc(ej_entry_deadline(&c, ymd(2026, 10, 22), 1)), "2026-10-23T20:59:59Z");
    CHECK_STR(fmt_utc(ej_entry_deadline(&c, ymd(2026, 10, 22), 2)), "2026-10-25T21:59:59Z");
    CHECK_STR(fmt_utc(ej_entry_deadline(NULL, ymd(2026, 10, 23), 1)), "2026-10-26T21:59:59Z");
    CHECK_STR(fmt_utc(ej_entry_deadline(NULL, ymd(2026, 10, 24), 0)), "2026-10-24T20:59:59Z");
    CHECK_STR(fmt_utc(ej_entry_deadline(NULL, ymd(2026, 10, 25), 0)), "2026-10-25T21:59:59Z");
}

/* ej_format_utc at known instants and out of range. */
static void test_format_utc(void)
{
    CHECK_STR(fmt_utc(0), "1970-01-01T00:00:00Z");
    CHECK_STR(fmt_utc(-1), "1969-12-31T23:59:59Z");
    CHECK_STR(fmt_utc(951782400), "2000-02-29T00:00:00Z");
    CHECK_STR(fmt_utc(INT64_C(2147483647)), "2038-01-19T03:14:07Z");
    CHECK_STR(fmt_utc(INT64_C(253402300799)), "9999-12-31T23:59:59Z");
    CHECK_STR(fmt_utc(INT64_C(253402300800)), "0000-00-00T00:00:00Z");
    CHECK_STR(fmt_utc(INT64_C(-62167219200)), "0000-01-01T00:00:00Z");
    CHECK_STR(fmt_utc(INT64_C(-62167219201)), "0000-00-00T00:00:00Z");
}

int main(void)
{
    test_date_round_trip_1900_2200();
    test_date_parse_rejects();
    test_date_format_edges();
    test_weekday_known_dates();
    test_s17_easter_table_1900_2200();
    test_s17_holidays_2023();
    test_s17_holidays_2024();
    test_s17_holidays_2025();
    test_s17_holidays_2026();
    test_s17_holidays_nov18_sunday();
    test_s17_holidays_pentecost_on_mothers_day();
    test_s17_law_holidays_cap();
    test_s17_law_list_matches_predicate_1900_2200();
    test_s13_working_days_law();
    test_s17_custom_holidays_2023();
    test_s17_custom_holiday_names();
    test_s13_transferred_days();
    test_s17_weekend_rule_interactions();
    test_s17_calendar_matches_model();
    test_riga_local_to_utc();
    test_riga_date();
    test_format_riga();
    test_riga_round_trip_2000_2040();
    test_s13_deadline_after_may_holidays();
    test_s13_deadline_winter_and_saturday();
    test_s13_deadline_dst_boundaries();
    test_format_utc();
    return check_summary("calendar");
}
