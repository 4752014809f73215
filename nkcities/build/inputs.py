"""The build's inputs: which files it reads (Inputs), read and checked (check_inputs).

Every check runs here, before any row is made or loaded: `build.py --check` stops after this and
needs no database. Reads the article, the supplements, the reference extracts and metadata.yml."""

from pathlib import Path
from typing import NamedTuple

from nkcities.build import (article, contradictions, crosscheck, geo, history, keys,
                            reference, supplements)
from nkcities.build.csvfile import decode
from nkcities.build.errors import InputError, in_file

ROOT = Path(__file__).resolve().parents[2]
SOURCE = ROOT / "source"
METADATA = ROOT / "metadata.yml"
PROVINCE_STATUS = "city"  # the status of a city listed under a named province


class Inputs(NamedTuple):
    """The files a build reads."""
    source: Path = SOURCE / "list-of-cities-in-north-korea.txt"
    sort_keys: Path = SOURCE / "sort-keys.csv"
    names: Path = SOURCE / "korean-names.csv"
    overrides: Path = SOURCE / "coordinate-overrides.csv"
    exceptions: Path = SOURCE / "crosscheck-exceptions.csv"
    contradictions: Path = SOURCE / "contradictions.yml"  # None: a source it is not about
    changes: Path = SOURCE / "status-changes.csv"  # None: a source it is not about
    geonames: Path = reference.GEONAMES
    iso: Path = reference.ISO
    hanja: Path = reference.HANJA
    metadata: Path = METADATA


class ProvinceCell(NamedTuple):
    """What a city's Province cell says: its province (a province-level city is its own) and
    its status."""
    name: str
    kind: str
    status: str


def classify(city, sort_keys):
    """Read the Province cell: a sort key makes the city a province of its own."""
    if article.SORT_KEY.fullmatch(city.province_cell):
        if city.province_cell not in sort_keys:
            raise InputError(city.line, f"unknown sort key {city.province_cell!r} in Province "
                                        f"column")
        return ProvinceCell(city.name, "province-level city",
                            sort_keys[city.province_cell]["status"])
    return ProvinceCell(city.province_cell, "province", PROVINCE_STATUS)


def wanted_names(source, cells):
    """{kind: {name: line}}: what the Korean names must name, where the source names it."""
    wanted = {"status": {s.name: s.line for s in source.statuses}, "province": {},
              "city": {c.name: c.line for c in source.cities}}
    for city in source.cities:
        wanted["province"].setdefault(cells[city.name].name, city.line)
    return wanted


def check_coverage(entries, wanted, inputs):
    """One Korean names row for each name of the source, and no row for nothing."""
    for (kind, name), entry in entries.items():
        if name not in wanted.get(kind, {}):
            raise InputError(entry.line, f"no {kind} {name!r} in the source", inputs.names)
    for kind, lines in wanted.items():
        for name, line in lines.items():
            if (kind, name) not in entries:
                raise InputError(line, f"{kind} {name!r} has no row in {inputs.names}",
                                 inputs.source)


def check_sort_key_statuses(source, sort_keys):
    """Each sort key's status is one of the summary table's (errors: sort-keys.csv)."""
    declared = {s.name for s in source.statuses}
    for row in sort_keys.values():
        if row["status"] not in declared:
            raise InputError(row["line"], f"status {row['status']!r} is not in the source's "
                                          f"summary table")


def province_kinds(source, cells):
    """{province: kind}, in order of first mention; a name is one kind (errors: the source)."""
    kinds = {}
    for city in source.cities:
        cell = cells[city.name]
        if kinds.setdefault(cell.name, cell.kind) != cell.kind:
            raise InputError(city.line, f"{cell.name!r} is named both as a province and a "
                                        f"province-level city")
    return kinds


def check_city_statuses(source, cells):
    declared = {s.name for s in source.statuses}
    for city in source.cities:
        if cells[city.name].status not in declared:
            raise InputError(city.line, f"status {cells[city.name].status!r} is not in the "
                                        f"source's summary table")


def iso_name(entry, kind, subdivisions):
    """Check a province's ISO 3166-2 code, by code; return ISO's name for it."""
    subdivision = subdivisions.get(entry.iso_code)
    if subdivision is None:
        raise InputError(entry.line, f"{entry.iso_code} is not an ISO 3166-2:KP code in "
                                     f"pycountry")
    if (subdivision["type"] == "Province") != (kind == "province"):
        raise InputError(entry.line, f"{entry.iso_code} is a {subdivision['type']} in ISO "
                                     f"3166-2, but {entry.name} is a {kind}")
    return subdivision["name"]


class Checked(NamedTuple):
    """Everything read and checked, before any row is made."""
    inputs: Inputs
    raw: bytes
    source: article.Source
    sort_keys: dict
    cells: dict  # {city: ProvinceCell}
    kinds: dict  # {province: kind}
    entries: dict  # {(kind, name): supplements.Entry}
    distances: dict  # {city: km or None}
    iso_names: dict  # {province: ISO 3166-2 name}
    keys: dict  # {"status" | "province" | "city": {name: permanent key}}
    province_lines: dict  # {province: the line of the source that first names it}
    contradictions: list  # [contradictions.Contradiction]
    changes: list  # [history.Change]: every change of status the article states


def read_article(inputs):
    with in_file(inputs.source):
        raw = Path(inputs.source).read_bytes()
        return raw, article.parse_source(decode(raw))


def read_points(inputs, entries):
    """Distances of the cities to their GeoNames places; overrides checked."""
    overrides = supplements.read_overrides(inputs.overrides)
    places = reference.places(inputs.geonames)
    with in_file(inputs.names):
        distances = geo.locate_cities(entries, overrides, places)
    with in_file(inputs.overrides):
        geo.check_overrides(overrides, entries, distances)
    return distances


def check_inputs(inputs=Inputs()):
    """Read every input and run every check, in the order a reader meets the problems."""
    raw, source = read_article(inputs)
    sort_keys = supplements.read_sort_keys(inputs.sort_keys)
    with in_file(inputs.source):
        cells = {city.name: classify(city, sort_keys) for city in source.cities}
    wanted = wanted_names(source, cells)
    with in_file(inputs.source):
        row_keys = {kind: keys.check_keys(kind, lines) for kind, lines in wanted.items()}
    entries = supplements.read_names(inputs.names)
    check_coverage(entries, wanted, inputs)
    crosscheck.check_supplement(entries, inputs.names, inputs.exceptions,
                                reference.hanja_readings(inputs.hanja))
    distances = read_points(inputs, entries)
    with in_file(inputs.sort_keys):
        check_sort_key_statuses(source, sort_keys)
    with in_file(inputs.source):
        kinds = province_kinds(source, cells)
    subdivisions = reference.subdivisions(inputs.iso)
    with in_file(inputs.names):
        iso_names = {name: iso_name(entries["province", name], kind, subdivisions)
                     for name, kind in kinds.items()}
    with in_file(inputs.source):
        check_city_statuses(source, cells)
    return Checked(inputs, raw, source, sort_keys, cells, kinds, entries, distances,
                   iso_names, row_keys, wanted["province"],
                   contradictions.read_contradictions(inputs),
                   read_changes(inputs, raw, source, cells, wanted))


def read_changes(inputs, raw, source, cells, wanted):
    """The founding dates of the list and the changes of status-changes.csv, checked against
    the article's names and lines."""
    lines = raw.decode("utf-8").split("\n")
    noted = [] if inputs.changes is None else history.read_changes(inputs.changes, lines, wanted)
    return history.changes(source, cells, noted, lines)
