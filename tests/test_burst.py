"""A crowd on a page nobody has asked for yet: 50 connections from one address, all starting at
once. Each page is rendered once for the burst and replayed to the others (response_cache's
single-flight), and the waiting requests hold none of the client's 12 slots, so none is
refused. A fresh server renders the pages people arrive at into its cache after its first
request. The full 5 s measurement with latencies is in `make bench` (bench/crowd_bench.py)."""

import http.client
import threading
import time
import xml.etree.ElementTree as ET
from urllib.parse import urlsplit

import httpx
import pytest

from conftest import DB_NAME
from harness.server import running_server, write_inspect

CONNECTIONS = 50  # over four times the 12 requests one address may have running
SECONDS = 2
# Not among the pages the server renders at start, so the first requests of the burst miss.
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
PAGES = ["/?_burst=1", f"/{DB_NAME}/cities?_size=27"]


def crowd(url, path):
    """CONNECTIONS keep-alive connections, all sending their first GET at once, then GETs back
    to back for SECONDS; returns [(status, X-Cache)] of every answer."""
    address = urlsplit(url)
    start, answers, errors = threading.Barrier(CONNECTIONS), [], []

    def client():
        connection = http.client.HTTPConnection(address.hostname, address.port, timeout=30)
        try:
            start.wait()
            deadline = time.monotonic() + SECONDS
            while time.monotonic() < deadline:
                connection.request("GET", path, headers={"Accept-Encoding": "br"})
                response = connection.getresponse()
                response.read()
                answers.append((response.status, response.getheader("x-cache")))
        except Exception as error:  # reported in the test's thread
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=client) for _ in range(CONNECTIONS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    return answers


@pytest.fixture(scope="module")
def fresh(db_path):
    with running_server(db_path, write_inspect(db_path)) as running:
        yield running


@pytest.mark.parametrize("path", PAGES)
def test_a_burst_on_a_new_page_is_rendered_once_and_refused_never(fresh, path):
    answers = crowd(fresh.url, path)
    statuses = {status for status, _ in answers}
    assert statuses == {200}, f"{path}: {sorted(statuses)}"
    rendered = [answer for answer in answers if answer[1] != "hit"]
    assert len(rendered) == 1, f"{path}: {len(rendered)} of {len(answers)} rendered"


def test_the_first_request_warms_the_pages_people_arrive_at(fresh, metadata):
    """After its first request (a readiness probe's, say), the server renders every page of
    sitemap.xml and each canned query into its cache; /-/health says when it is done."""
    browser = {"Accept-Encoding": "gzip, deflate"}  # as Chromium asks over http
    assert httpx.get(fresh.url + "/-/versions.json").status_code == 200  # no coding asked
    deadline = time.monotonic() + 60
    while not (warm := httpx.get(fresh.url + "/-/health").json()["warm"])["done"]:
        assert time.monotonic() < deadline, warm
        time.sleep(0.2)
    sitemap = ET.fromstring(httpx.get(fresh.url + "/sitemap.xml").content)
    paths = [urlsplit(loc.text).path for loc in sitemap.iter(f"{SITEMAP}loc")]
    paths += [f"/{DB_NAME}/{name}" for name in metadata["databases"][DB_NAME]["queries"]]
    assert len(paths) > 28 and warm["pages"] >= len(set(paths))
    cold = [path for path in paths
            if httpx.get(fresh.url + path, headers=browser).headers.get("x-cache") != "hit"]
    assert cold == []
