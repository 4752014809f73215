"""Never serve a file that is not the database the build made.

When the server starts (its first ASGI scope: uvicorn's lifespan startup, or an in-process
Datasette's first request) each immutable database file, what this site serves, is checked
against the sha256 the build recorded beside it (nkcities/web/served_file.py; nkcities/web/serve.py
has already refused to start on a mismatch). Then every request compares a stat of the file with
the one taken then (size, mtime, ctime, inode): a file truncated, overwritten, rewritten in place
or replaced while serving answers 503 everywhere, so the .db download can never send other bytes
under the old ETag. GET /-/health, for the platform's probes: 200 while the file is the recorded
one, 503 otherwise (both JSON), with how far the response cache's warm-up has got
(nkcities/web/warming.py). A mutable database (Datasette's contract: it changes while served, so
it has no recorded hash) is not checked.
"""

import json
import os
from pathlib import Path

from nkcities.web.asgi import send_whole
from nkcities.web.http_errors import send_error
from nkcities.web.served_file import NotTheBuild, verify

HEALTH = "/-/health"


class Health:
    """503 for everything once a served file is not the build's; GET /-/health says which."""

    def __init__(self, app, datasette, warming=None):
        self.app, self.datasette, self.warming = app, datasette, warming
        self.files, self.problem, self.checked = {}, None, False  # path: Fingerprint

    def check(self):
        self.files, self.problem, self.checked = {}, None, True
        for db in self.datasette.databases.values():
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

    async def report(self, send, problem):
        body = json.dumps({"ok": not problem, **({"error": problem} if problem else {}),
                           **({"warm": self.warming} if self.warming else {})}).encode()
        await send_whole(send, 503 if problem else 200,
                         [(b"content-type", b"application/json; charset=utf-8"),
                          (b"cache-control", b"no-store")], body)

    async def __call__(self, scope, receive, send):
        if not self.checked:
            self.check()
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        problem = self.problem_now()
        if scope["path"] == HEALTH:
            return await self.report(send, problem)
        if problem:
            return await send_error(scope, send, 503, f"not serving: {problem}")
        return await self.app(scope, receive, send)
