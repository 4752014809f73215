"""The server serves the database the build made, or nothing: the start check, /-/health,
a file changed while serving, SIGTERM with a stalled client, and the build's record
(`<db>.sha256`) and clean-up of a killed build's leftovers."""

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time

from harness import clients
import pytest
from click.testing import CliRunner
from conftest import DB_NAME, ROOT, SOURCE, run_build
from helpers import sha256
from harness.server import running_server, write_inspect

from nkcities.web import serve


@pytest.fixture
def built(tmp_path, db_path):
    """A copy of the session's build, its record and its inspect file, to spoil."""
    db = tmp_path / db_path.name
    shutil.copy(db_path, db)
    shutil.copy(f"{db_path}.sha256", f"{db}.sha256")
    return db, write_inspect(db)


def spoil_inspect(inspect, change):
    data = json.loads(inspect.read_text())
    change(data[DB_NAME])
    inspect.write_text(json.dumps(data))


SPOILED = {
    "empty": (lambda db, inspect: db.write_bytes(b""), "empty"),
    "truncated": (lambda db, inspect: db.write_bytes(db.read_bytes()[:4096]),
                  "is not the recorded one"),
    "one byte changed": (lambda db, inspect: db.write_bytes(db.read_bytes()[:-1] + b"\x01"),
                         "is not the recorded one"),
    "no record": (lambda db, inspect: os.unlink(f"{db}.sha256"), "missing"),
    "inspect hash": (lambda db, inspect: spoil_inspect(inspect, lambda e: e.update(hash="0" * 64)),
                     "is not the database's"),
    "inspect counts": (lambda db, inspect: spoil_inspect(
        inspect, lambda e: e["tables"]["cities"].update(count=29)), "row counts"),
}


@pytest.mark.parametrize("name", SPOILED)
def test_start_refused(built, name):
    db, inspect = built
    spoil, message = SPOILED[name]
    spoil(db, inspect)
    result = CliRunner().invoke(serve.main, ["--db", str(db), "--inspect", str(inspect)])
    assert result.exit_code == 2
    assert len(result.output.splitlines()) == 1 and message in result.output


def test_start_refused_as_a_process(built):
    """The real command: exit status 2 and one line, no server."""
    db, inspect = built
    db.write_bytes(b"")
    done = subprocess.run([sys.executable, "-m", "nkcities.web.serve", "--db", str(db), "--inspect",
                           str(inspect), "--port", "8199"], cwd=ROOT, capture_output=True,
                          text=True, timeout=60, check=False)
    assert done.returncode == 2 and done.stderr.strip().splitlines() == [
        f"not serving: {db}: empty"]


def test_file_changed_while_serving_then_sigterm_with_a_stalled_client(built):
    db, inspect = built
    with running_server(db, inspect) as server:
        port = int(server.url.rsplit(":", 1)[1])
        assert clients.get(port, "/-/health")[0] == 200
        status, _, body, _ = clients.get(port, f"/{DB_NAME}.db")
        assert status == 200 and body == db.read_bytes()
        stalled = clients.stalled(port, "127.0.0.3", clients.LARGEST.format(db=DB_NAME))
        idle = socket.create_connection(("127.0.0.1", port), source_address=("127.0.0.4", 0))
        time.sleep(1)  # the stalled client's 3 MB answer is under way
        with open(db, "r+b") as file:
            file.truncate(db.stat().st_size // 2)
        for path in ("/-/health", f"/{DB_NAME}.db", f"/{DB_NAME}/cities.json"):
            status, _, body, seconds = clients.get(port, path)
            assert status == 503 and seconds < 1, path
            assert b"changed since the server checked it" in body
            assert not body.startswith(b"SQLite format 3")
        took = server.stop(timeout=15)  # SIGTERM, one client stalled and one idle
        stalled.close()
        idle.close()
    assert took < 10


def test_same_size_same_mtime_rewrite_is_caught(built):
    """One byte rewritten in place, the size unchanged and the mtime put back: /-/health and
    the download answer 503 at once, and no answer shows where the file lives."""
    db, inspect = built
    with running_server(db, inspect) as server:
        port = int(server.url.rsplit(":", 1)[1])
        assert clients.get(port, "/-/health")[0] == 200
        stat = db.stat()
        with open(db, "r+b") as file:
            file.seek(stat.st_size - 1)
            last = file.read(1)
            file.seek(stat.st_size - 1)
            file.write(bytes([last[0] ^ 0xFF]))
        os.utime(db, ns=(stat.st_atime_ns, stat.st_mtime_ns))
        assert (db.stat().st_size, db.stat().st_mtime_ns) == (stat.st_size, stat.st_mtime_ns)
        for path in ("/-/health", f"/{DB_NAME}.db"):
            status, _, body, seconds = clients.get(port, path)
            assert status == 503 and seconds < 1, path
            assert b"changed since the server checked it" in body
            assert str(db.parent).encode() not in body


def test_sighup_ends_the_server_like_sigterm(built):
    """A request under way when SIGHUP comes gets its whole answer; the server then exits."""
    db, inspect = built
    with running_server(db, inspect) as server:
        port = int(server.url.rsplit(":", 1)[1])
        slow = clients.stalled(port, "127.0.0.3", clients.ATTACKS[1].format(db=DB_NAME))
        time.sleep(0.2)
        server.process.send_signal(signal.SIGHUP)
        slow.settimeout(10)
        answer = b""
        while chunk := slow.recv(65536):
            answer += chunk
            if answer.endswith(b"</html>\n") or answer.endswith(b"</html>"):
                break
        slow.close()
        assert answer.startswith(b"HTTP/1.1 ") and b"</html>" in answer
        server.process.wait(10)
        assert "Shutting down" in server.log(tail=10**6)


def test_access_log_lines_are_bounded(built):
    db, inspect = built
    with running_server(db, inspect) as server:
        port = int(server.url.rsplit(":", 1)[1])
        clients.get(port, "/-/versions.json?x=" + "y" * 50_000)
        time.sleep(0.2)
        lines = [line for line in server.log(tail=10**6).splitlines() if "versions.json" in line]
        assert lines and max(map(len, lines)) < 1200


def test_build_records_sha256_and_removes_leftovers(tmp_path):
    db = tmp_path / f"{DB_NAME}.db"
    leftovers = [tmp_path / f".{db.name}.k1ll3d.tmp", tmp_path / f".{db.name}.k1ll3d.tmp-journal"]
    for leftover in leftovers:
        leftover.write_bytes(b"left by a killed build")
    assert run_build(SOURCE, "--db", db).exit_code == 0
    assert not any(leftover.exists() for leftover in leftovers)
    assert (tmp_path / f"{db.name}.sha256").read_text() == f"{sha256(db)}  {db.name}\n"
    assert sorted(path.name for path in tmp_path.iterdir()) == [db.name, f"{db.name}.sha256"]


@pytest.mark.parametrize("name", [".north-korea-cities.db.x1.tmp",
                                  ".north-korea-cities.db.x1.tmp-journal",
                                  "north-korea-cities.db.sha256"])
def test_ignore_files_cover_build_outputs(name):
    ignored = subprocess.run(["git", "check-ignore", "-q", name], cwd=ROOT, check=False)
    assert ignored.returncode == 0
    patterns = (ROOT / ".dockerignore").read_text().split()
    assert any(pattern.startswith("*") and name.endswith(pattern[1:]) for pattern in patterns)
