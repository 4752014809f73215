"""A visitor coming back downloads no stylesheet, script or image again: each comes from
Chromium's own cache without a request, or as a 304.

As in test_bytes.py: Playwright's request routing switches Chromium's HTTP cache off, so this
browser runs without it, with every host but the server's unresolvable, and reads what
Chromium reports per request through the DevTools protocol.
"""

import pytest
from playwright.sync_api import sync_playwright

from browser.conftest import CHROMIUM, CHROMIUM_ARGS
from browser.pages import devtools, settled
from browser.test_bytes import OFFLINE, PAGES


@pytest.fixture(scope="module")
def second_visits(server):
    """Every page kind opened once, then each again in the same browser profile (another page
    in between, so the second visit is a visit, not a reload): {kind: [(URL, how it came)]}
    of the second visits' requests to the server, other than the page itself."""
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM,
                                             args=[*CHROMIUM_ARGS, OFFLINE])
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        page = context.new_page()
        cdp = devtools(page)
        for path in PAGES.values():
            with settled(page, cdp):
                page.goto(server + path)
        seen, from_cache = {}, set()

        def received(event):
            url, response = event["response"]["url"], event["response"]
            if url.startswith(server) and event["type"] != "Document":
                seen[current].append((event["requestId"], url, response))
        cdp.on("Network.requestServedFromCache", lambda event: from_cache.add(event["requestId"]))
        cdp.on("Network.responseReceived", received)
        for current, path in PAGES.items():
            seen[current] = []
            with settled(page, cdp):
                page.goto(server + path)
        browser.close()
    return {kind: [(url, "cache" if response.get("fromDiskCache") or request in from_cache
                    else str(response["status"])) for request, url, response in requests]
            for kind, requests in seen.items()}


@pytest.mark.parametrize("kind", PAGES)
def test_a_second_visit_downloads_no_asset_again(second_visits, kind):
    downloaded = [(url, how) for url, how in second_visits[kind]
                  if how not in ("cache", "304")]
    assert downloaded == [], f"{kind}: downloaded again"
