"""Lighthouse (npm, pinned in package-lock.json; `make lighthouse` installs it) on every kind of
page of the real server, in Debian's Chromium, offline: 100 in accessibility, best practices
and SEO, at least 95 in performance. The map's tiles come from a stand-in tile server on
127.0.0.1 (the tile URL is configuration: a copy of metadata.yml points it there), so the maps
are drawn as they are in production. Scores: test-artifacts/lighthouse.json."""

import contextlib
import json
import os
import shutil
import struct
import subprocess
import threading
import zlib
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import yaml

from browser.conftest import ARTIFACTS, CHROMIUM, ROOT
from browser.page_kinds import page_kinds
from harness.server import running_server, write_inspect

RUNNER = ROOT / "tests" / "browser" / "lighthouse.mjs"
LIGHTHOUSE = ROOT / "node_modules" / "lighthouse"
REQUIRED = {"accessibility": 100, "best-practices": 100, "seo": 100, "performance": 95}


def blank_tile(size=256):
    """A white size x size PNG: a tile as large as the map draws it (a smaller image, scaled
    up, fails Lighthouse's image-size-responsive)."""
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(
            ">I", zlib.crc32(kind + data))
    rows = b"".join(b"\x00" + b"\xff" * size for _ in range(size))  # filter 0, 8-bit grey
    header = struct.pack(">IIBBBBB", size, size, 8, 0, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header)
            + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b""))


BLANK_PNG = blank_tile()


class BlankTile(BaseHTTPRequestHandler):
    def do_GET(self):
        self.send_response(200)
        self.send_header("Content-Type", "image/png")
        self.send_header("Content-Length", str(len(BLANK_PNG)))
        self.end_headers()
        self.wfile.write(BLANK_PNG)

    def log_message(self, *args):
        pass


@contextlib.contextmanager
def tile_server():
    """A stand-in for the map's tile server on 127.0.0.1: a blank PNG for every tile."""
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), BlankTile)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}/{{z}}/{{x}}/{{y}}.png"
    finally:
        httpd.shutdown()


@pytest.fixture(scope="module")
def offline_server(db_path, metadata, tmp_path_factory):
    """The real server with metadata.yml's tile layer pointed at the stand-in tile server."""
    with tile_server() as tiles:
        local = json.loads(json.dumps(metadata))
        local["plugins"]["datasette-cluster-map"]["tile_layer"] = tiles
        path = tmp_path_factory.mktemp("lighthouse") / "metadata.yml"
        path.write_text(yaml.safe_dump(local, allow_unicode=True), encoding="utf-8")
        with running_server(db_path, write_inspect(db_path), "--metadata", str(path)) as server:
            yield server.url


# Lighthouse runners at once, each with its own Chromium and its share of the pages: one waits
# on the page's quiet windows most of the time, so two fill the machine's two cores.
AT_ONCE = 2


def run_lighthouse(server, pages, out):
    if not LIGHTHOUSE.is_dir():
        pytest.fail("no Lighthouse in node_modules: run `make lighthouse` (npm ci)", pytrace=False)
    node = shutil.which("node") or pytest.fail("no node: run `make lighthouse`", pytrace=False)
    env = dict(os.environ, MIN_PERFORMANCE=str(REQUIRED["performance"]),
               CHROME_PATH=os.environ.get("CHROME_PATH", shutil.which(CHROMIUM) or CHROMIUM))
    names = list(pages)
    shares = [out.with_suffix(f".{n}.json") for n in range(AT_ONCE)]
    runners = [subprocess.Popen([node, str(RUNNER), str(share), *(
        f"{name}={server}{pages[name]}" for name in names[n::AT_ONCE])], env=env, cwd=ROOT)
        for n, share in enumerate(shares)]
    try:
        for runner in runners:
            assert runner.wait(timeout=900) == 0, runner.args
    finally:
        for runner in runners:  # a failed or timed-out runner's partner stops with it
            if runner.poll() is None:
                runner.kill()
                runner.wait()
    results = {}
    for share in shares:
        results.update(json.loads(share.read_text()))
        share.unlink()
    out.write_text(json.dumps(results, indent=2) + "\n")
    return results


# robots.txt keeps arbitrary SQL away from search engines on purpose: on the SQL
# result page Lighthouse's is-crawlable audit must fail, and no other SEO audit may.
NOT_FOR_CRAWLERS = {"sql"}


def test_every_kind_of_page_scores(offline_server, db_path, metadata):
    pages = page_kinds(offline_server, db_path, metadata)
    ARTIFACTS.mkdir(exist_ok=True)
    results = run_lighthouse(offline_server, pages, ARTIFACTS / "lighthouse.json")
    assert set(results) == set(pages)
    below = {name: (result["scores"], result["failing"]) for name, result in results.items()
             if result.get("runtimeError") or any(
                 result["scores"].get(category, 0) < score for category, score in REQUIRED.items()
                 if not (name in NOT_FOR_CRAWLERS and category == "seo"))}
    assert below == {}, "pages below Lighthouse 100/100/100/95 (scores, failing audits)"
    for name in NOT_FOR_CRAWLERS:  # kept out by robots.txt, and by nothing else
        assert results[name]["failing"] == ["is-crawlable"], (name, results[name]["failing"])
