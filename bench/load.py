"""A small closed-loop load generator: threads, each with one keep-alive http.client connection.

Bounded in time and in count, and only ever talks to 127.0.0.1.
"""

import http.client
import statistics
import threading
import time
from typing import NamedTuple


class Sample(NamedTuple):
    requests: int
    seconds: float
    latencies: list  # seconds, one per request
    client_cpu: float  # CPU seconds the client process used per wall second

    @property
    def rps(self):
        return self.requests / self.seconds


def percentile(latencies, p):
    return statistics.quantiles(latencies, n=100, method="inclusive")[p - 1]


def worker(port, path, deadline, limit, latencies, headers=None, expect=200):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        while len(latencies) < limit and time.perf_counter() < deadline:
            start = time.perf_counter()
            connection.request("GET", path, headers=headers or {})
            response = connection.getresponse()
            body = response.read()
            if expect and (response.status != expect or (expect == 200 and not body)):
                raise RuntimeError(f"GET {path} on port {port}: HTTP {response.status}")
            latencies.append(time.perf_counter() - start)
    finally:
        connection.close()


def measure(port, path, seconds, max_requests, concurrency=4, headers=None, expect=200):
    """GET path for about `seconds` (or max_requests in all) from `concurrency` connections,
    with extra request headers, each answer checked for the status `expect` (None: any)."""
    results = [[] for _ in range(concurrency)]
    errors = []

    def run(latencies):
        try:
            worker(port, path, deadline, max_requests // concurrency, latencies, headers, expect)
        except Exception as error:  # reported below, in the main thread
            errors.append(error)

    threads = [threading.Thread(target=run, args=(r,)) for r in results]
    cpu, start = time.process_time(), time.perf_counter()
    deadline = start + seconds
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - start
    if errors:
        raise errors[0]
    latencies = [latency for result in results for latency in result]
    return Sample(len(latencies), elapsed, latencies, (time.process_time() - cpu) / elapsed)
