"""`build.py --check`, what an editor does to the source, and the CSV supplement's checks.

Decision: the source is a byte-for-byte copy of the article and the database records its
sha256, so an editor's harmless-looking changes (CRLF, a BOM, no final newline) cannot build
"the same database": they are refused with one PATH:LINE: line saying what changed. The CSV
supplements are kept by hand and not hashed: a BOM and CRLF are accepted in every CSV file (one
reader, nkcities/build/csvfile.py) and build the same database.
"""

import pytest

from conftest import SOURCE, run_build
from helpers import sha256
from nkcities.build.errors import InputError
from nkcities.build.build_database import build_database
from nkcities.build.inputs import Inputs

RAW = SOURCE.read_bytes()
LAST_LINE = RAW.count(b"\n")  # 56: the file ends with a newline
SORT_KEYS = Inputs().sort_keys.read_bytes()


def variant(path, content, original):
    """Write a changed copy of a file."""
    assert content != original
    path.write_bytes(content)
    return path


def test_check_writes_nothing(tmp_path):
    db = tmp_path / "north-korea-cities.db"
    result = run_build(SOURCE, "--check", "--db", db)
    assert result.exit_code == 0, result.output
    assert result.output == ("28 cities, 13 provinces, 4 statuses, population 10,504,092 "
                             "-> checked, nothing written\n")
    assert list(tmp_path.iterdir()) == []


def test_check_fails_like_the_build(tmp_path):
    broken = tmp_path / "broken.txt"
    broken.write_bytes(RAW.replace(b"| Nampo | | | AB |", b"| Nampo | | | AD |"))
    checked = run_build(broken, "--check", "--db", tmp_path / "x.db")
    built = run_build(broken, "--db", tmp_path / "x.db")
    assert (checked.exit_code, built.exit_code) == (1, 1)
    assert checked.output == built.output == (
        f"{broken}:35: unknown sort key 'AD' in Province column\n")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["broken.txt"]


EDITED = {  # what an editor or a mishap does: (new bytes, line, part of the message)
    "CRLF line endings": (RAW.replace(b"\n", b"\r\n"), 1, "carriage return"),
    "one CRLF": (RAW.replace(b"| Anju |", b"\r| Anju |"), 20, "carriage return"),
    "BOM": (b"\xef\xbb\xbf" + RAW, 1, "byte order mark"),
    "no final newline": (RAW.rstrip(b"\n"), LAST_LINE, "no newline at the end"),
    "NUL in the title": (RAW.replace(b"= List", b"= \x00List"), 1, "control character '\\x00'"),
    "form feed in a note": (RAW.replace(b"- All population", b"- All\x0cpopulation"), 7,
                            "control character '\\x0c'"),
    "bullet without text": (RAW.replace(b"- All population figures come from the 2008 North "
                                        b"Korean census.", b"- "), 7, "bullet"),
}


@pytest.mark.parametrize("name", EDITED)
def test_edited_source_is_refused(tmp_path, name):
    content, line, message = EDITED[name]
    edited = variant(tmp_path / "edited.txt", content, RAW)
    db = tmp_path / "north-korea-cities.db"
    assert run_build(SOURCE, "--db", db).exit_code == 0
    before = sha256(db)
    result = run_build(edited, "--db", db)
    assert result.exit_code == 1
    assert result.output.startswith(f"{edited}:{line}: "), result.output
    assert message in result.output and result.output.count("\n") == 1
    assert sha256(db) == before


@pytest.mark.parametrize("csv_file", ["sort_keys", "names", "overrides", "geonames", "iso",
                                      "changes"])
def test_csv_file_with_bom_and_crlf_builds_the_same_database(tmp_path, csv_file):
    original = getattr(Inputs(), csv_file).read_bytes()
    edited = variant(tmp_path / f"{csv_file}.csv",
                     b"\xef\xbb\xbf" + original.replace(b"\n", b"\r\n"), original)
    build_database(tmp_path / "plain.db")
    build_database(tmp_path / "edited.db", Inputs()._replace(**{csv_file: edited}))
    assert sha256(tmp_path / "plain.db") == sha256(tmp_path / "edited.db")


AA = b"AA,direct-administered city,"
BROKEN_CSV = {  # (new bytes, line, part of the message)
    "missing column": (SORT_KEYS.replace(b"sort_key,status,", b"sort_key,"), 1, "header must be"),
    "extra field": (SORT_KEYS.replace(AA, AA + b"x,"), 2, "5 fields, expected 4"),
    "duplicate key": (SORT_KEYS.replace(b"\nAB,", b"\nAA,"), 3, "duplicate sort key 'AA'"),
    "http citation": (SORT_KEYS.replace(b"https://en.wikipedia.org/wiki/Kaesong",
                                        b"http://en.wikipedia.org/wiki/Kaesong"), 4, "https://"),
    "invalid UTF-8": (SORT_KEYS.replace(b"Kaesong was", b"Kae\xffsong was"), 4, "UTF-8"),
    "unknown status": (SORT_KEYS.replace(AA, b"AA,capital,"), 2, "'capital' is not in the source"),
    "empty": (b"", 1, "header must be"),
}


@pytest.mark.parametrize("name", BROKEN_CSV)
def test_check_validates_the_supplement(tmp_path, name):
    content, line, message = BROKEN_CSV[name]
    broken = variant(tmp_path / "sort-keys.csv", content, SORT_KEYS)
    with pytest.raises(InputError) as error:
        build_database(None, Inputs(sort_keys=broken))
    assert str(error.value).startswith(f"{broken}:{line}: "), str(error.value)
    assert message in str(error.value)
    assert list(tmp_path.iterdir()) == [broken]
