"""deploy/nginx.conf with the real nginx (Debian's, `make nginx`) in front of the real server,
both on loopback: what reaches the server, and what nginx keeps from it."""

import contextlib
import socket
import subprocess
import time
from pathlib import Path

import hostile_clients as clients
import pytest
from conftest import DB_NAME, ROOT, SOURCE_CITIES
from server import free_port, running_server, write_inspect

NGINX = "/usr/sbin/nginx"
CONF = ROOT / "deploy" / "nginx.conf"
HEADER_TIMEOUT_S = 10  # client_header_timeout in deploy/nginx.conf


def main_config(folder, listen, upstream):
    """A main nginx.conf around the shipped file, as Debian's includes conf.d/*.conf; only the
    two addresses change."""
    site = CONF.read_text(encoding="utf-8")
    assert "listen 80;" in site and "server 127.0.0.1:8001;" in site
    site = site.replace("listen 80;", f"listen 127.0.0.1:{listen};").replace(
        "server 127.0.0.1:8001;", f"server 127.0.0.1:{upstream};")
    (folder / "site.conf").write_text(site)
    (folder / "nginx.conf").write_text(
        f"pid {folder}/nginx.pid;\nerror_log {folder}/error.log;\nevents {{}}\n"
        f"http {{\n  access_log {folder}/access.log;\n  client_body_temp_path {folder};\n"
        f"  proxy_temp_path {folder};\n  include {folder}/site.conf;\n}}\n")
    return folder / "nginx.conf"


@pytest.fixture(scope="module")
def proxied(tmp_path_factory, db_path):
    if not Path(NGINX).exists():
        pytest.fail("no nginx: run `make nginx` (installs Debian's nginx)", pytrace=False)
    folder = tmp_path_factory.mktemp("nginx")
    with running_server(db_path, write_inspect(db_path)) as server:
        port = free_port()
        conf = main_config(folder, port, server.url.rsplit(":", 1)[1])
        nginx = subprocess.Popen([NGINX, "-c", str(conf), "-g", "daemon off;"],
                                 stderr=subprocess.PIPE)
        try:
            wait_for(port)
            slow = socket.create_connection(("127.0.0.1", port))
            slow.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n")  # and never the rest
            yield server, port, (slow, time.monotonic())
        finally:
            nginx.terminate()
            nginx.wait(10)


def wait_for(port, timeout=10):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with contextlib.suppress(OSError):
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        time.sleep(0.1)
    raise RuntimeError("nginx did not start")


def test_serves_through_nginx(proxied):
    _, port, _ = proxied
    status, _, body, _ = clients.get(port, f"/{DB_NAME}/cities.json?_shape=array")
    assert status == 200 and body.count(b'"id":') == SOURCE_CITIES


def test_server_sees_the_client_not_its_forged_header(proxied):
    server, port, _ = proxied
    marker = "/-/versions.json?who=forged"
    clients.get(port, marker, "127.0.0.9", {"X-Forwarded-For": "127.0.0.5"})
    time.sleep(0.2)
    seen = [line for line in server.log(tail=10**6).splitlines() if "who=forged" in line]
    assert seen and "127.0.0.9:" in seen[-1] and "127.0.0.5" not in seen[-1]


def test_rate_limit_per_client(proxied):
    _, port, _ = proxied
    statuses = [clients.get(port, "/-/versions.json", "127.0.0.2")[0] for _ in range(80)]
    assert 429 in statuses and statuses[:40] == [200] * 40
    assert clients.get(port, "/-/versions.json", "127.0.0.9")[0] == 200


def test_body_over_the_limit_never_reaches_the_server(proxied):
    _, port, _ = proxied
    connection = clients.connect(port, "127.0.0.9")
    connection.request("POST", "/-/messages", body=b"x" * 200_000)
    assert connection.getresponse().status == 413
    connection.close()


def test_slow_headers_are_cut_off(proxied):
    """Runs last: the connection opened at the start sent half its headers."""
    _, _, (slow, opened) = proxied
    slow.settimeout(HEADER_TIMEOUT_S + 5 - (time.monotonic() - opened))
    try:
        closed = slow.recv(100)
    finally:
        slow.close()
    assert closed in (b"",) or closed.startswith(b"HTTP/1.1 408")
    assert time.monotonic() - opened < HEADER_TIMEOUT_S + 3
