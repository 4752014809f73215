"""Permanent keys: a city's key and page survive the article adding a city before it; the JSON
API's foreign keys carry the keys; two names with one key stop the build at the second one."""

import asyncio
import re
import sqlite3

import pytest
from datasette.app import Datasette

from conftest import DB_NAME, ROOT, SOURCE, run_build
from nkcities.build import keys
from nkcities.build.errors import InputError
from nkcities.spelling import name_key
from helpers import assert_refused_cleanly, sha256

NAMES = ROOT / "source" / "korean-names.csv"
CONTRADICTIONS = ROOT / "source" / "contradictions.yml"
TEXT = SOURCE.read_text(encoding="utf-8")
FIRST_CITY = "| Anju | | | South Pyongan | 240,117 | 1987-08-<u>　</u> |\n"
# A made-up city put first in the list, with its row in the Korean-names supplement.
NEW_CITY = "| Kangsan | | | North Hamgyong | 10,000 | 1990-<u>　</u>-<u>　</u> |\n"
NEW_NAMES = "city,Kangsan,강산,江山,Kangsan,40.5000,127.5000,,,https://example.org/kangsan\n"


def rows(db_path, sql):
    with sqlite3.connect(f"file:{db_path}?mode=ro", uri=True) as db:
        return db.execute(sql).fetchall()


def get_json(db_path, path):
    ds = Datasette(immutables=[str(db_path)])
    return asyncio.run(ds.client.get(path)).json()


@pytest.fixture(scope="module")
def with_new_city(tmp_path_factory):
    """The database of the article with a city inserted before its first one."""
    folder = tmp_path_factory.mktemp("inserted")
    source, names = folder / "source.txt", folder / "names.csv"
    contradictions = folder / "contradictions.yml"
    assert TEXT.count(FIRST_CITY) == 1
    source.write_text(TEXT.replace(FIRST_CITY, NEW_CITY + FIRST_CITY), encoding="utf-8")
    names.write_text(NAMES.read_text(encoding="utf-8") + NEW_NAMES, encoding="utf-8")
    # The contradictions' quotes of the article's lines after the new one move down a line.
    first = TEXT.splitlines().index(FIRST_CITY.rstrip("\n")) + 1
    contradictions.write_text(re.sub(
        r"(source/list-of-cities-in-north-korea\.txt:)(\d+)",
        lambda m: m[1] + str(int(m[2]) + (int(m[2]) >= first)),
        CONTRADICTIONS.read_text(encoding="utf-8")), encoding="utf-8")
    db_path = folder / f"{DB_NAME}.db"
    result = run_build(source, "--db", db_path, "--names", names,
                       "--contradictions", contradictions)
    assert result.exit_code == 0, result.output
    return db_path


def test_pyongyang_has_its_name_for_a_key(get):
    # Pyongyang is its own province, the direct-administered city (the article, read by eye).
    assert get("/north-korea-cities/cities/pyongyang").status_code == 200
    row = get("/north-korea-cities/cities/pyongyang.json?_shape=array").json()[0]
    assert (row["id"], row["name"]) == ("pyongyang", "Pyongyang")
    assert (row["province_id"], row["status_id"]) == ("pyongyang", "direct-administered-city")


def test_foreign_keys_carry_keys(get):
    anju = get("/north-korea-cities/cities.json?_shape=array&_labels=on&id=anju").json()[0]
    assert anju["province_id"] == {"value": "south-pyongan", "label": "South Pyongan"}
    assert anju["status_id"] == {"value": "city", "label": "city"}
    names = get("/north-korea-cities/city_names.json?_shape=array&city_id=sinuiju").json()
    assert {n["name"] for n in names} >= {"Sinuiju", "신의주", "新義州"}


def test_a_city_added_first_changes_no_other_key_or_page(db_path, with_new_city):
    before = rows(db_path, "SELECT id, name, province_id, status_id FROM cities")
    after = rows(with_new_city, "SELECT id, name, province_id, status_id FROM cities")
    assert set(after) - set(before) == {("kangsan", "Kangsan", "north-hamgyong", "city")}
    assert set(before) <= set(after)
    assert rows(db_path, "SELECT city_id, writing_system, name FROM city_names") == [
        row for row in rows(with_new_city, "SELECT city_id, writing_system, name FROM city_names")
        if row[0] != "kangsan"]
    for key, name, *_ in before:  # each old page, on the new database, is the same city
        page = get_json(with_new_city, f"/{DB_NAME}/cities/{key}.json?_shape=array")
        assert page[0]["name"] == name, key


def test_two_cities_with_one_key_fail_the_build(tmp_path, fresh_db):
    second = "| Chongjin | | | North Hamgyong |"
    assert TEXT.count(second) == 1
    broken = tmp_path / "broken.txt"
    broken.write_text(TEXT.replace(second, "| ANJU | | | North Hamgyong |"), encoding="utf-8")
    line = TEXT.splitlines().index(FIRST_CITY.rstrip("\n")) + 2
    before = sha256(fresh_db)
    result = run_build(broken, "--db", fresh_db)
    assert_refused_cleanly(result, broken, line,
                           f"city 'ANJU' has the key 'anju' of the city 'Anju' at line {line - 1}")
    assert sha256(fresh_db) == before


@pytest.mark.parametrize("name, key", [
    ("Pyongyang", "pyongyang"), ("South Pyongan", "south-pyongan"),
    ("direct-administered city", "direct-administered-city"), ("Kaesŏng", "kaesong")])
def test_key_of_a_name(name, key):
    assert keys.slug(name) == key


def test_a_name_without_latin_letters_has_no_key():
    with pytest.raises(InputError, match="has no ASCII letter or digit for its key"):
        keys.check_keys("city", {"Anju": 20, "평양": 21})


def test_the_spellings_schema_sql_makes_fold_as_name_key(db_path):
    """city_spellings adds, in SQL (schema.sql's replace() chain, stored in the database), each
    MR name without breves and without apostrophes: each such spelling has the key of its MR
    name, so reconciliation and search fold it as the one folding does."""
    made = rows(db_path, """SELECT s.name, n.name FROM city_spellings s
        JOIN city_names n ON n.city_id = s.city AND n.writing_system = 'MR'
        WHERE s.name NOT IN (SELECT name FROM city_names WHERE city_id = s.city)""")
    assert {("Ch'ongjin", "Ch'ŏngjin"), ("Chŏngjin", "Ch'ŏngjin")} <= set(made)
    for spelling, mr in made:
        assert name_key(spelling) == name_key(mr), (spelling, mr)


def test_every_spelling_of_a_city_folds_to_a_name_of_that_city_only(db_path):
    """A folded spelling finds one city: no two cities share a key."""
    owners = {}
    for city, spelling in rows(db_path, "SELECT city, name FROM city_spellings"):
        owners.setdefault(name_key(spelling), set()).add(city)
    assert {key: cities for key, cities in owners.items() if len(cities) > 1} == {}


@pytest.mark.parametrize("spelling, key", [
    ("Hamhŭng", "hamhung"), ("Hamhung", "hamhung"), ("P'yŏngyang", "pyongyang"),
    ("Pyŏngyang", "pyongyang"), ("P’yongyang", "pyongyang"), ("Sinŭiju-si", "sinuiju"),
    ("Kaesŏng City", "kaesong"), ("평양직할시", "평양"), ("新義州市", "新義州")])
def test_name_key_of_a_spelling(spelling, key):
    assert name_key(spelling) == key
