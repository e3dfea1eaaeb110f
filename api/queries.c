/* The query parameters of every operation, by operationId, as openapi.yaml
 * declares them (tests/api/day.test.mjs holds this table to openapi.yaml and
 * to the server's answers). An operation not listed takes none. Handlers
 * still parse and validate their own values; this table only says which
 * names exist. */
#include "queries.h"

#include "router.h"

#include <string.h>

#define NAMES(...) ((const char *const[]){__VA_ARGS__, NULL})
#define PAGE "limit", "after"

static const struct {
    const char *operation_id;
    const char *const *names;
} operations[] = {
    {"listMyLogins", NAMES(PAGE)},
    {"listUsers", NAMES("role", "access", "q", "external_id", PAGE)},
    {"listSchoolYears", NAMES(PAGE)},
    {"listPrograms", NAMES("external_id", PAGE)},
    {"listGroups", NAMES("school_year_id", "teacher_id", "external_id", PAGE)},
    {"listStudents", NAMES("q", "group_id", "external_id", PAGE)},
    {"importEnrollments", NAMES("dry_run")},
    {"getHoursReport", NAMES("from", "to", "teacher_id")},
    {"getGroupJournal", NAMES("from", "to")},
    {"listEnrollments", NAMES("status", PAGE)},
    {"listHolidays", NAMES("year")},
    {"addHoliday", NAMES("cancel_lessons")},
    {"listWorkingDays", NAMES("year")},
    {"getDeadline", NAMES("date")},
    {"listSchedule", NAMES(PAGE)},
    {"listLessons", NAMES("group_id", "teacher_id", "date", "from", "to", "state", PAGE)},
    {"listAbsenceReports", NAMES("status", "student_id", PAGE)},
    {"getStudentAttendance", NAMES("from", "to")},
    {"listExtensionRequests", NAMES("status", "lesson_id", PAGE)},
    {"getPersonalFile", NAMES("school_year_id")},
    {"listChanges", NAMES(PAGE)},
    {"listAudit", NAMES("actor_id", "entity", "entity_id", "action", "from", "to", PAGE)},
    {"getStudentAccessLog", NAMES(PAGE)},
    {"listQualityReviews", NAMES("school_year_id", PAGE)},
    {"getEntryQualityReport", NAMES("school_year_id", "from", "to")},
    {"listProposals", NAMES("status", PAGE)},
};

const char *const *ej_operation_query_names(const char *operation_id)
{
    for (size_t i = 0; i < sizeof operations / sizeof operations[0]; i++)
        if (strcmp(operations[i].operation_id, operation_id) == 0)
            return operations[i].names;
    return NULL;
}

int ej_query_check_route(struct ej_req *r)
{
    if (!r->route || !r->query || !*r->query)
        return 0;
    return ej_query_only(r, ej_operation_query_names(r->route->operation_id));
}
