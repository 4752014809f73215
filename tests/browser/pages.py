"""Small helpers for the browser tests."""

import contextlib
import time
import urllib.parse

from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

from conftest import DB_NAME, SOURCE_CITIES


def cells(page, column):
    """The text of every cell of a column in Datasette's results table."""
    return page.locator(f"table.rows-and-columns tbody td.col-{column}").all_inner_texts()


def run_sql(page, server, sql):
    """Type sql into the database page's SQL editor (CodeMirror) and press Run SQL."""
    page.goto(f"{server}/{DB_NAME}")
    page.locator(".CodeMirror").click()
    page.keyboard.press("Control+A")
    page.keyboard.type(sql)
    with page.expect_navigation():
        page.get_by_role("button", name="Run SQL").click()


# Cities on datasette-cluster-map's map: single markers plus the counts on the cluster icons.
CITIES_ON_MAP = """() =>
    document.querySelectorAll(".leaflet-marker-icon:not(.marker-cluster)").length
    + [...document.querySelectorAll(".marker-cluster span")].reduce((n, s) => n + +s.textContent, 0)
"""
# What the scripts of a page draw from the requests they make after its load event: the cluster
# map (its plugin's settings are on the page) from its rows' JSON, each dashboard chart from its
# query's. Anything they make a request for is drawn only when the request is done.
DRAWN = f"""cities => ("DATASETTE_CLUSTER_MAP_LATITUDE_COLUMN" in window
        ? ({CITIES_ON_MAP})() === cities : true)
    && [...document.querySelectorAll(".dashboard-card-chart")].every(
        chart => chart.querySelector("svg, canvas"))"""


def devtools(page):
    """A DevTools protocol session of the page with its network events on, for settled()."""
    cdp = page.context.new_cdp_session(page)
    cdp.send("Network.enable")
    return cdp


class Traffic:
    """The requests of a page, from the DevTools protocol's events on cdp (a CDP session of the
    page, Network enabled) until stop(): their URLs and the bytes each moved."""

    def __init__(self, cdp):
        self.cdp, self.urls, self.moved, self.ended = cdp, {}, {}, set()
        self.handlers = {"Network.requestWillBeSent": self.sent,
                         "Network.loadingFinished": self.finished,
                         "Network.loadingFailed": self.failed}
        for event, handler in self.handlers.items():
            cdp.on(event, handler)

    def sent(self, event):
        self.urls[event["requestId"]] = event["request"]["url"]

    def finished(self, event):
        url = self.urls.get(event["requestId"], "")
        self.moved[url] = self.moved.get(url, 0) + int(event["encodedDataLength"])
        self.ended.add(event["requestId"])

    def failed(self, event):
        self.ended.add(event["requestId"])

    def open(self):
        return [url for request, url in self.urls.items() if request not in self.ended]

    def stop(self):
        for event, handler in self.handlers.items():
            self.cdp.remove_listener(event, handler)


def settle(page, traffic, cities=SOURCE_CITIES, timeout=30):
    """Wait until the page's scripts are done: loaded, the cluster map (if any) showing `cities`
    cities, every chart drawn, the site's icon asked for (Chromium asks after every load), and
    no request open. Their requests are waited for by what they draw, not by a time without
    traffic (networkidle), which a busy CPU can stretch a script's start past."""
    page.wait_for_load_state("load")
    try:
        page.wait_for_function(DRAWN, arg=cities, timeout=timeout * 1000)
    except PlaywrightTimeoutError:
        raise AssertionError(f"{page.url}: not drawn in {timeout} s: the map (if any) shows "
                             f"{page.evaluate(CITIES_ON_MAP)} cities, not {cities}, or a chart "
                             "is missing") from None
    icon = urllib.parse.urljoin(page.url, "/favicon.ico")
    deadline = time.monotonic() + timeout
    while icon not in traffic.urls.values() or traffic.open():
        assert time.monotonic() < deadline, (
            f"{page.url}: {icon} asked for: {icon in traffic.urls.values()}; "
            f"still open: {traffic.open()}")
        # A round trip on the session: the events sent before its answer are in by then.
        traffic.cdp.send("Runtime.evaluate", {
            "expression": "new Promise(done => setTimeout(done, 20))", "awaitPromise": True})


@contextlib.contextmanager
def settled(page, cdp, cities=SOURCE_CITIES):
    """Record the requests of what runs in the block (a navigation), then settle() the page;
    yields the Traffic."""
    traffic = Traffic(cdp)
    try:
        yield traffic
        settle(page, traffic, cities)
    finally:
        traffic.stop()
