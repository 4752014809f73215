"""GeoJSON as a GIS reads it: GDAL's ogrinfo on the served cities.geojson, on dist/cities.geojson
and on the .db itself sees the 28 cities as points at the points of source/korean-names.csv."""

import csv
import json
import re
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


def test_every_column_is_a_property_with_labels(server, db):
    features = httpx.get(f"{server}/north-korea-cities/cities.geojson").json()["features"]
    columns = [row[1] for row in db.execute("PRAGMA table_info(cities)")]
    pyongyang = next(f for f in features if f["properties"]["name"] == "Pyongyang")
    assert list(pyongyang["properties"]) == columns
    # Pyongyang is its own division and the direct-administered city (README, read by eye).
    assert pyongyang["properties"]["province_id"]["label"] == "Pyongyang"
    assert pyongyang["properties"]["status_id"]["label"] == "direct-administered city"
    assert pyongyang["geometry"] == {"type": "Point", "coordinates": [125.7381, 39.0194]}


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
