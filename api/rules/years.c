#include "rules/years.h"

enum ej_year_verdict ej_year_write_verdict(bool closed)
{
    /* Closing is final (§18): there is no reopening, so nothing but the fact counts. */
    return closed ? EJ_YEAR_READ_ONLY : EJ_YEAR_WRITABLE;
}
