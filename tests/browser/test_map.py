"""The map in a real browser: every city is a marker, and no tile is needed to see them."""

import re

from playwright.sync_api import expect

from browser.pages import CITIES_ON_MAP, devtools, settled
from conftest import DB_NAME, SOURCE_CITIES

TILE_ZOOM = re.compile(r"/(\d+)/\d+/\d+(?:@2x)?\.png$")  # {z}/{x}/{y}{r}.png


def markers(page):
    """Cities on the map: single markers plus the counts on the cluster icons."""
    return page.evaluate(CITIES_ON_MAP)


def test_every_city_is_on_the_map(page, server):
    cdp = devtools(page)
    for path in ["cities", "city_map"]:
        with settled(page, cdp, cities=SOURCE_CITIES):
            page.goto(f"{server}/{DB_NAME}/{path}")
        assert markers(page) == SOURCE_CITIES, path
        expect(page.locator(".leaflet-control-attribution")).to_contain_text("OpenStreetMap")


def test_search_in_korean_lands_on_pyongyang(page, server):
    cdp = devtools(page)
    # The map loads its marker script after the page's load event: searching before it
    # arrives aborts it (net::ERR_ABORTED) on a slow machine.
    with settled(page, cdp, cities=SOURCE_CITIES):
        page.goto(f"{server}/{DB_NAME}/cities")
    with settled(page, cdp, cities=1) as traffic:
        page.fill("input#_search", "평양")
        page.locator("input#_search").press("Enter")
        expect(page.locator("table.rows-and-columns tbody tr")).to_have_count(1)
    expect(page.locator("tbody td.col-name")).to_have_text("Pyongyang")
    assert markers(page) == 1
    # One result shows its city's region, not a street: no tile beyond zoom 12 was asked for.
    tiles = [int(match.group(1)) for url in traffic.urls.values()
             if (match := TILE_ZOOM.search(url))]
    assert tiles and max(tiles) <= 12, sorted(set(tiles))
