"""The JSON API, through Datasette's own client."""

import hashlib

from conftest import DB_NAME, SOURCE_CITIES, SOURCE_POPULATION
from helpers import sha256


def test_cities_with_labels(get):
    response = get(f"/{DB_NAME}/cities.json?_shape=array&_labels=on&_size=max")
    assert response.status_code == 200
    rows = response.json()
    assert len(rows) == SOURCE_CITIES
    pyongyang = next(row for row in rows if row["name"] == "Pyongyang")
    assert pyongyang["province_id"]["label"] == "Pyongyang"
    assert pyongyang["status_id"]["label"] == "direct-administered city"
    anju = next(row for row in rows if row["name"] == "Anju")
    assert anju["province_id"]["label"] == "South Pyongan"
    assert anju["status_id"]["label"] == "city"


def test_default_sort_is_population_descending(get):
    rows = get(f"/{DB_NAME}/cities.json?_shape=array").json()
    populations = [row["population_2008"] for row in rows]
    assert populations == sorted(populations, reverse=True)
    assert rows[0]["name"] == "Pyongyang"


def test_sql_query(get):
    response = get(f"/{DB_NAME}.json?_shape=array&sql=select+population_2008+from+cities"
                   "+where+name+%3D+%3Aname&name=Pyongyang")
    assert response.json() == [{"population_2008": 3_255_288}]


def test_sql_sum(get):
    rows = get(f"/{DB_NAME}.json?_shape=array"
               "&sql=select+sum(population_2008)+as+total+from+cities").json()
    assert rows == [{"total": SOURCE_POPULATION}]


def test_facets(get):
    data = get(f"/{DB_NAME}/cities.json?_facet=status_id").json()
    results = data["facet_results"]["status_id"]["results"]
    counts = {item["label"]: item["count"] for item in results}
    assert counts == {"city": 24, "special city": 2, "direct-administered city": 1,
                      "special-level city": 1}


def test_canned_queries(get):
    for name, first in [("largest_cities", {"city": "Pyongyang"}),
                        ("cities_per_division", {"province": "South Pyongan"}),
                        ("summary_against_list", {"status": "direct-administered city"})]:
        rows = get(f"/{DB_NAME}/{name}.json?_shape=array").json()
        assert first.items() <= rows[0].items(), name


def test_reconciliation_view_json(get):
    rows = get(f"/{DB_NAME}/status_reconciliation.json?_shape=array").json()
    assert [(r["declared_count"], r["listed_count"]) for r in rows] == [
        (1, 1), (3, 2), (0, 1), (25, 24)]


def test_download_is_byte_identical(get, db_path):
    response = get(f"/{DB_NAME}.db")
    assert response.status_code == 200
    assert hashlib.sha256(response.content).hexdigest() == sha256(db_path)


def test_html_page_shows_labels(get):
    html = get(f"/{DB_NAME}/cities").text
    assert "South Pyongan" in html and "direct-administered city" in html
    assert "CC BY-SA 4.0" in html
