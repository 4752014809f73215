"""Build north-korea-cities.db from the Wikipedia article kept in source/.

Reads top to bottom: parse the source text (pure, no SQLite), classify each city by its
Province cell, then load statuses, provinces and cities into the tables of schema.sql, each with
its Korean names and (cities) point from the supplement that names.py reads and checks.
Bad input raises ValueError("PATH:LINE: what is wrong"); no row is ever skipped.
"""

import contextlib
import csv
import datetime
import hashlib
import io
import os
import re
import sqlite3
import sys
import tempfile
from pathlib import Path
from typing import NamedTuple

import click
import yaml

import names
from names import fail

HERE = Path(__file__).resolve().parent
DEFAULT_SOURCE = HERE / "source" / "list-of-cities-in-north-korea.txt"
DEFAULT_SORT_KEYS = HERE / "source" / "sort-keys.csv"
DEFAULT_DB = HERE / "north-korea-cities.db"
SCHEMA = HERE / "schema.sql"
METADATA = HERE / "metadata.yml"
PUBLISHED_MODE = 0o644  # readable by the server's user, e.g. 'nobody' in the Dockerfile
SUMMARY = """SELECT (SELECT count(*) FROM cities), (SELECT count(*) FROM provinces),
    (SELECT count(*) FROM statuses), (SELECT sum(population_2008) FROM cities)"""

SUMMARY_HEADER = ["| Name | Korean | No. | | |", "| Chosŏn'gŭl | Hancha | | | |"]
CITY_HEADER = ["City", "Chosŏn'gŭl", "Hancha", "Province", "Population", "Founded"]
UNKNOWN = "<u>\u3000</u>"  # how the article marks an unknown part of a date
PROVINCE_STATUS = "city"  # the status of a city listed under a named province
POPULATION = re.compile(r"[1-9][0-9]{0,2}(,[0-9]{3})*")
SORT_KEY = re.compile(r"[A-Z]{2}")
PROVINCE_NAME = re.compile(r"[A-Z][a-z]+( [A-Z][a-z]+)*")
DATE_PART = rf"([0-9]{{2}}|{UNKNOWN})"
FOUNDED = re.compile(rf"([0-9]{{4}})-{DATE_PART}-{DATE_PART}")
CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")  # control characters other than tab


class Status(NamedTuple):
    name: str
    declared_count: int
    line: int


class City(NamedTuple):
    name: str
    province_cell: str
    population_2008: int
    founded: str
    founded_precision: str
    line: int


class Note(NamedTuple):
    section: str
    kind: str
    text: str
    line: int


class Source(NamedTuple):
    title: str
    statuses: list
    cities: list
    notes: list


def parse_founded(cell, path, line):
    """'1987-08-<u>　</u>' -> ('1987-08', 'month'); never invents a missing part."""
    match = FOUNDED.fullmatch(cell)
    if not match:
        fail(path, line, f"founded date {cell!r} is not YYYY-MM-DD with unknown parts as {UNKNOWN!r}")
    known = [part for part in match.groups() if part != UNKNOWN]
    if match.group(2) == UNKNOWN and match.group(3) != UNKNOWN:
        fail(path, line, f"founded date {cell!r} has a day but no month")
    value, precision = "-".join(known), ["year", "month", "day"][len(known) - 1]
    try:
        datetime.date.fromisoformat(value + "-01" * (3 - len(known)))
    except ValueError:
        fail(path, line, f"founded date {cell!r} is not a real date")
    return value, precision


def parse_population(cell, path, line):
    if not POPULATION.fullmatch(cell) or len(cell) > 11:
        fail(path, line, f"population {cell!r} is not a whole number like 240,117")
    return int(cell.replace(",", ""))


def table_cells(text, width, path, line):
    if not (text.startswith("|") and text.endswith("|")):
        fail(path, line, "table row must start and end with '|'")
    cells = [cell.strip() for cell in text[1:-1].split("|")]
    if len(cells) != width:
        fail(path, line, f"table row has {len(cells)} cells, expected {width}")
    return cells


def parse_status(text, path, line):
    blank, name, korean, number, count = table_cells(text, 5, path, line)
    if blank or korean or number or not name:
        fail(path, line, "summary row must be '| | status | | | count |'")
    if not count.isdigit() or not count.isascii() or len(count) > 6:
        fail(path, line, f"declared count {count!r} is not a whole number")
    return Status(name, int(count), line)


def parse_city(text, path, line):
    name, hangul, hancha, province, population, founded = table_cells(text, 6, path, line)
    if not name:
        fail(path, line, "city has no name")
    if hangul or hancha:
        fail(path, line, "the Chosŏn'gŭl and Hancha columns are expected empty in this source")
    if not (SORT_KEY.fullmatch(province) or PROVINCE_NAME.fullmatch(province)):
        fail(path, line, f"province {province!r} is neither a province name nor a sort key")
    return City(name, province, parse_population(population, path, line),
                *parse_founded(founded, path, line), line)


def parse_table(block, path):
    """A block of consecutive '|' lines: the summary table or the city table."""
    (first_line, first), rows = block[0], block[1:]
    if [text for _, text in block[:2]] == SUMMARY_HEADER:
        return "statuses", [parse_status(text, path, line) for line, text in block[2:]]
    if table_cells(first, 6, path, first_line) == CITY_HEADER:
        return "cities", [parse_city(text, path, line) for line, text in rows]
    fail(path, first_line, "table header is neither the summary table nor the city list")


def parse_prose(text, section, path, line):
    """Headings return a new section; other prose becomes a Note."""
    heading = re.fullmatch(r"==\s*(.+?)\s*==", text)
    if heading:
        return heading.group(1), None
    if text.startswith(";"):
        return section, None  # ';Notes:' only introduces the bullets below it
    if text.startswith("- "):
        if not text[2:].strip():
            fail(path, line, "bullet '- ' with no text")
        kind = "see also" if section == "See also" else "note"
        return section, Note(section, kind, text[2:].strip(), line)
    kind = "note" if text.startswith("(Note:") else "paragraph"
    return section, Note(section, kind, text, line)


def split_lines(text, path):
    """Number the lines. The source is a byte-for-byte copy of the article: what an editor
    changes when it saves (a BOM, CRLF line endings, no final newline) is refused, not undone,
    since the build records the file's sha256."""
    if not text:
        fail(path, 1, "source is empty")
    if text.startswith("\ufeff"):
        fail(path, 1, "starts with a byte order mark (BOM); save the file as UTF-8 without BOM")
    lines = text.split("\n")
    for line, raw in enumerate(lines, start=1):
        if "\r" in raw:
            fail(path, line, "carriage return in line (CRLF line endings?); save with LF endings")
        control = CONTROL.search(raw)
        if control:  # SQLite's length() and Datasette's pages stop at a NUL
            fail(path, line, f"control character {control.group()!r} at column {control.start() + 1}")
    if lines.pop() != "":
        fail(path, len(lines) + 1, "no newline at the end of the last line")
    title = re.fullmatch(r"= (.+) =", lines[0])
    if not title:
        fail(path, 1, "first line must be the article title, '= Title ='")
    return title.group(1), list(enumerate(lines, start=1))[1:]


def parse_source(text, path="source"):
    """Parse the article text into a Source of statuses, cities and notes. Knows no SQLite."""
    title, numbered = split_lines(text, path)
    tables, notes, block, section = {}, [], [], title
    for line, raw in numbered + [(len(numbered) + 2, "")]:
        if raw.startswith("|"):
            block.append((line, raw))
            continue
        if block:
            kind, rows = parse_table(block, path)
            if kind in tables:
                fail(path, block[0][0], f"a second {kind} table")
            tables[kind], block = rows, []
        if raw.strip():
            section, note = parse_prose(raw, section, path, line)
            notes += [note] if note else []
    for kind in ("statuses", "cities"):
        if not tables.get(kind):
            fail(path, len(numbered) + 1, f"no {kind} table with rows found")
    return Source(title, tables["statuses"], tables["cities"], notes)


def check_unique(rows, what, path):
    seen = {}
    for row in rows:
        if row.name in seen:
            fail(path, row.line, f"duplicate {what} {row.name!r} (first on line {seen[row.name]})")
        seen[row.name] = row.line


def read_csv(path, fields):
    """A hand-kept supplement: UTF-8 (a BOM and CRLF are fine), exactly these columns.
    Yields (line, row); a quoted value may span lines, so line is where the row ends."""
    text = decode(Path(path).read_bytes(), path).removeprefix("\ufeff")
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        if next(reader, None) != fields:
            fail(path, 1, f"header must be {','.join(fields)}")
        for row in reader:
            if len(row) != len(fields):
                fail(path, reader.line_num, f"row has {len(row)} fields, expected {len(fields)}")
            yield reader.line_num, dict(zip(fields, row))
    except csv.Error as error:
        fail(path, reader.line_num, f"not valid CSV ({error})")


def read_sort_keys(path):
    """source/sort-keys.csv: sort_key -> (status name, note, citation)."""
    keys = {}
    for line, row in read_csv(path, ["sort_key", "status", "note", "citation"]):
        if not SORT_KEY.fullmatch(row["sort_key"]) or not all(row.values()):
            fail(path, line, "each row needs sort_key (two capitals), status, note and citation")
        if not row["citation"].startswith("https://"):
            fail(path, line, f"citation {row['citation']!r} is not an https:// address")
        if row["sort_key"] in keys:
            fail(path, line, f"duplicate sort key {row['sort_key']!r}")
        keys[row["sort_key"]] = row
    return keys


def classify(city, sort_keys, path):
    """Read the Province cell: a sort key makes the city a division of its own."""
    if SORT_KEY.fullmatch(city.province_cell):
        if city.province_cell not in sort_keys:
            fail(path, city.line, f"unknown sort key {city.province_cell!r} in Province column")
        status = sort_keys[city.province_cell]["status"]
        return (city.name, "province-level city"), status
    return (city.province_cell, "province"), PROVINCE_STATUS


def status_columns(name, supplement):
    """Korean term, Hancha, McCune-Reischauer, citation."""
    e = supplement.entries["status", name]
    return e.hangul, e.hancha, e.mr, e.citation


def load_statuses(db, statuses, sort_keys, path, supplement):
    check_unique(statuses, "status", path)
    province_level = {row["status"] for row in sort_keys.values()}
    db.executemany(
        """INSERT INTO statuses (name, declared_count, province_level, source_line, hangul, hancha,
        mr, citation) VALUES (?, ?, ?, ?, ?, ?, ?, ?)""",
        [(s.name, s.declared_count, int(s.name in province_level), s.line,
          *status_columns(s.name, supplement)) for s in statuses],
    )
    return {name: id for id, name in db.execute("SELECT id, name FROM statuses")}


def load_sort_keys(db, sort_keys, status_ids, path):
    for line, (key, row) in enumerate(sort_keys.items(), start=2):
        if row["status"] not in status_ids:
            fail(path, line, f"status {row['status']!r} is not in the source's summary table")
    db.executemany(
        "INSERT INTO sort_keys (sort_key, status_id, note, citation) VALUES (?, ?, ?, ?)",
        [(key, status_ids[r["status"]], r["note"], r["citation"]) for key, r in sort_keys.items()],
    )


def division_columns(name, kind, supplement):
    """Korean names, RR, ISO 3166-2 code and pycountry's name for that code, citation."""
    e = supplement.entries["division", name]
    return (e.hangul, e.hancha, e.mr, e.rr, e.iso_code,
            names.iso_subdivision(e, kind, supplement.path), e.citation)


def load_provinces(db, cities, sort_keys, path, supplement):
    kinds = {}
    for city in cities:
        (name, kind), _ = classify(city, sort_keys, path)
        if kinds.setdefault(name, kind) != kind:
            fail(path, city.line, f"{name!r} is named both as a province and a province-level city")
    db.executemany(
        """INSERT INTO provinces (name, kind, hangul, hancha, mr, rr, iso_code, iso_name, citation)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)""",
        [(name, kind, *division_columns(name, kind, supplement)) for name, kind in kinds.items()],
    )
    return {name: id for id, name in db.execute("SELECT id, name FROM provinces")}


def city_columns(name, status, supplement):
    """Korean names, RR, full names with the status suffix, point, GeoNames id and distance."""
    e = supplement.entries["city", name]
    return (e.hangul, e.hancha, e.mr, e.rr,
            *names.full_names(e, supplement.entries["status", status]), e.latitude, e.longitude,
            e.geonameid, supplement.distances[name], e.citation)


def load_cities(db, cities, province_ids, status_ids, sort_keys, path, supplement):
    check_unique(cities, "city", path)
    rows = []
    for city in cities:
        (province, _), status = classify(city, sort_keys, path)
        if status not in status_ids:
            fail(path, city.line, f"status {status!r} is not in the source's summary table")
        rows.append((city.name, province_ids[province], status_ids[status], city.population_2008,
                     city.founded, city.founded_precision, city.line,
                     *city_columns(city.name, status, supplement)))
    db.executemany(
        """INSERT INTO cities (name, province_id, status_id, population_2008, founded,
        founded_precision, source_line, hangul, hancha, mr, rr, full_hangul, full_hancha,
        latitude, longitude, geonameid, geonames_km, citation)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
        rows,
    )


def load_city_names(db):
    """Every way of writing each city, then the full-text indexes (external content)."""
    cities = db.execute("""SELECT id, name, mr, rr, hangul, full_hangul, hancha, full_hancha
        FROM cities ORDER BY id""").fetchall()
    db.executemany(
        "INSERT INTO city_names (city_id, writing_system, name) VALUES (?, ?, ?)",
        [(id, *row) for id, *spellings in cities for row in names.name_rows(*spellings)],
    )
    for fts in ("city_names_fts", "cities_fts", "provinces_fts"):
        db.execute(f"INSERT INTO {fts} ({fts}) VALUES ('rebuild')")


def load_notes(db, notes):
    db.executemany(
        "INSERT INTO notes (section, kind, text, source_line) VALUES (?, ?, ?, ?)",
        [(n.section, n.kind, n.text, n.line) for n in notes],
    )


def load_provenance(db, source, raw, path, metadata):
    rows = {
        "article_title": source.title,
        "article_url": metadata["source_url"],
        "license": metadata["license"],
        "license_url": metadata["license_url"],
        "source_file": f"source/{Path(path).name}",
        "source_sha256": hashlib.sha256(raw).hexdigest(),
    }
    db.executemany("INSERT INTO provenance (key, value) VALUES (?, ?)", rows.items())


def decode(raw, path):
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as error:
        fail(path, raw[: error.start].count(b"\n") + 1, f"not valid UTF-8 ({error.reason})")


def read_metadata():
    """metadata.yml, with libyaml's parser when PyYAML has it (ten times faster)."""
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    return yaml.load(METADATA.read_text(encoding="utf-8"), Loader=loader)


def write_database(db_path, source, raw, source_path, sort_keys, sort_keys_path, supplement):
    db = sqlite3.connect(db_path, isolation_level=None)
    try:
        db.execute("PRAGMA foreign_keys = ON")
        # One transaction for schema and rows: one commit, not one per CREATE statement.
        db.executescript("BEGIN;\n" + SCHEMA.read_text(encoding="utf-8"))
        status_ids = load_statuses(db, source.statuses, sort_keys, source_path, supplement)
        load_sort_keys(db, sort_keys, status_ids, sort_keys_path)
        province_ids = load_provinces(db, source.cities, sort_keys, source_path, supplement)
        load_cities(db, source.cities, province_ids, status_ids, sort_keys, source_path, supplement)
        load_city_names(db)
        load_notes(db, source.notes)
        load_provenance(db, source, raw, source_path, read_metadata())
        db.execute("COMMIT")
        db.execute("VACUUM")
        return db.execute(SUMMARY).fetchone()
    finally:
        db.close()


def wanted_names(source, sort_keys, path):
    """{kind: {name: (path, line)}}: what the supplement must name, where the source names it.

    The source's own errors come first: its names must be unique before they are looked up."""
    check_unique(source.statuses, "status", path)
    check_unique(source.cities, "city", path)
    wanted = {"status": {}, "division": {}, "city": {}}
    for status in source.statuses:
        wanted["status"][status.name] = (path, status.line)
    for city in source.cities:
        wanted["city"][city.name] = (path, city.line)
        (division, _), _ = classify(city, sort_keys, path)
        wanted["division"].setdefault(division, (path, city.line))
    return wanted


def read_supplement(names_path, overrides_path, wanted):
    """Read and check source/korean-names.csv and its overrides, points against GeoNames."""
    entries = names.parse_supplement(decode(Path(names_path).read_bytes(), names_path), names_path)
    names.check_coverage(entries, wanted, names_path)
    overrides = names.parse_overrides(
        decode(Path(overrides_path).read_bytes(), overrides_path), overrides_path)
    distances = names.locate_cities(entries, overrides, names.north_korean_places(),
                                    names_path, overrides_path)
    return names.Supplement(str(names_path), entries, distances)


def write_sha256(db_path):
    """Issue 11 (minimal): record the database's sha256 beside it, `sha256sum` format,
    atomically; the server's start check and /-/health compare the served file with it."""
    digest = hashlib.sha256(db_path.read_bytes()).hexdigest()
    tmp = db_path.with_name(f".{db_path.name}.sha256.tmp")
    tmp.write_text(f"{digest}  {db_path.name}\n", encoding="utf-8")
    os.replace(tmp, db_path.with_name(db_path.name + ".sha256"))


@contextlib.contextmanager
def replacing(db_path):
    """Yield a temporary file beside db_path that replaces it only if the block succeeds;
    with db_path None, yield ':memory:', so that a check writes nothing."""
    if db_path is None:
        yield ":memory:"
        return
    db_path = Path(db_path)
    # Issue 11 (minimal; issue 14's refactor replaces it): remove a killed build's leftovers.
    for leftover in [*db_path.parent.glob(f".{db_path.name}.*.tmp"),
                     *db_path.parent.glob(f".{db_path.name}.*.tmp-journal")]:
        leftover.unlink(missing_ok=True)
    fd, tmp = tempfile.mkstemp(dir=db_path.parent, prefix=f".{db_path.name}.", suffix=".tmp")
    os.close(fd)
    os.chmod(tmp, PUBLISHED_MODE)  # mkstemp makes it 0600; the database is published
    try:
        yield tmp
        os.replace(tmp, db_path)
        write_sha256(db_path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def build(source_path, db_path, sort_keys_path=DEFAULT_SORT_KEYS,
          names_path=names.DEFAULT_NAMES, overrides_path=names.DEFAULT_OVERRIDES):
    """Parse, then load into a new database that replaces db_path (None: into memory only).
    Every check, and every constraint of schema.sql, runs either way."""
    raw = Path(source_path).read_bytes()
    source = parse_source(decode(raw, source_path), source_path)
    sort_keys = read_sort_keys(sort_keys_path)
    supplement = read_supplement(names_path, overrides_path,
                                 wanted_names(source, sort_keys, source_path))
    with replacing(db_path) as target:
        return write_database(target, source, raw, source_path, sort_keys, sort_keys_path,
                              supplement)


@contextlib.contextmanager
def one_line_errors(path):
    """For a command line: bad input, I/O and SQLite errors print one line and exit 1."""
    try:
        yield
    except ValueError as error:
        click.echo(str(error), err=True)
        sys.exit(1)
    except (OSError, sqlite3.Error, yaml.YAMLError) as error:
        click.echo(f"{path}: {error}", err=True)
        sys.exit(1)


@click.command()
@click.argument("source", default=str(DEFAULT_SOURCE), type=click.Path(exists=True, dir_okay=False))
@click.option("--db", "db_path", default=str(DEFAULT_DB), type=click.Path(dir_okay=False),
              show_default=True, help="Where to write the SQLite database.")
@click.option("--names", "names_path", default=str(names.DEFAULT_NAMES), show_default=True,
              type=click.Path(exists=True, dir_okay=False),
              help="The cited supplement of Korean names and points.")
@click.option("--overrides", "overrides_path", default=str(names.DEFAULT_OVERRIDES),
              show_default=True, type=click.Path(exists=True, dir_okay=False),
              help="Cited disagreements with GeoNames of more than 15 km.")
@click.option("--check", is_flag=True,
              help="Validate SOURCE and every supplement, in memory; write no database.")
def main(source, db_path, names_path, overrides_path, check):
    """Build the North Korean cities database from SOURCE."""
    with one_line_errors(db_path):
        cities, divisions, statuses, population = build(
            source, None if check else db_path, names_path=names_path,
            overrides_path=overrides_path)
    click.echo(f"{cities} cities, {divisions} divisions, {statuses} statuses, "
               f"population {population:,} -> {'checked, nothing written' if check else db_path}")


if __name__ == "__main__":
    main()
