"""Never serve a file that is not the database the build made. The outermost of the project's
ASGI wrappers (serve.yml, asgi_order).

At startup each immutable database file, what this site serves, is checked against the sha256
the build recorded beside it (nkcities/web/served_file.py; nkcities/web/serve.py has already
refused to start on a mismatch). Then every request compares a stat of the file with the one
taken then
(size, mtime, ctime, inode): a file truncated, overwritten, rewritten in place or replaced while
serving answers 503 everywhere, so the .db download can never send other bytes under the old
ETag. GET /-/health, for the platform's probes: 200 while the file is the recorded one, 503
otherwise (both JSON), with how far the response cache's warm-up has got
(nkcities/web/warming.py). A mutable database (Datasette's contract: it changes while served, so it
has no recorded hash) is not checked.
"""

import json
import os
from pathlib import Path

from datasette import hookimpl

from nkcities.web.http_errors import send_error
from nkcities.web.served_file import NotTheBuild, verify
from nkcities.web.warming import progress

HEALTH = "/-/health"


class Served:
    """Each served file's Fingerprint, or why it is not the build's."""

    def __init__(self):
        self.files, self.problem, self.checked = {}, None, False

    def check_at_start(self, datasette):
        self.files, self.problem, self.checked = {}, None, True
        for db in datasette.databases.values():
            if db.path and not db.is_mutable:
                try:
                    self.files[db.path] = verify(db.path)
                except (NotTheBuild, OSError) as error:
                    # the file's name only: no response shows where it lives
                    self.problem = str(error).replace(str(Path(db.path).parent) + os.sep, "")

    def problem_now(self):
        if self.problem:
            return self.problem
        changed = [path for path, seen in self.files.items() if not seen.unchanged(path)]
        return f"{Path(changed[0]).name}: changed since the server checked it" if changed else None


SERVED = {}  # id(datasette): Served


@hookimpl
def startup(datasette):
    SERVED.setdefault(id(datasette), Served()).check_at_start(datasette)


async def health(send, problem, warm):
    body = json.dumps({"ok": not problem, **({"error": problem} if problem else {}),
                       **({"warm": warm} if warm else {})}).encode()
    await send({"type": "http.response.start", "status": 503 if problem else 200,
                "headers": [(b"content-type", b"application/json; charset=utf-8"),
                            (b"cache-control", b"no-store")]})
    await send({"type": "http.response.body", "body": body})


@hookimpl
def asgi_wrapper(datasette):
    def wrap(app):
        served = SERVED.setdefault(id(datasette), Served())

        async def checked(scope, receive, send):
            if scope["type"] != "http":
                return await app(scope, receive, send)
            if not served.checked:  # an in-process Datasette whose startup hooks did not run
                served.check_at_start(datasette)
            problem = served.problem_now()
            if scope["path"] == HEALTH:
                return await health(send, problem, progress(datasette))
            if problem:
                return await send_error(scope, send, 503, f"not serving: {problem}")
            return await app(scope, receive, send)
        return checked
    return wrap
