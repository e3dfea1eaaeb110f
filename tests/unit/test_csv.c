/* api/core/csv.c: RFC 4180 quoting, the byte-order mark, formulas neutralised. */
#include "check.h"
#include "core/csv.h"

int main(void)
{
    struct ej_csv c;
    ej_csv_init(&c);
    ej_csv_cell(&c, "name");
    ej_csv_cell_int(&c, 42);
    ej_csv_end_row(&c);
    ej_csv_cell(&c, "Bērziņa, \"Anna\"");
    ej_csv_cell(&c, NULL);
    ej_csv_cell(&c, "line\nbreak");
    ej_csv_end_row(&c);
    ej_csv_cell(&c, "=HYPERLINK(\"x\")");
    ej_csv_cell(&c, "+1");
    ej_csv_cell(&c, "-2");
    ej_csv_cell(&c, "@SUM(A1)");
    ej_csv_cell(&c, "a=b");
    ej_csv_cell_int(&c, -3);
    ej_csv_end_row(&c);
    CHECK_STR(c.buf, "\xEF\xBB\xBFname,42\r\n"
                     "\"Bērziņa, \"\"Anna\"\"\",,\"line\nbreak\"\r\n"
                     "\"'=HYPERLINK(\"\"x\"\")\",'+1,'-2,'@SUM(A1),a=b,'-3\r\n");
    CHECK(!ej_csv_full(&c));
    ej_csv_cleanup(&c);
    return check_summary("test_csv");
}
