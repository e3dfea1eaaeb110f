#include "store/years.h"

int ej_year_closed(struct ej_req *r)
{
    return ej_problem(r, 409, "school_year_closed", "%s", EJ_YEAR_CLOSED_DETAIL);
}
