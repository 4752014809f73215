"""Load: 20 concurrent connections for 30 s against the real server on 127.0.0.1
(nkcities/web/serve.py), a mix of table JSON, labelled JSON, an HTML page, SQL and the .db download.
It must finish with 0 errors and the server under 300 MB; it reports requests per second and
p50/p99 latency. Marked slow: `make load` runs it, the default test run does not.
LOAD_SECONDS and LOAD_CONNECTIONS change the defaults (30, 20).
"""

import asyncio
import os
import statistics
import time
from collections import defaultdict

import httpx
import pytest

from conftest import DB_NAME, SOURCE, SOURCE_CITIES, run_build
from figures import report
from harness.server import running_server, write_inspect

SECONDS = float(os.environ.get("LOAD_SECONDS", "30"))
CONNECTIONS = int(os.environ.get("LOAD_CONNECTIONS", "20"))
PER_ADDRESS = 5
MAX_REQUESTS = 500_000  # a bound in case the server is far faster than expected
MIX = {
    "table JSON": f"/{DB_NAME}/cities.json?_shape=array&_size=max",
    "labelled JSON": f"/{DB_NAME}/cities.json?_shape=array&_labels=on",
    "HTML page": f"/{DB_NAME}/cities",
    "SQL": f"/{DB_NAME}.json?_shape=array&sql=select+province,+cities,+population_2008"
           "+from+province_totals+order+by+population_2008+desc",
    ".db download": f"/{DB_NAME}.db",
}


def answered(name, response, db_size):
    if response.status_code != 200:
        return False
    if name == ".db download":
        return len(response.content) == db_size
    if name == "HTML page":
        return "Pyongyang" in response.text
    return len(response.json()) in (SOURCE_CITIES, 13)  # 13 provinces in province_totals


async def worker(client, first, deadline, db_size, results):
    names = list(MIX)
    turn = first
    while time.monotonic() < deadline and len(results) < MAX_REQUESTS:
        name = names[turn % len(names)]
        turn += 1
        started = time.monotonic()
        try:
            ok = answered(name, await client.get(MIX[name]), db_size)
        except (httpx.HTTPError, ValueError):
            ok = False
        results.append((name, time.monotonic() - started, ok))


async def load(url, db_size):
    """CONNECTIONS connections from several loopback addresses, at most PER_ADDRESS each:
    the server allows one address 6 requests at once (serve.yml)."""
    results, clients = [], []
    for n in range(0, CONNECTIONS, PER_ADDRESS):
        size = min(PER_ADDRESS, CONNECTIONS - n)
        transport = httpx.AsyncHTTPTransport(local_address=f"127.0.0.{10 + n // PER_ADDRESS}",
                                             limits=httpx.Limits(max_connections=size))
        clients += [httpx.AsyncClient(base_url=url, transport=transport, timeout=10)] * size
    deadline = time.monotonic() + SECONDS
    await asyncio.gather(*(worker(client, i, deadline, db_size, results)
                           for i, client in enumerate(clients)))
    for client in set(clients):
        await client.aclose()
    return results


def p(latencies, percent):
    return statistics.quantiles(latencies, n=100, method="inclusive")[percent - 1] * 1000


def figures(results, elapsed, peak_mb):
    by_name = defaultdict(list)
    for name, latency, _ in results:
        by_name[name].append(latency)
    latencies = [latency for _, latency, _ in results]
    errors = sum(not ok for _, _, ok in results)
    lines = [f"{CONNECTIONS} connections for {elapsed:.1f} s: {len(results)} requests, "
             f"{len(results) / elapsed:.0f} requests/s, p50 {p(latencies, 50):.0f} ms, "
             f"p99 {p(latencies, 99):.0f} ms, errors {errors}, peak RSS {peak_mb:.0f} MB"]
    lines += [f"  {name}: {len(values)} requests, p50 {p(values, 50):.0f} ms, "
              f"p99 {p(values, 99):.0f} ms" for name, values in by_name.items()]
    return lines, errors


@pytest.mark.slow
def test_load(tmp_path, request):
    db = tmp_path / f"{DB_NAME}.db"
    assert run_build(SOURCE, "--db", db).exit_code == 0
    with running_server(db, write_inspect(db)) as server:
        started = time.monotonic()
        results = asyncio.run(load(server.url, db.stat().st_size))
        elapsed = time.monotonic() - started
        alive, peak = server.alive() and not server.guard_tripped, server.peak_rss_mb()
    lines, errors = figures(results, elapsed, peak)
    report(request.config, "load", lines)
    assert alive and errors == 0 and peak < 300
    assert len(results) > CONNECTIONS  # it did run
