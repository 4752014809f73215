"""The moments a cache does not cover (issue 23), with the project's real server:

- a crowd on a freshly started server: 50 keep-alive connections from one address, all sending
  their first request at once, then back to back for 5 s, on the home page and on the cities
  page; once in the coding the warm-up renders (gzip, as browsers ask over http) and once in
  one it does not (br), where only single-flight helps. Statuses, p50/p99, and the p50 of the
  answers that came from the cache in the same run;
- each page kind's cache miss (a request with a cookie) against plain Datasette, `datasette
  serve --immutable` with the same metadata and none of the project's plugins, templates or
  settings, in interleaved rounds; server CPU time per request (from /proc) decides. The
  project with num_sql_threads 0 runs beside them: the SQL thread hand-off's cost.

The load generator is one asyncio process (h11), pinned to the other core.

    .venv/bin/python -m bench.crowd_bench [--rounds 3] [--seconds 1.0] [--connections 2]
                                          # splices RESULTS.md (--output elsewhere)
"""

import asyncio
import datetime
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import quote

import click
import h11
import httpx

from bench.load import measure, percentile
from bench.serve_bench import (DB, MISS_HEADERS, PORT, ROOT, cpu_seconds, project_database,
                               start, stop, variant_config, venv_env)

HERE = Path(__file__).resolve().parent
HEADING = "## A crowd on a fresh server, and cache misses against plain Datasette"
CONNECTIONS, CROWD_SECONDS = 50, 5
CROWD_PAGES = [("home", "/"), ("cities page", f"/{DB}/cities")]
CROWD_CODINGS = [("gzip (warmed)", "gzip, deflate"), ("br (not warmed)", "br")]
P99_TARGET = 20  # p99 at most this many times the same run's hit p50
SQL = "select name, population_2008 from cities order by population_2008 desc limit 10"
MISS_PAGES = [
    ("home", "/"), ("database", f"/{DB}"), ("cities HTML", f"/{DB}/cities"),
    ("cities JSON", f"/{DB}/cities.json"), ("a view (city_list)", f"/{DB}/city_list"),
    ("a city page", f"/{DB}/cities/pyongyang"), ("a canned query", f"/{DB}/largest_cities"),
    ("?sql= HTML", f"/{DB}?sql={quote(SQL)}"), ("?sql= JSON", f"/{DB}.json?sql={quote(SQL)}"),
]
SERVERS = ("project", "plain", "project, 0 SQL threads")


async def one_connection(port, path, headers, deadline, go, answers):
    """GET path back to back until deadline, from one connection (a new one if the server
    closes it); appends (status, seconds, came from the cache)."""
    reader = writer = None
    try:
        while True:
            if writer is None:
                reader, writer = await asyncio.open_connection("127.0.0.1", port)
                connection = h11.Connection(h11.CLIENT)
            await go.wait()
            if time.perf_counter() >= deadline:
                return
            started = time.perf_counter()
            writer.write(connection.send(h11.Request(method="GET", target=path, headers=[
                ("Host", f"127.0.0.1:{port}"), *headers])) + connection.send(h11.EndOfMessage()))
            status = hit = None
            while True:
                event = connection.next_event()
                if event is h11.NEED_DATA:
                    connection.receive_data(await reader.read(65536))
                elif isinstance(event, h11.Response):
                    status = event.status_code
                    hit = (b"x-cache", b"hit") in [(k.lower(), v) for k, v in event.headers]
                elif isinstance(event, (h11.EndOfMessage, h11.ConnectionClosed)):
                    break
            answers.append((status, time.perf_counter() - started, hit))
            if connection.our_state is h11.DONE and connection.their_state is h11.DONE:
                connection.start_next_cycle()
            else:
                writer.close()
                writer = None
    finally:
        if writer is not None:
            writer.close()


def crowd_figures(answers):
    statuses = [status for status, _, _ in answers]
    latencies = [seconds * 1000 for _, seconds, _ in answers]
    hits = [seconds * 1000 for _, seconds, hit in answers if hit]
    p99, hit_p50 = percentile(latencies, 99), statistics.median(hits) if hits else float("nan")
    return {"requests": len(answers), "429": statuses.count(429),
            "other": sum(status not in (200, 429) for status in statuses),
            "rendered": sum(not hit for _, _, hit in answers),
            "slowest_ms": max(latencies) if latencies else float("nan"),
            "p50": percentile(latencies, 50), "p99": p99, "hit_p50": hit_p50,
            "ratio": p99 / hit_p50}


def run_crowd(port, path, accept_encoding):
    async def main():
        go, answers = asyncio.Event(), []
        headers = [("Accept-Encoding", accept_encoding)]
        opened = time.perf_counter() + 0.3  # every connection open by then
        deadline = opened + CROWD_SECONDS

        async def connection():
            await one_connection(port, path, headers, deadline, go, answers)
        tasks = [asyncio.create_task(connection()) for _ in range(CONNECTIONS)]
        await asyncio.sleep(opened - time.perf_counter())
        go.set()
        await asyncio.gather(*tasks)
        return answers
    return crowd_figures(asyncio.run(main()))


def commands(folder):
    db, inspect = project_database(folder)
    project = [sys.executable, "-m", "nkcities.web.serve", "--db", str(db),
               "--inspect", str(inspect),
               "--host", "127.0.0.1", "--port", PORT]
    plain = ["datasette", "serve", "--immutable", str(db), "--inspect-file", str(inspect),
             "--metadata", str(ROOT / "metadata.yml"), "--host", "127.0.0.1", "--port", PORT]
    threads = variant_config(folder, "0-threads", "settings", "num_sql_threads", 0)
    return {"project": (project, venv_env()), "plain": (plain, venv_env()),
            "project, 0 SQL threads": (project, venv_env(NKCITIES_SERVE_CONFIG=str(threads)))}


def wait_warm(port, timeout=60):
    """Until the warm-up started by start()'s probe is done: its renders would count here."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if httpx.get(f"http://127.0.0.1:{port}/-/health").json().get("warm", {}).get("done"):
            return
        time.sleep(0.2)


def run(folder, rounds, seconds, cpus=None, connections=2):
    """({(page, coding): crowd figures}, {(server, path): miss figures})."""
    folder = Path(folder)
    folder.mkdir(exist_ok=True)
    servers = commands(folder)
    crowds = {}
    for page, path in CROWD_PAGES:
        for coding, accept in CROWD_CODINGS:
            port, process = start(*servers["project"], cpus, folder / "crowd.log")
            try:
                crowds[page, coding] = run_crowd(port, path, accept)
            finally:
                stop(process)
    started, samples = {}, {(server, path): [] for _, path in MISS_PAGES for server in SERVERS}
    try:
        for server in SERVERS:
            started[server] = start(*servers[server], cpus, folder / f"{server}.log")
            if server != "plain":
                wait_warm(started[server][0])
        interleaved_misses(started, samples, rounds, seconds, connections)
    finally:
        for _, process in started.values():
            stop(process)
    misses = {}
    for job, kept in samples.items():
        latencies = [latency for sample, _ in kept for latency in sample.latencies]
        misses[job] = {"cpu_ms": sum(cpu for _, cpu in kept) / len(latencies) * 1000,
                       "p50": percentile(latencies, 50) * 1000}
    return crowds, misses


def yes(ok):
    return "yes" if ok else "**no**"


def section(crowds, misses, cores, rounds, seconds, connections=2):
    lines = [HEADING, "",
             f"Cores: {cores}. bench/crowd_bench.py. A crowd: a freshly started project "
             f"server (its readiness probe, /-/versions.json, starts the warm-up), then "
             f"{CONNECTIONS} keep-alive connections from 127.0.0.1 opened, released at once, "
             f"and sending GETs back to back for {CROWD_SECONDS} s. `rendered`: answers not "
             "replayed from the cache. Hit p50: the median of the answers that came from the "
             f"cache, same run. Target: no 429, p99 ≤ {P99_TARGET}× hit p50.", "",
             "| page | coding | requests | 429 | other non-200 | rendered | slowest ms | p50 ms "
             "| p99 ms | hit p50 ms | p99 ÷ hit p50 | met |",
             "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |"]
    for (page, coding), c in crowds.items():
        met = c["429"] == 0 and c["other"] == 0 and c["ratio"] <= P99_TARGET
        lines.append(f"| {page} | {coding} | {c['requests']:,} | {c['429']} | {c['other']} "
                     f"| {c['rendered']} | {c['slowest_ms']:.1f} | {c['p50']:.1f} "
                     f"| {c['p99']:.1f} | {c['hit_p50']:.1f} | {c['ratio']:.1f} | {yes(met)} |")
    lines += ["", f"Cache misses (every request with a cookie, no Accept-Encoding), {rounds} "
              f"interleaved rounds of {seconds} s per page per server, {connections} "
              f"connection{'s' if connections > 1 else ''} from one address. Server CPU "
              "ms per request decides; target: project ≤ plain. The last column is the project "
              "with num_sql_threads: 0 (SQL on the event loop), which shows what the hand-off to "
              "the SQL threads costs.", "",
              "| page | project CPU ms | p50 ms | plain CPU ms | p50 ms | project ÷ plain "
              "| met | 0 SQL threads CPU ms | threads ÷ none |",
              "| --- | ---: | ---: | ---: | ---: | ---: | --- | ---: | ---: |"]
    for page, path in MISS_PAGES:
        p, n, z = (misses[server, path] for server in SERVERS)
        ratio = p["cpu_ms"] / n["cpu_ms"]
        lines.append(f"| {page} | {p['cpu_ms']:.2f} | {p['p50']:.1f} | {n['cpu_ms']:.2f} "
                     f"| {n['p50']:.1f} | {ratio:.2f} | {yes(ratio <= 1)} | {z['cpu_ms']:.2f} "
                     f"| {p['cpu_ms'] / z['cpu_ms']:.2f} |")
    lines += ["", "Plain: `datasette serve --immutable DB --inspect-file … --metadata "
              "metadata.yml` (the same venv, so the installed plugins load; Datasette's default "
              "settings)."]
    return lines + [""]


def splice(text, lines):
    """RESULTS.md with this section replaced, or inserted before the notes."""
    new = "\n".join(lines)
    if HEADING in text:
        start = text.index(HEADING)
        end = text.find("\n## ", start + len(HEADING))
        return text[:start] + new + ("\n" + text[end + 1:] if end >= 0 else "\n")
    at = text.find("\n## What the numbers say")
    at = at + 1 if at >= 0 else len(text)
    return text[:at] + new + "\n" + text[at:]



def interleaved_misses(started, samples, rounds, seconds, connections=2):
    """Misses of each (server, path) in `samples`, in turns round after round after one uncounted
    pass, so that the machine's load hits every server alike: each appends (sample, server CPU
    seconds) to its list. started: {server: (port, process)}."""
    for server, path in samples:
        measure(started[server][0], path, 0.2, 50, connections, MISS_HEADERS)
    for _ in range(rounds):
        for (server, path), kept in samples.items():
            port, process = started[server]
            cpu = cpu_seconds(process.pid)
            sample = measure(port, path, seconds, 50_000, connections, MISS_HEADERS)
            kept.append((sample, cpu_seconds(process.pid) - cpu))


@click.command()
@click.option("--rounds", default=3, show_default=True)
@click.option("--seconds", default=1.0, show_default=True)
@click.option("--connections", default=2, show_default=True,
              help="Keep-alive connections per miss measurement, all from one address.")
@click.option("--output", default=str(HERE / "RESULTS.md"), show_default=True,
              type=click.Path(dir_okay=False))
def main(rounds, seconds, connections, output):
    """Run this section alone and splice it into RESULTS.md (make bench runs it too)."""
    from bench.run import split_cores
    started, load = datetime.datetime.now(datetime.UTC), os.getloadavg()[0]
    cpus, cores = split_cores()
    with tempfile.TemporaryDirectory(prefix="bench-crowd-") as folder:
        crowds, misses = run(folder, rounds, seconds, cpus, connections)
    lines = section(crowds, misses, cores, rounds, seconds, connections)
    lines[2:2] = [f"Run alone (`python -m bench.crowd_bench`) on {started:%Y-%m-%d %H:%M} UTC; "
                  f"load average at start {load:.2f} (other jobs share the machine).", ""]
    path = Path(output)
    path.write_text(splice(path.read_text(encoding="utf-8") if path.exists() else "", lines),
                    encoding="utf-8")
    click.echo("\n".join(lines))


if __name__ == "__main__":
    main()
