/* libFuzzer driver: the request body path (depth bound before parsing, strict
 * parse, field checks, bulk-row checks) must never crash or leak, whatever
 * the bytes. Build and run: bash tests/fuzz/run.sh */
#include "core/json.h"
#include "core/req.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static const struct ej_field fields[] = {
    {"username", EJ_F_STRING, EJ_F_REQUIRED, 64},
    {"on", EJ_F_DATE, EJ_F_NULLABLE, 0},
    {"at", EJ_F_TIME, 0, 0},
    {"ids", EJ_F_ID_ARRAY, 0, 5},
    {"rows", EJ_F_ARRAY, 0, 10},
    {NULL, 0, 0, 0},
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct ej_req r;
    ej_req_init(&r);
    r.body_text = malloc(size + 1);
    memcpy(r.body_text, data, size);
    r.body_text[size] = '\0';
    r.body_len = size;
    if (ej_json_parse_body(&r) == 0) {
        ej_json_check(&r, r.body, fields);
        json_t *errors = json_array();
        json_t *rows = json_object_get(r.body, "rows");
        size_t i;
        json_t *row;
        json_array_foreach(rows, i, row)
            ej_json_row_check(row, fields, (long)i, errors);
        json_decref(errors);
    }
    ej_req_cleanup(&r);
    return 0;
}
