"""What the real server (nkcities/web/serve.py) sends: CSV exports, cache and CORS headers."""

import csv
import io
import urllib.error
import urllib.request

import pytest

from conftest import DB_NAME, SOURCE_CITIES, SOURCE_POPULATION
from nkcities.web.serve import load_config


def fetch(url, headers=None):
    request = urllib.request.Request(url, headers=headers or {})
    with urllib.request.urlopen(request, timeout=30) as response:
        return response.status, response.headers, response.read()


def tables_and_views(db):
    """Not the FTS5 search indexes or sqlite_stat1 (the build's ANALYZE): Datasette hides them."""
    index = {row[1] for row in db.execute("PRAGMA table_list") if row[2] in ("virtual", "shadow")}
    return [row[0] for row in db.execute(
        "SELECT name FROM sqlite_master WHERE type IN ('table', 'view')"
        " AND name NOT LIKE 'sqlite_%' ORDER BY name")
        if row[0] not in index]


def parse_csv(body):
    return list(csv.reader(io.StringIO(body.decode("utf-8"))))


def as_text(row):
    return ["" if value is None else str(value) for value in row]


@pytest.mark.parametrize("stream", ["", "&_stream=on"])
def test_csv_for_every_table_and_view(server, db, stream):
    for name in tables_and_views(db):
        status, headers, body = fetch(f"{server}/{DB_NAME}/{name}.csv?_size=max{stream}")
        assert status == 200, name
        header, *rows = parse_csv(body)
        cursor = db.execute(f"SELECT * FROM [{name}]")
        assert header == [column[0] for column in cursor.description], name
        assert sorted(rows) == sorted(as_text(row) for row in cursor), name


def test_full_export_of_cities(server):
    _, headers, body = fetch(f"{server}/{DB_NAME}/cities.csv?_stream=on&_labels=on&_dl=1")
    assert "attachment" in headers["content-disposition"]
    header, *rows = parse_csv(body)
    rows = [dict(zip(header, row)) for row in rows]
    assert len(rows) == SOURCE_CITIES
    assert sum(int(row["population_2008"]) for row in rows) == SOURCE_POPULATION
    assert {row["status_id_label"] for row in rows} == {
        "direct-administered city", "special city", "special-level city", "city"}


def test_streamed_csv_is_not_capped_by_the_page_size(server):
    """_stream=on returns every row even when the page size is smaller than the table."""
    _, _, paged = fetch(f"{server}/{DB_NAME}/cities.csv?_size=5")
    _, _, streamed = fetch(f"{server}/{DB_NAME}/cities.csv?_size=5&_stream=on")
    assert (len(parse_csv(paged)), len(parse_csv(streamed))) == (1 + 5, 1 + SOURCE_CITIES)


def cache_ttl():
    return load_config()["settings"]["default_cache_ttl"]  # serve.yml sets it on purpose


@pytest.mark.parametrize("path", [
    f"/{DB_NAME}/cities.json", f"/{DB_NAME}/cities", f"/{DB_NAME}/city_list.json",
    f"/{DB_NAME}.json?sql=select+count(*)+from+cities", f"/{DB_NAME}/largest_cities.json",
])
def test_cache_headers_let_a_cdn_absorb_reads(server, path):
    """Table, view, query and SQL pages, HTML and JSON. (Datasette 0.65 sends no Cache-Control
    with CSV; the .db download has an ETag instead, below.)"""
    ttl = cache_ttl()
    assert ttl >= 60  # Datasette's default is 5 s: too short for a CDN to help
    _, headers, _ = fetch(server + path)
    assert headers["cache-control"] == f"max-age={ttl}"


def test_db_download_can_be_revalidated(server):
    _, headers, _ = fetch(f"{server}/{DB_NAME}.db")
    with pytest.raises(urllib.error.HTTPError) as not_modified:
        fetch(f"{server}/{DB_NAME}.db", {"If-None-Match": headers["etag"]})
    assert not_modified.value.code == 304


def test_db_download_allows_datasette_lite(server, db_path):
    """Datasette Lite fetches the .db from another origin: it needs CORS."""
    _, headers, body = fetch(f"{server}/{DB_NAME}.db", {"Origin": "https://lite.datasette.io"})
    assert headers["access-control-allow-origin"] == "*"
    assert body == db_path.read_bytes()


def test_urls_follow_the_proxy_scheme(server):
    """Behind a TLS-terminating proxy the charts must fetch their data over https."""
    _, _, plain = fetch(f"{server}/-/dashboards/cities")
    _, _, proxied = fetch(f"{server}/-/dashboards/cities", {"X-Forwarded-Proto": "https"})
    host = server.removeprefix("http://")
    assert f"'http://{host}/'" in plain.decode() and f"'https://{host}/'" in proxied.decode()
