"""Unit tests of the pure parts of nkcities/, no database and no server. Expected values are
literals checked by hand."""

import pytest

from nkcities import romanize, spelling
from nkcities.build import article, geo, inputs
from nkcities.build.csvfile import read_csv
from nkcities.build.errors import InputError, in_file
from nkcities.build.reference import Place


def test_an_input_error_is_printed_path_line_what():
    with pytest.raises(InputError) as error, in_file("source/x.csv"):
        raise InputError(7, "what is wrong")
    assert str(error.value) == "source/x.csv:7: what is wrong"


def test_in_file_keeps_a_path_already_given():
    with pytest.raises(InputError) as error, in_file("outer.csv"):
        raise InputError(3, "about another file", "inner.txt")
    assert str(error.value) == "inner.txt:3: about another file"


@pytest.mark.parametrize("data", [b"a,b\n1,2\n\"x\",\n", b"\xef\xbb\xbfa,b\r\n1,2\r\n\"x\",\r\n"],
                         ids=["plain", "BOM and CRLF"])
def test_one_csv_reader_for_every_file(tmp_path, data):
    path = tmp_path / "f.csv"
    path.write_bytes(data)
    assert read_csv(path, ["a", "b"]) == [(2, {"a": "1", "b": "2"}), (3, {"a": "x", "b": ""})]


def test_a_csv_error_carries_path_and_line(tmp_path):
    path = tmp_path / "f.csv"
    path.write_bytes(b"a,b\n1,2\n1,2,3\n")
    with pytest.raises(InputError) as error:
        read_csv(path, ["a", "b"])
    assert str(error.value) == f"{path}:3: row has 3 fields, expected 2"


@pytest.mark.parametrize("mr, expected", [("P'yŏngyang", "Pyongyang"), ("Hamhŭng", "Hamhung"),
                                          ("Sinŭiju", "Sinuiju")])
def test_mr_without_diacritics(mr, expected):
    assert spelling.without_diacritics(mr) == expected


def test_names_compare_across_spellings():
    assert spelling.name_key("Sariwŏn-si") == spelling.name_key("sariwon") == "sariwon"
    assert spelling.name_key("평양시") == spelling.name_key("평양")
    assert romanize.romanize("평양") == "Pyeongyang"


def test_distance_of_one_degree_of_latitude():
    """One degree along a meridian is 111.2 km on a sphere of radius 6371 km."""
    place = Place(1, "x", 40.0, 127.0, frozenset())
    assert geo.distance_km(39.0, 127.0, place) == pytest.approx(111.19, abs=0.01)
    assert geo.distance_km(40.0, 127.0, place) == 0


def test_classify_reads_the_province_cell():
    keys = {"AB": {"status": "special city"}}
    nampo = article.City("Nampo", "AB", 366_341, "2011-02-15", "day", 35)
    anju = article.City("Anju", "South Pyongan", 240_117, "1987-08", "month", 20)
    assert inputs.classify(nampo, keys) == ("Nampo", "province-level city", "special city")
    assert inputs.classify(anju, keys) == ("South Pyongan", "province", "city")
    with pytest.raises(InputError) as error:
        inputs.classify(nampo._replace(province_cell="AD"), keys)
    assert (error.value.line, error.value.what) == (35, "unknown sort key 'AD' in Province column")


@pytest.mark.parametrize(("written", "bare"), [
    ("Pyongyang City", "Pyongyang"), ("Sinŭiju\u2010si", "Sinuiju"), ("평양직할시", "평양"),
    ("平壤直轄市", "平壤"), ("Nampo Special City", "Nampo"),
    ("Kaesŏng Special-Level City", "Kaesong"), ("P\u2019yŏngyang", "P'yongyang"),
    ("Ch\u02bcŏngjin", "Chongjin"), ("Rason-t'ŭkpyŏlsi", "Rason"),
])
def test_name_key_drops_status_words_and_typographic_marks(written, bare):
    assert spelling.name_key(written) == spelling.name_key(bare)


def test_name_key_keeps_a_name_that_is_only_a_suffix():
    assert spelling.name_key("시") == "시" and spelling.name_key("City") == "city"
    assert spelling.name_key("평양직할시", keep_suffix=True) == "평양직할시"
