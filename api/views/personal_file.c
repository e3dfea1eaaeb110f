#include "views/personal_file.h"

#include "core/digest.h"
#include "core/html.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The page's only style: A4, black on white, tables that break between rows. */
static const char STYLE[] =
    "@page{size:A4;margin:18mm 15mm}"
    "body{font:11pt/1.4 serif;color:#000;background:#fff;margin:0 auto;max-width:180mm;"
    "padding:4mm}"
    "h1{font-size:18pt;margin:0 0 2mm}"
    "h2{font-size:13pt;margin:6mm 0 2mm;border-bottom:1px solid #000}"
    "h3{font-size:11pt;margin:3mm 0 1mm}"
    "table{width:100%;border-collapse:collapse}"
    "th,td{border:1px solid #555;padding:1mm 2mm;text-align:left;vertical-align:top}"
    "th{font-weight:bold}.n{text-align:right}tr{page-break-inside:avoid}"
    "dl{display:grid;grid-template-columns:45mm 1fr;gap:1mm 4mm;margin:0}"
    "dt{font-weight:bold}dd{margin:0}.inst{margin:0 0 6mm}"
    "footer{margin-top:8mm;font-size:9pt}"
    "@media print{body{max-width:none;padding:0}}";

static char csp[256];
static pthread_once_t csp_once = PTHREAD_ONCE_INIT;

static void csp_init(void)
{
    char hash[45];
    ej_sha256_base64(STYLE, strlen(STYLE), hash);
    snprintf(csp, sizeof csp,
             "default-src 'none'; style-src 'sha256-%s'; base-uri 'none'; form-action 'none'; "
             "frame-ancestors 'none'",
             hash);
}

const char *ej_personal_file_csp(void)
{
    pthread_once(&csp_once, csp_init);
    return csp;
}

/* A string member, escaped; `dash` when it is null or missing. */
static void field(struct ej_buf *h, const json_t *obj, const char *key, const char *dash)
{
    const char *s = json_string_value(json_object_get(obj, key));
    ej_html_escape(h, s ? s : dash);
}

/* A number member in a right-aligned cell. */
static void num_cell(struct ej_buf *h, const json_t *obj, const char *key)
{
    const json_t *v = json_object_get(obj, key);
    ej_buf_puts(h, "<td class=\"n\">");
    if (json_is_integer(v))
        ej_buf_printf(h, "%lld", (long long)json_integer_value(v));
    else if (json_is_real(v))
        ej_buf_printf(h, "%.2f", json_real_value(v));
    ej_buf_puts(h, "</td>");
}

static void cell(struct ej_buf *h, const json_t *obj, const char *key)
{
    ej_buf_puts(h, "<td>");
    field(h, obj, key, "–");
    ej_buf_puts(h, "</td>");
}

static void header(struct ej_buf *h, const json_t *file)
{
    const json_t *inst = json_object_get(file, "institution"),
                 *year = json_object_get(file, "school_year"),
                 *student = json_object_get(file, "student");
    ej_buf_puts(h, "<!DOCTYPE html>\n<html lang=\"lv\"><head><meta charset=\"utf-8\">"
                   "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
                   "<title>Personas lieta: ");
    field(h, student, "full_name", "");
    ej_buf_puts(h, ", ");
    field(h, year, "name", "");
    ej_buf_puts(h, "</title><style>");
    ej_buf_puts(h, STYLE);
    ej_buf_puts(h, "</style></head><body><header><p class=\"inst\">");
    field(h, inst, "name", "");
    if (json_string_value(json_object_get(inst, "address"))) {
        ej_buf_puts(h, "<br>");
        field(h, inst, "address", "");
    }
    ej_buf_puts(h, "</p><h1>Personas lieta</h1><p>Mācību gads ");
    field(h, year, "name", "");
    ej_buf_puts(h, " (");
    field(h, year, "starts_on", "");
    ej_buf_puts(h, " – ");
    field(h, year, "ends_on", "");
    ej_buf_puts(h, ")");
    if (json_is_true(json_object_get(year, "closed"))) {
        const char *closed = json_string_value(json_object_get(year, "closed_at"));
        ej_buf_puts(h, ", slēgts ");
        ej_buf_printf(h, "%.10s",
                      closed ? closed : ""); /* the date of the instant: ours, plain digits */
    }
    ej_buf_puts(h, "</p></header>");
}

static void person(struct ej_buf *h, const json_t *file)
{
    const json_t *student = json_object_get(file, "student"), *g;
    size_t i;
    ej_buf_puts(h, "<section><h2>Izglītojamais</h2><dl><dt>Vārds, uzvārds</dt><dd>");
    field(h, student, "full_name", "");
    ej_buf_puts(h, "</dd><dt>Dzimšanas datums</dt><dd>");
    field(h, student, "birth_date", "–");
    ej_buf_puts(h, "</dd><dt>Vecāki, aizbildņi</dt><dd>");
    const json_t *guardians = json_object_get(file, "guardians");
    json_array_foreach(guardians, i, g) {
        if (i)
            ej_buf_puts(h, ", ");
        field(h, g, "full_name", "");
    }
    if (json_array_size(guardians) == 0)
        ej_buf_puts(h, "–");
    ej_buf_puts(h, "</dd></dl></section>");
}

static void enrollments(struct ej_buf *h, const json_t *file)
{
    const json_t *e;
    size_t i;
    ej_buf_puts(h, "<section><h2>Programmas un grupas</h2><table><thead><tr><th>Programma</th>"
                   "<th>Grupa</th><th>No</th><th>Atskaitīts</th><th>Iesniegums</th>"
                   "<th>Piezīme</th></tr></thead><tbody>");
    json_array_foreach(json_object_get(file, "enrollments"), i, e) {
        const json_t *w = json_object_get(e, "withdrawal");
        ej_buf_puts(h, "<tr><td>");
        field(h, json_object_get(e, "program"), "code", "");
        ej_buf_puts(h, " ");
        field(h, json_object_get(e, "program"), "name", "");
        ej_buf_puts(h, "</td>");
        cell(h, json_object_get(e, "group"), "name");
        cell(h, e, "starts_on");
        cell(h, w, "effective_on");
        cell(h, w, "application_date");
        cell(h, w, "note");
        ej_buf_puts(h, "</tr>");
    }
    if (json_array_size(json_object_get(file, "enrollments")) == 0)
        ej_buf_puts(
            h, "<tr><td colspan=\"6\">Šajā mācību gadā nav bijis uzņemts nevienā grupā.</td></tr>");
    ej_buf_puts(h, "</tbody></table></section>");
}

static void attendance(struct ej_buf *h, const json_t *file)
{
    const json_t *a, *reason;
    size_t i, k;
    const json_t *rows = json_object_get(file, "attendance");
    ej_buf_puts(h, "<section><h2>Apmeklējums</h2><table><thead><tr><th>Grupa</th>"
                   "<th class=\"n\">Nodarbības</th><th class=\"n\">Klāt</th>"
                   "<th class=\"n\">Nokavēja</th><th class=\"n\">Nebija</th>"
                   "<th class=\"n\">Attaisnoti</th><th class=\"n\">Neattaisnoti</th>"
                   "<th class=\"n\">Bez iemesla</th><th class=\"n\">Stundas</th>"
                   "<th class=\"n\">Apmeklētās stundas</th></tr></thead><tbody>");
    json_array_foreach(rows, i, a) {
        ej_buf_puts(h, "<tr>");
        cell(h, a, "group_name");
        static const char *const keys[] = {"lessons",        "present", "late",
                                           "absent",         "excused", "unexcused",
                                           "without_reason", "hours",   "hours_attended"};
        for (k = 0; k < sizeof keys / sizeof keys[0]; k++)
            num_cell(h, a, keys[k]);
        ej_buf_puts(h, "</tr>");
    }
    ej_buf_puts(h, "</tbody></table>");
    bool any = false;
    json_array_foreach(rows, i, a) {
        const json_t *reasons = json_object_get(a, "by_reason");
        if (json_array_size(reasons) == 0)
            continue;
        if (!any)
            ej_buf_puts(h, "<h3>Kavējumu iemesli</h3><table><thead><tr><th>Grupa</th>"
                           "<th>Iemesls</th><th>Attaisnots</th><th class=\"n\">Nebija</th>"
                           "<th class=\"n\">Nokavēja</th></tr></thead><tbody>");
        any = true;
        json_array_foreach(reasons, k, reason) {
            ej_buf_puts(h, "<tr>");
            cell(h, a, "group_name");
            cell(h, reason, "name");
            ej_buf_puts(h, json_is_true(json_object_get(reason, "excused")) ? "<td>jā</td>"
                                                                            : "<td>nē</td>");
            num_cell(h, reason, "absent");
            num_cell(h, reason, "late");
            ej_buf_puts(h, "</tr>");
        }
    }
    if (any)
        ej_buf_puts(h, "</tbody></table>");
    ej_buf_puts(h, "</section>");
}

char *ej_personal_file_html(const json_t *file, size_t *len)
{
    struct ej_buf h;
    ej_buf_init(&h, 0);
    header(&h, file);
    person(&h, file);
    enrollments(&h, file);
    attendance(&h, file);
    ej_buf_puts(&h, "<footer>Sagatavots ");
    field(&h, file, "generated_at", "");
    ej_buf_puts(&h, " (UTC), ejournal.</footer></body></html>\n");
    *len = h.len;
    return h.data;
}
