/* Authentication of a request: the bearer token is verified, then the user,
 * their roles, token version, session and access state are read from the
 * database (never trusted from the token). */
#ifndef EJ_AUTH_AUTHN_H
#define EJ_AUTH_AUTHN_H

#include "core/req.h"

/* Fills r->who and sets r->authenticated. On failure sets 401 (or 503 when
 * the database is down) and returns -1. */
int ej_authenticate(struct ej_req *r);

#endif
