"""Search in any spelling finds the city first, through the JSON API and the web UI."""

import re
from urllib.parse import quote

import pytest

from conftest import DB_NAME

PYONGYANG = ["Pyongyang", "pyongyang", "P'yŏngyang", "Pyeongyang", "평양", "平壤", "평양직할시",
             "P'yongyang", "P’yŏngyang", "P'YŎNGYANG"]  # typed without breve, curly, capitals
KIMCHAEK = ["Kimchaek", "Kimch'aek", "Gimchaek", "김책", "金策", "김책시", "KIMCH'AEK"]
CASES = [(query, "Pyongyang") for query in PYONGYANG] + [(query, "Kimchaek") for query in KIMCHAEK]


@pytest.mark.parametrize("query, city", CASES)
def test_city_names_search_json(get, query, city):
    rows = get(f"/{DB_NAME}/city_names.json?_shape=array&_labels=on&_search={quote(query)}").json()
    assert rows, query
    assert rows[0]["city_id"]["label"] == city
    assert {row["city_id"]["label"] for row in rows} == {city}


@pytest.mark.parametrize("query, city", CASES)
def test_cities_search_json(get, query, city):
    rows = get(f"/{DB_NAME}/cities.json?_shape=array&_search={quote(query)}").json()
    assert [row["name"] for row in rows] == [city]


def first_row(html):
    body = html.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    return re.search(r"<tr>(.*?)</tr>", body, re.S).group(1)


@pytest.mark.parametrize("query, city", CASES)
def test_search_in_the_web_ui(get, query, city):
    html = get(f"/{DB_NAME}/cities?_search={quote(query)}").text
    assert '<input id="_search" type="search" name="_search"' in html
    assert "1 row where search matches" in html
    assert f'<td class="col-name type-str">{city}</td>' in first_row(html)
    names_html = get(f"/{DB_NAME}/city_names?_search={quote(query)}").text
    assert f">{city}</a>" in first_row(names_html)


@pytest.mark.parametrize("table", ["cities", "city_names"])
def test_search_filters(get, table):
    """A name of no city finds nothing, so the hits above come from the search."""
    assert get(f"/{DB_NAME}/{table}.json?_shape=array&_search=Seoul").json() == []


def test_every_city_is_found_by_every_name(db, get):
    names = db.execute("SELECT city_id, name FROM city_names").fetchall()
    assert len(names) == 8 * 28
    for city_id, name in names:
        rows = get(f"/{DB_NAME}/cities.json?_shape=array&_search={quote(name)}").json()
        assert city_id in [row["id"] for row in rows], name


@pytest.mark.parametrize("query", ["South Pyongan", "평안남도", "平安南道", "P'yŏngan-namdo",
                                   "P'yongan-namdo", "Pyeongannam-do", "KP-02", "Phyeongannamto"])
def test_divisions_are_found_by_any_name(get, query):
    rows = get(f"/{DB_NAME}/provinces.json?_shape=array&_search={quote(query)}").json()
    assert [row["name"] for row in rows] == ["South Pyongan"]
