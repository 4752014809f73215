"""GeoJSON as a GIS reads it: GDAL's ogrinfo on the served cities.geojson, on dist/cities.geojson
and on the .db itself sees the 28 cities as points at the points of source/korean-names.csv."""

import contextlib
import csv
import json
import re
import sqlite3
import subprocess

import httpx
import pytest
from conftest import ROOT, SOURCE_CITIES

FEATURE = re.compile(r"^OGRFeature\(.*?\):\S+\n(.*?)(?=^OGRFeature|\Z)", re.MULTILINE | re.DOTALL)
NAME = re.compile(r"^\s+name \(String\) = (.*)$", re.MULTILINE)
POINT = re.compile(r"^\s+POINT \(([-\d.]+) ([-\d.]+)\)$", re.MULTILINE)


def source_points():
    """{city name: (longitude, latitude)} as typed in source/korean-names.csv."""
    with open(ROOT / "source" / "korean-names.csv", encoding="utf-8", newline="") as f:
        return {row["name"]: (float(row["longitude"]), float(row["latitude"]))
                for row in csv.DictReader(f) if row["kind"] == "city"}


def ogr_points(*args):
    """{name: (x, y)} of every feature ogrinfo prints for its arguments."""
    result = subprocess.run(["ogrinfo", "-ro", "-q", *args], capture_output=True, text=True,
                            timeout=60, check=True)
    points = {}
    for feature in FEATURE.findall(result.stdout):
        name, point = NAME.search(feature), POINT.search(feature)
        assert name and point, feature
        points[name.group(1)] = (float(point.group(1)), float(point.group(2)))
    return points


def assert_cities(points):
    expected = source_points()
    assert len(expected) == SOURCE_CITIES
    assert points.keys() == expected.keys()
    for name, (x, y) in points.items():
        assert (x, y) == pytest.approx(expected[name], abs=1e-9), name


def test_ogrinfo_reads_the_served_geojson(server):
    assert_cities(ogr_points("-al", f"{server}/north-korea-cities/cities.geojson"))


def test_ogrinfo_reads_dist_geojson(dist_path):
    assert_cities(ogr_points("-al", str(dist_path / "cities.geojson")))


def test_ogrinfo_reads_the_db(db_path):
    sql = "SELECT name, GeomFromGeoJSON(geometry) AS geom FROM cities"
    assert_cities(ogr_points(str(db_path), "-dialect", "SQLite", "-sql", sql))


def test_dist_geojson_is_the_served_one(server, dist_path):
    response = httpx.get(f"{server}/north-korea-cities/cities.geojson")
    assert response.headers["content-type"] == "application/geo+json"  # RFC 7946
    served = response.content
    assert (dist_path / "cities.geojson").read_bytes() == served
    resources = json.loads((dist_path / "datapackage.json").read_text())["resources"]
    entry = next(r for r in resources if r["path"] == "cities.geojson")
    assert entry["mediatype"] == "application/geo+json"
    assert entry["bytes"] == len(served)


def test_every_column_is_a_plain_property_with_labels_beside_keys(server, db):
    features = httpx.get(f"{server}/north-korea-cities/cities.geojson").json()["features"]
    columns = [row[1] for row in db.execute("PRAGMA table_info(cities)") if row[1] != "geometry"]
    pyongyang = next(f for f in features if f["properties"]["name"] == "Pyongyang")
    assert pyongyang["id"] == "pyongyang"  # the city's key
    labels = {"province_id": "province_id_label", "status_id": "status_id_label"}
    assert list(pyongyang["properties"]) == [
        name for column in columns for name in [column, labels.get(column)] if name]
    # Pyongyang is its own division and the direct-administered city (README, read by eye).
    properties = pyongyang["properties"]
    assert (properties["province_id"], properties["province_id_label"]) == (
        "pyongyang", "Pyongyang")
    assert (properties["status_id"], properties["status_id_label"]) == (
        "direct-administered-city", "direct-administered city")
    assert pyongyang["geometry"] == {"type": "Point", "coordinates": [125.7381, 39.0194]}
    assert len({f["id"] for f in features}) == SOURCE_CITIES


def test_ogr2ogr_to_geopackage_gives_plain_string_columns(server, tmp_path):
    """GDAL stores an object property as a JSON string: each division and status must be a
    plain string, its key and its label in two columns."""
    gpkg = tmp_path / "cities.gpkg"
    subprocess.run(["ogr2ogr", "-f", "GPKG", str(gpkg),
                    f"{server}/north-korea-cities/cities.geojson"],
                   check=True, capture_output=True, timeout=60)
    with contextlib.closing(sqlite3.connect(gpkg)) as layer:
        types = {row[1]: row[2] for row in layer.execute("PRAGMA table_info(cities)")}
        assert {types[c] for c in ["province_id", "province_id_label", "status_id",
                                   "status_id_label"]} == {"TEXT"}
        row = layer.execute("SELECT province_id, province_id_label, status_id, status_id_label "
                            "FROM cities WHERE name = 'Hamhung'").fetchone()
        json_columns = layer.execute("SELECT count(*) FROM sqlite_master WHERE name = "
                                     "'gpkg_data_columns'").fetchone()[0] and layer.execute(
            "SELECT column_name FROM gpkg_data_columns WHERE mime_type = 'application/json'"
        ).fetchall()
    # Hamhung: a city of South Hamgyong (the article's list).
    assert row == ("south-hamgyong", "South Hamgyong", "city", "city")
    assert not json_columns


@pytest.mark.parametrize("table", ["provinces", "statuses", "city_list"])
def test_geojson_of_a_table_without_geometry_says_what_is_missing(server, table):
    response = httpx.get(f"{server}/north-korea-cities/{table}.geojson")
    assert 400 <= response.status_code < 500
    assert "geometry" in response.text and table in response.text


def test_geojson_of_a_query_without_geometry_is_400(server):
    response = httpx.get(f"{server}/north-korea-cities.geojson", params={"sql": "select 1"})
    assert response.status_code == 400
    assert "geometry" in response.text


@pytest.mark.parametrize("path", [
    "/north-korea-cities/cities", "/north-korea-cities/cities.json",
    "/north-korea-cities/cities/pyongyang", "/north-korea-cities/city_list",
    "/north-korea-cities", "/north-korea-cities.json?sql=select+1",
    "/north-korea-cities/largest_cities", "/", "/-/versions.json"])
def test_post_to_a_read_only_page_is_405_with_allow(server, path):
    response = httpx.post(server + path)
    assert response.status_code == 405
    assert "GET" in response.headers["allow"] and "POST" not in response.headers["allow"]


def test_sql_returning_geometry_is_geojson(server):
    response = httpx.get(f"{server}/north-korea-cities.geojson", params={
        "sql": "select name, geometry from cities where population_2008 > 600000"})
    assert response.status_code == 200
    collection = response.json()
    assert collection["type"] == "FeatureCollection"
    # The article lists Pyongyang, Hamhung and Chongjin above 600,000 (2008).
    assert {f["properties"]["name"] for f in collection["features"]} == {
        "Pyongyang", "Hamhung", "Chongjin"}


@pytest.mark.parametrize("path", [
    "/north-korea-cities/cities.kml", "/north-korea-cities/cities.parquet",
    "/north-korea-cities/cities.foo", "/north-korea-cities.kml",
    "/north-korea-cities/city_list.kml",
    "/north-korea-cities/provinces/south-pyongan.parquet"])
def test_unknown_format_is_404(server, path):
    response = httpx.get(server + path)
    assert response.status_code == 404
    assert "<html" not in response.text.lower()


@pytest.mark.parametrize("path", [
    "/north-korea-cities/cities.json", "/north-korea-cities/cities.csv",
    "/north-korea-cities/cities.geojson", "/north-korea-cities/cities.xlsx",
    "/north-korea-cities.db", "/north-korea-cities.json?sql=select+1", "/-/versions.json"])
def test_known_format_still_served(server, path):
    assert httpx.get(server + path).status_code == 200


def test_post_to_the_home_page_gets_the_sites_error_page(server):
    response = httpx.post(server + "/")
    assert response.status_code == 405 and "not allowed" in response.text
    assert response.headers["content-type"].startswith("text/html")
    assert 'href="/"' in response.text  # the error page's way home
