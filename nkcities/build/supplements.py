"""The hand-kept, cited supplements in source/, read and checked row by row:
sort-keys.csv (how the Province column's sort keys read), korean-names.csv (Korean names,
points, GeoNames ids and ISO codes) and coordinate-overrides.csv (cited disagreements with
GeoNames). Each reader takes its file's path and returns plain values."""

import re
from typing import NamedTuple

from nkcities.build.article import SORT_KEY
from nkcities.build.csvfile import read_csv
from nkcities.build.errors import InputError, in_file
from nkcities.romanize import romanize, romanize_place

SORT_KEYS_HEADER = ["sort_key", "status", "note", "citation"]
NAMES_HEADER = ["kind", "name", "hangul", "hancha", "mr", "latitude", "longitude", "geonameid",
                "iso_code", "citation"]
OVERRIDES_HEADER = ["city", "geonameid", "reason", "citation"]
# The kind column's words (crosscheck-exceptions.csv's too) -> the build's: the files call a
# province's row "division".
KINDS = {"status": "status", "division": "province", "city": "city"}
FILE_KIND = {kind: word for word, kind in KINDS.items()}
COMMON = {"kind", "name", "hangul", "hancha", "mr", "citation"}
# The columns each kind of row must fill, and those it may fill; every other cell stays empty.
REQUIRED = {"status": COMMON, "province": COMMON | {"iso_code"},
            "city": COMMON | {"latitude", "longitude"}}
OPTIONAL = {"city": {"geonameid"}}  # empty where GeoNames has no such place

LETTER = "[A-Za-zŎŏŬŭ]"
TRIMMED = re.compile(r"\S(.*\S)?")  # a value without surrounding spaces
DEGREES = (re.compile(r"-?[0-9]{1,3}\.[0-9]{1,6}"), "a decimal number of degrees")
PATTERNS = {  # column: (pattern, what a value must be)
    "kind": (re.compile("|".join(KINDS)), "status, division or city"),
    "name": (TRIMMED, "a name without surrounding spaces"), "city": (TRIMMED, "a city name"),
    "reason": (TRIMMED, "a reason"),
    "hangul": (re.compile("[가-힣]+"), "Hangul syllables only"),
    "hancha": (re.compile("[\u4e00-\u9fff]+"), "CJK ideographs only"),
    "mr": (re.compile(f"{LETTER}+(['\\- ]{LETTER}+)*"), "McCune-Reischauer: letters, ŏ, ŭ, ', -"),
    "latitude": DEGREES, "longitude": DEGREES,
    "geonameid": (re.compile("[1-9][0-9]{0,9}"), "a GeoNames id"),
    "iso_code": (re.compile("KP-[0-9]{2}"), "an ISO 3166-2:KP code like KP-01"),
    "citation": (re.compile(r"https://\S+"), "an https:// address"),
}


class Entry(NamedTuple):
    kind: str
    name: str
    hangul: str
    hancha: str
    mr: str
    rr: str  # derived, once per row: rr(kind, hangul)
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


def read_sort_keys(path):
    """source/sort-keys.csv -> {sort_key: {sort_key, status, note, citation, line}}."""
    keys = {}
    with in_file(path):
        for line, row in read_csv(path, SORT_KEYS_HEADER):
            if not SORT_KEY.fullmatch(row["sort_key"]) or not all(row.values()):
                raise InputError(line, "each row needs sort_key (two capitals), status, note "
                                       "and citation")
            if not row["citation"].startswith("https://"):
                raise InputError(line, f"citation {row['citation']!r} is not an https:// address")
            if row["sort_key"] in keys:
                raise InputError(line, f"duplicate sort key {row['sort_key']!r}")
            keys[row["sort_key"]] = {**row, "line": line}
    return keys


def checked_rows(path, header):
    """read_csv, then every filled cell checked against PATTERNS."""
    rows = read_csv(path, header)
    for line, row in rows:
        for column, value in row.items():
            pattern, what = PATTERNS[column]
            if value and not pattern.fullmatch(value):
                raise InputError(line, f"{column} {value!r} is not {what}")
    return rows


def number(cell, kind):
    return kind(cell) if cell else None


def rr(kind, hangul):
    """Revised Romanization: a province's 도 after a hyphen, Pyeongannam-do."""
    return romanize_place(hangul) if kind == "province" else romanize(hangul)


def parse_entry(row, line):
    if row["kind"] not in KINDS:
        raise InputError(line, "a row needs a kind: status, division or city")
    kind = KINDS[row["kind"]]
    for column, value in row.items():
        if column in REQUIRED[kind] and not value:
            raise InputError(line, f"a {row['kind']} row needs {column}")
        if value and column not in REQUIRED[kind] | OPTIONAL.get(kind, set()):
            raise InputError(line, f"a {row['kind']} row has no {column}")
    if len(row["hancha"]) != len(row["hangul"]):
        raise InputError(line, f"Hancha {row['hancha']!r} needs one character per syllable "
                               f"of {row['hangul']!r}")
    return Entry(kind, row["name"], row["hangul"], row["hancha"], row["mr"],
                 rr(kind, row["hangul"]), number(row["latitude"], float),
                 number(row["longitude"], float), number(row["geonameid"], int),
                 row["iso_code"] or None, row["citation"], line)


def check_provinces_match_cities(entries):
    """A province that is also a city (Nampo) is written the same way in both rows."""
    for (kind, name), entry in entries.items():
        city = entries.get(("city", name))
        if kind == "province" and city and (city.hangul, city.hancha, city.mr) != (
                entry.hangul, entry.hancha, entry.mr):
            raise InputError(entry.line, f"province {name!r} is named differently from city "
                                         f"{name!r} on line {city.line}")


def read_names(path):
    """source/korean-names.csv -> {(kind, name): Entry}; names, codes and ids are unique."""
    entries, seen = {}, {}
    with in_file(path):
        for line, row in checked_rows(path, NAMES_HEADER):
            entry = parse_entry(row, line)
            for key in [(entry.kind, entry.name), ("iso_code", entry.iso_code),
                        ("geonameid", entry.geonameid)]:
                if key[1] is not None and key in seen:
                    raise InputError(line, f"duplicate {key[0]} {key[1]!r} (first on line "
                                           f"{seen[key]})")
                seen[key] = line
            entries[entry.kind, entry.name] = entry
        check_provinces_match_cities(entries)
    return entries


def read_overrides(path):
    """source/coordinate-overrides.csv -> {city: Override}: cited, real disagreements only."""
    overrides = {}
    with in_file(path):
        for line, row in checked_rows(path, OVERRIDES_HEADER):
            if not all(row.values()):
                raise InputError(line, "each row needs city, geonameid, reason and citation")
            if row["city"] in overrides:
                raise InputError(line, f"duplicate city {row['city']!r}")
            overrides[row["city"]] = Override(row["city"], int(row["geonameid"]), row["reason"],
                                              row["citation"], line)
    return overrides
