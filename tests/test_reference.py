"""The reference extracts in source/ (GeoNames places, ISO 3166-2:KP) are what the installed
libraries say, through their public APIs; the build reads only the extracts."""

import pycountry
import pytest

from nkcities import geo, reference
from scripts import reference_extracts


@pytest.fixture(scope="module")
def extracts():
    return reference_extracts.extracts()


@pytest.mark.parametrize("path", [reference.GEONAMES, reference.ISO], ids=lambda p: p.name)
def test_extract_matches_the_installed_library(extracts, path):
    """If this fails after an upgrade: `make reference`, then check the diff and the build."""
    assert path.read_text(encoding="utf-8") == extracts[path]


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
    box = geo.BOX
    for place in reference.places().values():
        assert box["south"] <= place.latitude <= box["north"], place.name
        assert box["west"] <= place.longitude <= box["east"], place.name
