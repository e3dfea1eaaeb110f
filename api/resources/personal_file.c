/* A student's personal file of a school year (§18), as JSON or, with
 * `Accept: text/html`, as a printable page for the archive. The superuser and
 * the director read any (an employee's read is audited, §20: the route's
 * PERSONAL flag); the student their own, guardians their children's
 * (api/rules/access.h, EJ_OBJ_PERSONAL_FILE); anyone else's is 404. */
#include "resources/resources.h"

#include "rules/access.h"
#include "store/personal_file.h"
#include "views/personal_file.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* True if the client asks for text/html (a browser, or a printer's script)
 * without refusing it (q=0); anything else gets JSON. */
static bool wants_html(const struct ej_req *r)
{
    const char *p = ej_req_header(r, "Accept");
    while (p && *p) {
        p += strspn(p, " ,");
        size_t n = strcspn(p, ",");
        bool html = n >= 9 && strncasecmp(p, "text/html", 9) == 0 &&
                    (n == 9 || p[9] == ';' || p[9] == ' ');
        if (html) {
            /* Its parameters, up to the next range: is one of them q=0? */
            const char *q = p + 9, *end = p + n;
            bool refused = false;
            while ((q = strchr(q, ';')) && q < end) {
                q += 1 + strspn(q + 1, " ");
                if (strncasecmp(q, "q=", 2) == 0)
                    refused = strtod(q + 2, NULL) <= 0;
            }
            if (!refused)
                return true;
        }
        p += n;
    }
    return false;
}

void ej_op_get_personal_file(struct ej_req *r)
{
    int64_t id, year;
    json_t *file;
    if (ej_param_id(r, 0, &id) != 0 || ej_query_id(r, "school_year_id", &year) != 0)
        return;
    if (year == 0) {
        ej_problem(r, 400, "invalid_query", "school_year_id is required: the file of which year.");
        return;
    }
    bool no_student;
    enum ej_err e = ej_store_personal_file(&r->db, &r->who, id, year,
                                           ej_read_scopes(r->who.roles, EJ_OBJ_PERSONAL_FILE),
                                           &file, &no_student);
    if (e == EJ_ERR_NOT_FOUND) {
        ej_problem(r, 404, "not_found", no_student ? "No such student." : "No such school year.");
        return;
    }
    if (e != EJ_OK) {
        ej_problem_db(r, e);
        return;
    }
    if (!wants_html(r)) {
        ej_reply(r, 200, file);
        return;
    }
    size_t len;
    char *page = ej_personal_file_html(file, &len);
    json_decref(file);
    ej_reply_text(r, 200, "text/html; charset=utf-8", page, len);
    free(page);
    r->csp = ej_personal_file_csp();
}
