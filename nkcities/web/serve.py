"""Serve the built database with serve.yml: `python -m nkcities.web.serve` (make serve, the tests,
the benchmarks, the Dockerfile).

`datasette serve` does not offer uvicorn's limits (concurrency, timeouts, backlog), so this
builds the same `Datasette(...)` and runs it under uvicorn with them. It refuses to start, with
one line and exit status 2, when the database is not the one the build recorded or the inspect
file is not its own (nkcities/web/served_file.py).

    python -m nkcities.web.serve [--db FILE] [--inspect FILE] [--host H] [--port N]
                             [--setting NAME VALUE]...
DB, INSPECT, HOST and PORT in the environment give the defaults (the Dockerfile sets them).
"""

import ctypes
import functools
import gc
import ipaddress
import logging
import ctypes.util
import os
import platform
import resource
import signal
import sys
import time
from pathlib import Path

import click
import h11
import uvicorn
import yaml
from jinja2 import TemplateNotFound
from datasette.app import Datasette
from datasette.utils import tilde_decode
from datasette.plugins import pm
from uvicorn.protocols.http.h11_impl import H11Protocol

from nkcities.web.served_file import NotTheBuild, verify

ROOT = Path(__file__).resolve().parents[2]
CONFIG = ROOT / "serve.yml"
M_MMAP_THRESHOLD = -3  # glibc's malloc.h
DEFAULT_DB, DEFAULT_INSPECT = "north-korea-cities.db", "inspect-data.json"  # as `make build`


def load_config():
    """serve.yml, or the file NKCITIES_SERVE_CONFIG names (the benchmarks' variants)."""
    path = os.environ.get("NKCITIES_SERVE_CONFIG") or CONFIG
    return yaml.safe_load(Path(path).read_text(encoding="utf-8"))


class BoundedConnections(H11Protocol):
    """uvicorn's keep-alive timer bounds only a connection that sends nothing, and its
    limit_concurrency counts connections that have not sent a whole request (slowloris).
    serve.yml's `connections`: the idle timer starts at connect too (encode/uvicorn#1192); the
    request line and headers must be whole within header_timeout_s of their first byte, a body
    within body_timeout_s of its headers, or the connection is dropped; and past max_open
    connections a new one drops the one that has waited longest without a whole request, so
    such connections never take a place that a complete request needs."""

    limits = {}  # serve.yml's `connections` (uvicorn_config sets it)

    def connection_made(self, transport):
        super().connection_made(transport)
        self.deadline, self.waiting_since = None, time.monotonic()
        self.timeout_keep_alive_task = self.loop.call_later(
            self.timeout_keep_alive, self.timeout_keep_alive_handler)
        if len(self.connections) > self.limits["max_open"]:
            self.drop_longest_waiting()

    def waiting(self):
        """Not running a whole request: idle, sending one, or closing with unread bytes."""
        return self.transport.is_closing() or self.conn.their_state is not h11.DONE

    def drop_longest_waiting(self):
        waiting = [c for c in self.connections if isinstance(c, BoundedConnections)
                   and c.waiting()]
        if waiting:
            min(waiting, key=lambda c: c.waiting_since).drop()

    def drop(self):
        self.transport.abort()  # close() would wait for a client that does not read

    def data_received(self, data):
        super().data_received(data)
        self.arm_deadline()

    def on_response_complete(self):
        self.waiting_since = time.monotonic()
        super().on_response_complete()
        self.arm_deadline()

    def arm_deadline(self):
        """One timer per phase: headers from their first byte, a body from its headers."""
        state = self.conn.their_state
        if state is h11.IDLE and self.conn.trailing_data[0]:
            phase, seconds = "headers", self.limits["header_timeout_s"]
        elif state is h11.SEND_BODY:
            phase, seconds = "body", self.limits["body_timeout_s"]
        else:
            phase = seconds = None
        if self.deadline and self.deadline[0] != phase:
            self.deadline[1].cancel()
            self.deadline = None
        if phase and not self.deadline:
            self.deadline = (phase, self.loop.call_later(seconds, self.drop))

    def connection_lost(self, exc):
        if self.deadline:
            self.deadline[1].cancel()
            self.deadline = None
        super().connection_lost(exc)


class ForwardedFor:
    """The client address and scheme from a trusted proxy's X-Forwarded-For / -Proto, in place of
    uvicorn's proxy_headers, which with forwarded_allow_ips "*" takes the leftmost entry: on
    Cloud Run or Fly whatever the client sent. Here the client is the entry `hops` from the
    right, the one the nearest trusted proxies appended (serve.yml's `forwarded`); with fewer
    entries, the peer itself."""

    def __init__(self, app, trusted, hops):
        self.app, self.hops = app, hops
        self.anyone = trusted.strip() == "*"
        self.trusted = [ipaddress.ip_network(n.strip(), strict=False)
                        for n in trusted.split(",") if n.strip() and not self.anyone]
        # a peer's address parsed once, not at each of its requests (bounded: peers are real)
        self.trusts = functools.lru_cache(maxsize=1024)(self.trusts)

    def trusts(self, host):
        try:
            return self.anyone or any(ipaddress.ip_address(host) in n for n in self.trusted)
        except ValueError:
            return False

    def entries(self, scope, name):
        values = b",".join(v for k, v in scope["headers"] if k == name).decode("latin-1")
        return [entry.strip() for entry in values.split(",") if entry.strip()]

    async def __call__(self, scope, receive, send):
        if scope["type"] in ("http", "websocket") and scope.get("client") \
                and self.trusts(scope["client"][0]):
            hosts = self.entries(scope, b"x-forwarded-for")
            if len(hosts) >= self.hops:
                scope["client"] = (hosts[-self.hops], 0)
            schemes = self.entries(scope, b"x-forwarded-proto")
            if schemes and schemes[-1] in ("http", "https"):
                scope["scheme"] = schemes[-1] if scope["type"] == "http" else \
                    {"http": "ws", "https": "wss"}[schemes[-1]]
        return await self.app(scope, receive, send)


class ShortURLs(logging.Filter):
    """Cut the URL of an access-log line (uvicorn's args: client, method, URL, version, status)
    to `limit` characters: a flood of 64 kB URLs wrote 79 MB of log in 8 minutes."""

    def __init__(self, limit):
        super().__init__()
        self.limit = limit

    def filter(self, record):
        args = record.args
        if isinstance(args, tuple) and len(args) == 5 and len(str(args[2])) > self.limit:
            record.args = (*args[:2], f"{str(args[2])[:self.limit]}…", *args[3:])
        return True


def open_files_to_hard_limit():
    """connections.max_open must stay below the open-file limit: raise the soft one."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard == resource.RLIM_INFINITY or soft < hard:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))


def large_blocks_mapped(threshold):
    """glibc's malloc raises its mmap threshold after a large block is freed, then keeps the
    next 12 MB bodies in the heap, which it seldom gives back (RSS stayed at 540 MB after a
    burst): a fixed threshold (mallopt, glibc's public API) maps every large block and unmaps
    it when freed."""
    libc = ctypes.util.find_library("c")
    if libc and platform.libc_ver()[0] == "glibc":
        ctypes.CDLL(libc).mallopt(M_MMAP_THRESHOLD, threshold)


def unload(plugins):
    """Take installed plugins that this site does not use out of Datasette's plugin manager
    (pluggy's public unregister): pip installs them as other plugins' dependencies."""
    for name in plugins:
        if pm.has_plugin(name):
            pm.unregister(name=name)


def site_template(datasette, names):
    """The name of the template Datasette picks for names if it is this site's (templates/),
    else None: a route that renders a page with less than Datasette's view gathers for it gives
    way to that view when another template (Datasette's own, say) would read the rest."""
    env = datasette.jinja_env
    for name in names:  # as select_template picks, without compiling (filters may come later)
        try:
            filename = env.loader.get_source(env, name)[1]
        except TemplateNotFound:
            continue
        return name if Path(filename).resolve().is_relative_to(ROOT / "templates") else None
    return None


async def datasette_view(view_class, datasette, request, send):
    """Datasette's own view (a class of datasette.views) answering request. Its dispatch first
    asks every database for its schema version (refresh_schemas: three SQL hand-offs here, most
    of a ?sql= request's), which only a write can change: a GET of a database served immutable,
    which nothing writes, goes straight to the view's get."""
    try:
        db = datasette.get_database(route=tilde_decode(request.url_vars["database"]))
    except KeyError:
        db = None  # the view answers 404 as Datasette's route does
    if request.method == "GET" and db is not None and not db.is_mutable:
        return await view_class(datasette).get(request)
    return await view_class.as_view(datasette)(request, send)


def datasette(config, db, inspect, overrides, metadata=ROOT / "metadata.yml"):
    settings = {**config["settings"], **overrides}
    unload(config.get("unloaded_plugins", []))
    return Datasette(
        immutables=[str(db)], inspect_data=yaml.safe_load(Path(inspect).read_text()),
        metadata=yaml.safe_load(Path(metadata).read_text(encoding="utf-8")),
        template_dir=str(ROOT / "templates"), plugins_dir=str(ROOT / "plugins"),
        settings=settings, cors=config["cors"],
        static_mounts=[(name, str(ROOT / folder)) for name, folder in config["static"].items()])


def uvicorn_config(app, config, host, port):
    BoundedConnections.limits = config["connections"]
    forwarded = config["forwarded"]
    app = ForwardedFor(app, os.environ.get("FORWARDED_ALLOW_IPS", forwarded["trusted"]),
                       int(os.environ.get("FORWARDED_HOPS", forwarded["hops"])))
    return uvicorn.Config(app, host=host, port=port, lifespan="on", log_level="info",
                          http=BoundedConnections, proxy_headers=False, **config["uvicorn"])


def setting_value(value):
    """A --setting value as serve.yml would hold it: a number, on/off, or text."""
    return {"on": True, "off": False}.get(value, int(value) if value.isdigit() else value)


@click.command()
@click.option("--db", default=lambda: os.environ.get("DB", DEFAULT_DB),
              type=click.Path(dir_okay=False))
@click.option("--inspect", default=lambda: os.environ.get("INSPECT", DEFAULT_INSPECT),
              type=click.Path(dir_okay=False))
@click.option("--host", default=lambda: os.environ.get("HOST", "127.0.0.1"))
@click.option("--port", default=lambda: int(os.environ.get("PORT", "8001")), type=int)
@click.option("--metadata", default=str(ROOT / "metadata.yml"), type=click.Path(dir_okay=False),
              help="Another metadata file (the Lighthouse test points the map's tiles away).")
@click.option("--setting", "overrides", multiple=True, type=(str, str),
              help="A Datasette setting over serve.yml's, e.g. --setting num_sql_threads 0.")
def main(db, inspect, host, port, metadata, overrides):
    """Serve DB with serve.yml, after checking it is the database the build recorded."""
    try:
        verify(db, inspect)
    except (NotTheBuild, OSError) as error:
        click.echo(f"not serving: {error}", err=True)
        sys.exit(2)
    config = load_config()
    open_files_to_hard_limit()
    large_blocks_mapped(config["memory"]["mmap_threshold_bytes"])
    ds = datasette(config, db, inspect, {k: setting_value(v) for k, v in overrides}, metadata)
    server = uvicorn.Server(uvicorn_config(ds.app(), config, host, port))
    logging.getLogger("uvicorn.access").addFilter(ShortURLs(config["log"]["max_url_chars"]))
    # SIGHUP (a closed terminal, some supervisors) ends the server as SIGTERM does: gracefully
    signal.signal(signal.SIGHUP, server.handle_exit)
    # What is loaded by now (modules, Datasette, its metadata) lives as long as the process:
    # frozen, the collector's full passes do not walk it again and again while serving.
    gc.freeze()
    server.run()


if __name__ == "__main__":
    main()
