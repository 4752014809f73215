"""The map in a real browser: every city is a marker, and no tile is needed to see them."""

import re

from playwright.sync_api import expect

from conftest import DB_NAME, SOURCE_CITIES

TILE_ZOOM = re.compile(r"/(\d+)/\d+/\d+(?:@2x)?\.png$")  # {z}/{x}/{y}{r}.png


def markers(page):
    """Cities on the map: single markers plus the counts on the cluster icons."""
    expect(page.locator(".leaflet-marker-icon").first).to_be_visible()
    page.wait_for_timeout(500)
    singles = page.locator(".leaflet-marker-icon:not(.marker-cluster)").count()
    return singles + sum(int(t) for t in page.locator(".marker-cluster span").all_inner_texts())


def test_every_city_is_on_the_map(page, server):
    for path in ["cities", "city_map"]:
        page.goto(f"{server}/{DB_NAME}/{path}")
        assert markers(page) == SOURCE_CITIES, path
        expect(page.locator(".leaflet-control-attribution")).to_contain_text("OpenStreetMap")


def test_search_in_korean_lands_on_pyongyang(page, server):
    # The map loads its marker script after the page's load event: searching before it
    # arrives aborts it (net::ERR_ABORTED) on a slow machine.
    page.goto(f"{server}/{DB_NAME}/cities", wait_until="networkidle")
    markers(page)  # the map has loaded: searching sooner aborts its Leaflet download
    tiles = []
    page.on("request", lambda request: (match := TILE_ZOOM.search(request.url)) and tiles.append(
        int(match.group(1))))
    page.fill("input#_search", "평양")
    page.locator("input#_search").press("Enter")
    expect(page.locator("table.rows-and-columns tbody tr")).to_have_count(1)
    expect(page.locator("tbody td.col-name")).to_have_text("Pyongyang")
    assert markers(page) == 1
    # One result shows its city's region, not a street: no tile beyond zoom 12 was asked for.
    assert tiles and max(tiles) <= 12, sorted(set(tiles))
