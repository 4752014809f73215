"""parse_source is pure: text in, rows out. Expected rows are read off the source by eye."""

import pytest

from nkcities.build import article
from nkcities.build.errors import InputError
from conftest import SOURCE, SOURCE_CITIES, SOURCE_POPULATION

TEXT = SOURCE.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def parsed():
    return article.parse_source(TEXT)


@pytest.mark.parametrize("expected", [
    article.City("Pyongyang", "AA", 3_255_288, "1946-09", "month", 37),
    article.City("Nampo", "AB", 366_341, "2011-02-15", "day", 35),
    article.City("Rason", "AB", 196_954, "2010-01-05", "day", 38),
    article.City("Kaesong", "AC", 308_440, "2019-02-28", "day", 29),
    article.City("Anju", "South Pyongan", 240_117, "1987-08", "month", 20),
    article.City("Haeju", "South Hwanghae", 273_300, "1945-09-02", "day", 23),
    article.City("Chongjin", "North Hamgyong", 667_929, "1985", "year", 21),
])
def test_city_rows(parsed, expected):
    assert expected in parsed.cities


def test_all_rows_parsed(parsed):
    assert len(parsed.cities) == SOURCE_CITIES
    assert sum(city.population_2008 for city in parsed.cities) == SOURCE_POPULATION


def test_statuses_as_the_summary_declares(parsed):
    assert parsed.statuses == [
        article.Status("direct-administered city", 1, 14),
        article.Status("special city", 3, 15),
        article.Status("special-level city", 0, 16),
        article.Status("city", 25, 17),
    ]


def test_title_and_notes(parsed):
    assert parsed.title == "List of cities in North Korea"
    texts = [note.text for note in parsed.notes]
    assert "All population figures come from the 2008 North Korean census." in texts
    assert any(text.startswith("Rason was annexed") for text in texts)
    assert any(text.startswith("(Note: foundation dates") for text in texts)
    assert [n.text for n in parsed.notes if n.kind == "see also"] == [
        "Administrative divisions of North Korea", "Special cities of North Korea",
        "List of cities in South Korea", "Geography of North Korea"]


@pytest.mark.parametrize("cell, expected", [
    ("1987-08-<u>\u3000</u>", ("1987-08", "month")),
    ("1985-<u>\u3000</u>-<u>\u3000</u>", ("1985", "year")),
    ("1945-09-02", ("1945-09-02", "day")),
])
def test_partial_dates_stay_partial(cell, expected):
    assert article.parse_founded(cell, 1) == expected


@pytest.mark.parametrize("cell, message", [
    ("1945-02-30", "not a real date"),
    ("1945-13-<u>\u3000</u>", "not a real date"),
    ("1945-<u>\u3000</u>-02", "has a day but no month"),
    ("45-09-02", "is not YYYY-MM-DD"),
    ("1945-09-<u> </u>", "is not YYYY-MM-DD"),
])
def test_bad_dates_name_the_line(cell, message):
    with pytest.raises(InputError) as error:
        article.parse_founded(cell, 7)
    assert error.value.line == 7 and message in error.value.what


@pytest.mark.parametrize("cell", ["240117.5", "-240,117", "24,0117", "", "1,000,000,000", "２４０"])
def test_bad_populations(cell):
    with pytest.raises(InputError) as error:
        article.parse_population(cell, 3)
    assert error.value.line == 3 and error.value.what.startswith("population")
