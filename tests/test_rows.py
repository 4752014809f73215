"""Checked inputs -> plain rows, before any database: rows written out by hand from the source
(line 20 of the article) and source/korean-names.csv (lines 7 and 19)."""

import pytest

from nkcities.build import rows


@pytest.fixture(scope="module")
def tables():
    return rows.table_rows()


def test_the_first_city_row(tables):
    assert tables["cities"][0] == {
        "id": "anju", "name": "Anju", "province_id": "south-pyongan", "status_id": "city",
        "population_2008": 240_117,
        "founded": "1987-08", "founded_precision": "month", "source_line": 20,
        "hangul": "안주", "hancha": "安州", "mr": "Anju", "rr": "Anju",
        "full_hangul": "안주시", "full_hancha": "安州市", "latitude": 39.6167,
        "longitude": 125.6667, "geonameid": 1879613, "geonames_km": 0.2,
        "citation": "https://en.wikipedia.org/wiki/Anju,_South_Pyongan"}


def test_the_first_province_row(tables):
    assert tables["provinces"][0] == {
        "id": "south-pyongan", "name": "South Pyongan", "kind": "province", "source_line": 20,
        "hangul": "평안남도",
        "hancha": "平安南道", "mr": "P'yŏngan-namdo", "rr": "Pyeongannam-do", "iso_code": "KP-02",
        "iso_name": "Phyeongannamto",
        "citation": "https://en.wikipedia.org/wiki/South_Pyongan_Province"}


def test_a_city_is_written_eight_ways(tables):
    assert [(r["writing_system"], r["name"]) for r in tables["city_names"]
            if r["city_id"] == "anju"] \
        == [("English", "Anju"), ("MR", "Anju"), ("MR without diacritics", "Anju"),
            ("RR", "Anju"), ("Hangul", "안주"), ("Hangul with suffix", "안주시"),
            ("Hancha", "安州"), ("Hancha with suffix", "安州市")]


def test_every_table_has_its_rows(tables):
    """Counted in the source: 4 statuses, 13 provinces, 28 cities (8 spellings each), the
    introduction + 4 notes + the foundation-date note + 4 see-also lines; 3 sort keys; the 12
    contradictions of source/contradictions.yml with their 53 quotes; 28 founding dates and the
    5 changes of lines 8 (3 cities) and 9 (Rason, 2)."""
    assert {table: len(r) for table, r in tables.items()} == {
        "statuses": 4, "provinces": 13, "sort_keys": 3, "cities": 28, "city_names": 224,
        "status_changes": 33, "notes": 10, "provenance": 6, "contradictions": 12,
        "contradiction_quotes": 53}
