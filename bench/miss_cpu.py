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
    """Warm each path, then serve batches: for each line "path count" on stdin, that many
    misses of path, and write their CPU ms per request on stdout."""
    loop = asyncio.new_event_loop()
    app = app_for(kind)
    loop.run_until_complete(lifespan(app))
    for path in paths:  # warm: templates compiled, caches filled
        for _ in range(3):
            status = loop.run_until_complete(request(app, path))
            assert status == 200, (path, status)

    async def batch(path, count):
        for _ in range(count):
            await request(app, path)
    if profile:
        profiler = cProfile.Profile(time.thread_time)  # the event loop's CPU, not its waits
        profiler.enable()
        loop.run_until_complete(batch(paths[0], count))
        profiler.disable()
        if os.environ.get("MISS_CPU_DUMP"):
            profiler.dump_stats(os.environ["MISS_CPU_DUMP"])
        pstats.Stats(profiler, stream=sys.stderr).sort_stats("cumulative").print_stats(60)
        return
    print("ready", flush=True)
    for line in sys.stdin:
        path, count = line.split()
        started = time.process_time()
        loop.run_until_complete(batch(path, int(count)))
        print((time.process_time() - started) / int(count) * 1000, flush=True)


@click.command()
@click.option("--rounds", default=15, show_default=True)
@click.option("--requests", "count", default=20, show_default=True,
              help="Misses per batch; each round runs one batch per page per server.")
@click.option("--page", "pages", multiple=True, help="A page name of crowd_bench's MISS_PAGES.")
@click.option("--profile", help="cProfile this page's project miss instead.")
@click.option("--plain", is_flag=True, help="With --profile: plain Datasette's miss.")
@click.option("--without", multiple=True,
              help="Also the project without this plugins/ module (e.g. a middleware), or "
                   "several, comma-separated: a column each.")
@click.option("--before", type=click.Path(file_okay=False),
              help="Also the project of another checkout (with its database, inspect file and "
                   "this file): the same pages before a change.")
@click.option("--child", "kind", hidden=True)
@click.option("--path", "paths", multiple=True, hidden=True)
def main(rounds, count, pages, profile, plain, without, before, kind, paths):
    if kind:
        return child(kind, list(paths), count, False)
    chosen = [(name, path) for name, path in MISS_PAGES
              if name in pages or name == profile or not (pages or profile)]
    if profile:
        return child("plain" if plain else "project", [chosen[0][1]], count, True)
    args = [arg for _, path in chosen for arg in ("--path", path)]
    kinds = ["project", "plain", *(f"project,{names}" for names in without)]
    columns = [f"without {names}" for names in without]
    if before:
        kinds.append("before")
        columns.append(f"before ({before})")
    children = {kind: subprocess.Popen(
        [sys.executable, "-m", "bench.miss_cpu", "--child",
         "project" if kind == "before" else kind, *args],
        cwd=before if kind == "before" else ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL, text=True) for kind in kinds}
    try:
        for process in children.values():
            assert process.stdout.readline().strip() == "ready"
        samples = {(kind, path): [] for kind in kinds for _, path in chosen}
        for _ in range(rounds):  # the servers take turns batch by batch: load hits them alike
            for _, path in chosen:
                for kind, process in children.items():
                    process.stdin.write(f"{path} {count}\n")
                    process.stdin.flush()
                    samples[kind, path].append(float(process.stdout.readline()))
    finally:
        for process in children.values():
            process.stdin.close()
            process.wait()
    click.echo(f"Median over {rounds} batches of {count} misses (lowest batch in brackets).\n")
    click.echo("| page | project CPU ms | plain CPU ms | project ÷ plain |"
               + "".join(f" {column} |" for column in columns))
    click.echo("| --- | ---: | ---: | ---: |" + " ---: |" * len(columns))
    for name, path in chosen:
        med = [statistics.median(samples[kind, path]) for kind in kinds]
        low = [min(samples[kind, path]) for kind in kinds]
        click.echo(f"| {name} | {med[0]:.2f} ({low[0]:.2f}) | {med[1]:.2f} ({low[1]:.2f}) "
                   f"| {med[0] / med[1]:.2f} ({low[0] / low[1]:.2f}) |"
                   + "".join(f" {m:.2f} ({lo:.2f}) |" for m, lo in zip(med[2:], low[2:])))


if __name__ == "__main__":
    main()
