"""bench/generate.py writes sources and supplements that the real build accepts, at the asked
size: every generated city gets its Korean names, a point in the country and its search names."""

import csv
import io
import sqlite3

import pytest
from ko_pron import romanise

from nkcities.build import article
from nkcities.build.build_database import build_database
from nkcities.build.inputs import Inputs
from nkcities.geography import BOX
from nkcities.spelling import name_key
from bench.generate import SYLLABLES, make_source, make_supplement

PROVINCE_LEVEL = ["Kaesong", "Nampo", "Pyongyang", "Rason"]  # the article's, in its order
WRITING_SYSTEMS = 8  # English, MR, MR without diacritics, RR, Hangul (2), Hancha (2)


def build_generated(tmp_path, cities):
    source, supplement = tmp_path / "generated.txt", tmp_path / "names.csv"
    source.write_text(make_source(cities), encoding="utf-8")
    supplement.write_text(make_supplement(cities), encoding="utf-8")
    db = tmp_path / "generated.db"
    inputs = Inputs(source=source, names=supplement, contradictions=None, changes=None)
    return build_database(db, inputs), sqlite3.connect(db)


# Provinces, counted in the generated sources (seed 2008): 1 city is Kaesong alone; 8 are the
# four province-level cities (a province each) and four cities in four provinces; 300 fill all
# nine provinces.
@pytest.mark.parametrize("cities, provinces", [(1, 1), (8, 8), (300, 13)])
def test_generated_source_and_supplement_build(tmp_path, cities, provinces):
    parsed = article.parse_source(make_source(cities))
    assert len(parsed.cities) == cities
    assert sum(status.declared_count for status in parsed.statuses) == cities
    (built, built_provinces, statuses, _), db = build_generated(tmp_path, cities)
    with db:
        verdicts = {row[0] for row in db.execute("SELECT verdict FROM status_reconciliation")}
        kinds = {row[0] for row in db.execute("SELECT DISTINCT kind FROM provinces")}
        city_names = db.execute("SELECT count(*) FROM city_names").fetchone()[0]
        last, hangul = db.execute("SELECT name, hangul FROM cities ORDER BY id DESC").fetchone()
        found = [row[0] for row in db.execute("""SELECT cities.name FROM city_names_fts
            JOIN city_names ON city_names.id = city_names_fts.rowid
            JOIN cities ON cities.id = city_names.city_id WHERE city_names_fts MATCH ?""",
            [f'"{hangul}"'])]
    db.close()
    assert (built, built_provinces, statuses) == (cities, provinces, 4)
    assert verdicts == {"agrees"}
    expected = {"province-level city"} if cities <= 4 else {"province", "province-level city"}
    assert kinds == expected
    assert city_names == WRITING_SYSTEMS * cities
    assert last in found  # the last city, found by its Hangul name


def test_supplement_copies_real_rows_and_writes_generated_cities_by_syllable():
    rows = list(csv.DictReader(io.StringIO(make_supplement(8))))
    kinds = [row["kind"] for row in rows]
    assert kinds == ["status"] * 4 + ["division"] * (len(rows) - 12) + ["city"] * 8
    with open(Inputs().names, newline="", encoding="utf-8") as f:
        real = {(row["kind"], row["name"]): row for row in csv.DictReader(f)}
    assert all(row == real[row["kind"], row["name"]] for row in rows[:-4])
    cities = [row for row in rows if row["kind"] == "city"]
    assert [row["name"] for row in cities[:4]] == PROVINCE_LEVEL
    for row in cities[4:]:
        assert row["mr"] == romanise(row["hangul"], "mr").capitalize()  # the build's check
        assert not row["geonameid"]
        assert len(row["hangul"]) == len(row["hancha"]) == 4
        assert all("가" <= c <= "힣" for c in row["hangul"]), row["hangul"]  # Hangul syllables
        assert all("\u4e00" <= c <= "\u9fff" for c in row["hancha"]), row["hancha"]  # CJK
        assert BOX["south"] <= float(row["latitude"]) <= BOX["north"]
        assert BOX["west"] <= float(row["longitude"]) <= BOX["east"]
        assert row["citation"].startswith("https://")


def test_no_syllable_is_a_place_suffix():
    """A generated name may end in any syllable: the one folding must keep it, not strip it
    as a status or place suffix (시, 市, 리...)."""
    for hangul, hancha in SYLLABLES.values():
        assert (name_key("평양" + hangul), name_key("平壤" + hancha)) == (
            "평양" + hangul, "平壤" + hancha)


def test_generated_source_and_supplement_are_reproducible():
    assert make_source(50) == make_source(50)
    assert make_supplement(50) == make_supplement(50)
    assert make_source(50) != make_source(50, seed=1)
    assert make_supplement(50) != make_supplement(50, seed=1)


def test_size_out_of_range():
    with pytest.raises(ValueError, match="between 1 and"):
        make_source(0)
