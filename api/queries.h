/* The query parameters each operation takes (api/queries.c), checked by the
 * pipeline before the handler runs: anything else is 400 unknown_parameter,
 * so a misspelt or unsupported filter is never ignored silently. */
#ifndef EJ_QUERIES_H
#define EJ_QUERIES_H

#include "core/req.h"

/* The names operation_id takes (NULL-terminated), NULL when it takes none. */
const char *const *ej_operation_query_names(const char *operation_id);

/* ej_query_only for the request's route. Returns 0 or -1 with 400 set. */
int ej_query_check_route(struct ej_req *r);

#endif
