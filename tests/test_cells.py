"""How values read in the cells of table, row and query pages (plugins/cells.py), the pages
from the real server."""

import re
from urllib.parse import quote

import httpx
from conftest import DB_NAME
from helpers import plugin
from markupsafe import Markup

cells = plugin("cells")
GROUPED = frozenset({"population_2008"})


def test_a_grouped_integer_gets_thousands_separators():
    assert cells.shown("population_2008", 3255288, "3255288", GROUPED) == "3,255,288"
    assert cells.shown("geonameid", 1871859, "1871859", GROUPED) == "1871859"


def test_korean_is_marked_and_other_text_escaped():
    assert cells.shown("hangul", "평양", "평양", GROUPED) == '<span lang="ko">평양</span>'
    assert cells.shown("full_hancha", "平壤直轄市", "平壤直轄市", GROUPED) == (
        '<span lang="ko">平壤直轄市</span>')
    assert cells.shown("name", "<b>Pyongyang</b>", "<b>Pyongyang</b>", GROUPED) == (
        "&lt;b&gt;Pyongyang&lt;/b&gt;")


def test_datasette_markup_is_kept():
    link = Markup('<a href="/north-korea-cities/provinces/kangwon">Kangwon</a>')
    assert cells.shown("province_id", "kangwon", link, GROUPED) == link


def test_the_row_path_is_the_one_in_the_row_url():
    # A single key is in the link cell, named after the key; a compound key in its own cells.
    assert cells.row_path([{"column": "id", "raw": "pyongyang"}], ["id"]) == "pyongyang"
    compound = [{"column": "Link", "raw": "pyongyang,Hangul"},
                {"column": "city_id", "raw": "pyongyang"},
                {"column": "writing_system", "raw": "Hangul"}]
    assert cells.row_path(compound, ["city_id", "writing_system"]) == "pyongyang,Hangul"
    assert cells.row_path([{"column": "id", "raw": "a/b,c"}], ["id"]) == "a~2Fb~2Cc"
    assert cells.row_path([{"column": "Link", "raw": 7}], []) == "7"


def test_table_page_cells(server):
    html = httpx.get(f"{server}/{DB_NAME}/cities").text
    pyongyang = re.search(r'<tr><td class="col-id type-pk"><a href="[^"]*/pyongyang">.*?</tr>',
                          html).group(0)
    assert '<a href="/north-korea-cities/cities/pyongyang">Pyongyang</a>' in pyongyang
    assert '<td class="col-population_2008 type-int">3,255,288</td>' in pyongyang
    assert '<td class="col-hangul type-str"><span lang="ko">평양</span></td>' in pyongyang


def test_a_compound_key_row_is_linked(server):
    html = httpx.get(f"{server}/{DB_NAME}/city_names?city_id=pyongyang&writing_system=Hangul").text
    assert ('<a href="/north-korea-cities/city_names/pyongyang,Hangul">'
            '<span lang="ko">평양</span></a>') in html


def test_query_page_cells(server):
    sql = "select name, population_2008, hangul from cities where id = 'pyongyang'"
    html = httpx.get(f"{server}/{DB_NAME}?sql={quote(sql)}").text
    assert ('<tr><td class="col-name">Pyongyang</td>'
            '<td class="col-population_2008">3,255,288</td>'
            '<td class="col-hangul"><span lang="ko">평양</span></td></tr>') in html
