"""Serving benchmark: the project's serve configuration against a naive flat publish.

All servers are real `datasette` processes on 127.0.0.1, pinned to one core while the load
generator runs on the other. Every figure is also a ratio to the same server's /-/versions.json.
"""

import http.client
import json
import os
import sqlite3
import statistics
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import quote

import yaml

import build
from bench.load import measure, percentile
from nkcities.web.serve import load_config
from harness import clients
from harness.server import SERVE, free_port, write_inspect

ROOT = Path(build.__file__).resolve().parent
DB = "north-korea-cities"
FLOOR = "/-/versions.json"
PORT = "<free port>"  # stands for the port in a server's command line or environment
PROJECT_SQL = """select provinces.name as province, count(*) as cities,
sum(cities.population_2008) as population from cities
join provinces on provinces.id = cities.province_id group by provinces.name
order by population desc"""
NAIVE_SQL = """select province, count(*) as cities, sum(population_2008) as population
from cities group by province order by population desc"""
# The naive table: every column of the city_list view (division and status names inline),
# then the rest of the columns of cities, so it holds what the project's cities table holds.
NAIVE_SELECT = """select city_list.*, cities.source_line, cities.hangul, cities.hancha, cities.mr,
cities.rr, cities.full_hangul, cities.full_hancha, cities.latitude, cities.longitude,
cities.geonameid, cities.geonames_km, cities.citation
from city_list join cities on cities.id = city_list.id order by cities.id"""
# The naive server has no metadata: it is asked for the order and facets that metadata.yml
# gives the project's cities, and for the view's columns by name.
NAIVE_ORDER = "_sort_desc=population_2008"
VIEW_COLUMNS = "&".join(f"_col={column}" for column in (
    "city", "province", "province_kind", "status", "population_2008", "founded",
    "founded_precision"))
NAIVE_FACETS = "&".join(f"_facet={column}" for column in ("province", "status",
                                                          "founded_precision"))
# (endpoint, {server: path}, target as a ratio to the floor). "naive" is one flat table.
ENDPOINTS = [
    ("/-/versions.json (floor)", {"project": FLOOR, "naive": FLOOR}, None),
    ("cities table JSON", {"project": f"/{DB}/cities.json?_shape=array",
                           "naive": f"/naive/cities.json?_shape=array&{NAIVE_ORDER}"}, 0.8),
    ("city_list view JSON, labels", {
        "project": f"/{DB}/city_list.json?_shape=array&_labels=on",
        "naive": f"/naive/cities.json?_shape=array&{VIEW_COLUMNS}&{NAIVE_ORDER}"}, 0.6),
    ("cities HTML page", {"project": f"/{DB}/cities",
                          "naive": f"/naive/cities?{NAIVE_ORDER}&{NAIVE_FACETS}"}, 0.3),
    ("SQL aggregate (?sql=)", {"project": f"/{DB}.json?_shape=array&sql={quote(PROJECT_SQL)}",
                               "naive": f"/naive.json?_shape=array&sql={quote(NAIVE_SQL)}"}, None),
    # Plain `datasette serve` answers 403 here: it only offers immutable (-i) databases.
    (".db download", {"project": f"/{DB}.db"}, None),
]
# Where the time goes: the project's pages with parts switched off, and the cost of each
# serving choice of serve.yml: SQL on the event loop (0 threads) instead of 3 threads, and the
# SQL threads at the event loop's priority (niceness 0) instead of 10.
VARIANTS = {"0 SQL threads": ("settings", "num_sql_threads", 0),
            "niceness 0": ("requests", "sql_thread_niceness", 0)}
DIAGNOSTICS = [
    ("cities HTML, no facets (?_nofacet=1)", "project", f"/{DB}/cities?_nofacet=1"),
    ("cities HTML, no labels (?_labels=off)", "project", f"/{DB}/cities?_labels=off"),
    ("cities HTML, one row, no facets", "project", f"/{DB}/cities?_size=1&_nofacet=1"),
    ("cities table JSON with labels", "project", f"/{DB}/cities.json?_shape=array&_labels=on"),
    *((what, variant, path) for variant in VARIANTS for what, path in (
        ("/-/versions.json (floor)", FLOOR),
        ("cities table JSON", ENDPOINTS[1][1]["project"]),
        ("cities HTML page", ENDPOINTS[3][1]["project"]),
        ("SQL aggregate (?sql=)", ENDPOINTS[4][1]["project"]))),
]


# Sent with every request here: the response cache serves no request with a cookie from
# its cache, so these figures are the cost of answering (bench/http_bench.py has the cache's).
MISS_HEADERS = {"Cookie": "bench=miss"}


def venv_env(**extra):
    """The environment with this Python's bin folder (the venv's) first on PATH."""
    return {**os.environ, "PATH": f"{Path(sys.executable).parent}:{os.environ['PATH']}", **extra}


def project_database(folder):
    """The real build and its inspect file, as `make build` makes them, in `folder`."""
    db = folder / f"{DB}.db"
    subprocess.run([sys.executable, "build.py", "--db", str(db)], cwd=ROOT, check=True,
                   stdout=subprocess.DEVNULL)
    return db, write_inspect(db)


def naive_database(folder, built):
    """The project's cities as one flat table, the way a quick publish would do it."""
    connection = sqlite3.connect(built)
    connection.row_factory = sqlite3.Row
    rows = [dict(row) for row in connection.execute(NAIVE_SELECT)]
    connection.close()
    (folder / "naive.json").write_text(json.dumps(rows, ensure_ascii=False), encoding="utf-8")
    db = folder / "naive.db"
    subprocess.run(["sqlite-utils", "insert", str(db), "cities", str(folder / "naive.json"),
                    "--pk", "id"], env=venv_env(), check=True)
    return db


def variant_config(folder, name, section, key, value):
    """serve.yml with one value changed, for NKCITIES_SERVE_CONFIG."""
    config = load_config()
    config[section][key] = value
    path = folder / f"serve-{name.replace(' ', '-')}.yml"
    path.write_text(yaml.safe_dump(config), encoding="utf-8")
    return path


def commands(folder):
    """{server: (argv, env, how it reads in RESULTS.md)}; PORT in argv or env is the port."""
    db, inspect = project_database(folder)
    naive = naive_database(folder, db)
    project = [*SERVE, "--db", str(db), "--inspect", str(inspect), "--host", "127.0.0.1",
               "--port", PORT]
    servers = {
        "project": (project, venv_env(),
                    "python -m nkcities.web.serve --db … --inspect … --port …"),
        "naive": (["datasette", "serve", str(naive), "--host", "127.0.0.1", "--port", PORT],
                  venv_env(),
                  "sqlite-utils insert naive.db cities naive.json --pk id; "
                  "datasette serve naive.db"),
    }
    for name, (section, key, value) in VARIANTS.items():
        path = variant_config(folder, name, section, key, value)
        servers[name] = (project, venv_env(NKCITIES_SERVE_CONFIG=str(path)),
                         f"the project with serve.yml's {section}.{key} = {value}")
    return servers


def start(argv, env, cpus, log):
    """Start a server on a free port, pinned to `cpus`; wait until it answers the floor."""
    port = str(free_port())
    argv = [port if arg == PORT else arg for arg in argv]
    env = {key: port if value == PORT else value for key, value in env.items()}
    pin = (lambda: os.sched_setaffinity(0, cpus)) if cpus else None
    with open(log, "wb") as errors:
        process = subprocess.Popen(argv, cwd=ROOT, env=env, preexec_fn=pin,
                                   stdout=subprocess.DEVNULL, stderr=errors)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{argv[0]} exited: {Path(log).read_text()[-2000:]}")
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            connection.request("GET", FLOOR)
            if connection.getresponse().status == 200:
                return port, process
        except OSError:
            time.sleep(0.2)
    stop(process)
    raise RuntimeError(f"{argv[0]} did not answer on port {port} within 60 s")


def stop(process):
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def cpu_seconds(pid):
    """User + system CPU time of a process and all its threads, from /proc (Linux)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def jobs():
    """Every (server, path) to measure, each once, in a fixed interleaved order."""
    wanted = [(server, path) for _, paths, _ in ENDPOINTS for server, path in paths.items()]
    wanted += [(server, path) for _, server, path in DIAGNOSTICS]
    return list(dict.fromkeys(wanted))


def summarize(measured):
    """measured: [(Sample, server CPU seconds during it)] -> one row of figures."""
    samples = [sample for sample, _ in measured]
    latencies = [latency for sample in samples for latency in sample.latencies]
    return {"rps": statistics.median(sample.rps for sample in samples),
            "p50": percentile(latencies, 50) * 1000, "p99": percentile(latencies, 99) * 1000,
            "cpu_ms": sum(cpu for _, cpu in measured) / len(latencies) * 1000,
            "client_cpu": max(sample.client_cpu for sample in samples)}


def fairness(port, requests=300, seconds=15):
    """The legitimate client's figures alone, then beside the four attackers, in one run."""
    alone = clients.summary(*clients.legitimate(port, DB, requests, seconds))
    (latencies, errors), attacks = clients.under_attack(port, DB, requests, seconds)
    return alone, clients.summary(latencies, errors), attacks


def run(folder, rounds, seconds, max_requests, concurrency, cpus=None):
    """Measure every job `rounds` times after a warm-up round, then fairness per server.

    Returns ({(server, path): summary}, {server: its command line as text},
    {server: (legitimate alone, legitimate beside attackers, attacks answered)}).
    """
    started, servers = {}, commands(Path(folder))
    try:
        for server, (argv, env, _) in servers.items():
            started[server] = start(argv, env, cpus, Path(folder) / f"{server}.log")
        samples = {job: [] for job in jobs()}
        for job in samples:
            measure(started[job[0]][0], job[1], 0.3, 100, concurrency, MISS_HEADERS)
        for _ in range(rounds):
            for (server, path), kept in samples.items():
                port, process = started[server]
                cpu = cpu_seconds(process.pid)
                sample = measure(port, path, seconds, max_requests, concurrency, MISS_HEADERS)
                kept.append((sample, cpu_seconds(process.pid) - cpu))
        fair = {server: fairness(started[server][0]) for server in ("project", *VARIANTS)}
    finally:
        for _, process in started.values():
            stop(process)
    described = {server: text for server, (_, _, text) in servers.items()}
    return {job: summarize(kept) for job, kept in samples.items()}, described, fair
