"""The real server, nkcities/web/serve.py on a free 127.0.0.1 port, and headless Chromium.

A browser test asks for `page` (and `server`, the base URL). After the test the fixture saves a
full-page screenshot to test-artifacts/<test name>.png, then fails the test if the page logged a
console error, threw, had a request fail, or tried to reach anything but the server. A new page
test is a few lines, e.g.

    def test_map(page, server):
        page.goto(f"{server}/north-korea-cities/cities")
        expect(page.locator(".leaflet-marker-icon")).to_have_count(28)
"""

import base64
import os
import re
import shutil
from pathlib import Path

import pytest
import yaml
from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
# The map's tile layer (metadata.yml) as a pattern; tests never fetch tiles from the network.
TILE_LAYER = yaml.safe_load((ROOT / "metadata.yml").read_text(encoding="utf-8"))[
    "plugins"]["datasette-cluster-map"]["tile_layer"]
TILE = re.compile(re.sub(r"\\\{\w\\\}", ".*", re.escape(TILE_LAYER)))
BLANK_PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=")


@pytest.fixture(scope="module")
def browser():
    """Chromium, per test module: Playwright's sync API holds an event loop while it runs, and
    the other tests' asyncio.run() cannot start while one is running."""
    if not (os.path.exists(CHROMIUM) or shutil.which(CHROMIUM)):
        pytest.fail(f"no Chromium at {CHROMIUM}: run `make debian` (installs Debian's chromium), "
                    "or set CHROMIUM to its path", pytrace=False)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


def watch(page, server):
    """Record console errors, uncaught exceptions and failed requests, and block non-local
    requests; returns a function that lists them. A download ends its request with ERR_ABORTED:
    that is not a failure."""
    problems, failed, downloads = [], [], set()
    page.on("console", lambda m: m.type == "error" and problems.append(f"console: {m.text}"))
    page.on("pageerror", lambda error: problems.append(f"exception: {error}"))

    def request_failed(request):
        if TILE.fullmatch(request.url) and request.failure == "net::ERR_ABORTED":
            return  # Leaflet cancels the tiles of a zoom level it has left: not a failure
        failed.append((request.url, f"failed: {request.url} {request.failure}"))
    page.on("requestfailed", request_failed)
    page.on("download", lambda download: downloads.add(download.url))

    def outside(route):
        if TILE.fullmatch(route.request.url):  # the map's tiles: blank, as if offline
            route.fulfill(status=200, content_type="image/png", body=BLANK_PNG)
            return
        problems.append(f"not local: {route.request.url}")
        route.abort()
    page.route(lambda url: not url.startswith(server) and not url.startswith(("data:", "blob:")),
               outside)
    return lambda: problems + [message for url, message in failed if url not in downloads]


# Pages loading side by side: as many as a browser's connections to one host (6), which also
# keeps them within serve.yml's requests.max_in_flight_per_client.
AT_ONCE = 6


def side_by_side(tabs, server, paths):
    """Yield (name, tab) for each of {name: path}, loaded len(tabs) at a time, side by side, each
    until its network is idle; the tab yielded is in front (a tab in the background draws no
    frame to screenshot)."""
    items = list(paths.items())
    for start in range(0, len(items), len(tabs)):
        batch = list(zip(tabs, items[start:start + len(tabs)]))
        for tab, (_, path) in batch:
            tab.goto(server + path, wait_until="commit")
        for tab, _ in batch:
            tab.wait_for_load_state("load")
            tab.wait_for_load_state("networkidle")
        for tab, (name, _) in batch:
            tab.bring_to_front()
            yield name, tab


@pytest.fixture
def page(browser, server, request):
    context = browser.new_context(viewport={"width": 1280, "height": 800}, accept_downloads=True)
    page = context.new_page()
    problems = watch(page, server)
    yield page
    ARTIFACTS.mkdir(exist_ok=True)
    name = re.sub(r"[^\w.-]+", "_", request.node.name)
    page.screenshot(path=ARTIFACTS / f"{name}.png", full_page=True)
    context.close()
    assert problems() == [], f"{request.node.name}: the page reported problems"
