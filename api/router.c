#include "router.h"

#include "core/alloc.h"

#include <stdlib.h>
#include <stdio.h>
#include <string.h>

/* Compares one pattern against a path segment by segment. Stores parameters
 * into params (pointers to [start, len) pairs) when they match. */
static int path_matches(const char *pattern, const char *path, const char **pstart, size_t *plen,
                        size_t *np)
{
    const char *p = pattern, *s = path;
    *np = 0;
    while (*p && *s) {
        if (*p != '/' || *s != '/')
            return 0;
        p++, s++;
        const char *pend = strchr(p, '/'), *send = strchr(s, '/');
        size_t pl = pend ? (size_t)(pend - p) : strlen(p);
        size_t sl = send ? (size_t)(send - s) : strlen(s);
        if (pl >= 2 && p[0] == '{') {
            if (sl == 0 || *np == EJ_MAX_PARAMS)
                return 0;
            pstart[*np] = s;
            plen[*np] = sl;
            (*np)++;
        } else if (pl != sl || memcmp(p, s, pl) != 0) {
            return 0;
        }
        p += pl, s += sl;
    }
    return *p == '\0' && *s == '\0';
}

int ej_route_match(const struct ej_route *routes, size_t n, const char *method, const char *path,
                   struct ej_req *r, char *allow, size_t allowlen)
{
    const char *pstart[EJ_MAX_PARAMS];
    size_t plen[EJ_MAX_PARAMS], np;
    int path_found = 0;
    if (allowlen)
        allow[0] = '\0';
    for (size_t i = 0; i < n; i++) {
        if (!path_matches(routes[i].path, path, pstart, plen, &np))
            continue;
        if (strcmp(routes[i].method, method) == 0) {
            for (size_t k = 0; k < np; k++)
                r->params[k] = ej_xstrndup(pstart[k], plen[k]);
            r->nparams = np;
            return (int)i;
        }
        path_found = 1;
        size_t used = strlen(allow);
        if (!strstr(allow, routes[i].method) && used + 12 < allowlen)
            snprintf(allow + used, allowlen - used, "%s%s", used ? ", " : "", routes[i].method);
    }
    return path_found ? -2 : -1;
}

bool ej_route_path_exists(const struct ej_route *routes, size_t n, const char *path)
{
    const char *pstart[EJ_MAX_PARAMS];
    size_t plen[EJ_MAX_PARAMS], np;
    for (size_t i = 0; i < n; i++)
        if (path_matches(routes[i].path, path, pstart, plen, &np))
            return true;
    return false;
}
