"""The site's search and the error pages that show the way on, against the real server: a
typo, a prefix or another script finds the city; a wrong key is redirected or answered with
"did you mean" links; refused SQL comes back in the editor."""

import re
from urllib.parse import quote

import httpx
import pytest

from conftest import DB_NAME
from nkcities.web.nearest import EXACT, PREFIX, TYPO, nearest, ranked

# Spellings read off the source and the cities' Wikipedia articles, typed as a person might.
FIRST = [("Pyongyng", "Pyongyang"),  # a letter left out
         ("pyong", "Pyongyang"),  # the start of two names: the larger city first
         ("평앙", "Pyongyang"),  # 평양 with one vowel wrong
         ("Sinuju", "Sinuiju"),
         ("P'yŏngyang", "Pyongyang"),
         ("平壤", "Pyongyang"),
         ("Hamheung", "Hamhung"),  # Revised Romanization
         ("Munchon", "Munchon")]  # exact, before Sunchon (one letter off, and larger)


def fetch(server, path):
    return httpx.get(server + path, timeout=30)


def listed(html):
    """The cities of a search page's results table, in order."""
    body = html.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    return re.findall(r'<tr><td data-label="City"><a href="[^"]+">([^<]+)</a>', body)


@pytest.mark.parametrize("text, city", FIRST)
def test_site_search_lists_the_right_city_first(server, text, city):
    response = fetch(server, f"/-/search?q={quote(text)}")
    assert response.status_code == 200
    assert listed(response.text)[0] == city


def test_exact_match_before_a_typo_of_a_larger_city(server):
    assert listed(fetch(server, "/-/search?q=Munchon").text) == ["Munchon", "Sunchon"]


def test_one_hit_offers_its_page(server):
    html = fetch(server, "/-/search?q=Sinuju").text
    assert re.search(rf'class="search-single">[^<]*<a href="/{DB_NAME}/cities/sinuiju">', html)


def test_no_hit_offers_the_nearest_spellings(server):
    html = fetch(server, "/-/search?q=Pyangyong").text  # two letters swapped: no match
    assert "No city is spelled like" in html
    assert f'<a href="/{DB_NAME}/cities/pyongyang">' in html


def test_refused_sql_comes_back_in_the_editor(server):
    response = fetch(server, f"/{DB_NAME}?sql=selec+*+from+cities")
    assert response.status_code == 400
    assert '<textarea id="sql-editor" name="sql" rows="6">selec * from cities</textarea>' \
        in response.text
    assert "Statement must be a SELECT" in response.text
    assert '<p class="crumbs"><a href="/">home</a>' in response.text


def test_missing_city_suggests_the_nearest(server):
    response = fetch(server, f"/{DB_NAME}/cities/pyongyng")
    assert response.status_code == 404
    assert re.search(rf'Did you mean <a href="/{DB_NAME}/cities/pyongyang">Pyongyang</a>',
                     response.text)
    assert '<a href="/">home</a>' in response.text


@pytest.mark.parametrize("key", ["Pyongyang", "PYONGYANG", "P~27y~C5~8Fngyang", "평양"])
def test_city_key_in_another_case_or_script_redirects(server, key):
    response = httpx.get(f"{server}/{DB_NAME}/cities/{key}", timeout=30, follow_redirects=True)
    assert response.status_code == 200
    assert str(response.url) == f"{server}/{DB_NAME}/cities/pyongyang"


def test_missing_table_suggests_the_nearest(server):
    response = fetch(server, f"/{DB_NAME}/citys")
    assert response.status_code == 404
    assert f'Did you mean <a href="/{DB_NAME}/cities">cities</a>' in response.text


def test_missing_row_in_json_stays_a_json_404(server):
    response = fetch(server, f"/{DB_NAME}/cities/pyongyng.json")
    assert response.status_code == 404 and response.json()["ok"] is False


@pytest.mark.parametrize("size", ["100000", "many"])
def test_bad_size_names_the_allowed_values(server, size):
    response = fetch(server, f"/{DB_NAME}/cities?_size={size}")
    assert response.status_code == 400
    assert "from 1 to 1000" in response.text and "or max" in response.text
    assert fetch(server, f"/{DB_NAME}/cities?_size=max").status_code == 200


SPELLINGS = [("pyongyang", "Pyongyang"), ("pyongsong", "Pyongsong"), ("pyongyang", "평양"),
             ("sunchon", "Sunchon"), ("munchon", "Munchon")]


def test_ranked_exact_then_prefix_then_one_edit():
    assert ranked("munchon", SPELLINGS) == [("munchon", "Munchon", EXACT),
                                            ("sunchon", "Sunchon", TYPO)]
    assert ranked("Pyong", SPELLINGS) == [("pyongyang", "Pyongyang", PREFIX),
                                          ("pyongsong", "Pyongsong", PREFIX)]
    assert ranked("평앙", SPELLINGS) == [("pyongyang", "평양", TYPO)]
    assert ranked("Py", SPELLINGS) == []  # too short to be a prefix
    assert ranked("x" * 1000, SPELLINGS) == []


def test_nearest_within_a_third_of_the_length():
    assert nearest("Pyangyong", SPELLINGS)[0] == ("pyongyang", "Pyongyang")
    assert nearest("Seoul", SPELLINGS) == []


def test_a_table_search_with_no_row_points_to_the_site_search(server):
    html = fetch(server, f"/{DB_NAME}/cities?_search=Pyongyng").text
    assert '<a href="/-/search?q=Pyongyng">' in html


@pytest.mark.parametrize("text", ["", "!!!", "'", "x" * 101])
def test_nothing_to_match(text):
    assert ranked(text, SPELLINGS) == [] and nearest(text, SPELLINGS) == []


@pytest.mark.parametrize("table, text, key", [("cities", "평양", "pyongyang"),
                                              ("provinces", "KP-02", "south-pyongan")])
def test_a_table_search_with_one_row_offers_its_page(server, table, text, key):
    html = fetch(server, f"/{DB_NAME}/{table}?_search={quote(text)}").text
    assert re.search(rf'class="search-single">[^<]*<a href="/{DB_NAME}/{table}/{key}">', html)


def test_a_compound_key_with_a_value_missing_is_not_found(server):
    # city_names is keyed by (writing system, city): one value names no row.
    for path in [f"/{DB_NAME}/city_names/zz", f"/{DB_NAME}/city_names/zz.json"]:
        response = fetch(server, path)
        assert response.status_code == 404, path
        assert "No such row" in response.text
