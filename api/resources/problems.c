/* Problems that several resources answer alike (issue 14): the store says
 * what happened, these say it in HTTP. */
#include "resources/resources.h"

#include "rules/years.h"

int ej_problem_entity(struct ej_req *r, enum ej_err e, const char *what)
{
    if (e == EJ_ERR_NOT_FOUND)
        return ej_problem(r, 404, "not_found", "No such %s.", what);
    if (e == EJ_ERR_STALE)
        return ej_problem(r, 412, "precondition_failed",
                          "The %s was changed by someone else; reload and try again.", what);
    return ej_problem_db(r, e);
}

int ej_problem_year_closed(struct ej_req *r)
{
    return ej_problem(r, 409, "school_year_closed", "%s", EJ_YEAR_CLOSED_DETAIL);
}

int ej_problem_external_id_taken(struct ej_req *r)
{
    return ej_problem(r, 409, "external_id_taken",
                      "Another record of this kind already has this external_id.");
}
