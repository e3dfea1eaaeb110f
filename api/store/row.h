/* Rendering result columns as JSON values in C (issue 13: responses are
 * built with Jansson in the order a person reads them, not by jsonb views).
 * Each returns a new reference; SQL NULL becomes JSON null. Only files in
 * api/store/ include this (it needs libpq-fe.h). */
#ifndef EJ_STORE_ROW_H
#define EJ_STORE_ROW_H

#include <jansson.h>
#include <libpq-fe.h>
#include <stdlib.h>
#include <string.h>

static inline json_t *row_str(const PGresult *res, int row, int col)
{
    return PQgetisnull(res, row, col) ? json_null() : json_string(PQgetvalue(res, row, col));
}

static inline json_t *row_int(const PGresult *res, int row, int col)
{
    return PQgetisnull(res, row, col) ? json_null()
                                      : json_integer(strtoll(PQgetvalue(res, row, col), NULL, 10));
}

static inline json_t *row_bool(const PGresult *res, int row, int col)
{
    return PQgetisnull(res, row, col) ? json_null()
                                      : json_boolean(PQgetvalue(res, row, col)[0] == 't');
}

/* A json or jsonb column (or a text[] sent as json by the query). */
static inline json_t *row_json(const PGresult *res, int row, int col)
{
    if (PQgetisnull(res, row, col))
        return json_null();
    json_t *v = json_loads(PQgetvalue(res, row, col), JSON_DECODE_ANY, NULL);
    return v ? v : json_null();
}

/* An id kept as text (audit_log.entity_id): an integer when it is one. */
static inline json_t *row_text_id(const PGresult *res, int row, int col)
{
    if (PQgetisnull(res, row, col))
        return json_null();
    const char *s = PQgetvalue(res, row, col);
    size_t n = strlen(s);
    if (n == 0 || n > 18 || strspn(s, "0123456789") != n)
        return json_null();
    return json_integer(strtoll(s, NULL, 10));
}

#endif
