#include "rules/quality.h"

enum ej_review_date ej_review_date_verdict(ej_day starts_on, ej_day ends_on, ej_day reviewed_on,
                                           ej_day today)
{
    if (reviewed_on < starts_on || reviewed_on > ends_on)
        return EJ_REVIEW_DATE_OUTSIDE_YEAR;
    if (reviewed_on > today)
        return EJ_REVIEW_DATE_FUTURE;
    return EJ_REVIEW_DATE_OK;
}

void ej_year_thirds(ej_day starts_on, ej_day ends_on, struct ej_year_third out[3])
{
    /* Third k (1-based) is days [len*(k-1)/3, len*k/3) from the start. */
    long len = (long)ends_on - starts_on + 1;
    for (int k = 1; k <= 3; k++) {
        out[k - 1].starts_on = (ej_day)(starts_on + len * (k - 1) / 3);
        out[k - 1].ends_on = (ej_day)(starts_on + len * k / 3 - 1);
    }
}

int ej_year_third_of(const struct ej_year_third thirds[3], ej_day d)
{
    for (int k = 0; k < 3; k++)
        if (d >= thirds[k].starts_on && d <= thirds[k].ends_on)
            return k + 1;
    return 0;
}
