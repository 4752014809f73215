"""The changes of status the article states (status_changes), the as_of query over them, and the
timeline of a city's page, on the real server.

Every expected value is typed from source/list-of-cities-in-north-korea.txt: the list's Founded
column (lines 20-47), the note on Rason (line 9) and on the re-merged special cities (line 8).
"""

import re

import httpx
import pytest

from conftest import DB_NAME, ROOT, build_with_supplement
from helpers import assert_refused_cleanly

CHANGES = ROOT / "source" / "status-changes.csv"
COLUMNS = ("change, date, date_precision, status_id, province_id, status_before_id, "
           "province_before_id, source_line")


def changes(db, city):
    return db.execute(f"SELECT {COLUMNS} FROM status_changes WHERE city_id = ? ORDER BY id",
                      [city]).fetchall()


def test_rason_annexed_in_2004_and_promoted_back_in_2010(db):
    assert changes(db, "rason") == [
        ("annexed", "2004", "year", "city", "north-hamgyong", "special-city", None, 9),
        ("founded", "2010-01-05", "day", "special-city", "rason", None, None, 38),
        ("promoted", "2010", "year", "special-city", "rason", "city", "north-hamgyong", 9),
    ]


@pytest.mark.parametrize("city, province, line", [
    ("chongjin", "north-hamgyong", 8), ("hamhung", "south-hamgyong", 8), ("kaesong", None, 8)])
def test_a_re_merge_is_stated_without_a_date_and_has_none(db, city, province, line):
    assert ("re-merged", None, None, "city", province, "special-city", None, line) in changes(
        db, city)


@pytest.mark.parametrize("city, date, precision, line", [
    ("haeju", "1945-09-02", "day", 23), ("anju", "1987-08", "month", 20),
    ("chongjin", "1985", "year", 21), ("samjiyon", "2019-12-10", "day", 40),
    ("kaesong", "2019-02-28", "day", 29), ("pyongyang", "1946-09", "month", 37)])
def test_each_founding_date_is_a_change_at_its_precision(db, city, date, precision, line):
    founded = [c for c in changes(db, city) if c[0] == "founded"]
    assert [(c[1], c[2], c[7]) for c in founded] == [(date, precision, line)]


def test_one_founding_per_city_of_the_list(db):
    assert db.execute("SELECT count(*), count(DISTINCT city_id) FROM status_changes "
                      "WHERE change = 'founded'").fetchone() == (28, 28)


def as_of(get, year):
    response = get(f"/{DB_NAME}/as_of.json?year={year}&_shape=array")
    assert response.status_code == 200
    return {row["city_id"]: (row["status_id"], row["province_id"]) for row in response.json()}


def test_as_of_2005_rason_is_in_north_hamgyong(get):
    assert as_of(get, 2005)["rason"] == ("city", "north-hamgyong")


def test_as_of_2011_rason_is_a_special_city(get):
    assert as_of(get, 2011)["rason"] == ("special-city", "rason")


def test_as_of_2018_samjiyon_has_no_city_status(get):
    assert as_of(get, 2018)["samjiyon"] == (None, None)


def test_as_of_1946_pyongyang_is_the_direct_administered_city(get):
    assert as_of(get, 1946)["pyongyang"] == ("direct-administered-city", "pyongyang")


def test_as_of_lists_every_city_and_holds_a_year_only_change_at_its_end(get):
    """Rason's annexation is dated only "in 2004": it holds at the end of 2004, not before."""
    at_2004, at_2003 = as_of(get, 2004), as_of(get, 2003)
    assert len(at_2004) == 28
    assert at_2004["rason"] == ("city", "north-hamgyong") and at_2003["rason"] == (None, None)
    assert as_of(get, 2010)["nampo"] == (None, None)  # 2011-02-15 in the article


def test_rasons_page_shows_its_timeline(server):
    html = httpx.get(f"{server}/{DB_NAME}/cities/rason").text
    history = html[html.index("<h2>History</h2>"):html.index("</ol>", html.index("History"))]
    items = re.findall(r"<li><strong>([^<]+)</strong>", history)
    assert items == ["2004", "5 January 2010", "2010"]
    assert "Rason was annexed into North Hamgyong Province in 2004" in history
    assert "but was later promoted back to special city in 2010" in history
    # What the changes point to, by name (the status's and the division's), linked by key.
    assert ('then a <a href="/north-korea-cities/statuses/city">city</a> in '
            '<a href="/north-korea-cities/provinces/north-hamgyong">North Hamgyong</a>') in history
    assert ('before, a <a href="/north-korea-cities/statuses/special-city">special city</a>'
            in history)


def test_a_page_shows_no_timeline_where_the_article_gives_only_the_founding(server):
    assert "<h2>History</h2>" not in httpx.get(f"{server}/{DB_NAME}/cities/anju").text
    chongjin = httpx.get(f"{server}/{DB_NAME}/cities/chongjin").text
    assert "<strong>No date given</strong>: re-merged" in chongjin


def build_with(tmp_path, text):
    return build_with_supplement(tmp_path, "--changes", "status-changes.csv", text)


TEXT = CHANGES.read_text(encoding="utf-8")


@pytest.mark.parametrize("old, new, line, message", [
    ("Rason,2004,annexed,", "Rason,2004-13,annexed,", 2, "date '2004-13' is not a real date"),
    ("Rason,2004,annexed,", "Rason,04,annexed,", 2, "date '04' is not YYYY, YYYY-MM or YYYY-MM-DD"),
    ("Rason,2004,annexed,", "Rasun,2004,annexed,", 2, "city 'Rasun' is not a city of the article"),
    ("Rason,2004,annexed,", "Rason,2004,seized,", 2, "change 'seized' is not one of"),
    (",North Hamgyong,special city,,9,Rason was annexed",
     ",North Hamgyong,special city,,8,Rason was annexed", 2,
     "line 8 of the article does not hold 'Rason was annexed"),
    ("Rason,2010,promoted,special city,Rason,", "Rason,2010,promoted,capital,Rason,", 3,
     "status 'capital' is not a status of the article"),
])
def test_a_bad_change_fails_the_build_at_its_line(tmp_path, old, new, line, message):
    assert TEXT.count(old) == 1
    result, path, db = build_with(tmp_path, TEXT.replace(old, new))
    assert_refused_cleanly(result, path, line, message)
    assert not db.exists()
