/* Roster queries (§4, §11, §12, §20): school years, programmes, groups,
 * students, guardians, enrollments, withdrawals and bulk registration.
 * Reads take the caller's scopes (api/rules/access.h) and the principal;
 * objects outside them are EJ_ERR_NOT_FOUND. Every write is audited in its
 * transaction.
 *
 * The store reports facts and errors (core/dbctx.h); the refusals are
 * decided in rules/roster.h and rules/years.h and answered by the resource.
 * Every function leaves *out (items, facts' JSON) NULL on failure; *version
 * (may be NULL) is the row's version, for the ETag. A unique constraint is
 * EJ_ERR_CONFLICT naming it in db->constraint (EJ_ROSTER_* below, and
 * store/entity.h ej_entity_external_id_taken). */
#ifndef EJ_STORE_ROSTER_H
#define EJ_STORE_ROSTER_H

#include "core/dbctx.h"
#include "rules/roster.h" /* the facts structs the rules decide on */

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#define EJ_ROSTER_YEAR_NAME_KEY "school_years_name_key"
#define EJ_ROSTER_PROGRAM_CODE_KEY "programs_code_key"
#define EJ_ROSTER_GROUP_NAME_KEY "groups_school_year_id_name_key"

/* Filters for lists; 0 / NULL = not filtered. */
struct ej_roster_filter {
    int64_t school_year_id, teacher_id, group_id;
    const char *q;
    const char *status;
    const char *external_id; /* ?external_id= (programmes, groups, students) */
    char external_id_buf[264];
    int limit;
    int64_t after;
};

/* ---- school years ---- */
enum ej_err ej_store_school_year_create(struct ej_db *db, const json_t *body, json_t **out,
                                        int64_t *version);
enum ej_err ej_store_school_year_list(struct ej_db *db, const struct ej_roster_filter *f,
                                      json_t **items);
enum ej_err ej_store_school_year_get(struct ej_db *db, int64_t id, json_t **out, int64_t *version);
enum ej_err ej_store_school_year_close(struct ej_db *db, int64_t id, json_t **out,
                                       int64_t *version);
/* The facts of a school year a write depends on. */
struct ej_year_facts {
    bool found, closed;
};
enum ej_err ej_store_school_year_facts(struct ej_db *db, int64_t id, struct ej_year_facts *f);

/* ---- programmes ---- */
enum ej_err ej_store_program_create(struct ej_db *db, const json_t *body, json_t **out,
                                    int64_t *version);
enum ej_err ej_store_program_list(struct ej_db *db, const struct ej_roster_filter *f,
                                  json_t **items);
enum ej_err ej_store_program_get(struct ej_db *db, int64_t id, json_t **out, int64_t *version);
enum ej_err ej_store_program_update(struct ej_db *db, int64_t id, int64_t expected_version,
                                    const json_t *body, json_t **out, int64_t *version);

/* ---- groups ---- */
/* The ids in `ids` (a JSON array of ids, or NULL: none) that are not users
 * with the role teacher. *bad: new array (empty when all are). */
enum ej_err ej_store_not_teachers(struct ej_db *db, const json_t *ids, json_t **bad);
/* Creates the group of a checked body and its teachers (teacher_ids). */
enum ej_err ej_store_group_create(struct ej_db *db, const json_t *body, json_t **out,
                                  int64_t *version);
enum ej_err ej_store_group_list(struct ej_db *db, const struct ej_principal *who, unsigned scopes,
                                const struct ej_roster_filter *f, json_t **items);
enum ej_err ej_store_group_get(struct ej_db *db, const struct ej_principal *who, unsigned scopes,
                               int64_t id, json_t **out, int64_t *version);
/* Locks the group for a change and loads it: *before its JSON (new), and
 * the facts the change depends on. */
struct ej_group_facts {
    bool year_closed;
    int64_t version;
};
enum ej_err ej_store_group_lock(struct ej_db *db, int64_t id, json_t **before,
                                struct ej_group_facts *f);
/* Applies a checked body to the group locked by ej_store_group_lock (before:
 * borrowed, for the audit record). */
enum ej_err ej_store_group_update(struct ej_db *db, int64_t id, const json_t *before,
                                  const json_t *body, json_t **out, int64_t *version);

/* ---- students ---- */
/* The facts about user_id as a student's account (self: the student being
 * changed, 0 when creating one). */
enum ej_err ej_store_student_user_facts(struct ej_db *db, int64_t user_id, int64_t self,
                                        struct ej_student_user_facts *f);
enum ej_err ej_store_student_create(struct ej_db *db, const json_t *body, json_t **out,
                                    int64_t *version);
enum ej_err ej_store_student_list(struct ej_db *db, const struct ej_principal *who, unsigned scopes,
                                  const struct ej_roster_filter *f, json_t **items);
enum ej_err ej_store_student_get(struct ej_db *db, const struct ej_principal *who, unsigned scopes,
                                 int64_t id, json_t **out, int64_t *version);
enum ej_err ej_store_student_update(struct ej_db *db, int64_t id, int64_t expected_version,
                                    const json_t *body, json_t **out, int64_t *version);
/* EJ_OK if the student exists and is visible in these scopes, else EJ_ERR_NOT_FOUND. */
enum ej_err ej_store_student_visible(struct ej_db *db, const struct ej_principal *who,
                                     unsigned scopes, int64_t id);

/* ---- guardians ---- */
enum ej_err ej_store_guardian_list(struct ej_db *db, int64_t student_id, json_t **items);
/* Does the student exist, has user_id the role guardian? */
enum ej_err ej_store_guardian_facts(struct ej_db *db, int64_t student_id, int64_t user_id,
                                    struct ej_guardian_facts *f);
/* Links (audited) unless linked already. */
enum ej_err ej_store_guardian_link(struct ej_db *db, int64_t student_id, int64_t user_id);
/* EJ_ERR_NOT_FOUND when the user is not a guardian of the student. */
enum ej_err ej_store_guardian_unlink(struct ej_db *db, int64_t student_id, int64_t user_id);

/* ---- enrollments ---- */
/* The facts a new enrollment of student_id from starts_on (YYYY-MM-DD) into
 * the group depends on (group_found false: no such group). */
enum ej_err ej_store_enrollment_facts(struct ej_db *db, int64_t group_id, int64_t student_id,
                                      const char *starts_on, struct ej_enrollment_facts *f);
enum ej_err ej_store_enrollment_create(struct ej_db *db, int64_t group_id, const json_t *body,
                                       json_t **out, int64_t *version);
enum ej_err ej_store_enrollment_list(struct ej_db *db, int64_t group_id,
                                     const struct ej_roster_filter *f, json_t **items);
/* Visible if the roster of its group is (roster_scopes) or the student is
 * the caller's child or the caller (student_scopes). */
enum ej_err ej_store_enrollment_get(struct ej_db *db, const struct ej_principal *who,
                                    unsigned roster_scopes, unsigned student_scopes, int64_t id,
                                    json_t **out, int64_t *version);
/* Locks the enrollment for a withdrawal effective_on (YYYY-MM-DD; a second
 * withdrawal waits, then sees it) and reports its facts (found false: no
 * such enrollment). */
enum ej_err ej_store_withdrawal_facts(struct ej_db *db, int64_t id, const char *effective_on,
                                      struct ej_withdrawal_facts *f);
/* The ids of the student's account and their guardians' accounts that have
 * access now (§11), ascending. *ids: new array of integers. */
enum ej_err ej_store_enrollment_access(struct ej_db *db, int64_t id, json_t **ids);
/* Ends the enrollment with a checked body (audited). *out: the enrollment. */
enum ej_err ej_store_enrollment_withdraw(struct ej_db *db, int64_t id, const json_t *body,
                                         json_t **out, int64_t *version);
/* §11 preview: the accounts of the student and their guardians that are
 * active now, with the facts rules/roster.h decides on. found false: no
 * such enrollment. *candidates: new array of {user_id, full_name, as,
 * employee, keeps_as_student, keeps_as_guardian} (as: "student" or
 * "guardian"), empty when withdrawn. */
enum ej_err ej_store_withdrawal_candidates(struct ej_db *db, int64_t id, bool *found,
                                           bool *withdrawn, json_t **candidates);

/* ---- bulk registration (rows already type-checked) ---- */
/* Rows (0-based, ascending) whose group is of a closed school year. *rows: new array. */
enum ej_err ej_store_import_closed_rows(struct ej_db *db, const json_t *rows, json_t **closed);
/* The references and conflicts of every row that do not hold: *errors, new
 * array of {row, field, message} (empty when none). */
enum ej_err ej_store_import_problems(struct ej_db *db, const json_t *rows, json_t **errors);
/* Creates the students, enrollments and guardian links of checked rows
 * (audited as db->who). *out: the report (openapi.yaml ImportResult,
 * without dry_run). */
enum ej_err ej_store_import_enrollments(struct ej_db *db, const json_t *rows, json_t **out);

#endif
