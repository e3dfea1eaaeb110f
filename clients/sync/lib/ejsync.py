"""Shared code of the ejournal-sync commands: the API client (sign-in, token
refresh, retries honouring Retry-After) and small file helpers (atomic
replace with fsync). Standard library only.

Errors the user must act on are raised as Fatal, whose message is the one
line the command prints before it exits non-zero.
"""
import json
import os
import sys
import time
import urllib.error
import urllib.parse
import urllib.request

# Waiting on 429/503 and on a server that cannot be reached: at most this many
# attempts per request, each wait at most MAX_WAIT seconds (Retry-After is
# honoured up to that); both can be lowered for tests through the environment.
ATTEMPTS = int(os.environ.get("EJ_SYNC_ATTEMPTS", "8"))
MAX_WAIT = float(os.environ.get("EJ_SYNC_MAX_WAIT", "60"))
TIMEOUT = float(os.environ.get("EJ_SYNC_TIMEOUT", "30"))


class Fatal(Exception):
    """An error that ends the command: str(e) is its one-line message."""


def log(msg):
    print(f"ejournal-sync: {msg}", file=sys.stderr, flush=True)


def add_auth_arguments(parser):
    """--api, and --token-file or --user with --password-file."""
    parser.add_argument("--api", required=True,
                        help="the API's base URL, e.g. https://ejournal.example/api/v1")
    parser.add_argument("--token-file",
                        help="a file holding an access token, or the JSON a login or refresh "
                             "answered ({access_token, refresh_token}); refreshed tokens are "
                             "written back to it")
    parser.add_argument("--user", help="sign in as this user (with --password-file)")
    parser.add_argument("--password-file", help="a file whose first line is the password")


def client_from_args(parser, args):
    if bool(args.token_file) == bool(args.user):
        parser.error("give either --token-file or --user with --password-file")
    if args.user and not args.password_file:
        parser.error("--user needs --password-file")
    if args.password_file and not args.user:
        parser.error("--password-file needs --user")
    return Client(args.api, token_file=args.token_file, user=args.user,
                  password_file=args.password_file)


def replace_file(path, data):
    """Writes data (bytes) to path atomically: a temporary file in the same
    folder, fsync, rename over path, fsync the folder. After a crash path
    holds either the old or the new content, never a part."""
    folder = os.path.dirname(os.path.abspath(path))
    tmp = os.path.join(folder, f".{os.path.basename(path)}.{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        os.write(fd, data)
        os.fsync(fd)
    finally:
        os.close(fd)
    os.replace(tmp, path)
    fsync_dir(folder)


def fsync_dir(folder):
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _problem_line(status, body):
    if isinstance(body, dict):
        code = body.get("code", "")
        detail = body.get("detail", "")
        return f"{status} {code}: {detail}".strip()
    return f"HTTP {status}"


class Client:
    def __init__(self, api, token_file=None, user=None, password_file=None):
        self.api = api.rstrip("/")
        if not self.api.startswith(("http://", "https://")):
            raise Fatal(f"--api must be an http:// or https:// URL, not {api!r}")
        self.token_file = token_file
        self.user = user
        self.password_file = password_file
        self.access = None
        self.refresh = None
        if token_file:
            self._read_token_file()
        else:
            self._login()

    # ---- tokens ----

    def _read_token_file(self):
        try:
            with open(self.token_file, encoding="utf-8") as f:
                text = f.read().strip()
        except OSError as e:
            raise Fatal(f"cannot read the token file {self.token_file}: {e.strerror}")
        if text.startswith("{"):
            try:
                doc = json.loads(text)
            except ValueError:
                raise Fatal(f"the token file {self.token_file} is not valid JSON")
            self.access = doc.get("access_token")
            self.refresh = doc.get("refresh_token")
        else:
            self.access = text
        if not self.access and not self.refresh:
            raise Fatal(f"the token file {self.token_file} holds no token")

    def _save_tokens(self):
        if self.token_file and self.refresh:
            doc = {"access_token": self.access, "refresh_token": self.refresh}
            replace_file(self.token_file, (json.dumps(doc) + "\n").encode())

    def _login(self):
        try:
            with open(self.password_file, encoding="utf-8") as f:
                password = f.readline().rstrip("\r\n")
        except OSError as e:
            raise Fatal(f"cannot read the password file {self.password_file}: {e.strerror}")
        status, body, _ = self._send("POST", "/auth/login",
                                     {"username": self.user, "password": password}, auth=False)
        if status != 200:
            raise Fatal(f"sign-in as {self.user} refused: {_problem_line(status, body)}")
        self.access = body["access_token"]
        self.refresh = body.get("refresh_token")

    def _renew(self):
        """After a 401: a refresh token if we have one, else sign in again.
        Returns True if there is a new access token."""
        if self.refresh:
            status, body, _ = self._send("POST", "/auth/refresh",
                                         {"refresh_token": self.refresh}, auth=False)
            if status == 200:
                self.access = body["access_token"]
                self.refresh = body.get("refresh_token", self.refresh)
                self._save_tokens()
                return True
            self.refresh = None
        if self.user:
            self._login()
            return True
        return False

    # ---- requests ----

    def _send(self, method, path, body, auth=True):
        """One request with retries on 429/503 (Retry-After) and on
        connection failures. Returns (status, parsed body, headers)."""
        url = self.api + path
        data = json.dumps(body).encode() if body is not None else None
        for attempt in range(1, ATTEMPTS + 1):
            req = urllib.request.Request(url, data=data, method=method)
            req.add_header("Accept", "application/json")
            if data is not None:
                req.add_header("Content-Type", "application/json")
            if auth and self.access:
                req.add_header("Authorization", f"Bearer {self.access}")
            try:
                with urllib.request.urlopen(req, timeout=TIMEOUT) as res:
                    return res.status, _parse(res.read()), res.headers
            except urllib.error.HTTPError as e:
                status, parsed, headers = e.code, _parse(e.read()), e.headers
                if status in (429, 503) and attempt < ATTEMPTS:
                    wait = _retry_after(headers, attempt)
                    log(f"{method} {path}: {status}, retrying in {wait:g} s")
                    time.sleep(wait)
                    continue
                return status, parsed, headers
            except (urllib.error.URLError, OSError) as e:
                if attempt >= ATTEMPTS:
                    reason = getattr(e, "reason", e)
                    raise Fatal(f"cannot reach {self.api}: {reason}")
                wait = min(MAX_WAIT, 2 ** (attempt - 1))
                log(f"{method} {path}: cannot connect ({getattr(e, 'reason', e)}), retrying in {wait:g} s")
                time.sleep(wait)
        raise Fatal(f"{method} {path}: the server stayed busy after {ATTEMPTS} attempts")

    def get(self, path, query=None):
        """GET with the caller's token; renews it once on a 401. 401/403 and
        other errors become Fatal unless listed by the caller (see call)."""
        return self.call("GET", path, query=query)

    def call(self, method, path, body=None, query=None, allow=()):
        if query:
            path = path + "?" + urllib.parse.urlencode(query)
        status, parsed, headers = self._send(method, path, body)
        if status == 401 and self._renew():
            status, parsed, headers = self._send(method, path, body)
        if 200 <= status < 300 or status in allow:
            return status, parsed
        if status == 401:
            raise Fatal(f"not signed in ({_problem_line(status, parsed)}); check the token or password")
        if status == 403:
            raise Fatal(f"not allowed ({_problem_line(status, parsed)}); the account needs the role integration")
        raise Fatal(f"{method} {path}: {_problem_line(status, parsed)}")


def _parse(raw):
    if not raw:
        return None
    try:
        return json.loads(raw)
    except ValueError:
        return raw.decode("utf-8", "replace")


def _retry_after(headers, attempt):
    value = headers.get("Retry-After") if headers else None
    try:
        wait = float(value)
    except (TypeError, ValueError):
        wait = 2 ** (attempt - 1)
    return max(0.0, min(MAX_WAIT, wait))
