"""Server CPU per cache miss, in process: the project's Datasette (nkcities.web.serve's, with
its plugins, templates and settings) against plain Datasette (the same database, inspect file
and metadata.yml, no project plugins, templates or settings), each in a child process of its
own (plugins_dir loads into a process-wide plugin manager), in interleaved rounds.

Each request goes through the whole ASGI app (the project's middleware included) with a cookie,
as a miss does; time.process_time() counts every thread (the SQL threads too). A busy machine
disturbs this far less than wall-clock load tests.

    .venv/bin/python -m bench.miss_cpu [--rounds 5] [--requests 40] [--page NAME]...
    .venv/bin/python -m bench.miss_cpu --profile "a city page"   # cProfile of the project's miss
"""

import asyncio
import cProfile
import json
import os
import pstats
import statistics
import subprocess
import sys
import time
from pathlib import Path

import click
import yaml

from bench.crowd_bench import MISS_PAGES

ROOT = Path(__file__).resolve().parent.parent
DB, INSPECT = ROOT / "north-korea-cities.db", ROOT / "inspect-data.json"


def app_for(kind):
    from datasette.app import Datasette
    if kind == "plain":
        return Datasette(immutables=[str(DB)], inspect_data=json.loads(INSPECT.read_text()),
                         metadata=yaml.safe_load((ROOT / "metadata.yml").read_text())).app()
    from datasette.plugins import pm
    from nkcities.web import serve
    ds = serve.datasette(serve.load_config(), DB, INSPECT, {})
    for name in filter(None, kind.split(",")[1:]):  # "project,health,...": those taken out
        pm.unregister(name=f"{name}.py")
    return ds.app()


async def request(app, path):
    """GET path as a browser with a cookie; the status."""
    target, _, query = path.partition("?")
    scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1",
             "method": "GET", "scheme": "http", "path": target, "raw_path": target.encode(),
             "query_string": query.encode(), "root_path": "",
             "headers": [(b"host", b"127.0.0.1"), (b"cookie", b"bench=miss")],
             "client": ("127.0.0.1", 50000), "server": ("127.0.0.1", 80)}
    status, sent = None, False

    async def receive():
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": b"", "more_body": False}
        await asyncio.sleep(3600)

    async def send(message):
        nonlocal status
        if message["type"] == "http.response.start":
            status = message["status"]
    await app(scope, receive, send)
    return status


async def lifespan(app):
    """Start the app's lifespan (the project's middleware starts its work there)."""
    queue = asyncio.Queue()
    await queue.put({"type": "lifespan.startup"})
    started = asyncio.Event()

    async def send(message):
        started.set()
    task = asyncio.create_task(app({"type": "lifespan", "asgi": {"version": "3.0"}},
                                   queue.get, send))
    try:
        await asyncio.wait_for(started.wait(), 10)
    except (asyncio.TimeoutError, Exception):
        pass
    return task


def child(kind, paths, count, profile):
    """Serve count misses of each path; print {path: CPU ms per request} as JSON."""
    async def main():
        app = app_for(kind)
        await lifespan(app)
        for path in paths:  # warm: templates compiled, caches filled
            for _ in range(3):
                status = await request(app, path)
                assert status == 200, (path, status)
        if profile:
            profiler = cProfile.Profile()
            profiler.enable()
            for _ in range(count):
                await request(app, paths[0])
            profiler.disable()
            if os.environ.get("MISS_CPU_DUMP"):
                profiler.dump_stats(os.environ["MISS_CPU_DUMP"])
            pstats.Stats(profiler, stream=sys.stderr).sort_stats("cumulative").print_stats(60)
            return {}
        found = {}
        for path in paths:
            started = time.process_time()
            for _ in range(count):
                await request(app, path)
            found[path] = (time.process_time() - started) / count * 1000
        return found
    print(json.dumps(asyncio.run(main())))


@click.command()
@click.option("--rounds", default=5, show_default=True)
@click.option("--requests", "count", default=40, show_default=True)
@click.option("--page", "pages", multiple=True, help="A page name of crowd_bench's MISS_PAGES.")
@click.option("--profile", help="cProfile this page's project miss instead.")
@click.option("--plain", is_flag=True, help="With --profile: plain Datasette's miss.")
@click.option("--without", multiple=True,
              help="Also the project without this plugins/ module (e.g. a middleware), or "
                   "several, comma-separated: a column each.")
@click.option("--child", "kind", hidden=True)
@click.option("--path", "paths", multiple=True, hidden=True)
def main(rounds, count, pages, profile, plain, without, kind, paths):
    if kind:
        return child(kind, list(paths), count, False)
    chosen = [(name, path) for name, path in MISS_PAGES
              if name in pages or name == profile or not (pages or profile)]
    if profile:
        return child("plain" if plain else "project", [chosen[0][1]], count, True)
    args = [arg for _, path in chosen for arg in ("--path", path)]
    kinds = ["project", "plain", *(f"project,{names}" for names in without)]
    samples = {(kind, path): [] for kind in kinds for _, path in chosen}
    for _ in range(rounds):
        for kind in kinds:
            out = subprocess.run([sys.executable, "-m", "bench.miss_cpu", "--child", kind,
                                  "--requests", str(count), *args], cwd=ROOT, check=True,
                                 capture_output=True, text=True).stdout
            for path, ms in json.loads(out.splitlines()[-1]).items():
                samples[kind, path].append(ms)
    click.echo("| page | project CPU ms | plain CPU ms | project ÷ plain |"
               + "".join(f" without {names} |" for names in without))
    click.echo("| --- | ---: | ---: | ---: |" + " ---: |" * len(without))
    for name, path in chosen:
        p, n, *w = (statistics.median(samples[kind, path]) for kind in kinds)
        click.echo(f"| {name} | {p:.2f} | {n:.2f} | {p / n:.2f} |"
                   + "".join(f" {ms:.2f} |" for ms in w))


if __name__ == "__main__":
    main()
