"""ejournal-sync pull: appends every change since the saved cursor to files
under --out (one JSON-lines file and one CSV file per entity), then saves the
cursor in --state.

Exactly once, even when killed at any moment: the state file records, with
the cursor, how long each output file was when that cursor was saved. A run
first cuts every output file back to that length (dropping what a killed run
appended after its last save), then per page: append, fsync the files, and
only then replace the state atomically (write a temporary file, fsync,
rename, fsync the folder). A kill before the rename repeats the page from the
old cursor onto files cut back to match it; a kill after it continues from
the new one. Nothing is lost (the cursor never moves past what is on disk)
and nothing is doubled (what is on disk past the cursor is cut).
"""
import argparse
import csv
import io
import json
import os
import re

from ejsync import Fatal, add_auth_arguments, client_from_args, fsync_dir, log, replace_file

HELP = "append every change since the saved cursor to JSON-lines and CSV files"

FIXED = ["cursor", "committed_at", "op", "id", "external_id"]
ENTITY = re.compile(r"^[a-z][a-z_]{0,40}$")
OUTPUT = re.compile(r"^[a-z][a-z_]{0,40}\.(jsonl|csv)$")


def load_state(path):
    try:
        with open(path, encoding="utf-8") as f:
            doc = json.load(f)
    except FileNotFoundError:
        return {"cursor": None, "files": {}}
    except (OSError, ValueError) as e:
        raise Fatal(f"cannot read the state file {path}: {e}")
    if not isinstance(doc, dict) or not isinstance(doc.get("files", {}), dict):
        raise Fatal(f"the state file {path} is not a state this program wrote")
    return {"cursor": doc.get("cursor"), "files": dict(doc.get("files", {}))}


def save_state(path, state):
    replace_file(path, (json.dumps(state, indent=1, sort_keys=True) + "\n").encode())


def cut_back(out, files):
    """Cuts every output file back to its length in the state; files the
    state does not know (made by a run killed before its first save) to 0."""
    for name in os.listdir(out):
        if not OUTPUT.match(name):
            continue
        full = os.path.join(out, name)
        keep = int(files.get(name, 0))
        if os.path.getsize(full) > keep:
            with open(full, "r+b") as f:
                f.truncate(keep)
                f.flush()
                os.fsync(f.fileno())


def neutralise(text):
    # A spreadsheet runs a cell that starts with one of these as a formula.
    return "'" + text if text[:1] in ("=", "+", "-", "@") else text


def cell(v):
    if v is None:
        return ""
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (dict, list)):
        return neutralise(json.dumps(v, ensure_ascii=False, separators=(",", ":")))
    return neutralise(str(v))


def csv_line(values):
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\r\n").writerow(values)
    return buf.getvalue().encode("utf-8")


class Outputs:
    """The open output files of one run, with their CSV columns."""

    def __init__(self, out, files):
        self.out = out
        self.files = files  # name -> length as saved
        self.handles = {}
        self.columns = {}

    def _open(self, name):
        if name not in self.handles:
            self.handles[name] = open(os.path.join(self.out, name), "ab")
        return self.handles[name]

    def _csv_columns(self, entity, change):
        if entity in self.columns:
            return self.columns[entity]
        name = f"{entity}.csv"
        path = os.path.join(self.out, name)
        cols = None
        if os.path.exists(path) and os.path.getsize(path) > 0:
            with open(path, encoding="utf-8", newline="") as f:
                cols = next(csv.reader(f), None)
        if not cols:
            data = change.get("data") or {}
            cols = FIXED + [k for k in data if k not in FIXED] + ["other"]
            self._open(name).write(csv_line(cols))
        self.columns[entity] = cols
        return cols

    def append(self, change):
        entity = change.get("entity", "")
        if not ENTITY.match(entity):
            raise Fatal(f"the server sent a change of an unexpected entity {entity!r}")
        line = json.dumps(change, ensure_ascii=False, separators=(",", ":")) + "\n"
        self._open(f"{entity}.jsonl").write(line.encode("utf-8"))
        cols = self._csv_columns(entity, change)
        data = change.get("data") or {}
        row = []
        for c in cols[:-1]:
            row.append(cell(change.get(c) if c in FIXED else data.get(c)))
        other = {k: v for k, v in data.items() if k not in cols}
        row.append(cell(other) if other else "")
        self._open(f"{entity}.csv").write(csv_line(row))

    def sync(self):
        """fsync what was appended; returns the new lengths."""
        for name, f in self.handles.items():
            f.flush()
            os.fsync(f.fileno())
            self.files[name] = f.tell()
        fsync_dir(self.out)  # new files' names
        return dict(self.files)

    def close(self):
        for f in self.handles.values():
            f.close()
        self.handles.clear()


def main(argv):
    parser = argparse.ArgumentParser(prog="ejournal-sync pull", description=HELP)
    add_auth_arguments(parser)
    parser.add_argument("--state", required=True,
                        help="the state file: the saved cursor (made on the first run)")
    parser.add_argument("--out", required=True, help="the folder the entity files go to")
    parser.add_argument("--page-size", type=int, default=500,
                        help="changes per request, 1-500 (default 500)")
    args = parser.parse_args(argv)
    if not 1 <= args.page_size <= 500:
        parser.error("--page-size must be 1 to 500")
    try:
        return pull(parser, args)
    except Fatal as e:
        log(str(e))
        return 1
    except KeyboardInterrupt:
        log("interrupted; the saved cursor is where the files end, run again to continue")
        return 130


def pull(parser, args):
    os.makedirs(args.out, exist_ok=True)
    state = load_state(args.state)
    cut_back(args.out, state["files"])
    client = client_from_args(parser, args)
    outputs = Outputs(args.out, dict(state["files"]))
    counts = {}
    total = 0
    try:
        while True:
            query = {"limit": args.page_size}
            if state["cursor"] is not None:
                query["after"] = state["cursor"]
            status, page = client.call("GET", "/changes", query=query, allow=(410,))
            if status == 410:
                raise Fatal(f"the saved cursor {state['cursor']} is older than the changes the "
                            f"server keeps (oldest: {page.get('oldest')}); take a full export "
                            f"and start a new state file")
            items = page.get("items", [])
            for change in items:
                outputs.append(change)
                counts[change["entity"]] = counts.get(change["entity"], 0) + 1
            files = outputs.sync()
            state = {"cursor": page["next"], "files": files}
            save_state(args.state, state)
            total += len(items)
            if len(items) < args.page_size:
                break
    finally:
        outputs.close()
    detail = ", ".join(f"{k} {v}" for k, v in sorted(counts.items()))
    print(f"pulled {total} changes{' (' + detail + ')' if detail else ''}; cursor {state['cursor']}",
          flush=True)
    return 0
