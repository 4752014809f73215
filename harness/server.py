"""The real server for tests and benchmarks: nkcities/web/serve.py with serve.yml, the one serve
configuration that `make serve` uses, started on a free port of a loopback address with a
memory guard.

    with running_server(db_path, write_inspect(db_path)) as server:
        httpx.get(server.url + "/-/versions.json")
        server.peak_rss_mb()
"""

import contextlib
import os
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
SERVE = [sys.executable, "-m", "nkcities.web.serve"]
GUARD_MB = 1024  # kill the server if it ever holds more than this: the machine is shared


def write_inspect(db_path):
    """`datasette inspect` the database into a file beside it, as `make build` does."""
    db_path = Path(db_path)
    inspect_path = db_path.with_name(db_path.stem + "-inspect.json")
    datasette = Path(sys.executable).parent / "datasette"
    subprocess.run([str(datasette), "inspect", str(db_path), "--inspect-file", str(inspect_path)],
                   check=True, capture_output=True)
    return inspect_path


def free_port(host="127.0.0.1"):
    with socket.socket() as sock:
        sock.bind((host, 0))
        return sock.getsockname()[1]


def status_mb(pid, field):
    """VmRSS (resident now) or VmHWM (peak resident) of a process, in MB."""
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024
    raise KeyError(field)


class Server:
    def __init__(self, process, url, log_path):
        self.process, self.url, self.log_path = process, url, log_path
        self.guard_tripped = False

    def rss_mb(self):
        return status_mb(self.process.pid, "VmRSS")

    def peak_rss_mb(self):
        return status_mb(self.process.pid, "VmHWM")

    def alive(self):
        return self.process.poll() is None

    def log(self, tail=3000):
        return Path(self.log_path).read_text(errors="replace")[-tail:]

    def guard(self, stop):
        """Kill the server as soon as it passes GUARD_MB, checking every 10 ms."""
        while not stop.wait(0.01) and self.alive():
            with contextlib.suppress(OSError, KeyError):
                if self.rss_mb() > GUARD_MB:
                    self.guard_tripped = True
                    self.process.kill()

    def wait_ready(self, timeout):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if not self.alive():
                raise RuntimeError(f"server exited with {self.process.returncode}:\n{self.log()}")
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(self.url + "/-/versions.json", timeout=1).status_code == 200:
                    return
            time.sleep(0.1)
        raise RuntimeError(f"server not ready after {timeout} s:\n{self.log()}")

    def wait_warm(self, timeout=60):
        """Until the response cache has rendered the pages people arrive at (started by the
        first request, wait_ready's): tests of timing want the event loop to themselves."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with contextlib.suppress(httpx.HTTPError):
                if (httpx.get(self.url + "/-/health", timeout=1).json().get("warm")
                        or {"done": True})["done"]:
                    return
            time.sleep(0.1)
        raise RuntimeError(f"server not warm after {timeout} s:\n{self.log()}")

    def stop(self, timeout=10):
        """SIGTERM, then SIGKILL after `timeout` s; returns the seconds it took to exit."""
        started = time.monotonic()
        if self.alive():
            self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        return time.monotonic() - started


def serve_command(db_path, inspect_path, host, port, *args):
    return [*SERVE, "--db", str(db_path), "--inspect", str(inspect_path), "--host", host,
            "--port", str(port), *args]


@contextlib.contextmanager
def running_server(db_path, inspect_path, *args, host="127.0.0.1", ready_timeout=30, env=None):
    """Run nkcities/web/serve.py (extra options in args, environment `env`); yield a Server."""
    port = free_port(host)
    with tempfile.NamedTemporaryFile("wb", prefix="datasette-", suffix=".log", delete=False) as log:
        process = subprocess.Popen(serve_command(db_path, inspect_path, host, port, *args),
                                   cwd=ROOT, stdout=log, stderr=subprocess.STDOUT,
                                   stdin=subprocess.DEVNULL, env=env)
    server = Server(process, f"http://{host}:{port}", log.name)
    stop = threading.Event()
    guard = threading.Thread(target=server.guard, args=(stop,), daemon=True)
    guard.start()
    try:
        server.wait_ready(ready_timeout)
        yield server
    finally:
        stop.set()
        guard.join()
        server.stop()
        os.unlink(log.name)
