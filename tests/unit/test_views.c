/* The personal file's page (§18): every text escaped, no script, no external
 * resource, and a Content-Security-Policy that allows its style sheet only. */
#include "check.h"
#include "core/html.h"
#include "views/personal_file.h"

#include <stdlib.h>

int main(void)
{
    struct ej_buf h;
    ej_buf_init(&h, 0);
    ej_html_escape(&h, "<script>alert(\"x\")</script> & 'y'");
    CHECK_STR(h.data, "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;y&#39;");
    ej_buf_cleanup(&h);

    json_t *file = json_pack(
        "{s:{s:i, s:s, s:n}, s:[{s:i, s:s}], s:{s:i, s:s, s:s, s:s, s:b, s:n},"
        " s:{s:s, s:n}, s:[], s:[{s:i, s:s, s:i, s:i, s:i, s:i, s:i, s:i, s:i, s:[], s:f, s:i}],"
        " s:s}",
        "student", "id", 1, "full_name", "<img src=x onerror=alert(1)>", "birth_date", "guardians",
        "id", 2, "full_name", "\"Māte\" & <b>", "school_year", "id", 3, "name", "2026/27",
        "starts_on", "2026-09-01", "ends_on", "2027-05-31", "closed", 0, "closed_at", "institution",
        "name", "<iframe src=//evil>", "address", "enrollments", "attendance", "group_id", 4,
        "group_name", "</table><script>x()</script>", "lessons", 3, "present", 1, "late", 1,
        "absent", 1, "excused", 0, "unexcused", 1, "without_reason", 1, "by_reason", "hours", 2.67,
        "hours_attended", 2, "generated_at", "2026-12-01T10:00:00Z");
    size_t len;
    char *page = ej_personal_file_html(file, &len);
    CHECK(page && strlen(page) == len);
    CHECK(strstr(page, "<script") == NULL);
    CHECK(strstr(page, "<img") == NULL);
    CHECK(strstr(page, "<iframe") == NULL);
    CHECK(strstr(page, "&lt;img src=x onerror=alert(1)&gt;") != NULL);
    CHECK(strstr(page, "&quot;Māte&quot; &amp; &lt;b&gt;") != NULL);
    CHECK(strstr(page, "&lt;/table&gt;&lt;script&gt;") != NULL);
    CHECK(strstr(page, "2.67") != NULL);
    CHECK(strstr(page, "size:A4") != NULL);
    CHECK(strstr(page, "http") == NULL); /* no external resource of any kind */
    free(page);
    json_decref(file);

    const char *csp = ej_personal_file_csp();
    CHECK(strncmp(csp, "default-src 'none'; style-src 'sha256-", 38) == 0);
    CHECK(strstr(csp, "script-src") == NULL);
    CHECK(strstr(csp, "unsafe") == NULL);
    return check_summary("views");
}
