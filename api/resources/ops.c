/* Operations: liveness, readiness, metrics and the API description. */
#include "resources/resources.h"

#include "core/alloc.h"
#include "core/config.h"
#include "http/metrics.h"
#include "store/store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void ej_op_get_health(struct ej_req *r)
{
    ej_reply(r, 200, json_pack("{s:s}", "status", "ok"));
}

void ej_op_get_ready(struct ej_req *r)
{
    if (ej_db_ping(&r->db) != EJ_OK) {
        ej_problem_db(r, r->db.err);
        return;
    }
    ej_reply(r, 200, json_pack("{s:s}", "status", "ready"));
}

void ej_op_get_metrics(struct ej_req *r)
{
    char extra[512];
    snprintf(extra, sizeof extra,
             "# HELP ejournal_db_up 1 if the last database operation succeeded.\n"
             "# TYPE ejournal_db_up gauge\nejournal_db_up %d\n"
             "# HELP ejournal_db_connections Open database connections.\n"
             "# TYPE ejournal_db_connections gauge\nejournal_db_connections %ld\n",
             ej_db_up(), ej_db_open_connections());
    size_t len;
    char *text = ej_metrics_render(extra, &len);
    ej_reply_text(r, 200, "text/plain; version=0.0.4; charset=utf-8", text, len);
    free(text);
}

/* The description is read once and kept: it is part of the release. */
static char *openapi_text;
static size_t openapi_len;

int ej_openapi_load(void)
{
    FILE *f = fopen(ej_cfg()->openapi_file, "rb");
    if (!f)
        return -1;
    size_t cap = 1 << 20;
    openapi_text = ej_xmalloc(cap);
    openapi_len = fread(openapi_text, 1, cap, f);
    fclose(f);
    return openapi_len > 0 && openapi_len < cap ? 0 : -1;
}

void ej_op_get_open_api(struct ej_req *r)
{
    ej_reply_text(r, 200, "application/yaml; charset=utf-8", openapi_text, openapi_len);
}
