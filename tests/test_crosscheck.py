"""The typed Hancha and MR, checked against a Hanja dictionary and ko-pron; exceptions cited.

The build-level failures (a Hancha with another reading, an MR without its breve) are in
test_supplement_errors.py's BROKEN table, which also checks that the old database stays.
"""

import csv
import io

import pytest

from conftest import ROOT
from nkcities.build import crosscheck, reference, supplements
from nkcities.build.errors import InputError

NAMES = ROOT / "source" / "korean-names.csv"
EXCEPTIONS = ROOT / "source" / "crosscheck-exceptions.csv"


def entries():
    return supplements.read_names(NAMES)


def check(tmp_path, exceptions_text):
    path = tmp_path / "exceptions.csv"
    path.write_text(exceptions_text, encoding="utf-8")
    crosscheck.check_supplement(entries(), NAMES, path, reference.hanja_readings())
    return path


def exception_rows():
    with open(EXCEPTIONS, newline="", encoding="utf-8") as f:
        return list(csv.reader(f))


def rows_text(rows):
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    return out.getvalue()


@pytest.mark.parametrize("character, expected", [
    ("羅", ("라", "나")),  # North Korea writes 라 (라선); the South's initial rule gives 나
    ("兩", ("량", "양")),  # 량강도 in the North, 양강도 in the South
    ("寧", ("령", "영")),  # 회령: inside a word, as written
    ("平", ("평", "평")),
    ("金", ("금", "금")),  # the dictionary lacks the family name's 김: an exception
])
def test_readings(character, expected):
    assert reference.hanja_readings()[character] == expected


def test_the_supplement_passes_with_its_exceptions():
    crosscheck.check_supplement(entries(), NAMES, EXCEPTIONS, reference.hanja_readings())


def test_every_exception_is_cited_and_needed(tmp_path):
    rows = exception_rows()
    assert [row[:3] for row in rows[1:]] == [
        ["hancha", "city", "Kimchaek"], ["mr", "division", "North Pyongan"],
        ["mr", "division", "North Hwanghae"], ["mr", "division", "North Hamgyong"]]
    with pytest.raises(InputError) as error:  # one exception too many
        check(tmp_path, rows_text(rows + [["mr", "city", "Anju", "anju", "Anju", "none",
                                           "https://en.wikipedia.org/wiki/Anju"]]))
    assert error.value.line == len(rows) + 1
    assert error.value.what.endswith("nothing to except"), error.value.what


def test_a_missing_exception_names_the_supplement_row(tmp_path):
    rows = exception_rows()
    without_kimchaek = [row for row in rows if row[2] != "Kimchaek"]
    with pytest.raises(InputError) as error:
        check(tmp_path, rows_text(without_kimchaek))
    assert error.value.path == NAMES
    assert error.value.line == entries()["city", "Kimchaek"].line
    assert "Hancha '金' of '金策' reads 금 in the hanja dictionary, not '김'" in error.value.what


def test_an_exception_must_match_what_the_library_gives(tmp_path):
    rows = [row if row[2] != "North Hwanghae" else [*row[:3], "hwanghaepukto", *row[4:]]
            for row in exception_rows()]
    with pytest.raises(InputError) as error:
        check(tmp_path, rows_text(rows))
    assert error.value.line == entries()["province", "North Hwanghae"].line
    assert "MR 'Hwanghae-pukto' is not 'hwanghaebukto'" in error.value.what


@pytest.mark.parametrize("row, message", [
    (["hanja", "city", "Anju", "안주", "안주", "r", "https://x"], "each row needs check"),
    (["mr", "city", "Anju", "anju", "Anju", "r", "http://x"], "is not an https:// address"),
    (["mr", "city", "Anju", "", "Anju", "r", "https://x"], "each row needs check"),
])
def test_malformed_exceptions(tmp_path, row, message):
    with pytest.raises(InputError) as error:
        check(tmp_path, rows_text([exception_rows()[0], row]))
    assert (error.value.line, message in error.value.what) == (2, True), error.value.what
