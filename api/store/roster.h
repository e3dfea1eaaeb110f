/* Roster queries (§4, §11, §12, §20): school years, programmes, groups,
 * students, guardians, enrollments, withdrawals and bulk registration.
 * Reads take the caller's scopes (api/rules/access.h); objects outside them
 * are 404. Every write is audited in its transaction. */
#ifndef EJ_STORE_ROSTER_H
#define EJ_STORE_ROSTER_H

#include "core/req.h"

#include <jansson.h>
#include <stdint.h>

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

int ej_store_school_year_create(struct ej_req *r, const json_t *body, json_t **out);
int ej_store_school_year_list(struct ej_req *r, const struct ej_roster_filter *f, json_t **items);
int ej_store_school_year_get(struct ej_req *r, int64_t id, json_t **out);
int ej_store_school_year_close(struct ej_req *r, int64_t id, json_t **out);

int ej_store_program_create(struct ej_req *r, const json_t *body, json_t **out);
int ej_store_program_list(struct ej_req *r, const struct ej_roster_filter *f, json_t **items);
int ej_store_program_get(struct ej_req *r, int64_t id, json_t **out);
int ej_store_program_update(struct ej_req *r, int64_t id, int64_t version, const json_t *body,
                            json_t **out);

int ej_store_group_create(struct ej_req *r, const json_t *body, json_t **out);
int ej_store_group_list(struct ej_req *r, unsigned scopes, const struct ej_roster_filter *f,
                        json_t **items);
int ej_store_group_get(struct ej_req *r, unsigned scopes, int64_t id, json_t **out);
int ej_store_group_update(struct ej_req *r, int64_t id, int64_t version, const json_t *body,
                          json_t **out);

int ej_store_student_create(struct ej_req *r, const json_t *body, json_t **out);
int ej_store_student_list(struct ej_req *r, unsigned scopes, const struct ej_roster_filter *f,
                          json_t **items);
int ej_store_student_get(struct ej_req *r, unsigned scopes, int64_t id, json_t **out);
int ej_store_student_update(struct ej_req *r, int64_t id, int64_t version, const json_t *body,
                            json_t **out);
/* 0 if the student is visible in these scopes, else 404 set. */
int ej_store_student_visible(struct ej_req *r, unsigned scopes, int64_t id);

int ej_store_guardian_list(struct ej_req *r, int64_t student_id, json_t **items);
int ej_store_guardian_link(struct ej_req *r, int64_t student_id, int64_t user_id);
int ej_store_guardian_unlink(struct ej_req *r, int64_t student_id, int64_t user_id);

int ej_store_enrollment_create(struct ej_req *r, int64_t group_id, const json_t *body,
                               json_t **out);
int ej_store_enrollment_list(struct ej_req *r, int64_t group_id, const struct ej_roster_filter *f,
                             json_t **items);
/* Visible if the roster of its group is (roster_scopes) or the student is
 * the caller's child or the caller (student_scopes). */
int ej_store_enrollment_get(struct ej_req *r, unsigned roster_scopes, unsigned student_scopes,
                            int64_t id, json_t **out);
/* §11: ends the enrollment; *out = {enrollment, revoked_user_ids}. */
int ej_store_enrollment_withdraw(struct ej_req *r, int64_t id, const json_t *body, json_t **out);
/* §11: whose access withdrawing it would end; *out = {enrollment_id, withdrawn, access_ends}. */
int ej_store_enrollment_withdrawal_preview(struct ej_req *r, int64_t id, json_t **out);

/* Bulk registration: rows already type-checked. Validates references and
 * conflicts for every row (422 import_invalid with errors [{row, field,
 * message}] and nothing written) or creates everything. */
int ej_store_import_enrollments(struct ej_req *r, const json_t *rows, json_t **out);

#endif
