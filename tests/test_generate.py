"""bench/generate.py writes sources that the real parser and build accept, at the asked size."""

import sqlite3

import pytest

import build
from bench.generate import make_source


@pytest.mark.parametrize("cities", [1, 8, 300])
def test_generated_source_builds(tmp_path, cities):
    source = tmp_path / "generated.txt"
    source.write_text(make_source(cities), encoding="utf-8")
    parsed = build.parse_source(source.read_text(encoding="utf-8"), source)
    assert len(parsed.cities) == cities
    assert sum(status.declared_count for status in parsed.statuses) == cities
    db = tmp_path / "generated.db"
    assert build.build(source, db)[0] == cities
    with sqlite3.connect(db) as connection:
        verdicts = {row[0] for row in connection.execute("SELECT verdict FROM status_reconciliation")}
        kinds = {row[0] for row in connection.execute("SELECT DISTINCT kind FROM provinces")}
    assert verdicts == {"agrees"}
    assert kinds == ({"province-level city"} if cities == 1 else {"province", "province-level city"})


def test_generated_source_is_reproducible():
    assert make_source(50) == make_source(50)
    assert make_source(50) != make_source(50, seed=1)


def test_size_out_of_range():
    with pytest.raises(ValueError, match="between 1 and"):
        make_source(0)
