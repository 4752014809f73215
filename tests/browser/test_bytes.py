"""What a visit moves over the network, in headless Chromium with its own HTTP cache.

Playwright's request routing switches Chromium's HTTP cache off, so these tests use their own
browser, with every host but the server's unresolvable (the map's tiles fail, as offline),
and count the bytes Chromium reports per request (headers and body as sent, after compression)
through the DevTools protocol. A repeat visit is the same page opened again in the same
browser profile, as a visitor coming back.
"""

import pytest
from conftest import DB_NAME
from playwright.sync_api import sync_playwright

from browser.conftest import CHROMIUM, CHROMIUM_ARGS
from browser.pages import devtools, settled

OFFLINE = "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1"
# Every page kind: home, database (SQL editor), table, view, row, canned query with the map,
# an arbitrary query, the charts.
PAGES = {
    "home": "/",
    "database": f"/{DB_NAME}",
    "table": f"/{DB_NAME}/cities",
    "view": f"/{DB_NAME}/city_list",
    "row": f"/{DB_NAME}/cities/pyongyang",
    "map": f"/{DB_NAME}/city_map",
    "query": f"/{DB_NAME}?sql=select+name,+population_2008+from+cities+order+by+name",
    "charts": "/-/dashboards/cities",
}
# Bytes of a first visit at commit 85d37a6, before the pages were made lighter, measured with
# measure() below; they agree with the repeat-visit figures measured then (364 kB, 703 kB,
# 1.15 MB: the same requests less the page and its JSON) and with each request's Content-Length.
TODAY_FIRST_VISIT = {"table": 474_469, "map": 737_807, "charts": 1_150_417}
REPEAT_LIMIT = 10_000  # bytes
FIRST_VISIT_SHARE = 0.40
# Every fetch() of the page's scripts held back a second, as on a machine too busy to run them.
LATE_FETCH = ("const fetchNow = window.fetch; window.fetch = (...args) => "
              "new Promise(wait => setTimeout(wait, 1000)).then(() => fetchNow(...args));")


@pytest.fixture(scope="module")
def offline_browser():
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM,
                                             args=[*CHROMIUM_ARGS, OFFLINE])
        yield browser
        browser.close()


def visit(page, cdp, url=None):
    """Open url (None: reload) until its scripts are done (settled()); returns {request URL:
    bytes moved}."""
    with settled(page, cdp) as traffic:
        if url:
            page.goto(url)
        else:
            page.reload()
    return traffic.moved


def measure(browser, server, path):
    """Bytes from the server of a first visit, a repeat visit and a reload (which revalidates
    the page: a 304) of one page."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    cdp = devtools(page)
    first = visit(page, cdp, server + path)
    page.goto("about:blank")
    repeat = visit(page, cdp, server + path)
    reload = visit(page, cdp)
    context.close()
    return [sum(n for url, n in moved.items() if url.startswith(server))
            for moved in (first, repeat, reload)]


@pytest.fixture(scope="module")
def measured(offline_browser, server):
    """measure() of a page kind, once per kind: both tests read a kind's first visit."""
    done = {}

    def measured(kind):
        if kind not in done:
            done[kind] = measure(offline_browser, server, PAGES[kind])
        return done[kind]
    return measured


@pytest.mark.parametrize("kind", PAGES)
def test_repeat_visit_moves_little(measured, kind):
    first, repeat, reload = measured(kind)
    print(f"{kind}: first visit {first:,} bytes, repeat {repeat:,}, reload {reload:,}")
    assert first > 0
    assert repeat < REPEAT_LIMIT, f"{kind}: a repeat visit moved {repeat:,} bytes"
    assert 0 < reload < REPEAT_LIMIT, f"{kind}: a reload moved {reload:,} bytes"


@pytest.mark.parametrize("kind", TODAY_FIRST_VISIT)
def test_first_visit_moves_under_a_share_of_today(measured, kind):
    first, _, _ = measured(kind)
    limit = FIRST_VISIT_SHARE * TODAY_FIRST_VISIT[kind]
    assert first < limit, f"{kind}: a first visit moved {first:,} bytes, limit {limit:,.0f}"


def test_a_script_request_made_late_is_counted(offline_browser, server):
    """A visit lasts until what the scripts draw is drawn, not until the network is quiet: the
    map's rows, asked for a second after its script runs, are still counted."""
    context = offline_browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.add_init_script(LATE_FETCH)
    cdp = devtools(page)
    moved = visit(page, cdp, server + PAGES["map"])
    context.close()
    rows = [url for url in moved if url.startswith(f"{server}{PAGES['map']}.json?")]
    assert rows, sorted(moved)
