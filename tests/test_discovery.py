"""How the dataset is found: the home page's schema.org Dataset as extruct reads it, sitemap.xml
and robots.txt, from the real server."""

import xml.etree.ElementTree as ET
from urllib.parse import urlsplit

import extruct
import httpx
import pytest
from conftest import SOURCE_CITIES

ARTICLE = "https://en.wikipedia.org/wiki/List_of_cities_in_North_Korea"
CC_BY_SA = "https://creativecommons.org/licenses/by-sa/4.0/"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


@pytest.fixture(scope="module")
def dataset(server, dist_path):
    html = httpx.get(server + "/").text
    found = extruct.extract(html, base_url=server + "/", syntaxes=["json-ld"])["json-ld"]
    datasets = [item for item in found if item.get("@type") == "Dataset"]
    assert len(datasets) == 1
    return datasets[0]


def test_dataset_describes_itself(dataset):
    assert dataset["name"] == "Cities of North Korea"
    assert "28 cities" in dataset["description"]
    assert dataset["license"] == CC_BY_SA
    assert dataset["creator"][0]["name"]
    assert dataset["isBasedOn"]["url"] == ARTICLE
    assert dataset["spatialCoverage"]["name"] == "North Korea"
    # schema.org's box is "south west north east": Kangryong, Sindo, Onsong, Rason, rounded out.
    assert dataset["spatialCoverage"]["geo"]["box"] == "37.67 124.17 43.01 130.68"
    assert dataset["temporalCoverage"] == "2008"


def test_a_distribution_per_download(dataset, server):
    formats = {d["encodingFormat"]: d["contentUrl"] for d in dataset["distribution"]}
    assert {"application/vnd.sqlite3", "text/csv", "application/geo+json",
            "application/json"} <= formats.keys()
    assert urlsplit(formats["application/vnd.sqlite3"]).path == "/north-korea-cities.db"
    assert urlsplit(formats["application/json"]).path.endswith("/datapackage.json")
    # Each URL answers with what its encodingFormat says.
    starts = {"application/vnd.sqlite3": b"SQLite format 3\x00", "text/csv": b"id,name,",
              "application/geo+json": b'{"type": "FeatureCollection"', "application/json": b"{",
              XLSX: b"PK"}
    for media_type, url in formats.items():
        response = httpx.get(url)
        assert response.status_code == 200, url
        assert response.content.startswith(starts[media_type]), url


def test_sitemap_lists_home_tables_and_every_city(server, db):
    root = ET.fromstring(httpx.get(server + "/sitemap.xml").content)
    paths = [urlsplit(loc.text).path for loc in root.iter(SITEMAP + "loc")]
    assert len(paths) == len(set(paths))
    assert "/" in paths and "/north-korea-cities/cities" in paths
    city_pages = [p for p in paths if p.startswith("/north-korea-cities/cities/")]
    assert len(city_pages) == SOURCE_CITIES
    for path in city_pages[:3] + city_pages[-3:]:
        assert httpx.get(server + path).status_code == 200, path
    assert not any("_fts" in path for path in paths)


def test_robots_allows_pages_not_sql(server):
    lines = httpx.get(server + "/robots.txt").text.splitlines()
    assert "Allow: /" in lines
    assert "Disallow: /*?sql=" in lines
    assert f"Sitemap: {server}/sitemap.xml" in lines
    assert "Disallow: /" not in lines


@pytest.mark.parametrize("path", [
    "/-/data/datapackage.json", "/-/data/cities.csv", "/-/data/cities.geojson",
    "/CITATION.cff", "/sitemap.xml", "/robots.txt", "/north-korea-cities.db",
    "/north-korea-cities/cities.json", "/north-korea-cities/cities.geojson"])
def test_every_public_resource_is_readable_from_another_origin(server, path):
    response = httpx.get(server + path, headers={"Origin": "https://example.org"})
    assert response.status_code == 200, path
    assert response.headers["access-control-allow-origin"] == "*", path
