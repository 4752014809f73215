"""Clients that send a request slowly, or never whole, against the real server
(nkcities/web/serve.py, serve.yml): the real slowhttptest (Debian's, `make debian`)
and raw sockets on 127.0.0.1,
while a legitimate client on 127.0.0.9 asks for the cities JSON every 200 ms on a new
connection. Every legitimate request must succeed within 1 s: a connection that has not sent a
whole request holds no place that a complete one needs, and is dropped within a few seconds.
"""

import shutil
import socket
import subprocess
import threading
import time

import pytest
from conftest import DB_NAME, SOURCE, run_build
from harness import clients
from harness.server import running_server, write_inspect
from nkcities.web.serve import load_config

CONNECTIONS = load_config()["connections"]
WITHIN_S = 1.0
EVERY_S = 0.2
ATTACK_S = 15
LEGIT = f"/{DB_NAME}/cities.json?_shape=array"


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    db = tmp_path_factory.mktemp("slow") / f"{DB_NAME}.db"
    assert run_build(SOURCE, "--db", db).exit_code == 0
    with running_server(db, write_inspect(db)) as server:
        server.port = int(server.url.rsplit(":", 1)[1])
        yield server
        assert server.alive() and not server.guard_tripped


class Measured:
    """The legitimate client: a GET every EVERY_S on a new connection until stopped."""

    def __init__(self, port):
        self.port, self.results, self.stop = port, [], threading.Event()
        self.thread = threading.Thread(target=self.run, daemon=True)

    def run(self):
        while not self.stop.is_set():
            started = time.monotonic()
            try:
                status = clients.get(self.port, LEGIT, timeout=5)[0]
            except OSError as error:
                status = type(error).__name__
            self.results.append((status, time.monotonic() - started))
            self.stop.wait(max(0.0, EVERY_S - (time.monotonic() - started)))

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.stop.set()
        self.thread.join()

    def failures(self):
        return [(status, round(seconds, 2)) for status, seconds in self.results
                if status != 200 or seconds > WITHIN_S]


def slowhttptest(port, mode, seconds=15, connections=500):
    """slowhttptest's attack `mode` at `connections` connections for `seconds` (-l)."""
    if not shutil.which("slowhttptest"):
        pytest.fail("no slowhttptest: run `make debian` (Debian's)", pytrace=False)
    # -r: connections opened per second; -i/-p: a follow-up every 2 s, probe timeout 3 s.
    return subprocess.Popen(
        ["slowhttptest", mode, "-c", str(connections), "-r", "200", "-l", str(seconds),
         "-i", "2", "-p", "3", "-u", f"http://127.0.0.1:{port}{LEGIT}"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


@pytest.mark.parametrize("modes", [
    # requests never whole
    ("-H",  # slowloris: headers, one line every 2 s, never finished
     "-B"),  # slow body: a large Content-Length, the body a few bytes every 2 s
    # whole requests
    ("-X",  # slow read: the answers read a few bytes at a time
     "-R"),  # range: many overlapping ranges in one header
], ids="".join)
def test_slowhttptest_leaves_every_legitimate_request_served(served, modes):
    """Two attacks at once, each at its own full strength (500 connections, 200 a second): they
    are independent, so a pair is a harsher test than one after the other (all four at once
    measure the machine: on two cores the attacking processes take the CPU the legitimate
    client needs). slowhttptest ends once the server has closed all its connections: each is
    started again until ATTACK_S have passed, so each has its 500 connections open or opening
    all along."""
    attacks, runs = dict.fromkeys(modes), dict.fromkeys(modes, 0)
    with Measured(served.port) as legit:
        deadline = time.monotonic() + ATTACK_S
        try:
            while time.monotonic() < deadline:
                for mode, attack in attacks.items():
                    if attack is None or attack.poll() is not None:
                        attacks[mode], runs[mode] = slowhttptest(served.port, mode), runs[mode] + 1
                time.sleep(0.2)
        finally:
            for attack in attacks.values():
                attack.kill()
                attack.wait()
    assert len(legit.results) > ATTACK_S / EVERY_S / 2 and legit.failures() == [], runs
    assert served.alive()


def half_sent(port, data, count):
    """`count` connections from 127.0.0.1 that each send `data` and then nothing."""
    sockets = []
    for _ in range(count):
        connection = socket.create_connection(("127.0.0.1", port))
        connection.sendall(data)
        sockets.append(connection)
    return sockets


def closed_within(connection, seconds):
    """True if the server closes (or drops) the connection within `seconds`."""
    connection.settimeout(seconds)
    deadline = time.monotonic() + seconds
    try:
        while time.monotonic() < deadline:
            if not connection.recv(65536):
                return True
    except ConnectionResetError:
        return True
    except TimeoutError:
        return False
    return False


BODY = "POST /-/messages HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\n"
HALF_SENT = {  # data, and the bound it is closed within
    "request line only": (b"GET / HTTP/1.1\r\n", "header_timeout_s"),
    "headers never ended": (b"GET / HTTP/1.1\r\nHost: x\r\nX-a: b\r\n", "header_timeout_s"),
    "expect 100-continue, large body": (
        (BODY + "Expect: 100-continue\r\nContent-Length: 99999\r\n\r\nab").encode(),
        "body_timeout_s"),
    "chunk of 2**64 - 1 bytes": (
        (BODY + "Transfer-Encoding: chunked\r\n\r\nffffffffffffffff\r\nab").encode(),
        "body_timeout_s"),
}


@pytest.mark.parametrize("case", HALF_SENT)
def test_half_sent_requests_hold_no_place_and_are_closed(served, case):
    data, bound = HALF_SENT[case]
    seconds = CONNECTIONS[bound]
    with Measured(served.port) as legit:
        held = half_sent(served.port, data, 200)
        try:
            time.sleep(2)
            assert legit.failures() == []
            # Each closed at most `seconds` + 2 s from now; the test goes on once all are.
            deadline = time.monotonic() + seconds + 2
            assert all(closed_within(connection, max(deadline - time.monotonic(), 0.01))
                       for connection in held)
        finally:
            for connection in held:
                connection.close()
    assert len(legit.results) > 10 and legit.failures() == []


def test_more_half_sent_connections_than_the_server_keeps_open(served):
    """Past connections.max_open, the one waiting longest is dropped, not the new one."""
    with Measured(served.port) as legit:
        held = half_sent(served.port, b"GET / HTTP/1.1\r\n", CONNECTIONS["max_open"] + 100)
        try:
            time.sleep(2)
            assert closed_within(held[0], 1)  # the oldest were dropped at once
        finally:
            for connection in held:
                connection.close()
    assert len(legit.results) > 5 and legit.failures() == []
