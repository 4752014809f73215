"""The built database is sound and holds what the source holds."""

import sqlite3

import pytest

from conftest import SOURCE, SOURCE_CITIES, SOURCE_PROVINCES, SOURCE_POPULATION, SOURCE_STATUSES
from helpers import sha256
from nkcities.build import load


def test_the_load_refuses_a_dangling_foreign_key(db, tmp_path):
    """The built database's rows load again, and not with one city in a province that is not."""
    tables = {}
    for table in load.TABLES:  # table_info leaves out generated columns, which are not loaded
        columns = [c[1] for c in db.execute(f"PRAGMA table_info({table})")]
        tables[table] = [dict(zip(columns, row))
                         for row in db.execute(f"SELECT {', '.join(columns)} FROM {table}")]
    load.write(tmp_path / "again.db", tables)
    tables["cities"][0]["province_id"] = "nowhere"
    with pytest.raises(sqlite3.IntegrityError, match="FOREIGN KEY"):
        load.write(tmp_path / "dangling.db", tables)


@pytest.mark.parametrize("table, expected", [
    ("cities", SOURCE_CITIES), ("provinces", SOURCE_PROVINCES), ("statuses", SOURCE_STATUSES),
])
def test_counts(db, table, expected):
    assert db.execute(f"SELECT count(*) FROM {table}").fetchone()[0] == expected


def test_population_total(db):
    assert db.execute("SELECT sum(population_2008) FROM cities").fetchone()[0] == SOURCE_POPULATION


def test_reconciliation_shows_the_disagreement(db):
    rows = db.execute(
        "SELECT status, declared_count, listed_count, verdict FROM status_reconciliation"
    ).fetchall()
    assert rows == [
        ("direct-administered city", 1, 1, "agrees"),
        ("special city", 3, 2, "disagrees"),
        ("special-level city", 0, 1, "disagrees"),
        ("city", 25, 24, "disagrees"),
    ]


@pytest.mark.parametrize("city, province, kind, status", [
    ("Pyongyang", "Pyongyang", "province-level city", "direct-administered city"),
    ("Nampo", "Nampo", "province-level city", "special city"),
    ("Rason", "Rason", "province-level city", "special city"),
    ("Kaesong", "Kaesong", "province-level city", "special-level city"),
    ("Chongjin", "North Hamgyong", "province", "city"),
])
def test_sort_keys_become_facts(db, city, province, kind, status):
    row = db.execute("SELECT province, province_kind, status FROM city_list WHERE city = ?",
                     [city]).fetchone()
    assert row == (province, kind, status)


def test_nine_provinces_and_four_province_level_cities(db):
    kinds = dict(db.execute("SELECT kind, count(*) FROM provinces GROUP BY kind"))
    assert kinds == {"province": 9, "province-level city": 4}


def test_province_totals_add_up(db):
    cities, population = db.execute(
        "SELECT sum(cities), sum(population_2008) FROM province_totals").fetchone()
    assert (cities, population) == (SOURCE_CITIES, SOURCE_POPULATION)


def test_no_invented_days(db):
    """Only the six cities whose full date the source gives have day precision."""
    days = {row[0] for row in db.execute("SELECT name FROM cities WHERE founded_precision = 'day'")}
    assert days == {"Haeju", "Hoeryong", "Kaesong", "Nampo", "Rason", "Samjiyon"}


def test_notes_and_provenance(db):
    provenance = dict(db.execute("SELECT key, value FROM provenance"))
    assert provenance["source_sha256"] == sha256(SOURCE)
    assert provenance["article_url"] == "https://en.wikipedia.org/wiki/List_of_cities_in_North_Korea"
    assert db.execute("SELECT count(*) FROM notes WHERE kind = 'note'").fetchone()[0] == 5
