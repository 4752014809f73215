"""HTTP-layer benchmark, with the project's real server (python -m nkcities.web.serve):

- a cache hit of each page kind against Python's own static file server (http.server, HTTP/1.1
  keep-alive) sending the same bytes, and a 304 against the same;
- the cost of a cache miss of the cities table page against the floor (/-/versions.json, also
  a miss);
- every table, view and facet page asked for 28 rows (`_size=28`) at 100,000 cities against
  28 cities, on cache misses, and whether any hit the SQL time limit.

A request misses the cache when it carries a cookie: middleware/response_cache.py neither reads
nor fills the cache for requests with credentials. Every request asks for brotli, as a browser
does. Each figure is per request: server CPU time (from /proc) and wall-clock latency.
"""

import http.client
import os
import statistics
import sys
from pathlib import Path

from bench.load import measure
from bench.serve_bench import DB, FLOOR, PORT, cpu_seconds, project_database, start, stop, venv_env
from harness.server import write_inspect
from nkcities.build import atomic_file

MISS = (("Cookie", "bench=miss"), ("Accept-Encoding", "br"))  # header pairs: jobs are dict keys
BROTLI = (("Accept-Encoding", "br"),)
# The page kinds a visitor opens, each answered from the cache after the first request.
HIT_PAGES = [("home", "/"), ("database page (SQL editor)", f"/{DB}"),
             ("cities table page", f"/{DB}/cities"), ("city_list view page", f"/{DB}/city_list"),
             ("row page", f"/{DB}/cities/pyongyang"),
             ("map (city_map query page)", f"/{DB}/city_map"),
             ("charts page", "/-/dashboards/cities"),
             ("cities table JSON", f"/{DB}/cities.json?_shape=array"),
             ("Leaflet (static asset)",
              "/-/static-plugins/datasette-leaflet/leaflet-v1.7.1.js")]
TABLE_PAGE = f"/{DB}/cities"
MISS_TARGET = 6  # the table page's miss, at most this many times the floor's CPU
# Python's static file server, serving argv[2] on port argv[1], as `python -m http.server`
# (threads, a log line per request, as uvicorn's) but with keep-alive (HTTP/1.1), as the
# project's server, and TCP_NODELAY (else its headers and body wait 40 ms for delayed ACKs).
STATIC_SERVER = """import functools, http.server, sys
handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=sys.argv[2])
handler.func.protocol_version = "HTTP/1.1"
handler.func.disable_nagle_algorithm = True
http.server.ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), handler).serve_forever()"""
REFERENCES = ("stock", "keep-alive")  # the two ways of running Python's static file server
# uvicorn (as Datasette runs it: access log on) with an app that only sends argv[2]'s bytes.
UVICORN_ALONE = """import sys, uvicorn
body = open(sys.argv[2], "rb").read()
headers = [(b"content-type", b"text/html"), (b"content-length", str(len(body)).encode())]
async def app(scope, receive, send):
    await send({"type": "http.response.start", "status": 200, "headers": headers})
    await send({"type": "http.response.body", "body": body})
uvicorn.run(app, host="127.0.0.1", port=int(sys.argv[1]), log_level="info", lifespan="off")"""
# 100,000 cities against 28: every table and view page, and pages of a facet's value.
SCALE_PAGES = [f"/{DB}/{name}?_size=28" for name in (
    "cities", "provinces", "statuses", "sort_keys", "notes", "provenance", "city_names",
    "city_list", "status_reconciliation", "province_totals")] + [
    f"/{DB}/cities?founded_precision=year&_size=28",
    f"/{DB}/cities?province_id=south-pyongan&_size=28",
    f"/{DB}/cities?status_id=city&_size=28", f"/{DB}/city_list?status=city&_size=28",
    f"/{DB}/city_names?writing_system=Hangul&_size=28"]
# What the cluster map fetches (datasette-cluster-map 0.18.2 asks for one page of _size=max,
# then stops unless "load all" is pressed): one request, at most max_returned_rows rows.
MAP_DATA = [f"/{DB}/{name}.json?_size=max&_labels=on&_extra=count&_extra=next_url"
            "&_shape=objects" for name in ("cities", "city_map")]
SCALE_TARGET = 2
TIME_LIMIT_SIGNS = (b"took too long", b"timed out", b"interrupted")


def fetch(port, path, headers):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        connection.request("GET", path, headers=dict(headers))
        response = connection.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        connection.close()


def static_copies(port, folder):
    """Write each cached page's bytes (as sent, brotli) into folder; {path: its file's URL}."""
    (folder / "-").mkdir(parents=True)
    (folder / "-" / "versions.json").write_text("{}")  # what serve_bench.start waits for
    urls = {}
    for number, (_, path) in enumerate(HIT_PAGES):
        fetch(port, path, BROTLI)  # fills the cache
        status, headers, body = fetch(port, path, BROTLI)
        assert status == 200 and headers.get("x-cache") == "hit", (path, status, headers)
        (folder / f"page-{number}").write_bytes(body)
        urls[path] = f"/page-{number}"
    return urls


def sample(started, job, seconds, concurrency=2):
    """One measurement of job = (server, path, headers, expected status)."""
    server, path, headers, expect = job
    port, process = started[server]
    cpu = cpu_seconds(process.pid)
    result = measure(port, path, seconds, 20_000, concurrency, dict(headers), expect)
    return result, cpu_seconds(process.pid) - cpu


def summarize(samples):
    latencies = [latency for result, _ in samples for latency in result.latencies]
    return {"cpu_ms": sum(cpu for _, cpu in samples) / len(latencies) * 1000,
            "p50": statistics.median(latencies) * 1000,
            "rps": statistics.median(result.rps for result, _ in samples)}


def run_jobs(started, jobs, rounds, seconds, concurrency=2):
    """Every job once as a warm-up, then `rounds` interleaved rounds; {job: summary}."""
    for job in jobs:
        sample(started, job, 0.2, concurrency)
    kept = {job: [] for job in jobs}
    for _ in range(rounds):
        for job in jobs:
            kept[job].append(sample(started, job, seconds, concurrency))
    return {job: summarize(samples) for job, samples in kept.items()}


def hit_jobs(port, folder):
    urls = static_copies(port, folder)
    etag = fetch(port, TABLE_PAGE, BROTLI)[1]["etag"]
    jobs = {"floor": ("project", FLOOR, MISS, 200), "miss": ("project", TABLE_PAGE, MISS, 200),
            "miss, identity": ("project", TABLE_PAGE, MISS[:1], 200),
            "304": ("project", TABLE_PAGE, (*BROTLI, ("If-None-Match", etag)), 304),
            "uvicorn": ("uvicorn", "/", (), 200)}
    for _, path in HIT_PAGES:
        jobs[("hit", path)] = ("project", path, BROTLI, 200)
        for server in REFERENCES:
            jobs[(server, path)] = (server, urls[path], (), 200)
    return jobs, folder / urls[TABLE_PAGE].lstrip("/")


def reference_servers(folder, table_page):
    """{name: (argv, env)} of the servers that send the cached bytes as files."""
    return {"stock": ([sys.executable, "-m", "http.server", PORT, "--bind", "127.0.0.1",
                       "--directory", str(folder)], venv_env()),
            "keep-alive": ([sys.executable, "-c", STATIC_SERVER, PORT, str(folder)], venv_env()),
            "uvicorn": ([sys.executable, "-c", UVICORN_ALONE, PORT, str(table_page)], venv_env())}


def hit_row(what, got, path):
    hit, stock, alive = (got[(name, path)] for name in ("hit", "stock", "keep-alive"))
    ratio = hit["cpu_ms"] / stock["cpu_ms"]
    return (f"| {what} | {hit['cpu_ms']:.3f} | {hit['p50']:.2f} | {stock['cpu_ms']:.3f} "
            f"| {ratio:.2f} | ≤ 1 | {yes(ratio <= 1)} | {alive['cpu_ms']:.3f} "
            f"| {hit['cpu_ms'] / alive['cpu_ms']:.2f} |")


def cache_section(results, jobs):
    got = {name: results[job] for name, job in jobs.items()}
    floor, miss, identity = (got[name]["cpu_ms"] for name in ("floor", "miss", "miss, identity"))
    table = {name: got[(name, TABLE_PAGE)]["cpu_ms"] for name in REFERENCES}
    not_modified, alone = got["304"]["cpu_ms"], got["uvicorn"]["cpu_ms"]
    lines = [("| cache hit (brotli) | project CPU ms | p50 ms | `python -m http.server` CPU ms "
             "| project ÷ it | target | met | http.server, keep-alive, CPU ms | project ÷ it |"),
             "| --- | ---: | ---: | ---: | ---: | --- | --- | ---: | ---: |"]
    lines += [hit_row(what, got, path) for what, path in HIT_PAGES]
    lines += [(f"| cities table page, 304 (If-None-Match) | {not_modified:.3f} "
              f"| {got['304']['p50']:.2f} | {table['stock']:.3f} (the page) "
              f"| {not_modified / table['stock']:.2f} | < 1 "
              f"| {yes(not_modified < table['stock'])} | {table['keep-alive']:.3f} "
              f"| {not_modified / table['keep-alive']:.2f} |"), "",
              (f"uvicorn alone (a 5-line ASGI app) sending the table page's bytes: {alone:.3f} ms "
               f"of CPU a request, p50 {got['uvicorn']['p50']:.2f} ms: the project's hit costs "
               f"{got[('hit', TABLE_PAGE)]['cpu_ms'] / alone:.2f}× that."), "",
              "| cache miss (a cookie) | CPU ms | p50 ms | × the floor's CPU | target | met |",
              "| --- | ---: | ---: | ---: | --- | --- |",
              f"| /-/versions.json (floor) | {floor:.2f} | {got['floor']['p50']:.2f} | 1.00 | | |",
              (f"| cities table page | {miss:.2f} | {got['miss']['p50']:.2f} | {miss / floor:.2f} "
              f"| ≤ {MISS_TARGET} | {yes(miss / floor <= MISS_TARGET)} |"),
              (f"| cities table page, not compressed | {identity:.2f} "
              f"| {got['miss, identity']['p50']:.2f} | {identity / floor:.2f} | | |"), ""]
    return lines


def yes(ok):
    return "yes" if ok else "**no**"


def scaled_database(folder, size):
    """The build of `size` generated cities under the project's database name (so metadata.yml
    applies), with its inspect file: bench/build_bench.py's scaling leaves it in folder."""
    built = folder / f"cities-{size}.db"
    if not built.exists():
        from bench.build_bench import (CHANGES_NONE, CONTRADICTIONS_NONE, build_command,
                                       make_source, make_supplement, timed)
        source, names = folder / f"cities-{size}.txt", folder / f"names-{size}.csv"
        none = folder / "contradictions.yml"  # the article's do not hold for a generated source
        source.write_text(make_source(size), encoding="utf-8")
        names.write_text(make_supplement(size), encoding="utf-8")
        none.write_text(CONTRADICTIONS_NONE, encoding="utf-8")
        no_changes = folder / "status-changes.csv"
        no_changes.write_text(CHANGES_NONE, encoding="utf-8")
        timed(build_command(source, built, "--names", names, "--contradictions", none,
                            "--changes", no_changes))
    (folder / "scaled").mkdir(exist_ok=True)
    db = folder / "scaled" / f"{DB}.db"
    db.unlink(missing_ok=True)
    os.link(built, db)
    # The build's record under the served name: nkcities/web/serve.py serves nothing without it.
    atomic_file.sidecar(db).write_text(f"{atomic_file.sha256(db)}  {db.name}\n", encoding="utf-8")
    return db, write_inspect(db)


def time_limit_hits(started, paths):
    """Pages whose answer is not a 200 or says a query or facet ran out of time."""
    hits = []
    for server in ("28", "100,000"):
        for path in paths:
            status, _, body = fetch(started[server][0], path, MISS[:1])
            if status != 200 or any(sign in body for sign in TIME_LIMIT_SIGNS):
                hits.append(f"{server} cities: {path} (HTTP {status})")
    return hits


def scale_section(results, hits, size):
    lines = [(f"| page (cache miss) | CPU ms, 28 cities | CPU ms, {size:,} | ratio (CPU) "
             f"| p50 ms, 28 | p50 ms, {size:,} | ratio (p50) | target | met |"),
             "| --- | ---: | ---: | ---: | ---: | ---: | ---: | --- | --- |"]
    for path in SCALE_PAGES + MAP_DATA:
        small, big = results[("28", path, MISS, None)], results[("100,000", path, MISS, None)]
        ratio, wall = big["cpu_ms"] / small["cpu_ms"], big["p50"] / small["p50"]
        target = path not in MAP_DATA
        lines.append(f"| `{path.removeprefix(f'/{DB}')}` | {small['cpu_ms']:.1f} "
                     f"| {big['cpu_ms']:.1f} | {ratio:.2f} | {small['p50']:.1f} "
                     f"| {big['p50']:.1f} | {wall:.2f} "
                     f"| {f'≤ {SCALE_TARGET}×' if target else ''} "
                     f"| {yes(ratio <= SCALE_TARGET) if target else ''} |")
    lines += ["", "Pages that hit the SQL time limit (a 400, or 'timed out' in the page): "
              + ("; ".join(hits) if hits else "none") + ".", ""]
    return lines


def run(folder, rounds, seconds, cpus=None, size=100_000):
    """Both measurements; returns the lines of the RESULTS.md section."""
    folder, started = Path(folder), {}
    db, inspect = project_database(folder)
    env = venv_env(DB=str(db), INSPECT=str(inspect), HOST="127.0.0.1", PORT=PORT)
    try:
        started["project"] = start([sys.executable, "-m", "nkcities.web.serve"], env, cpus,
                                   folder / "project.log")
        jobs, table_page = hit_jobs(started["project"][0], folder / "static")
        for name, (argv, server_env) in reference_servers(folder / "static", table_page).items():
            started[name] = start(argv, server_env, cpus, folder / f"{name}.log")
        cache = run_jobs(started, list(jobs.values()), rounds, seconds)
        for name in ("project", *REFERENCES, "uvicorn"):
            stop(started.pop(name)[1])
        big, big_inspect = scaled_database(folder, size)
        for name, (path, inspected) in {"28": (db, inspect), "100,000": (big, big_inspect)}.items():
            started[name] = start([sys.executable, "-m", "nkcities.web.serve"],
                                  {**env, "DB": str(path), "INSPECT": str(inspected)},
                                  cpus, folder / f"scale-{name}.log")
        scale_jobs = [(name, path, MISS, None) for path in SCALE_PAGES + MAP_DATA
                      for name in ("28", "100,000")]
        scaled = run_jobs(started, scale_jobs, max(1, rounds // 2), seconds / 2, concurrency=1)
        hits = time_limit_hits(started, SCALE_PAGES + MAP_DATA)
    finally:
        for _, process in started.values():
            stop(process)
    return cache_section(cache, jobs), scale_section(scaled, hits, size)
