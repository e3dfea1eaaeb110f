/* The route table: every operation of the API, in one place.
 * Columns: method, path, handler, operationId (openapi.yaml), roles that may
 * call it (0 = public), flags, body limit (0 = default 256 KiB).
 * The pipeline (api/pipeline.c) enforces all of it before a handler runs;
 * object-level rules (whose child, which group) are the handler's, through
 * api/rules/access.h. */
#include "http/router.h"
#include "resources/resources.h"

#define SU EJ_ROLE_SUPERUSER
#define DIR EJ_ROLE_DIRECTOR
#define TEACHER EJ_ROLE_TEACHER
#define STAFF EJ_ROLE_STAFF
#define STUDENT EJ_ROLE_STUDENT
#define GUARDIAN EJ_ROLE_GUARDIAN
#define ANY EJ_ROLE_ALL
/* Everyone who reads the journal (not the sync account). */
#define READERS (SU | DIR | TEACHER | STAFF | STUDENT | GUARDIAN)

#define BODY EJ_R_BODY
#define OPT_BODY EJ_R_BODY_OPTIONAL
#define TX EJ_R_TX
#define PW EJ_R_PWCHANGE_OK
#define IDEM EJ_R_IDEMPOTENT

const struct ej_route ej_routes[] = {
    /* operations */
    {"GET", "/healthz", ej_op_healthz, "getHealth", 0, 0, 0},
    {"GET", "/readyz", ej_op_readyz, "getReady", 0, 0, 0},
    {"GET", "/metrics", ej_op_metrics, "getMetrics", 0, 0, 0},
    {"GET", "/api/v1/openapi.yaml", ej_op_openapi, "getOpenApi", 0, 0, 0},

    /* authentication and the caller (§6–§10) */
    {"POST", "/api/v1/auth/login", ej_op_login, "login", 0, BODY | TX, 4096},
    {"POST", "/api/v1/auth/refresh", ej_op_refresh, "refreshToken", 0, BODY | TX, 4096},
    {"POST", "/api/v1/auth/logout", ej_op_logout, "logout", ANY, OPT_BODY | TX | PW, 1024},
    {"POST", "/api/v1/auth/password", ej_op_change_password, "changePassword", ANY,
     BODY | TX | PW, 4096},
    {"GET", "/api/v1/me", ej_op_me, "getMe", ANY, PW, 0},
    {"GET", "/api/v1/me/logins", ej_op_my_logins, "listMyLogins", ANY, 0, 0},

    /* users (superuser administers; the director reads) */
    {"POST", "/api/v1/users", ej_op_create_user, "createUser", SU, BODY | TX | IDEM, 0},
    {"GET", "/api/v1/users", ej_op_list_users, "listUsers", SU | DIR, 0, 0},
    {"GET", "/api/v1/users/{id}", ej_op_get_user, "getUser", SU | DIR, 0, 0},
    {"PATCH", "/api/v1/users/{id}", ej_op_update_user, "updateUser", SU, BODY | TX, 0},
    {"POST", "/api/v1/users/{id}/reset-password", ej_op_reset_password, "resetPassword", SU,
     OPT_BODY | TX | IDEM, 1024},
    {"POST", "/api/v1/users/{id}/revoke", ej_op_revoke_user, "revokeUser", SU,
     BODY | TX | IDEM, 4096},
    {"POST", "/api/v1/users/{id}/reinstate", ej_op_reinstate_user, "reinstateUser", SU,
     OPT_BODY | TX | IDEM, 1024},

    /* --- roster (§4, §11, §12, §20) --- */

    /* --- calendar (§13, §17) --- */

    /* --- schedule and lessons (§12, §15, §17) --- */

    /* --- journal entries and absences (§13–§15) --- */
};

const size_t ej_route_count = sizeof ej_routes / sizeof ej_routes[0];
