/* Handlers, one module per REST resource. Each reads as four steps: parse,
 * authorize, act, render. Names match the operationIds in openapi.yaml. */
#ifndef EJ_RESOURCES_H
#define EJ_RESOURCES_H

#include "core/req.h"

/* problems.c: answers several resources give alike (issue 14) */
/* A store error about one record: 404 "No such <what>.", 412 "The <what> was
 * changed by someone else; ...", else ej_problem_db. Always returns -1. */
int ej_problem_entity(struct ej_req *r, enum ej_err e, const char *what);
/* §18 (rules/years.h): 409 school_year_closed. Always returns -1. */
int ej_problem_year_closed(struct ej_req *r);
/* 409 external_id_taken (store/entity.h ej_entity_external_id_taken). -1. */
int ej_problem_external_id_taken(struct ej_req *r);

/* ops.c */
int ej_openapi_load(void);
void ej_op_get_health(struct ej_req *r);
void ej_op_get_ready(struct ej_req *r);
void ej_op_get_metrics(struct ej_req *r);
void ej_op_get_open_api(struct ej_req *r);

/* auth.c */
void ej_op_login(struct ej_req *r);
void ej_op_refresh_token(struct ej_req *r);
void ej_op_logout(struct ej_req *r);
void ej_op_change_password(struct ej_req *r);
void ej_op_get_me(struct ej_req *r);
void ej_op_list_my_logins(struct ej_req *r);

/* users.c */
void ej_op_create_user(struct ej_req *r);
void ej_op_list_users(struct ej_req *r);
void ej_op_get_user(struct ej_req *r);
void ej_op_update_user(struct ej_req *r);
void ej_op_reset_password(struct ej_req *r);
void ej_op_revoke_user(struct ej_req *r);
void ej_op_reinstate_user(struct ej_req *r);

/* roster.c */
void ej_op_create_school_year(struct ej_req *r);
void ej_op_list_school_years(struct ej_req *r);
void ej_op_get_school_year(struct ej_req *r);
void ej_op_close_school_year(struct ej_req *r);
void ej_op_create_program(struct ej_req *r);
void ej_op_list_programs(struct ej_req *r);
void ej_op_get_program(struct ej_req *r);
void ej_op_update_program(struct ej_req *r);
void ej_op_create_group(struct ej_req *r);
void ej_op_list_groups(struct ej_req *r);
void ej_op_get_group(struct ej_req *r);
void ej_op_update_group(struct ej_req *r);
void ej_op_create_student(struct ej_req *r);
void ej_op_list_students(struct ej_req *r);
void ej_op_get_student(struct ej_req *r);
void ej_op_update_student(struct ej_req *r);
void ej_op_list_guardians(struct ej_req *r);
void ej_op_link_guardian(struct ej_req *r);
void ej_op_unlink_guardian(struct ej_req *r);
void ej_op_create_enrollment(struct ej_req *r);
void ej_op_list_enrollments(struct ej_req *r);
void ej_op_get_enrollment(struct ej_req *r);
void ej_op_withdraw_enrollment(struct ej_req *r);
void ej_op_preview_withdrawal(struct ej_req *r);
void ej_op_import_enrollments(struct ej_req *r);

/* calendar.c */
void ej_op_list_holidays(struct ej_req *r);
void ej_op_add_holiday(struct ej_req *r);
void ej_op_get_holiday(struct ej_req *r);
void ej_op_delete_holiday(struct ej_req *r);
void ej_op_list_working_days(struct ej_req *r);
void ej_op_add_working_day(struct ej_req *r);
void ej_op_get_working_day(struct ej_req *r);
void ej_op_delete_working_day(struct ej_req *r);
void ej_op_get_deadline(struct ej_req *r);

/* lessons.c */
void ej_op_create_schedule_slot(struct ej_req *r);
void ej_op_list_schedule(struct ej_req *r);
void ej_op_create_lesson(struct ej_req *r);
void ej_op_list_lessons(struct ej_req *r);
void ej_op_get_lesson(struct ej_req *r);
void ej_op_cancel_lesson(struct ej_req *r);
void ej_op_set_substitute(struct ej_req *r);
void ej_op_remove_substitute(struct ej_req *r);

/* journal.c */
void ej_op_record_lesson_entry(struct ej_req *r);
void ej_op_get_lesson_entry(struct ej_req *r);
void ej_op_grant_lesson_extension(struct ej_req *r);
void ej_op_set_absence_reason(struct ej_req *r);
void ej_op_create_absence_report(struct ej_req *r);
void ej_op_list_absence_reports(struct ej_req *r);
void ej_op_get_absence_report(struct ej_req *r);
void ej_op_apply_absence_report(struct ej_req *r);
void ej_op_reject_absence_report(struct ej_req *r);
void ej_op_get_student_attendance(struct ej_req *r);
void ej_op_withdraw_absence_report(struct ej_req *r);
/* `until` of an extension: a date (the end of that day in Riga) or an RFC
 * 3339 instant; writes UTC "YYYY-MM-DDTHH:MM:SSZ" into out. */
bool ej_parse_until(const char *s, char out[21]);
/* §13: lets the teacher record lesson_id until `until` (ej_parse_until's
 * form), with the refusals and problems of POST /lessons/{id}/extension
 * (404, 409 lesson_cancelled, school_year_closed, 422 until); sets the
 * lesson's ETag. *lesson: the lesson after (new), NULL on failure. 0 or -1. */
int ej_lesson_extension_grant(struct ej_req *r, int64_t lesson_id, const char *until,
                              const char *reason, json_t **lesson);

/* exports.c (issue 11) */
void ej_op_get_hours_report(struct ej_req *r);
void ej_op_get_group_journal(struct ej_req *r);
/* settings.c (§14, §22) */
void ej_op_get_settings(struct ej_req *r);
void ej_op_update_settings(struct ej_req *r);
void ej_op_list_absence_reasons(struct ej_req *r);
void ej_op_create_absence_reason(struct ej_req *r);
void ej_op_get_absence_reason(struct ej_req *r);
void ej_op_update_absence_reason(struct ej_req *r);

/* personal_file.c (§18, §20) */
void ej_op_get_personal_file(struct ej_req *r);

/* extensions.c */
void ej_op_request_lesson_extension(struct ej_req *r);
void ej_op_list_extension_requests(struct ej_req *r);
void ej_op_get_extension_request(struct ej_req *r);
void ej_op_grant_extension_request(struct ej_req *r);
void ej_op_decline_extension_request(struct ej_req *r);

/* changes.c */
void ej_op_list_changes(struct ej_req *r);
void ej_op_get_change_bounds(struct ej_req *r);
/* audit.c */
void ej_op_list_audit(struct ej_req *r);
void ej_op_get_student_access_log(struct ej_req *r);

/* quality.c */
void ej_op_create_quality_review(struct ej_req *r);
void ej_op_list_quality_reviews(struct ej_req *r);
void ej_op_get_quality_review(struct ej_req *r);
void ej_op_get_entry_quality_report(struct ej_req *r);

/* proposals.c */
void ej_op_create_proposal(struct ej_req *r);
void ej_op_list_proposals(struct ej_req *r);
void ej_op_get_proposal(struct ej_req *r);
void ej_op_decide_proposal(struct ej_req *r);

#endif
