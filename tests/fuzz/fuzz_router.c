/* libFuzzer driver: the route matcher (api/router.c) over the real route table
 * (api/routes.c) with any method and path. A match names a route of that
 * method whose parameters are non-empty single segments; -2 lists allowed
 * methods; nothing leaks (ej_req_cleanup frees the parameters).
 * Input: method, then ' ', then the path.
 * Built by CMake (-DEJ_FUZZ=ON with clang), run by tests/fuzz/run.sh. */
#include "router.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = malloc(size + 1);
    if (!text)
        abort();
    memcpy(text, data, size);
    text[size] = '\0';
    char *sp = strchr(text, ' ');
    const char *method = "GET", *path = text;
    if (sp) {
        *sp = '\0';
        method = text;
        path = sp + 1;
    }

    struct ej_req r;
    ej_req_init(&r);
    char allow[96];
    int i = ej_route_match(ej_routes, ej_route_count, method, path, &r, allow, sizeof allow);
    if (i >= 0) {
        if ((size_t)i >= ej_route_count || strcmp(ej_routes[i].method, method) != 0 ||
            r.nparams > EJ_MAX_PARAMS)
            abort();
        for (size_t k = 0; k < r.nparams; k++)
            if (!r.params[k] || !r.params[k][0] || strchr(r.params[k], '/'))
                abort();
    } else if (i == -2) {
        if (!allow[0] || strlen(allow) >= sizeof allow)
            abort();
    } else if (i != -1) {
        abort();
    }
    ej_req_cleanup(&r);
    free(text);
    return 0;
}
