#include "auth/authn.h"

#include "auth/token.h"
#include "core/log.h"
#include "store/identity.h"

#include <string.h>
#include <strings.h>

int ej_authenticate(struct ej_req *r)
{
    const char *h = ej_req_header(r, "Authorization");
    if (!h || strncasecmp(h, "Bearer ", 7) != 0 || h[7] == '\0')
        return ej_problem(r, 401, "unauthenticated",
                          "Send an access token: Authorization: Bearer <token>.");
    const char *token = h + 7;
    while (*token == ' ')
        token++;
    struct ej_claims c;
    const char *why = NULL;
    if (ej_token_verify(token, &c, &why) != 0) {
        ej_log_event(EJ_LOG_DEBUG, "token refused",
                     json_pack("{s:s, s:s}", "reason", why, "request_id", r->request_id));
        /* Expiry is checked after the signature, so only a genuine token is
         * told to refresh; anything else must sign in again (issue 15). */
        if (why && strcmp(why, "expired") == 0)
            return ej_problem(r, 401, "token_expired",
                              "The access token has expired: get a new one with POST "
                              "/api/v1/auth/refresh.");
        return ej_problem(r, 401, "invalid_token", "The access token is invalid: sign in again.");
    }
    switch (ej_store_principal(&r->db, c.user_id, c.session_id, c.token_version, &r->who)) {
    case EJ_OK: break;
    case EJ_ERR_NOT_FOUND:
        return ej_problem(r, 401, "invalid_token", "This token is no longer valid: sign in again.");
    default: return ej_problem_db(r, r->db.err);
    }
    r->authenticated = true;
    r->db.who = &r->who;
    return 0;
}
