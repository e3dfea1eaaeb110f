/* The route table: every operation of the API, in one place.
 * Columns: method, path, handler, operationId (openapi.yaml), roles that may
 * call it (0 = public), flags, body limit (0 = default 256 KiB).
 * The pipeline (api/pipeline.c) enforces all of it before a handler runs;
 * object-level rules (whose child, which group) are the handler's, through
 * api/rules/access.h. */
#include "router.h"
#include "resources/resources.h"

#define SU EJ_ROLE_SUPERUSER
#define DIR EJ_ROLE_DIRECTOR
#define TEACHER EJ_ROLE_TEACHER
#define STAFF EJ_ROLE_STAFF
#define STUDENT EJ_ROLE_STUDENT
#define GUARDIAN EJ_ROLE_GUARDIAN
#define ANY EJ_ROLE_ALL
#define SYNC EJ_ROLE_INTEGRATION
/* Everyone who reads the journal (not the sync account). */
#define READERS (SU | DIR | TEACHER | STAFF | STUDENT | GUARDIAN)

#define BODY EJ_R_BODY
#define OPT_BODY EJ_R_BODY_OPTIONAL
#define TX EJ_R_TX
#define PW EJ_R_PWCHANGE_OK
#define IDEM EJ_R_IDEMPOTENT
#define HASH EJ_R_HASHES
#define PERSONAL EJ_R_PERSONAL

const struct ej_route ej_routes[] = {
    /* operations */
    {"GET", "/healthz", ej_op_get_health, "getHealth", 0, 0, 0},
    {"GET", "/readyz", ej_op_get_ready, "getReady", 0, 0, 0},
    {"GET", "/metrics", ej_op_get_metrics, "getMetrics", 0, 0, 0},
    {"GET", "/api/v1/openapi.yaml", ej_op_get_open_api, "getOpenApi", 0, 0, 0},

    /* authentication and the caller (§6–§10) */
    {"POST", "/api/v1/auth/login", ej_op_login, "login", 0, BODY | TX | HASH, 4096},
    {"POST", "/api/v1/auth/refresh", ej_op_refresh_token, "refreshToken", 0, BODY | TX, 4096},
    {"POST", "/api/v1/auth/logout", ej_op_logout, "logout", ANY, OPT_BODY | TX | PW, 1024},
    {"POST", "/api/v1/auth/password", ej_op_change_password, "changePassword", ANY,
     BODY | TX | PW | HASH, 4096},
    {"GET", "/api/v1/me", ej_op_get_me, "getMe", ANY, PW, 0},
    {"GET", "/api/v1/me/logins", ej_op_list_my_logins, "listMyLogins", ANY, 0, 0},

    /* users (superuser administers; the director reads) */
    {"POST", "/api/v1/users", ej_op_create_user, "createUser", SU, BODY | TX | IDEM | HASH, 0},
    /* Accounts hold students' and guardians' names, e-mail and phone: reads are audited (§20). */
    {"GET", "/api/v1/users", ej_op_list_users, "listUsers", SU | DIR, PERSONAL, 0},
    {"GET", "/api/v1/users/{id}", ej_op_get_user, "getUser", SU | DIR, PERSONAL, 0},
    {"PATCH", "/api/v1/users/{id}", ej_op_update_user, "updateUser", SU, BODY | TX, 0},
    {"POST", "/api/v1/users/{id}/reset-password", ej_op_reset_password, "resetPassword", SU,
     OPT_BODY | TX | IDEM | HASH, 1024},
    {"POST", "/api/v1/users/{id}/revoke", ej_op_revoke_user, "revokeUser", SU, BODY | TX | IDEM,
     4096},
    {"POST", "/api/v1/users/{id}/reinstate", ej_op_reinstate_user, "reinstateUser", SU,
     OPT_BODY | TX | IDEM, 1024},

    /* --- roster (§4, §11, §12, §20) --- */
    {"POST", "/api/v1/school-years", ej_op_create_school_year, "createSchoolYear", SU,
     BODY | TX | IDEM, 0},
    {"GET", "/api/v1/school-years", ej_op_list_school_years, "listSchoolYears", ANY, 0, 0},
    {"GET", "/api/v1/school-years/{id}", ej_op_get_school_year, "getSchoolYear", ANY, 0, 0},
    {"POST", "/api/v1/school-years/{id}/close", ej_op_close_school_year, "closeSchoolYear", SU,
     OPT_BODY | TX | IDEM, 1024},
    {"POST", "/api/v1/programs", ej_op_create_program, "createProgram", SU, BODY | TX | IDEM, 0},
    {"GET", "/api/v1/programs", ej_op_list_programs, "listPrograms", ANY, 0, 0},
    {"GET", "/api/v1/programs/{id}", ej_op_get_program, "getProgram", ANY, 0, 0},
    {"PATCH", "/api/v1/programs/{id}", ej_op_update_program, "updateProgram", SU, BODY | TX, 0},
    {"POST", "/api/v1/groups", ej_op_create_group, "createGroup", SU, BODY | TX | IDEM, 0},
    {"GET", "/api/v1/groups", ej_op_list_groups, "listGroups", READERS, 0, 0},
    {"GET", "/api/v1/groups/{id}", ej_op_get_group, "getGroup", READERS, 0, 0},
    {"PATCH", "/api/v1/groups/{id}", ej_op_update_group, "updateGroup", SU, BODY | TX, 0},
    {"POST", "/api/v1/students", ej_op_create_student, "createStudent", SU, BODY | TX | IDEM, 0},
    {"GET", "/api/v1/students", ej_op_list_students, "listStudents", READERS, PERSONAL, 0},
    {"GET", "/api/v1/students/{id}", ej_op_get_student, "getStudent", READERS, PERSONAL, 0},
    {"PATCH", "/api/v1/students/{id}", ej_op_update_student, "updateStudent", SU, BODY | TX, 0},
    {"GET", "/api/v1/students/{id}/guardians", ej_op_list_guardians, "listGuardians",
     SU | DIR | TEACHER | STUDENT | GUARDIAN, PERSONAL, 0},
    {"PUT", "/api/v1/students/{id}/guardians/{user_id}", ej_op_link_guardian, "linkGuardian", SU,
     OPT_BODY | TX, 1024},
    {"DELETE", "/api/v1/students/{id}/guardians/{user_id}", ej_op_unlink_guardian, "unlinkGuardian",
     SU, TX, 0},
    {"POST", "/api/v1/groups/{id}/enrollments", ej_op_create_enrollment, "createEnrollment", SU,
     BODY | TX | IDEM, 0},
    {"GET", "/api/v1/groups/{id}/enrollments", ej_op_list_enrollments, "listEnrollments",
     SU | DIR | TEACHER | STAFF, PERSONAL, 0},
    {"GET", "/api/v1/enrollments/{id}", ej_op_get_enrollment, "getEnrollment", READERS, PERSONAL,
     0},
    {"POST", "/api/v1/enrollments/{id}/withdraw", ej_op_withdraw_enrollment, "withdrawEnrollment",
     SU, BODY | TX | IDEM, 0},
    {"GET", "/api/v1/enrollments/{id}/withdrawal-preview", ej_op_preview_withdrawal,
     "previewWithdrawal", SU, PERSONAL, 0},
    {"POST", "/api/v1/imports/enrollments", ej_op_import_enrollments, "importEnrollments", SU,
     BODY | TX | IDEM, 4 * 1024 * 1024},

    /* --- calendar (§13, §17) --- */
    {"GET", "/api/v1/calendar/holidays", ej_op_list_holidays, "listHolidays", ANY, 0, 0},
    {"POST", "/api/v1/calendar/holidays", ej_op_add_holiday, "addHoliday", SU, BODY | TX | IDEM,
     4096},
    {"GET", "/api/v1/calendar/holidays/{date}", ej_op_get_holiday, "getHoliday", ANY, 0, 0},
    {"DELETE", "/api/v1/calendar/holidays/{date}", ej_op_delete_holiday, "deleteHoliday", SU, TX,
     0},
    {"GET", "/api/v1/calendar/working-days", ej_op_list_working_days, "listWorkingDays", ANY, 0, 0},
    {"POST", "/api/v1/calendar/working-days", ej_op_add_working_day, "addWorkingDay", SU,
     BODY | TX | IDEM, 4096},
    {"GET", "/api/v1/calendar/working-days/{date}", ej_op_get_working_day, "getWorkingDay", ANY, 0,
     0},
    {"DELETE", "/api/v1/calendar/working-days/{date}", ej_op_delete_working_day, "deleteWorkingDay",
     SU, TX, 0},
    {"GET", "/api/v1/calendar/deadline", ej_op_get_deadline, "getDeadline", ANY, 0, 0},

    /* --- schedule and lessons (§12, §15, §17) --- */
    {"POST", "/api/v1/groups/{id}/schedule", ej_op_create_schedule_slot, "createScheduleSlot", SU,
     BODY | TX | IDEM, 4096},
    {"GET", "/api/v1/groups/{id}/schedule", ej_op_list_schedule, "listSchedule", READERS, 0, 0},
    {"POST", "/api/v1/lessons", ej_op_create_lesson, "createLesson", SU, BODY | TX | IDEM, 4096},
    {"GET", "/api/v1/lessons", ej_op_list_lessons, "listLessons", READERS, PERSONAL, 0},
    {"GET", "/api/v1/lessons/{id}", ej_op_get_lesson, "getLesson", READERS, PERSONAL, 0},
    {"POST", "/api/v1/lessons/{id}/cancel", ej_op_cancel_lesson, "cancelLesson", SU,
     BODY | TX | IDEM, 4096},
    {"PUT", "/api/v1/lessons/{id}/substitute", ej_op_set_substitute, "setSubstitute", SU, BODY | TX,
     1024},
    {"DELETE", "/api/v1/lessons/{id}/substitute", ej_op_remove_substitute, "removeSubstitute", SU,
     TX, 0},

    /* --- journal entries and absences (§13–§15) --- */
    {"PUT", "/api/v1/lessons/{id}/entry", ej_op_record_lesson_entry, "recordLessonEntry",
     SU | TEACHER, BODY | TX, 128 * 1024},
    {"GET", "/api/v1/lessons/{id}/entry", ej_op_get_lesson_entry, "getLessonEntry", READERS,
     PERSONAL, 0},
    {"POST", "/api/v1/lessons/{id}/extension", ej_op_grant_lesson_extension, "grantLessonExtension",
     SU, BODY | TX | IDEM, 4096},
    {"PUT", "/api/v1/lessons/{id}/attendance/{student_id}/reason", ej_op_set_absence_reason,
     "setAbsenceReason", SU, BODY | TX, 4096},
    {"GET", "/api/v1/absence-reasons", ej_op_list_absence_reasons, "listAbsenceReasons", READERS, 0,
     0},
    /* §22: the codes are a setting the director and the superuser manage. */
    {"POST", "/api/v1/absence-reasons", ej_op_create_absence_reason, "createAbsenceReason",
     SU | DIR, BODY | TX | IDEM, 4096},
    {"GET", "/api/v1/absence-reasons/{code}", ej_op_get_absence_reason, "getAbsenceReason", READERS,
     0, 0},
    {"PATCH", "/api/v1/absence-reasons/{code}", ej_op_update_absence_reason, "updateAbsenceReason",
     SU | DIR, BODY | TX, 4096},
    {"POST", "/api/v1/absence-reports", ej_op_create_absence_report, "createAbsenceReport",
     SU | GUARDIAN, BODY | TX | IDEM, 4096},
    {"GET", "/api/v1/absence-reports", ej_op_list_absence_reports, "listAbsenceReports",
     SU | DIR | STUDENT | GUARDIAN, PERSONAL, 0},
    {"GET", "/api/v1/absence-reports/{id}", ej_op_get_absence_report, "getAbsenceReport",
     SU | DIR | STUDENT | GUARDIAN, PERSONAL, 0},
    {"POST", "/api/v1/absence-reports/{id}/apply", ej_op_apply_absence_report, "applyAbsenceReport",
     SU, OPT_BODY | TX | IDEM, 1024},
    {"POST", "/api/v1/absence-reports/{id}/reject", ej_op_reject_absence_report,
     "rejectAbsenceReport", SU, BODY | TX | IDEM, 4096},
    {"POST", "/api/v1/absence-reports/{id}/withdraw", ej_op_withdraw_absence_report,
     "withdrawAbsenceReport", GUARDIAN, OPT_BODY | TX | IDEM, 1024},
    {"GET", "/api/v1/students/{id}/attendance", ej_op_get_student_attendance,
     "getStudentAttendance", SU | DIR | TEACHER | STUDENT | GUARDIAN, PERSONAL, 0},

    /* --- teachers' extension requests (§13, issue 15) --- */
    {"POST", "/api/v1/lessons/{id}/extension-requests", ej_op_request_lesson_extension,
     "requestLessonExtension", TEACHER, BODY | TX | IDEM, 4096},
    {"GET", "/api/v1/extension-requests", ej_op_list_extension_requests, "listExtensionRequests",
     SU | TEACHER, 0, 0},
    {"GET", "/api/v1/extension-requests/{id}", ej_op_get_extension_request, "getExtensionRequest",
     SU | TEACHER, 0, 0},
    {"POST", "/api/v1/extension-requests/{id}/grant", ej_op_grant_extension_request,
     "grantExtensionRequest", SU, BODY | TX | IDEM, 4096},
    {"POST", "/api/v1/extension-requests/{id}/decline", ej_op_decline_extension_request,
     "declineExtensionRequest", SU, BODY | TX | IDEM, 4096},

    /* --- settings (§22) --- */
    {"GET", "/api/v1/settings", ej_op_get_settings, "getSettings", ANY, 0, 0},
    {"PATCH", "/api/v1/settings", ej_op_update_settings, "updateSettings", SU | DIR, BODY | TX,
     4096},

    /* --- the year's end: personal files (§18; reads audited, §20) --- */
    {"GET", "/api/v1/students/{id}/personal-file", ej_op_get_personal_file, "getPersonalFile",
     SU | DIR | STUDENT | GUARDIAN, PERSONAL, 0},

    /* --- the change feed for sync (SPEC "Integration", issue 11): read-only;
     * each page the integration account reads is audited (PERSONAL) --- */
    {"GET", "/api/v1/changes", ej_op_list_changes, "listChanges", SU | EJ_ROLE_INTEGRATION,
     PERSONAL, 0},
    {"GET", "/api/v1/changes/bounds", ej_op_get_change_bounds, "getChangeBounds",
     SU | EJ_ROLE_INTEGRATION, 0, 0},

    /* --- oversight: the audit trail (§19–§21), quality reviews (§16), proposals (§23) --- */
    /* The trail holds students' data (before/after), so reading it is audited too. */
    {"GET", "/api/v1/audit", ej_op_list_audit, "listAudit", SU | DIR, PERSONAL, 0},
    {"GET", "/api/v1/students/{id}/access-log", ej_op_get_student_access_log, "getStudentAccessLog",
     SU | DIR | STUDENT | GUARDIAN, PERSONAL, 0},
    {"POST", "/api/v1/quality-reviews", ej_op_create_quality_review, "createQualityReview",
     SU | DIR, BODY | TX | IDEM, 0},
    {"GET", "/api/v1/quality-reviews", ej_op_list_quality_reviews, "listQualityReviews", SU | DIR,
     0, 0},
    {"GET", "/api/v1/quality-reviews/{id}", ej_op_get_quality_review, "getQualityReview", SU | DIR,
     0, 0},
    {"GET", "/api/v1/reports/entry-quality", ej_op_get_entry_quality_report,
     "getEntryQualityReport", SU | DIR, 0, 0},
    {"POST", "/api/v1/proposals", ej_op_create_proposal, "createProposal", READERS,
     BODY | TX | IDEM, 0},
    {"GET", "/api/v1/proposals", ej_op_list_proposals, "listProposals", READERS, 0, 0},
    {"GET", "/api/v1/proposals/{id}", ej_op_get_proposal, "getProposal", READERS, 0, 0},
    {"POST", "/api/v1/proposals/{id}/decision", ej_op_decide_proposal, "decideProposal", SU | DIR,
     BODY | TX | IDEM, 8192},
    /* --- reports and exports (issue 11, §15, §20): documents handed on --- */
    {"GET", "/api/v1/reports/hours", ej_op_get_hours_report, "getHoursReport",
     SU | DIR | TEACHER | SYNC, 0, 0},
    {"GET", "/api/v1/groups/{id}/journal", ej_op_get_group_journal, "getGroupJournal",
     SU | DIR | TEACHER | STAFF | SYNC, PERSONAL, 0},
};

const size_t ej_route_count = sizeof ej_routes / sizeof ej_routes[0];
