"""ejournal-sync push-roster: registers the students of an E-klase roster
export (CSV) in their groups, by external id, through POST
/imports/enrollments: students are matched by their E-klase id (or created
with it), groups and guardians are found by theirs.

All or nothing: every row is checked here first (a bad row is named by its
line in the file and nothing is sent), then the server checks them all again
in one transaction (what it refuses is named by line too, and nothing is
created). Running it twice with the same file changes nothing the second
time: a student already enrolled in the group is reported as left. With
--dry-run the server does the whole import, answers what it would do, and
rolls it back.

The columns (README.md "push-roster"): a header row, then one row per
student and group. Names are matched case-insensitively, in English or as
E-klase writes them in Latvian; the order is free; the delimiter is ; or ,
(what the header uses); UTF-8, with or without a byte-order mark.
"""
import argparse
import csv
import io
import re
import sys

from ejsync import Fatal, add_auth_arguments, client_from_args

HELP = "register an E-klase roster CSV (students, guardians, groups by external id)"

# column -> the header names it may have (lower case)
COLUMNS = {
    "student_id": ["student_id", "student external id", "skolēna id", "izglītojamā id", "id"],
    "first_name": ["first_name", "first name", "vārds"],
    "last_name": ["last_name", "last name", "uzvārds"],
    "full_name": ["full_name", "name", "vārds, uzvārds", "vārds uzvārds"],
    "birth_date": ["birth_date", "birth date", "dzimšanas datums"],
    "group_id": ["group_id", "group external id", "grupas id", "pulciņa id"],
    "group_name": ["group_name", "group", "grupa", "pulciņš"],
    "guardian_ids": ["guardian_ids", "guardians", "vecāku id", "likumisko pārstāvju id"],
    "starts_on": ["starts_on", "start date", "sākuma datums", "uzņemts"],
}
REQUIRED = ["student_id", "group_id"]
EXTERNAL_ID = re.compile(r"^[^\x00-\x1f\x7f\x80-\x9f ]([^\x00-\x1f\x7f\x80-\x9f]{0,62}[^\x00-\x1f\x7f\x80-\x9f ])?$")
ISO_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")
LV_DATE = re.compile(r"^(\d{1,2})\.(\d{1,2})\.(\d{4})\.?$")
MAX_ROWS = 5000  # what one import takes


def parse_args(argv):
    p = argparse.ArgumentParser(prog="ejournal-sync push-roster", description=HELP)
    add_auth_arguments(p)
    p.add_argument("file", metavar="FILE.csv", help="the roster export")
    p.add_argument("--dry-run", action="store_true",
                   help="print what would change and change nothing")
    p.add_argument("--starts-on", metavar="YYYY-MM-DD",
                   help="the enrollment date of rows without a starts_on column")
    return p, p.parse_args(argv)


def to_date(text):
    """YYYY-MM-DD or DD.MM.YYYY (as E-klase writes dates) -> YYYY-MM-DD, or None."""
    text = text.strip()
    m = ISO_DATE.match(text)
    if m:
        y, mo, d = int(m.group(1)), int(m.group(2)), int(m.group(3))
    else:
        m = LV_DATE.match(text)
        if not m:
            return None
        d, mo, y = int(m.group(1)), int(m.group(2)), int(m.group(3))
    days = [31, 29 if (y % 4 == 0 and y % 100 != 0) or y % 400 == 0 else 28,
            31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
    if not (1900 <= y <= 2200 and 1 <= mo <= 12 and 1 <= d <= days[mo - 1]):
        return None
    return f"{y:04d}-{mo:02d}-{d:02d}"


def read_roster(path):
    """Returns (rows, problems): rows are (line, fields dict); problems are
    (line, message). Line numbers are the file's (the header is line 1)."""
    try:
        with open(path, encoding="utf-8-sig", newline="") as f:
            text = f.read()
    except OSError as e:
        raise Fatal(f"cannot read {path}: {e.strerror}")
    except UnicodeDecodeError:
        raise Fatal(f"{path} is not UTF-8 text")
    first = text.split("\n", 1)[0]
    delimiter = ";" if first.count(";") > first.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        header = next(reader)
    except StopIteration:
        raise Fatal(f"{path} is empty: it needs a header row")
    except csv.Error as e:
        raise Fatal(f"{path}:1: {e}")
    index, problems = {}, []
    for i, name in enumerate(header):
        key = name.strip().lower()
        for col, names in COLUMNS.items():
            if key in names:
                if col in index:
                    raise Fatal(f"{path}:1: two columns mean {col}")
                index[col] = i
    missing = [c for c in REQUIRED if c not in index]
    if "full_name" not in index and not ("first_name" in index and "last_name" in index):
        missing.append("first_name and last_name (or full_name)")
    if missing:
        raise Fatal(f"{path}:1: the header has no column for {', '.join(missing)}")
    rows = []
    line = 1
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            break
        except csv.Error as e:
            problems.append((reader.line_num, str(e)))
            break
        start, line = line + 1, reader.line_num
        if not any(c.strip() for c in cells):
            continue  # blank lines are allowed
        fields = {col: (cells[i].strip() if i < len(cells) else "") for col, i in index.items()}
        rows.append((start, fields))
    if len(rows) > MAX_ROWS:
        raise Fatal(f"{path}: {len(rows)} rows; one import takes at most {MAX_ROWS}")
    return rows, problems


def import_row(fields, default_starts_on):
    """One row of POST /imports/enrollments, or raises ValueError naming
    what is wrong."""
    sid, gid = fields.get("student_id", ""), fields.get("group_id", "")
    for col, value in (("student_id", sid), ("group_id", gid)):
        if not value:
            raise ValueError(f"{col} is empty")
        if not EXTERNAL_ID.match(value):
            raise ValueError(f"{col} {value!r} is not an external id (1-64 characters, no control characters)")
    name = fields.get("full_name") or " ".join(
        x for x in (fields.get("first_name", ""), fields.get("last_name", "")) if x)
    if not name.strip():
        raise ValueError("the student has no name")
    if len(name) > 200:
        raise ValueError("the name is longer than 200 characters")
    student = {"full_name": name, "external_id": sid}
    if fields.get("birth_date"):
        d = to_date(fields["birth_date"])
        if not d:
            raise ValueError(f"birth_date {fields['birth_date']!r} is not a date (YYYY-MM-DD or DD.MM.YYYY)")
        student["birth_date"] = d
    starts = fields.get("starts_on") or default_starts_on
    if not starts:
        raise ValueError("starts_on is empty (give the column, or --starts-on)")
    starts_on = to_date(starts)
    if not starts_on:
        raise ValueError(f"starts_on {starts!r} is not a date (YYYY-MM-DD or DD.MM.YYYY)")
    row = {"student": student, "group_external_id": gid, "starts_on": starts_on}
    guardians = [g for g in re.split(r"[|\s]+", fields.get("guardian_ids", "")) if g]
    for g in guardians:
        if not EXTERNAL_ID.match(g):
            raise ValueError(f"guardian id {g!r} is not an external id")
    if len(guardians) > 10:
        raise ValueError("more than 10 guardians")
    if guardians:
        row["guardian_external_ids"] = guardians
    return row


def main(argv):
    parser, args = parse_args(argv)
    if args.starts_on and not to_date(args.starts_on):
        parser.error(f"--starts-on {args.starts_on!r} is not a date")
    default_starts_on = to_date(args.starts_on) if args.starts_on else None
    try:
        rows, problems = read_roster(args.file)
        body, lines = [], []
        for line, fields in rows:
            try:
                body.append(import_row(fields, default_starts_on))
                lines.append((line, fields))
            except ValueError as e:
                problems.append((line, str(e)))
        if problems:
            for line, msg in sorted(problems):
                print(f"{args.file}:{line}: {msg}", file=sys.stderr)
            print(f"ejournal-sync: {len(problems)} bad row(s) in {args.file}; nothing was sent, "
                  "nothing changed", file=sys.stderr)
            return 1
        if not body:
            print(f"{args.file}: no rows; nothing to do")
            return 0
        client = client_from_args(parser, args)
        query = {"dry_run": "true"} if args.dry_run else None
        # A retry after a lost answer (ejsync retries on 429/503 and broken
        # connections) is safe without an Idempotency-Key: the import matches
        # by external id, so a second run of the same rows changes nothing.
        status, result = client.call("POST", "/imports/enrollments", body={"rows": body},
                                     query=query, allow=(422,))
        if status == 422:
            errors = result.get("errors", []) if isinstance(result, dict) else []
            for e in errors:
                line = lines[e["row"]][0] if 0 <= e.get("row", -1) < len(lines) else "?"
                print(f"{args.file}:{line}: {e.get('field')}: {e.get('message')}", file=sys.stderr)
            detail = result.get("detail", "") if isinstance(result, dict) else ""
            print(f"ejournal-sync: the server refused the roster ({detail}); nothing changed",
                  file=sys.stderr)
            return 1
        report(args, lines, result)
        return 0
    except Fatal as e:
        print(f"ejournal-sync: {e}", file=sys.stderr)
        return 1


def report(args, lines, result):
    would = "would be " if args.dry_run else ""
    counts = {}
    for r in result.get("rows", []):
        line, fields = lines[r["row"]]
        name = fields.get("full_name") or f"{fields.get('first_name', '')} {fields.get('last_name', '')}".strip()
        student = {"created": f"{would}created", "matched": "matched", "given": "matched"}[r["student"]]
        enrollment = f"{would}created" if r["enrollment"] == "created" else "left (already enrolled)"
        links = r.get("guardian_links_created", 0)
        extra = f", {links} guardian link(s) {would}created" if links else ""
        print(f"{args.file}:{line}: student {fields['student_id']} ({name}): {student}; "
              f"enrollment in group {fields['group_id']}: {enrollment}{extra}")
        counts[r["enrollment"]] = counts.get(r["enrollment"], 0) + 1
    print(f"students {would}created: {result.get('students_created', 0)}, "
          f"enrollments {would}created: {counts.get('created', 0)}, "
          f"left: {counts.get('left', 0)}, "
          f"guardian links {would}created: {result.get('guardian_links_created', 0)}")
    if args.dry_run:
        print("dry run: nothing was changed")
