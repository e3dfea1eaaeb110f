/* §16 quality reviews (api/rules/quality.h): a review's date against its year
 * and today, and the year's thirds. */
#include "check.h"
#include "rules/quality.h"

static ej_day d(const char *s)
{
    ej_day out = 0;
    CHECK(ej_date_parse(s, &out));
    return out;
}

int main(void)
{
    /* §16 a review is dated within its school year and not after today. */
    static const struct {
        const char *starts, *ends, *on, *today;
        enum ej_review_date want;
    } dates[] = {
        {"2026-09-01", "2027-05-31", "2026-09-01", "2026-12-01", EJ_REVIEW_DATE_OK},
        {"2026-09-01", "2027-05-31", "2026-12-01", "2026-12-01", EJ_REVIEW_DATE_OK},
        {"2026-09-01", "2027-05-31", "2026-08-31", "2026-12-01", EJ_REVIEW_DATE_OUTSIDE_YEAR},
        {"2026-09-01", "2027-05-31", "2027-06-01", "2027-07-01", EJ_REVIEW_DATE_OUTSIDE_YEAR},
        {"2026-09-01", "2027-05-31", "2027-05-31", "2027-07-01", EJ_REVIEW_DATE_OK},
        {"2026-09-01", "2027-05-31", "2026-12-02", "2026-12-01", EJ_REVIEW_DATE_FUTURE},
        /* outside the year wins over the future: the field's first complaint */
        {"2026-09-01", "2027-05-31", "2027-06-02", "2026-12-01", EJ_REVIEW_DATE_OUTSIDE_YEAR},
    };
    for (size_t i = 0; i < sizeof dates / sizeof dates[0]; i++)
        CHECK(ej_review_date_verdict(d(dates[i].starts), d(dates[i].ends), d(dates[i].on),
                                     d(dates[i].today)) == dates[i].want);

    /* §16 "at least three times a year" as once a third: 181 days are 60 / 60 / 61. */
    static const struct {
        const char *starts, *ends;
        const char *third[3][2];
    } years[] = {
        {"2026-01-01",
         "2026-06-30",
         {{"2026-01-01", "2026-03-01"},
          {"2026-03-02", "2026-04-30"},
          {"2026-05-01", "2026-06-30"}}},
        /* 270 days: 90 each */
        {"2026-09-01",
         "2027-05-28",
         {{"2026-09-01", "2026-11-29"},
          {"2026-11-30", "2027-02-27"},
          {"2027-02-28", "2027-05-28"}}},
        /* 4 days: 1 / 1 / 2 */
        {"2026-09-01",
         "2026-09-04",
         {{"2026-09-01", "2026-09-01"},
          {"2026-09-02", "2026-09-02"},
          {"2026-09-03", "2026-09-04"}}},
    };
    for (size_t i = 0; i < sizeof years / sizeof years[0]; i++) {
        struct ej_year_third t[3];
        ej_year_thirds(d(years[i].starts), d(years[i].ends), t);
        for (int k = 0; k < 3; k++) {
            char s[EJ_DATE_BUFSZ], e[EJ_DATE_BUFSZ];
            ej_date_format(t[k].starts_on, s);
            ej_date_format(t[k].ends_on, e);
            CHECK_STR(s, years[i].third[k][0]);
            CHECK_STR(e, years[i].third[k][1]);
        }
        /* every day of the year is in exactly one third, in order */
        CHECK(ej_year_third_of(t, d(years[i].starts)) == 1);
        CHECK(ej_year_third_of(t, d(years[i].ends)) == 3);
        CHECK(ej_year_third_of(t, d(years[i].starts) - 1) == 0);
        CHECK(ej_year_third_of(t, d(years[i].ends) + 1) == 0);
        for (ej_day x = d(years[i].starts); x < d(years[i].ends); x++)
            CHECK(ej_year_third_of(t, x) <= ej_year_third_of(t, x + 1));
    }
    struct ej_year_third t[3];
    ej_year_thirds(d("2026-01-01"), d("2026-06-30"), t);
    CHECK(ej_year_third_of(t, d("2026-03-01")) == 1);
    CHECK(ej_year_third_of(t, d("2026-03-02")) == 2);
    CHECK(ej_year_third_of(t, d("2026-05-01")) == 3);
    return check_summary("test_rules_quality");
}
