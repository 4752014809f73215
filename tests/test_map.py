"""The cities are on a map: datasette-cluster-map is served and configured, with its data."""

import json
import re
from urllib.parse import urlsplit

import pytest

from conftest import DB_NAME, SOURCE_CITIES

PLUGIN_JS = "/-/static-plugins/datasette-cluster-map/datasette-cluster-map.js"
MAP_PAGES = [f"/{DB_NAME}/cities", f"/{DB_NAME}/city_map"]


def page_config(html):
    """The window.DATASETTE_CLUSTER_MAP_* values the page sets for the plugin."""
    return {key: json.loads(value) for key, value in
            re.findall(r"window\.DATASETTE_CLUSTER_MAP_(\w+) = (.*?);\n", html)}


def test_plugin_javascript_is_served(get):
    response = get(PLUGIN_JS)
    assert response.status_code == 200
    assert "L.markerClusterGroup" in response.text


@pytest.mark.parametrize("path", MAP_PAGES)
def test_the_map_reads_the_columns_that_hold_the_points(get, path):
    """The columns the page tells the plugin to read are in its data and hold points in North
    Korea: a wrong name draws an empty map."""
    html = get(path).text
    assert f'src="{PLUGIN_JS}"' in html
    config = page_config(html)
    for row in get(f"{path}.json?_shape=objects").json()["rows"]:
        assert 37 < row[config["LATITUDE_COLUMN"]] < 44, row
        assert 124 < row[config["LONGITUDE_COLUMN"]] < 131, row


# Who each tile server's terms say the map must credit (read off their sites by a person).
CREDITS = {"basemaps.cartocdn.com": ["CARTO", "OpenStreetMap"],
           "tile.openstreetmap.org": ["OpenStreetMap"]}


def test_the_tiles_credit_their_makers(get):
    config = page_config(get(MAP_PAGES[0]).text)
    host = urlsplit(config["TILE_LAYER"].replace("{s}.", "")).hostname
    assert host in CREDITS, f"{host}: whom must its tiles credit?"
    for maker in CREDITS[host]:
        assert maker in config["TILE_LAYER_OPTIONS"]["attribution"], maker


def test_no_map_on_tables_without_points(get):
    assert PLUGIN_JS not in get(f"/{DB_NAME}/provinces").text


def test_leaflet_is_served_locally(get):
    """Markers need Leaflet and its cluster plugin, not the tile server: both come from here."""
    html = get(f"/{DB_NAME}/cities").text
    urls = re.findall(r"(/-/static-plugins/[\w.-]+/[\w.-]+\.js)", html)
    assert any("leaflet" in url for url in urls)
    for url in urls:
        assert get(url).status_code == 200, url


@pytest.mark.parametrize("path", MAP_PAGES)
def test_map_data_has_every_city_with_a_point(get, path):
    """The JSON the plugin fetches for its markers (its own query string)."""
    data = get(f"{path}.json?_size=max&_labels=on&_extra=count&_shape=objects").json()
    rows = data["rows"]
    assert len(rows) == SOURCE_CITIES
    assert all(37 < row["latitude"] < 44 and 124 < row["longitude"] < 131 for row in rows)
