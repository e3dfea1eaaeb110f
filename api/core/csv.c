#include "core/csv.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void ej_csv_init(struct ej_csv *c, size_t max)
{
    ej_buf_init(&c->out, max);
    ej_buf_add(&c->out, "\xEF\xBB\xBF", 3);
    c->col = 0;
}

void ej_csv_cleanup(struct ej_csv *c)
{
    ej_buf_cleanup(&c->out);
}

void ej_csv_cell(struct ej_csv *c, const char *s)
{
    struct ej_buf *b = &c->out;
    if (c->col++ > 0)
        ej_buf_add(b, ",", 1);
    if (!s || !*s)
        return;
    /* A leading character a spreadsheet reads as the start of a formula. */
    int neutralise = strchr("=+-@\t\r", s[0]) != NULL;
    int quote = strpbrk(s, ",\"\r\n") != NULL;
    if (quote)
        ej_buf_add(b, "\"", 1);
    if (neutralise)
        ej_buf_add(b, "'", 1);
    for (const char *p = s; *p; p++) {
        if (*p == '"')
            ej_buf_add(b, "\"\"", 2);
        else
            ej_buf_add(b, p, 1);
    }
    if (quote)
        ej_buf_add(b, "\"", 1);
}

void ej_csv_json_cell(struct ej_csv *b, const json_t *v)
{
    char num[64];
    switch (json_typeof(v ? v : json_null())) {
    case JSON_STRING: ej_csv_cell(b, json_string_value(v)); return;
    case JSON_INTEGER:
        snprintf(num, sizeof num, "%lld", (long long)json_integer_value(v));
        ej_csv_cell(b, num);
        return;
    case JSON_REAL:
        snprintf(num, sizeof num, "%.15g", json_real_value(v));
        ej_csv_cell(b, num);
        return;
    case JSON_TRUE: ej_csv_cell(b, "true"); return;
    case JSON_FALSE: ej_csv_cell(b, "false"); return;
    case JSON_NULL: ej_csv_cell(b, NULL); return;
    default: {
        char *text = json_dumps(v, JSON_COMPACT);
        ej_csv_cell(b, text);
        free(text);
    }
    }
}

void ej_csv_row_end(struct ej_csv *c)
{
    ej_buf_add(&c->out, "\r\n", 2);
    c->col = 0;
}

void ej_csv_table(struct ej_csv *b, const char *const *columns, const json_t *items)
{
    for (const char *const *c = columns; *c; c++)
        ej_csv_cell(b, *c);
    ej_csv_row_end(b);
    size_t i;
    const json_t *row;
    json_array_foreach(items, i, row) {
        for (const char *const *c = columns; *c; c++)
            ej_csv_json_cell(b, json_object_get(row, *c));
        ej_csv_row_end(b);
    }
}
