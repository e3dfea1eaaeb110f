/* libFuzzer driver: the one date parser (rules/calendar: ej_date_parse, and
 * ej_parse_utc for instants) and core/json's ej_valid_date over any bytes.
 * Whatever they accept must format back to the same text (one spelling per
 * day), lie within the accepted years, and agree with each other.
 * Built by CMake (-DEJ_FUZZ=ON with clang), run by tests/fuzz/run.sh. */
#include "core/json.h"
#include "rules/calendar.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *s = malloc(size + 1);
    if (!s)
        abort();
    memcpy(s, data, size);
    s[size] = '\0';

    ej_day d = 12345;
    bool ok = ej_date_parse(s, &d);
    if (ok != ej_valid_date(s))
        abort(); /* two answers to "is this a date?" */
    if (ok) {
        char back[EJ_DATE_BUFSZ];
        ej_date_format(d, back);
        if (strcmp(back, s) != 0)
            abort();
        int y, m, dd;
        ej_date_to_ymd(d, &y, &m, &dd);
        if (y < EJ_DATE_MIN_YEAR || y > EJ_DATE_MAX_YEAR || !ej_date_is_valid(y, m, dd))
            abort();
        (void)ej_weekday(d);
    } else if (d != 12345) {
        abort(); /* a refused text leaves *out untouched */
    }

    int64_t t;
    if (ej_parse_utc(s, &t)) {
        char back[EJ_UTC_BUFSZ];
        ej_format_utc(t, back);
        if (strcmp(back, s) != 0)
            abort();
        char riga[EJ_RIGA_BUFSZ];
        ej_format_riga(t, riga);
        (void)ej_riga_date(t);
    }
    char riga[EJ_RIGA_BUFSZ];
    ej_utc_text_to_riga(s, riga);
    if (strlen(riga) >= sizeof riga)
        abort();
    free(s);
    return 0;
}
