"""`make bench`: measure the build and the serving side by side with their baselines, in one
run, and write bench/RESULTS.md. Every figure that matters is a ratio within this run.

    .venv/bin/python -m bench.run [--rounds 5] [--seconds 1.0] [--repeat 9] [--output FILE]
"""

import datetime
import importlib.metadata
import os
import platform
import re
import sqlite3
import subprocess
import tempfile
import time
from pathlib import Path

import click

from bench import build_bench, crowd_bench, http_bench, serve_bench

HERE = Path(__file__).resolve().parent
SIZES = (1_000, 10_000, 100_000)
CONCURRENCY = 2


def cpu_model():
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            return line.split(":", 1)[1].strip()
    return platform.processor() or "unknown"


def machine():
    return (f"{os.cpu_count()} CPUs ({cpu_model()}), {platform.system()} {platform.release()}, "
            f"Python {platform.python_version()}, "
            f"Datasette {importlib.metadata.version('datasette')}, "
            f"sqlite-utils {importlib.metadata.version('sqlite-utils')}, "
            f"SQLite {sqlite3.sqlite_version}; load average at start "
            f"{os.getloadavg()[0]:.2f}")


def split_cores():
    """Servers on the first core we may use, this process (the load generator) on the second."""
    cores = sorted(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else []
    if len(cores) < 2:
        return None, "not pinned (one core, or no CPU affinity on this system)"
    os.sched_setaffinity(0, {cores[1]})
    return {cores[0]}, (f"every datasette process pinned to CPU {cores[0]} (its SQL runs on "
                        f"that core too), the load generator to CPU {cores[1]}")


def yes(ok):
    return "yes" if ok else "**no**"


def both(pair, unit="s", scale=1, digits=3):
    """'wall (CPU)' for a (wall, CPU) pair."""
    wall, cpu = (value * scale for value in pair)
    return f"{wall:.{digits}f} {unit} ({cpu:.{digits}f})"


def ratio(a, b):
    """(wall, CPU) pairs a and b -> (a ÷ b by wall, a ÷ b by CPU)."""
    return tuple(x / y for x, y in zip(a, b))


def build_section(floor, scaling):
    f, b, work = floor["floor"], floor["build"], floor["own work"]
    process = ratio(b, f)
    lines = [
        "## Build", "", "Times are medians, wall clock with CPU time (user + system) in brackets; "
        "targets are judged on wall time.", "",
        "| what | time | ratio to floor | target | met |", "| --- | --- | --- | --- | --- |",
        f"| import floor | {both(f, 'ms', 1000, 0)} | 1.00 | | |",
        f"| whole build process (28 cities) | {both(b, 'ms', 1000, 0)} "
        f"| {process[0]:.2f} ({process[1]:.2f}) | ≤ 1.5× | {yes(process[0] <= 1.5)} |",
        f"| its own work (parse + load + write) | {both(work, 'ms', 1000, 1)} | | < 100 ms "
        f"| {yes(work[0] < 0.1)} |", "",
        "| cities | build process | raw executemany | build rows/s | raw rows/s "
        "| build ÷ raw rate | time ÷ previous size |",
        "| ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    previous = None
    for size, t in scaling.items():
        rate, growth = ratio(t["raw"], t["build"]), previous and ratio(t["build"], previous)
        lines.append(f"| {size:,} | {both(t['build'])} | {both(t['raw'])} "
                     f"| {size / t['build'][0]:,.0f} | {size / t['raw'][0]:,.0f} "
                     f"| {rate[0]:.2f} ({rate[1]:.2f}) "
                     f"| {f'{growth[0]:.1f}× ({growth[1]:.1f}×)' if growth else ''} |")
        previous = t["build"]
    big, mid = scaling[SIZES[-1]], scaling[SIZES[-2]]
    rate, growth = ratio(big["raw"], big["build"]), ratio(big["build"], mid["build"])
    lines += ["", f"Targets: at {SIZES[-1]:,} cities at least 1/3 of the raw rate: "
              f"{yes(rate[0] >= 1 / 3)}; {SIZES[-1]:,} time ≤ 12× the {SIZES[-2]:,} time: "
              f"{yes(growth[0] <= 12)}.", ""]
    return lines


def speed(row, metric):
    """Higher is faster: requests per second, or requests per CPU second of the server."""
    return row["rps"] if metric == "rps" else 1000 / row["cpu_ms"]


def figures(row, metric):
    if metric == "rps":
        return [f"{row['rps']:.0f}", f"{row['p50']:.1f}", f"{row['p99']:.1f}"]
    return [f"{row['cpu_ms']:.2f}"]


def serve_row(what, paths, target, results, metric):
    """One endpoint: each server's figures and ratio to its own floor, then the verdict."""
    cells, speeds, checks = [what], {}, []
    for server in ("project", "naive"):
        if server not in paths:
            cells += ["403: not offered"] + [""] * (3 if metric == "rps" else 1)
            continue
        row = results[server, paths[server]]
        speeds[server] = speed(row, metric)
        ratio = speeds[server] / speed(results[server, serve_bench.FLOOR], metric)
        cells += [*figures(row, metric), f"{ratio:.2f}"]
        if server == "project" and target:
            checks.append(ratio >= target)
    if len(speeds) == 2:
        cells.append(f"{speeds['project'] / speeds['naive']:.2f}")
        checks.append(speeds["project"] >= speeds["naive"])
    else:
        cells.append("")
    if paths["project"] == serve_bench.FLOOR:
        checks = []  # the baseline itself: nothing to meet
    cells += [f"≥ {target}×" if target else "", yes(all(checks)) if checks else ""]
    return "| " + " | ".join(cells) + " |"


def serve_table(results, metric):
    if metric == "rps":
        head = "| endpoint | project rps | p50 ms | p99 ms | × its floor | naive rps | p50 ms " \
               "| p99 ms | × its floor | project ÷ naive | target | met |"
    else:
        head = "| endpoint | project CPU ms | × its floor | naive CPU ms | × its floor " \
               "| project ÷ naive | target | met |"
    lines = [head, "| --- " + "| ---: " * (head.count("|") - 4) + "| --- | --- |"]
    return lines + [serve_row(*e, results, metric) for e in serve_bench.ENDPOINTS] + [""]


def diagnostics_table(results):
    lines = ["Where the time goes (same run, each ratio to its own server's floor):", "",
             "| server | request | rps | p50 ms | p99 ms | × its floor | CPU ms | × its floor |",
             "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |"]
    for what, server, path in serve_bench.DIAGNOSTICS:
        row, floor = results[server, path], results[server, serve_bench.FLOOR]
        cells = [*figures(row, "rps"), f"{row['rps'] / floor['rps']:.2f}", *figures(row, "cpu"),
                 f"{floor['cpu_ms'] / row['cpu_ms']:.2f}"]
        lines.append(f"| {server} | {what} | {' | '.join(cells)} |")
    return lines


def fairness_section(fair):
    lines = ["### Fairness", "",
             "The legitimate client (127.0.0.9, one keep-alive connection, `cities.json`) alone, "
             "then while four attackers (127.0.0.2 … 127.0.0.5, one connection each) send back "
             "to back the most expensive requests the limits allow: SQL stopped at 250 ms, and a "
             "table page with 3 facets and a slow `_where` (harness/clients.py). Same run, "
             "same pinning. Target: median under attack ≤ 3× alone, 0 errors.", "",
             "| server | alone p50 ms | alone p99 ms | attacked p50 ms | attacked p99 ms "
             "| p50 ratio | errors | attacks answered | met |",
             "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |"]
    for server, (alone, attacked, attacks) in fair.items():
        ratio = attacked["p50_ms"] / alone["p50_ms"]
        lines.append(f"| {server} | {alone['p50_ms']:.1f} | {alone['p99_ms']:.1f} "
                     f"| {attacked['p50_ms']:.1f} | {attacked['p99_ms']:.1f} | {ratio:.2f} "
                     f"| {attacked['errors']} | {attacks} "
                     f"| {yes(ratio <= 3 and attacked['errors'] == 0)} |")
    return lines + [""]


def serve_section(results, cores, described, rounds, seconds, fair):
    lines = [
        "## Serving", "",
        f"Cores: {cores}. Load: {CONCURRENCY} keep-alive connections (threads + http.client, "
        f"bench/load.py), closed loop; a warm-up pass, then {rounds} rounds of {seconds} s per "
        "endpoint per server, interleaved so that changes in machine load hit every row alike. "
        "Every request carries a cookie, so the project's response cache is bypassed: these "
        "are the costs of answering (the cache has its own section below). "
        "rps: median over the rounds; p50/p99: over all requests of all rounds. "
        "CPU ms: the server process's CPU time per request "
        "(all its threads, from /proc), which other jobs on the machine disturb far less than "
        "rps. Highest load-generator CPU use in any measurement: "
        f"{max(r['client_cpu'] for r in results.values()):.0%} of its core.", "",
    ]
    lines += serve_table(results, "rps")
    lines += ["By server CPU time per request (ratios as speed: the floor's CPU ms ÷ the "
              "endpoint's, so higher is faster, as above):", ""]
    lines += serve_table(results, "cpu")
    lines += ["Met: the ratio to the floor reaches the target (where there is one) and the "
              "project is at least as fast as the naive publish (where it serves the endpoint).",
              ""] + diagnostics_table(results)
    lines += [""] + fairness_section(fair)
    lines += ["Servers:", ""]
    lines += [f"- {server}: `{text}`" for server, text in described.items()]
    return lines + [""]


def fresh_serve():
    """bench/fresh-serve.sh, once: (floor s, make serve s, their ratio, .venv MB)."""
    out = subprocess.run([str(HERE / "fresh-serve.sh")], capture_output=True, text=True,
                         check=True).stdout
    floor, first = (float(value) for value in re.findall(r"([0-9.]+) s\b", out)[:2])
    ratio = float(re.search(r"\(([0-9.]+)x the floor\)", out).group(1))
    return floor, first, ratio, int(re.search(r"([0-9]+) MB", out).group(1))


def fresh_serve_section(floor, first, ratio, venv):
    return ["## A fresh clone's `make serve`", "",
            "bench/fresh-serve.sh, one run: a clone of HEAD in /tmp, pip's cache off for both, "
            "packages from pip's index; the floor first, then `make serve` until / answers 200.",
            "", "| what | value | target | met |", "| --- | --- | --- | --- |",
            "| floor: `python -m venv` + `pip install --require-hashes -r "
            f"requirements-serve.lock` | {floor:.1f} s | | |",
            f"| `make serve`, clone to first 200 | {first:.1f} s ({ratio:.2f}× the floor) "
            f"| ≤ 1.5× | {yes(ratio <= 1.5)} |",
            f"| its `.venv` | {venv} MB | < 200 MB | {yes(venv < 200)} |", ""]


def http_section(cache, scale, cores, rounds, seconds):
    return ["## HTTP layer: response cache, 304s, and 100,000 cities", "",
            f"Cores: {cores}. bench/http_bench.py: a warm-up, then {rounds} interleaved rounds "
            f"of {seconds} s per row, 2 keep-alive connections, every request asking for "
            "brotli. A cache miss is a request with a cookie (middleware/response_cache.py serves "
            "none from its cache); a hit is the same URL again. The static servers send the "
            "bytes of the project's cached answer, saved to files. Targets on server CPU time "
            "per request.", "", *cache,
            f"Every table, view and facet page with `_size=28`, cache misses, "
            f"{max(1, rounds // 2)} rounds of {seconds / 2} s, one connection; the "
            f"{SIZES[-1]:,}-city database is the build of the Build section's scaling, served "
            "with the same serve.yml (python -m nkcities.web.serve) and metadata.yml. Targets on "
            "server CPU time per "
            "request (p50 shown too). The last two rows are what the cluster map fetches "
            "(one request: no target).", "", *scale]


def commands_section(rounds, seconds, repeat):
    return ["", "## Commands", "", "```",
            f"make bench   # .venv/bin/python -m bench.run --rounds {rounds} --seconds {seconds} "
            f"--repeat {repeat}",
            f"floor:  python -c '{build_bench.FLOOR[-1]}'",
            "build:  python build.py [SOURCE --names NAMES] --db DB   (a fresh process each run)",
            "scale:  python -m bench.generate N --names NAMES > SOURCE   (N = "
            + ", ".join(f"{n:,}" for n in SIZES) + ")",
            "raw:    executemany of the built rows into schema.sql, then FTS5 'rebuild' of "
            "each full-text index, one transaction",
            "serve:  the servers listed under Serving, on 127.0.0.1 and free ports", "```", ""]


@click.command()
@click.option("--rounds", default=5, show_default=True, help="Measured rounds per endpoint.")
@click.option("--seconds", default=1.0, show_default=True, help="Seconds per measurement.")
@click.option("--repeat", default=9, show_default=True, help="Runs of each build command.")
@click.option("--output", default=str(HERE / "RESULTS.md"), show_default=True,
              type=click.Path(dir_okay=False))
def main(rounds, seconds, repeat, output):
    """Run the build and serving benchmarks and write RESULTS.md."""
    start, header = time.monotonic(), machine()
    click.echo("a fresh clone's make serve ...", err=True)
    fresh = fresh_serve()
    with tempfile.TemporaryDirectory(prefix="bench-") as folder:
        folder = Path(folder)
        click.echo("build: floor vs build ...", err=True)
        floor = build_bench.floor_vs_build(folder, repeat)
        click.echo("build: scaling ...", err=True)
        scaling = build_bench.scaling(folder, SIZES, max(1, repeat // 3))
        click.echo("serving ...", err=True)
        cpus, cores = split_cores()
        results, described, fair = serve_bench.run(folder, rounds, seconds, 50_000, CONCURRENCY,
                                                    cpus)
        click.echo("HTTP layer: cache hits, 304s, 100,000 cities ...", err=True)
        cache, scale = http_bench.run(folder, rounds, seconds, cpus, SIZES[-1])
        click.echo("a crowd on a fresh server; misses against plain Datasette ...", err=True)
        crowds, misses = crowd_bench.run(folder / "crowd", rounds, seconds, cpus)
    took = time.monotonic() - start
    text = "\n".join(
        ["# Benchmark results", "",
         f"Written by `make bench` on {datetime.datetime.now(datetime.UTC):%Y-%m-%d %H:%M} UTC "
         f"in {took:.0f} s. Machine: {header}.", ""]
        + build_section(floor, scaling)
        + fresh_serve_section(*fresh)
        + serve_section(results, cores, described, rounds, seconds, fair)
        + http_section(cache, scale, cores, rounds, seconds)
        + crowd_bench.section(crowds, misses, cores, rounds, seconds)
        + (HERE / "NOTES.md").read_text(encoding="utf-8").splitlines()
        + commands_section(rounds, seconds, repeat))
    Path(output).write_text(text, encoding="utf-8")
    click.echo(text)


if __name__ == "__main__":
    main()
