"""What the project's ASGI wrappers cost per cache miss on real servers: server CPU per request
of the project as nkcities/web/serve.py runs it, of the same Datasette app under bare uvicorn
(as `datasette serve` runs Datasette), of that app without the composed middleware
(plugins/stack.py, which installs nkcities/web/stack.py), and of plain Datasette, in interleaved
rounds, pinned as the other benchmarks are (bench/NOTES.md has a run).

    .venv/bin/python -m bench.wrapper_cost [--rounds 8]
"""

import statistics
import sys

import click

from bench.crowd_bench import MISS_PAGES, interleaved_misses
from bench.serve_bench import FLOOR, PORT, ROOT, start, stop, venv_env
from nkcities.web.serve import load_config

PAGES = [*((name, path) for name, path in MISS_PAGES
           if name in ("a city page", "?sql= HTML", "?sql= JSON")), (FLOOR, FLOOR)]


def bare(db, inspect, port, without):
    """Serve the project's app with uvicorn's defaults, without the plugins/ modules named."""
    import uvicorn
    from datasette.plugins import pm

    from nkcities.web import serve
    ds = serve.datasette(load_config(), db, inspect, {})
    for name in filter(None, without.split(",")):
        pm.unregister(name=f"{name}.py")
    uvicorn.run(ds.app(), host="127.0.0.1", port=int(port), log_level="info", lifespan="on")


@click.command()
@click.option("--rounds", default=8, show_default=True)
@click.option("--bare", "bare_args", nargs=4, hidden=True)
def main(rounds, bare_args):
    if bare_args:
        return bare(*bare_args)
    from bench.run import split_cores
    cpus, _ = split_cores()
    db, inspect = str(ROOT / "north-korea-cities.db"), str(ROOT / "inspect-data.json")
    wrappers = "stack"  # plugins/stack.py: the one asgi_wrapper, the composed middleware
    this = [sys.executable, "-m", "bench.wrapper_cost", "--bare", db, inspect, PORT]
    servers = {
        "project (serve.py)": [sys.executable, "-m", "nkcities.web.serve", "--db", db,
                               "--inspect", inspect, "--host", "127.0.0.1", "--port", PORT],
        "bare uvicorn": [*this, ""],
        "bare, no middleware": [*this, wrappers],
        "plain": ["datasette", "serve", "--immutable", db, "--inspect-file", inspect,
                  "--metadata", str(ROOT / "metadata.yml"), "--host", "127.0.0.1", "--port",
                  PORT],
    }
    started, samples = {}, {(server, path): [] for server in servers for _, path in PAGES}
    try:
        for server, argv in servers.items():
            started[server] = start(argv, venv_env(), cpus, f"/tmp/wrapper-cost-{len(started)}.log")
        interleaved_misses(started, samples, rounds, 1.0)
    finally:
        for _, process in started.values():
            stop(process)
    click.echo("| page | " + " | ".join(servers) + " |")
    click.echo("| --- |" + " ---: |" * len(servers))
    for name, path in PAGES:
        click.echo(f"| {name} | " + " | ".join(
            f"{statistics.median(ms_per_request(samples[server, path])):.2f}"
            for server in servers) + " |")


def ms_per_request(kept):
    return [cpu / sample.requests * 1000 for sample, cpu in kept]


if __name__ == "__main__":
    main()
