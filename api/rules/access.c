#include "rules/access.h"

#define ALL EJ_SCOPE_ALL
#define TAUGHT EJ_SCOPE_TAUGHT
#define CHILDREN EJ_SCOPE_CHILDREN
#define SELF EJ_SCOPE_SELF

/* Rows: objects; columns: roles in enum ej_role bit order (superuser,
 * director, teacher, staff, student, guardian, integration).
 *
 * The integration (sync) account reads what a sync needs and nothing else
 * (least privilege, issue 11): reference data, and the exports (the hours
 * report, the group journal with its attendance). It has no scope on the
 * objects behind the people's own lists (students, guardians, lessons,
 * attendance): the route table does not let it call those routes, and if a
 * route ever did, these rows would still show it nothing. Its reads of
 * personal data are audited like an employee's (§20, api/pipeline.c). */
static const unsigned policy[][7] = {
    /*                    su   dir  teacher staff student guardian integration */
    [EJ_OBJ_GROUP] = {ALL, ALL, TAUGHT, ALL, SELF, CHILDREN, 0},
    [EJ_OBJ_ROSTER] = {ALL, ALL, TAUGHT, ALL, 0, 0, 0},
    [EJ_OBJ_STUDENT] = {ALL, ALL, TAUGHT, ALL, SELF, CHILDREN, 0},
    [EJ_OBJ_GUARDIANS] = {ALL, ALL, TAUGHT, 0, SELF, CHILDREN, 0},
    [EJ_OBJ_ATTENDANCE] = {ALL, ALL, TAUGHT, 0, SELF, CHILDREN, 0},
    [EJ_OBJ_LESSON] = {ALL, ALL, TAUGHT, ALL, SELF, CHILDREN, 0},
    [EJ_OBJ_SCHOOL_YEAR] = {ALL, ALL, ALL, ALL, ALL, ALL, ALL},
    [EJ_OBJ_PERSONAL_FILE] = {ALL, ALL, 0, 0, SELF, CHILDREN, 0},
    /* The data subject's right to know: the family, not the child's teachers. */
    [EJ_OBJ_ACCESS_LOG] = {ALL, ALL, 0, 0, SELF, CHILDREN, 0},
    /* §15: what the institution pays by; a teacher sees their own hours only. */
    [EJ_OBJ_HOURS] = {ALL, ALL, SELF, 0, 0, 0, ALL},
    /* The journal document: staff see lessons and who is enrolled (as they
     * read rosters and lessons), not absences (§8); families have their own
     * views of their child, never a whole group's journal. */
    [EJ_OBJ_JOURNAL_EXPORT] = {ALL, ALL, TAUGHT, ALL, 0, 0, ALL},
    [EJ_OBJ_EXPORT_ATTENDANCE] = {ALL, ALL, TAUGHT, 0, 0, 0, ALL},
    /* §23: the director decides proposals (and the superuser with them); an
     * author reads their own and its decision, nobody else's. */
    [EJ_OBJ_PROPOSAL] = {ALL, ALL, SELF, SELF, SELF, SELF, SELF},
};

unsigned ej_read_scopes(unsigned roles, enum ej_object obj)
{
    unsigned scopes = 0;
    for (unsigned i = 0; i < 7; i++)
        if (roles & (1u << i))
            scopes |= policy[obj][i];
    /* Someone who may see everything needs no narrower test. */
    return (scopes & ALL) ? ALL : scopes;
}
