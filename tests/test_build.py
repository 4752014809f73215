"""Building: errors are clear and harmless, and builds are reproducible."""

import hashlib

import pytest

from conftest import SOURCE, run_build

TEXT = SOURCE.read_text(encoding="utf-8")
ANJU = "| Anju | | | South Pyongan | 240,117 | 1987-08-<u>\u3000</u> |"
NAMPO = "| Nampo | | | AB | 366,341 | 2011-02-15 |"


def sha256(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def old_db(tmp_path):
    db = tmp_path / "north-korea-cities.db"
    assert run_build(SOURCE, "--db", db).exit_code == 0
    return db


BROKEN = {
    "population not a number": (ANJU, ANJU.replace("240,117", "240 thousand"), 20, "population"),
    "unknown sort key": (NAMPO, NAMPO.replace("AB", "AD"), 35, "unknown sort key 'AD'"),
    "duplicate city": (NAMPO, NAMPO.replace("Nampo", "Anju"), 35, "duplicate city 'Anju'"),
    "bad date": (ANJU, ANJU.replace("1987-08", "1987-13"), 20, "not a real date"),
    "missing cell": (ANJU, "| Anju | | | South Pyongan | 240,117 |", 20, "5 cells, expected 6"),
    "bad declared count": ("| | city | | | 25 |", "| | city | | | twenty |", 17, "declared count"),
    "duplicate status": ("| | city | | | 25 |", "| | special city | | | 25 |", 17, "duplicate status"),
    "unknown table": ("| City | Chosŏn'gŭl |", "| Town | Chosŏn'gŭl |", 19, "table header"),
}


@pytest.mark.parametrize("name", BROKEN)
def test_broken_source_fails_cleanly(tmp_path, old_db, name):
    old, new, line, message = BROKEN[name]
    assert TEXT.count(old) == 1
    broken = tmp_path / "broken.txt"
    broken.write_text(TEXT.replace(old, new), encoding="utf-8")
    before = sha256(old_db)
    result = run_build(broken, "--db", old_db)
    assert result.exit_code == 1
    assert result.output.strip().splitlines() == [result.output.strip()]
    assert result.output.startswith(f"{broken}:{line}: "), result.output
    assert message in result.output
    assert "Traceback" not in result.output
    assert sha256(old_db) == before
    assert list(tmp_path.glob("*.tmp")) == []


def test_invalid_utf8_names_the_line(tmp_path, old_db):
    broken = tmp_path / "broken.txt"
    broken.write_bytes(SOURCE.read_bytes().replace(b"Haeju", b"Ha\xffju"))
    result = run_build(broken, "--db", old_db)
    assert result.exit_code == 1
    assert result.output.startswith(f"{broken}:23: not valid UTF-8")


def test_empty_source(tmp_path, old_db):
    empty = tmp_path / "empty.txt"
    empty.write_text("")
    result = run_build(empty, "--db", old_db)
    assert (result.exit_code, result.output) == (1, f"{empty}:1: source is empty\n")


def test_success_prints_one_line_summary(tmp_path):
    db = tmp_path / "out.db"
    result = run_build(SOURCE, "--db", db)
    assert result.exit_code == 0
    assert result.output == (f"28 cities, 13 divisions, 4 statuses, population 10,504,092 -> {db}\n")


def test_two_builds_are_byte_identical(tmp_path):
    first, second = tmp_path / "a.db", tmp_path / "b.db"
    assert run_build(SOURCE, "--db", first).exit_code == 0
    assert run_build(SOURCE, "--db", second).exit_code == 0
    assert sha256(first) == sha256(second)


def test_built_database_is_readable_by_everyone(tmp_path):
    """The Dockerfile serves the database as 'nobody': mkstemp's 0600 would lock it out."""
    db = tmp_path / "published.db"
    assert run_build(SOURCE, "--db", db).exit_code == 0
    assert db.stat().st_mode & 0o777 == 0o644
