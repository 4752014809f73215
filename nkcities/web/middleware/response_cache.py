"""Answer repeated GETs without rendering them: validators, 304s and a bounded response cache.

The database is opened immutable and only changes with a deployment, so a GET is a function of
its URL, the content coding and the deployment. This middleware:
- reduces Accept-Encoding to the one coding compression.py, further in, will use (br, gzip or
  none) and adds `Vary: Accept-Encoding`;
- gives every 200 an ETag made of the databases' recorded sha256 (`<db>.sha256` beside the
  file, written by the build, else the inspect file's hash), a digest of the deployment
  (Datasette's and every plugin's version, the metadata, the settings, the template, plugin,
  serving code (nkcities/web/) and static files) and the variant (coding; a digest of the
  cookies or Authorization if sent), and a Last-Modified (the newest of those files);
- answers If-None-Match / If-Modified-Since with 304 before the request reaches Datasette;
- gives /-/static/, /-/static-plugins/ and the folders of serve.yml's `static` (/assets/) a
  long Cache-Control: a year and `immutable` where the URL carries a version
  (`app.css?d59929`, `pages.css?<its digest>`), an hour otherwise (their URL does not change
  with a plugin upgrade); other pages keep Datasette's max-age, or get default_cache_ttl;
- keeps whole 200 responses in memory, least recently used first out, at most MAX_BYTES in
  all and MAX_ENTRY each (bigger ones, a streamed CSV say, pass through uncached), and replays
  them. Requests with cookies or Authorization neither read nor fill it.
- renders each key once per burst (single-flight, as nginx's proxy_cache_lock): a miss that
  finds the same key being rendered waits for that render and replays it. It waits here,
  before fair_share.py's turns, so a waiting request holds none of its client's slots; after
  RENDER_WAIT_S, or if the render is not cacheable, it renders on its own.
- warms itself: the first cacheable GET under a new scheme and Host (a platform's readiness
  probe, say) starts a background pass that renders the pages people arrive at
  (nkcities/web/warming.py) in the coding browsers ask for under that scheme, one at a time
  through this same entry point (so through fair_share, as one more client), until they are
  done or the cache is half full. GET /-/health reports how far it has got.
Only the home page, the databases' pages, the static folders and the /-/ paths in
FIXED_INTERNAL are touched: /-/threads, /-/actor, /-/messages, a health check or another
plugin's page are live; the .db download keeps its own ETag. The cache runs only where every
database file is immutable, and there is one (`cacheable`: a Datasette with no file has nothing
to tag its answers with).
"""

import asyncio
import contextlib
import email.utils
import hashlib
import importlib.metadata
import json
import time
from collections import OrderedDict
from pathlib import Path
from urllib.parse import unquote

from datasette.plugins import get_plugins

from nkcities.web.asgi import request_header
from nkcities.web.serve import ROOT, load_config
from nkcities.web.served_file import NotTheBuild, recorded_sha256
from nkcities.web.warming import arrival_paths

CACHE = load_config()["cache"]
MAX_BYTES, MAX_ENTRY = CACHE["max_bytes"], CACHE["max_entry_bytes"]
ENTRY_OVERHEAD = 512  # bytes counted per entry for its key, tuples and dict slot
FIXED_INTERNAL = ("/-/static/", "/-/static-plugins/", "/-/dashboards", "/-/versions.json",
                  "/-/plugins.json", "/-/metadata.json", "/-/settings.json",
                  "/-/databases.json")
STATIC = ("/-/static/", "/-/static-plugins/", "/favicon.ico",
          *(f"/{name}/" for name in load_config()["static"]))  # serve.yml's static folders
IMMUTABLE = "public, max-age=31536000, immutable"
STATIC_UNVERSIONED = "public, max-age=3600"
RENDER_WAIT_S = CACHE["render_wait_s"]
WARM_SHARE, WARM_ORIGINS = CACHE["warm_share"], CACHE["warm_origins"]
WARM_CLIENT = ("warm-up", 0)  # the address fair_share counts the warm-up's renders under
WARM_CODING = {"https": "br", "http": "gzip"}  # browsers send br over https only
CODINGS = ("br", "gzip")  # in order of preference
CREDENTIALS = (b"cookie", b"authorization")
SERVING_CODE = Path(__file__).resolve().parents[1]  # nkcities/web/: this stack, the server
VALIDATOR_HEADERS = {b"etag", b"cache-control", b"vary", b"last-modified",
                     b"access-control-allow-origin"}


def fixed_paths(datasette):
    """(whole paths, path prefixes) whose answer is the same for the whole deployment: the
    home page, the databases' pages, FIXED_INTERNAL, the favicon. Anything else (a health
    check, a plugin's own page) is left alone."""
    routes = tuple(f"/{db.route or db.name}" for db in datasette.databases.values() if db.path)
    return {"/", "/.json", "/favicon.ico"}, (*FIXED_INTERNAL, *STATIC, *routes)


def fixed(path, paths):
    """The .db download has validators of its own (plugins/db_download.py) and is too big."""
    whole, prefixes = paths
    return (path in whole or path.startswith(prefixes)) and not path.endswith(".db")


def coding(accept_encoding):
    """The coding to send for an Accept-Encoding value: br, gzip or identity (q=0 refuses)."""
    accepted = set()
    for part in (accept_encoding or "").lower().split(","):
        name, _, parameters = part.partition(";")
        weight = parameters.strip().removeprefix("q=")
        try:
            accepted |= {name.strip()} if not parameters or float(weight) > 0 else set()
        except ValueError:
            continue
    return next((name for name in CODINGS if name in accepted or "*" in accepted), "identity")


def with_coding(scope, chosen):
    """The scope with Accept-Encoding replaced by the chosen coding alone."""
    headers = [(key, value) for key, value in scope["headers"] if key != b"accept-encoding"]
    if chosen != "identity":
        headers.append((b"accept-encoding", chosen.encode()))
    return {**scope, "headers": headers}


def credentials(scope):
    """A digest of the request's cookies and Authorization, or None if it has neither."""
    sent = [value for key, value in scope["headers"] if key in CREDENTIALS]
    return hashlib.sha256(b"\n".join(sent)).hexdigest()[:12] if sent else None


def recorded_hash(db):
    """The sha256 the build recorded beside the file, else the inspect file's hash."""
    try:
        return recorded_sha256(db.path)
    except NotTheBuild:
        pass
    try:
        return db.hash
    except KeyError:  # an inspect file without hashes; health.py refuses such a file anyway
        return None


def files(*folders):
    return sorted(path for folder in folders if folder for path in Path(folder).rglob("*")
                  if path.is_file() and "__pycache__" not in path.parts)


def deployment(datasette):
    """(databases' tag, deployment's tag, Last-Modified as a Unix time)."""
    databases = [db for db in datasette.databases.values() if db.path]
    data = hashlib.sha256(" ".join(f"{db.name}={recorded_hash(db)}" for db in databases)
                          .encode())
    code = hashlib.sha256(json.dumps([
        importlib.metadata.version("datasette"),
        sorted((plugin["name"], plugin.get("version") or "") for plugin in get_plugins()),
        datasette.metadata(), datasette.settings_dict()], sort_keys=True, default=str).encode())
    sources = files(datasette.template_dir, datasette.plugins_dir, SERVING_CODE,
                    *(ROOT / folder for folder in load_config()["static"].values()))
    for path in sources:
        code.update(str(path).encode() + b"\0" + path.read_bytes())
    modified = max(Path(path).stat().st_mtime for path in
                   [*sources, *(db.path for db in databases)])
    return data.hexdigest()[:16], code.hexdigest()[:16], int(modified)


def not_modified(scope, etag, last_modified):
    """RFC 9110 13.2.2: If-None-Match (weak comparison) decides; else If-Modified-Since."""
    tags = request_header(scope, b"if-none-match")
    if tags is not None:
        listed = {tag.strip().removeprefix("W/") for tag in tags.split(",")}
        return "*" in listed or etag in listed
    since = request_header(scope, b"if-modified-since")
    try:
        return since is not None and email.utils.parsedate_to_datetime(since).timestamp() \
            >= last_modified
    except (TypeError, ValueError):
        return False


class Entries:
    """Responses by key, least recently used evicted first, within `limit` bytes."""

    def __init__(self, limit):
        self.limit, self.items, self.size = limit, OrderedDict(), 0

    @staticmethod
    def cost(entry):
        _, headers, body = entry
        return len(body) + sum(len(k) + len(v) for k, v in headers) + ENTRY_OVERHEAD

    def get(self, key):
        entry = self.items.get(key)
        if entry is not None:
            self.items.move_to_end(key)
        return entry

    def put(self, key, entry):
        if key in self.items:
            self.size -= self.cost(self.items.pop(key))
        self.items[key] = entry
        self.size += self.cost(entry)
        while self.size > self.limit:
            self.size -= self.cost(self.items.popitem(last=False)[1])


def storable(start):
    headers = dict(start["headers"])
    cache_control = headers.get(b"cache-control", b"").lower()
    return (start["status"] == 200 and b"set-cookie" not in headers
            and not any(word in cache_control for word in (b"no-store", b"private", b"no-cache")))


class Capture:
    """A send() that decorates the response's headers and hands a copy of a small 200 to
    `keep` as its last byte goes out (not after: the next request may already be here)."""

    def __init__(self, send, decorate, keep):
        self.send, self.decorate, self.keep = send, decorate, keep
        self.start, self.chunks, self.size = None, [], 0

    async def __call__(self, message):
        if message["type"] == "http.response.start":
            message = {**message, "headers": self.decorate(message)}
            self.start = message if self.keep and storable(message) else None
        elif message["type"] == "http.response.body" and self.start is not None:
            self.size += len(message.get("body", b""))
            if self.size > MAX_ENTRY:
                self.start, self.chunks = None, []
            else:
                self.chunks.append(message.get("body", b""))
                if not message.get("more_body", False):
                    self.keep(self.entry())
        await self.send(message)

    def entry(self):
        body = b"".join(self.chunks)
        headers = [(k, v) for k, v in self.start["headers"] if k != b"content-length"]
        return 200, [*headers, (b"content-length", str(len(body)).encode())], body


class Flight:
    """One render that concurrent misses of its key wait for."""

    def __init__(self):
        self.done, self.entry = asyncio.Event(), None

    def keep(self, entry):
        self.entry = entry
        self.done.set()

    async def wait(self):
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(RENDER_WAIT_S):
                await self.done.wait()
        return self.entry


async def replay(send, entry, method):
    status, headers, body = entry
    await send({"type": "http.response.start", "status": status,
                "headers": [*headers, (b"x-cache", b"hit")]})
    await send({"type": "http.response.body", "body": body if method == "GET" else b""})


def cacheable(datasette):
    """Every database a file, immutable, and at least one."""
    files = [db for db in datasette.databases.values() if db.path]
    return bool(files) and not any(db.is_mutable for db in files)


class ResponseCache:
    """Validators, 304s and the cache of one server; `warming`, a dict that /-/health reports,
    is kept up to date with the warm-up's progress."""

    def __init__(self, app, datasette, warming):
        self.app, self.datasette, self.entries = app, datasette, Entries(MAX_BYTES)
        self.flights = {}  # key: the Flight of its render under way
        self.warmed, self.tasks = set(), set()  # (scheme, Host) pairs; running warm-ups
        self.progress = warming
        self.data_tag, self.code_tag, self.last_modified = deployment(datasette)
        self.paths = fixed_paths(datasette)
        self.http_date = email.utils.formatdate(self.last_modified, usegmt=True).encode()

    def etag(self, chosen, credential):
        variant = chosen + (f"-{credential}" if credential else "")
        return f'"{self.data_tag}-{self.code_tag}-{variant}"'

    def cache_control(self, scope):
        if scope["path"].startswith(STATIC):
            return IMMUTABLE if scope["query_string"] else STATIC_UNVERSIONED
        return None

    def validators(self, scope, etag, headers):
        """The response headers with the validators, Vary and Cache-Control added."""
        forced = self.cache_control(scope)
        names, varies, kept = set(), [], []
        for key, value in headers:  # one pass: Vary gathered, a forced Cache-Control dropped
            name = key.lower()
            names.add(name)
            if name == b"vary":
                varies.append(value)
            elif not (forced and name == b"cache-control"):
                kept.append((key, value))
        vary, headers = b", ".join(varies), kept
        added = [(b"vary", vary + b", Accept-Encoding" if vary else b"Accept-Encoding")] \
            if b"accept-encoding" not in vary.lower() else [(b"vary", vary)]
        if forced:
            added.append((b"cache-control", forced.encode()))
        elif b"cache-control" not in names:
            ttl = self.datasette.setting("default_cache_ttl")
            added.append((b"cache-control", f"max-age={ttl}".encode()))
        if b"etag" not in names:
            added += [(b"etag", etag.encode()), (b"last-modified", self.http_date)]
        return [*headers, *added]

    async def not_modified(self, scope, send, etag):
        headers = self.validators(scope, etag, [])
        if self.datasette.cors:
            headers.append((b"access-control-allow-origin", b"*"))
        await send({"type": "http.response.start", "status": 304,
                    "headers": [(k, v) for k, v in headers if k in VALIDATOR_HEADERS]})
        await send({"type": "http.response.body", "body": b""})

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http" or scope["method"] not in ("GET", "HEAD") \
                or not fixed(scope["path"], self.paths):
            return await self.app(scope, receive, send)
        chosen, credential = coding(request_header(scope, b"accept-encoding")), credentials(scope)
        scope, etag = with_coding(scope, chosen), self.etag(chosen, credential)
        if not_modified(scope, etag, self.last_modified):
            return await self.not_modified(scope, send, etag)
        key = None if credential else (scope["scheme"], request_header(scope, b"host"),
                                       scope["path"], scope["query_string"], chosen)
        if key and scope["method"] == "GET":
            self.start_warming(scope)
        entry = self.entries.get(key) if key else None
        if entry is None and key in self.flights:
            entry = await self.flights[key].wait()
        if entry is not None:
            return await replay(send, entry, scope["method"])

        def decorate(start):
            return self.validators(scope, etag, start["headers"]) \
                if start["status"] == 200 else start["headers"]
        flight = Flight() if key and scope["method"] == "GET" and key not in self.flights \
            else None
        keep = key and scope["method"] == "GET" and (lambda entry: self.keep(key, entry, flight))
        if flight:
            self.flights[key] = flight
        try:
            await self.app(scope, receive, Capture(send, decorate, keep))
        finally:
            if flight:
                del self.flights[key]
                flight.done.set()

    def start_warming(self, scope):
        origin = (scope["scheme"], request_header(scope, b"host"))
        if origin in self.warmed or len(self.warmed) >= WARM_ORIGINS \
                or scope.get("client") == WARM_CLIENT:
            return
        self.warmed.add(origin)
        chosen = WARM_CODING.get(scope["scheme"], "gzip")
        task = asyncio.get_running_loop().create_task(self.warm(scope, chosen))
        self.tasks.add(task)  # the loop keeps only a weak reference to a task
        task.add_done_callback(self.tasks.discard)

    async def warm(self, scope, chosen):
        paths = await arrival_paths(self.datasette)
        self.progress.update(done=False, of=(self.progress["of"] or 0) + len(paths))
        headers = [(key, value) for key, value in with_coding(scope, chosen)["headers"]
                   if key in (b"host", b"accept-encoding")]

        async def receive():
            return {"type": "http.request", "body": b"", "more_body": False}

        async def discard(message):
            pass
        try:
            for path in paths:
                if self.entries.size > MAX_BYTES // WARM_SHARE:
                    break
                path, _, query = path.partition("?")
                started = time.perf_counter()
                await self({**scope, "path": unquote(path), "raw_path": path.encode(),
                            "query_string": query.encode(), "headers": headers,
                            "client": WARM_CLIENT}, receive, discard)
                self.progress["pages"] += 1
                # A render holds the event loop; as long again for visitors before the next.
                await asyncio.sleep(time.perf_counter() - started)
        finally:  # over, whole or not: "pages" below "of" says which
            self.progress["done"] = True

    def keep(self, key, entry, flight):
        self.entries.put(key, entry)
        if flight:
            flight.keep(entry)

