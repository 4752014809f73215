"""Building: errors are clear and harmless, builds are reproducible, and the database file is
replaced atomically with its sha256 beside it."""

import os

import pytest

from conftest import ROOT, SOURCE, run_build
from helpers import assert_refused_cleanly, sha256

TEXT = SOURCE.read_text(encoding="utf-8")
ANJU = "| Anju | | | South Pyongan | 240,117 | 1987-08-<u>\u3000</u> |"
NAMPO = "| Nampo | | | AB | 366,341 | 2011-02-15 |"
# The sha256 of the database built from source/ with the locked dependencies; changed on
# purpose (and said so in the README's changes list) when the data or the schema change.
RECORDED = ROOT / "tests" / "north-korea-cities.db.sha256"

BROKEN = {
    "population not a number": (ANJU, ANJU.replace("240,117", "240 thousand"), 20, "population"),
    "unknown sort key": (NAMPO, NAMPO.replace("AB", "AD"), 35, "unknown sort key 'AD'"),
    "duplicate city": (NAMPO, NAMPO.replace("Nampo", "Anju"), 35, "duplicate city 'Anju'"),
    "bad date": (ANJU, ANJU.replace("1987-08", "1987-13"), 20, "not a real date"),
    "missing cell": (ANJU, "| Anju | | | South Pyongan | 240,117 |", 20, "5 cells, expected 6"),
    "bad declared count": ("| | city | | | 25 |", "| | city | | | twenty |", 17, "declared count"),
    "duplicate status": ("| | city | | | 25 |", "| | special city | | | 25 |", 17,
                         "duplicate status"),
    "unknown table": ("| City | Chosŏn'gŭl |", "| Town | Chosŏn'gŭl |", 19, "table header"),
}


@pytest.mark.parametrize("name", BROKEN)
def test_broken_source_fails_cleanly(tmp_path, fresh_db, name):
    old, new, line, message = BROKEN[name]
    assert TEXT.count(old) == 1
    broken = tmp_path / "broken.txt"
    broken.write_text(TEXT.replace(old, new), encoding="utf-8")
    before = sha256(fresh_db)
    result = run_build(broken, "--db", fresh_db)
    assert_refused_cleanly(result, broken, line, message)
    assert sha256(fresh_db) == before
    assert list(tmp_path.glob("*.tmp")) == []


def test_invalid_utf8_names_the_line(tmp_path, fresh_db):
    broken = tmp_path / "broken.txt"
    broken.write_bytes(SOURCE.read_bytes().replace(b"Haeju", b"Ha\xffju"))
    assert_refused_cleanly(run_build(broken, "--db", fresh_db), broken, 23, "not valid UTF-8")


def test_empty_source(tmp_path, fresh_db):
    empty = tmp_path / "empty.txt"
    empty.write_text("")
    result = run_build(empty, "--db", fresh_db)
    assert (result.exit_code, result.output) == (1, f"{empty}:1: source is empty\n")


def test_success_prints_one_line_summary(tmp_path):
    db = tmp_path / "out.db"
    result = run_build(SOURCE, "--db", db)
    assert result.exit_code == 0
    assert result.output == f"28 cities, 13 provinces, 4 statuses, population 10,504,092 -> {db}\n"


def test_two_builds_are_byte_identical(tmp_path):
    first, second = tmp_path / "a.db", tmp_path / "b.db"
    assert run_build(SOURCE, "--db", first).exit_code == 0
    assert run_build(SOURCE, "--db", second).exit_code == 0
    assert sha256(first) == sha256(second)


def test_the_build_is_the_recorded_one(db_path):
    """Same source, same locked dependencies: the same bytes as recorded in the repository."""
    recorded = RECORDED.read_text(encoding="utf-8").split()[0]
    assert sha256(db_path) == recorded


def test_built_database_is_readable_by_everyone(fresh_db):
    """The Dockerfile serves the database as 'nobody': mkstemp's 0600 would lock it out."""
    assert fresh_db.stat().st_mode & 0o777 == 0o644


def test_sha256_is_written_beside_the_database(fresh_db):
    sidecar = fresh_db.parent / f"{fresh_db.name}.sha256"
    assert sidecar.read_text() == f"{sha256(fresh_db)}  {fresh_db.name}\n"
    assert sidecar.stat().st_mode & 0o777 == 0o644


def test_an_unchanged_database_is_not_rewritten(fresh_db):
    os.utime(fresh_db, (1_000_000_000, 1_000_000_000))
    inode = fresh_db.stat().st_ino
    assert run_build(SOURCE, "--db", fresh_db).exit_code == 0
    assert (fresh_db.stat().st_ino, fresh_db.stat().st_mtime) == (inode, 1_000_000_000)


def test_a_corrupt_database_is_rebuilt(fresh_db):
    good = sha256(fresh_db)
    fresh_db.write_bytes(b"SQLite format 3\x00 but not really")
    (fresh_db.parent / f"{fresh_db.name}.sha256").write_text("0" * 64 + "  x\n")
    assert run_build(SOURCE, "--db", fresh_db).exit_code == 0
    assert sha256(fresh_db) == good
    sidecar = fresh_db.parent / f"{fresh_db.name}.sha256"
    assert sidecar.read_text() == f"{good}  {fresh_db.name}\n"


def test_leftovers_of_a_killed_build_are_removed(tmp_path):
    db = tmp_path / "north-korea-cities.db"
    leftovers = [tmp_path / f".{db.name}.abc123.tmp", tmp_path / f".{db.name}.abc123.tmp-journal",
                 tmp_path / f".{db.name}.sha256.x1.tmp"]
    other = tmp_path / ".other.db.abc123.tmp"  # not this database's: left alone
    for path in [*leftovers, other]:
        path.write_bytes(b"half a build")
    assert run_build(SOURCE, "--db", db).exit_code == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        [db.name, f"{db.name}.sha256", other.name])
