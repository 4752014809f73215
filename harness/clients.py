"""Hostile and legitimate clients on their own loopback addresses, for tests/test_serving.py
and bench/ (fairness): attackers on 127.0.0.2 … 127.0.0.5, one keep-alive connection each,
send the most expensive requests the limits allow, back to back; the legitimate client on
127.0.0.9 asks for the cities table JSON. Stalled clients ask for the largest response the
limits allow and never read it. Only ever talks to the 127.0.0.1 port given.
"""

import http.client
import socket
import statistics
import sys
import threading
import time
from urllib.parse import quote

LEGIT_ADDRESS = "127.0.0.9"
ATTACKERS = [f"127.0.0.{n}" for n in range(2, 6)]
LEGIT_PATH = "/{db}/cities.json?_shape=array"
# A _where that recounts a recursive CTE for every row: slow SQL from a cheap URL.
SLOW_ROW = ("(with recursive r(x) as (select 1 union all select x + 1 from r "
            "where x < 10000 + cities.id) select count(*) from r) > 0")
ATTACKS = [  # each stopped by the time limits: 250 ms of SQL, or 3 facets + rows + count
    "/{db}.json?sql=" + quote("with recursive r(x) as (select 1 union all select x + 1 "
                              "from r) select count(*) from r"),
    "/{db}/cities?_facet=name&_facet=founded&_facet=id&_where=" + quote(SLOW_ROW),
]


def connect(port, address):
    return http.client.HTTPConnection("127.0.0.1", port, timeout=30,
                                      source_address=(address, 0))


def back_to_back(port, address, db, stop, paths, turn=0, answered=None):
    """GETs of `paths` in turn, starting at `turn`, on one keep-alive connection (a new one
    after an error) until `stop`; each answer read is counted in `answered`."""
    connection = connect(port, address)
    while not stop.is_set():
        try:
            connection.request("GET", paths[turn % len(paths)].format(db=db), headers=COOKIE)
            connection.getresponse().read()
            if answered is not None:
                answered.append(1)
        except (OSError, http.client.HTTPException):
            connection.close()
            connection = connect(port, address)
        turn += 1
    connection.close()


def legitimate(port, db, requests, seconds):
    """(latencies in s, errors) of `requests` GETs, or as many as fit in `seconds`."""
    connection, latencies, errors = connect(port, LEGIT_ADDRESS), [], 0
    deadline = time.monotonic() + seconds
    while len(latencies) + errors < requests and time.monotonic() < deadline:
        started = time.perf_counter()
        connection.request("GET", LEGIT_PATH.format(db=db), headers=COOKIE)
        response = connection.getresponse()
        body = response.read()
        if response.status == 200 and body:
            latencies.append(time.perf_counter() - started)
        else:
            errors += 1
    connection.close()
    return latencies, errors


def under_attack(port, db, requests=200, seconds=20, attackers=ATTACKERS):
    """The legitimate client's (latencies, errors) while `attackers` run; their answers."""
    stop, answered = threading.Event(), []
    threads = [threading.Thread(target=back_to_back,
                                args=(port, address, db, stop, ATTACKS, 0, answered))
               for address in attackers]
    for thread in threads:
        thread.start()
    time.sleep(0.5)  # let the attack reach its steady state
    try:
        return legitimate(port, db, requests, seconds), len(answered)
    finally:
        stop.set()
        for thread in threads:
            thread.join()


def summary(latencies, errors):
    cuts = statistics.quantiles(latencies, n=100, method="inclusive")
    return {"requests": len(latencies), "errors": errors, "p50_ms": cuts[49] * 1000,
            "p99_ms": cuts[98] * 1000}


# The largest response the limits allow: 50 values of 9,800 characters (under the value limit,
# plugins/sql_limits.py; 0.5 MB of rows) that JSON writes as \u0001, six bytes each: a 3 MB body.
LARGEST = ("/{db}.json?_shape=array&sql=" + quote(
    "select replace(hex(zeroblob(4900)), '0', char(1)) as x from cities a, cities b limit 50"))


# Every request here carries a cookie, so the response cache steps aside: these clients
# test the limits, which a cache hit (already rendered, a few kB) does not need.
COOKIE = {"Cookie": "limits=probe"}


def stalled(port, address, path, headers=""):
    """A connection from `address` that asks for `path` and never reads the answer."""
    headers += "".join(f"{name}: {value}\r\n" for name, value in COOKIE.items())
    connection = socket.socket()
    connection.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    connection.bind((address, 0))
    connection.connect(("127.0.0.1", port))
    connection.sendall(f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n{headers}\r\n".encode())
    return connection


def get(port, path, address=LEGIT_ADDRESS, headers=None, timeout=10):
    """(status, headers, body, seconds) of one GET from `address`."""
    connection = connect(port, address)
    connection.timeout = timeout
    started = time.monotonic()
    try:
        connection.request("GET", path, headers={**COOKIE, **(headers or {})})
        response = connection.getresponse()
        return response.status, response.headers, response.read(), time.monotonic() - started
    finally:
        connection.close()


# Uncached GETs (every request carries COOKIE) of the pages and queries any client may ask for,
# the expensive SQL included: what a noisy client sends back to back on each connection.
NOISY = [
    "/{db}/cities", "/{db}/cities.json?_facet=province", "/{db}/city_names",
    "/{db}.json?sql=" + quote("select count(*) from cities a, cities b, cities c, cities d"),
]


def main(argv):
    """`python -m harness.clients PORT DB CONNECTIONS ADDRESS...`: noisy clients, CONNECTIONS
    from each address, until stdin closes (a process of their own: the measuring client's
    timings do not share its interpreter lock)."""
    port, db, connections, *addresses = argv
    stop = threading.Event()
    threads = [threading.Thread(target=back_to_back,
                                args=(int(port), address, db, stop, NOISY, turn))
               for address in addresses for turn in range(int(connections))]
    for thread in threads:
        thread.start()
    sys.stdin.read()
    stop.set()
    for thread in threads:
        thread.join()


if __name__ == "__main__":
    main(sys.argv[1:])
