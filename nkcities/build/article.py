"""Parse the article (source/list-of-cities-in-north-korea.txt): text in, rows out.

Pure: no files, no SQLite. Errors are InputErrors with the line; the caller names the file."""

import datetime
import re
from typing import NamedTuple

from nkcities.build.errors import InputError

SUMMARY_HEADER = ["| Name | Korean | No. | | |", "| Chosŏn'gŭl | Hancha | | | |"]
CITY_HEADER = ["City", "Chosŏn'gŭl", "Hancha", "Province", "Population", "Founded"]
UNKNOWN = "<u>\u3000</u>"  # how the article marks an unknown part of a date
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


def parse_founded(cell, line):
    """'1987-08-<u>　</u>' -> ('1987-08', 'month'); never invents a missing part."""
    match = FOUNDED.fullmatch(cell)
    if not match:
        raise InputError(line, f"founded date {cell!r} is not YYYY-MM-DD with unknown parts "
                               f"as {UNKNOWN!r}")
    known = [part for part in match.groups() if part != UNKNOWN]
    if match.group(2) == UNKNOWN and match.group(3) != UNKNOWN:
        raise InputError(line, f"founded date {cell!r} has a day but no month")
    value, precision = "-".join(known), ["year", "month", "day"][len(known) - 1]
    try:
        datetime.date.fromisoformat(value + "-01" * (3 - len(known)))
    except ValueError:
        raise InputError(line, f"founded date {cell!r} is not a real date") from None
    return value, precision


def parse_population(cell, line):
    if not POPULATION.fullmatch(cell) or len(cell) > 11:
        raise InputError(line, f"population {cell!r} is not a whole number like 240,117")
    return int(cell.replace(",", ""))


def table_cells(text, width, line):
    if not (text.startswith("|") and text.endswith("|")):
        raise InputError(line, "table row must start and end with '|'")
    cells = [cell.strip() for cell in text[1:-1].split("|")]
    if len(cells) != width:
        raise InputError(line, f"table row has {len(cells)} cells, expected {width}")
    return cells


def parse_status(text, line):
    blank, name, korean, number, count = table_cells(text, 5, line)
    if blank or korean or number or not name:
        raise InputError(line, "summary row must be '| | status | | | count |'")
    if not count.isdigit() or not count.isascii() or len(count) > 6:
        raise InputError(line, f"declared count {count!r} is not a whole number")
    return Status(name, int(count), line)


def parse_city(text, line):
    name, hangul, hancha, province, population, founded = table_cells(text, 6, line)
    if not name:
        raise InputError(line, "city has no name")
    if hangul or hancha:
        raise InputError(line, "the Chosŏn'gŭl and Hancha columns are expected empty in this "
                               "source")
    if not (SORT_KEY.fullmatch(province) or PROVINCE_NAME.fullmatch(province)):
        raise InputError(line, f"province {province!r} is neither a province name nor a sort key")
    return City(name, province, parse_population(population, line),
                *parse_founded(founded, line), line)


def parse_table(block):
    """A block of consecutive (line, '|' text): the summary table or the city table."""
    (first_line, first), rows = block[0], block[1:]
    if [text for _, text in block[:2]] == SUMMARY_HEADER:
        return "statuses", [parse_status(text, line) for line, text in block[2:]]
    if table_cells(first, 6, first_line) == CITY_HEADER:
        return "cities", [parse_city(text, line) for line, text in rows]
    raise InputError(first_line, "table header is neither the summary table nor the city list")


def parse_prose(text, section, line):
    """Headings return a new section; other prose becomes a Note."""
    heading = re.fullmatch(r"==\s*(.+?)\s*==", text)
    if heading:
        return heading.group(1), None
    if text.startswith(";"):
        return section, None  # ';Notes:' only introduces the bullets below it
    if text.startswith("- "):
        if not text[2:].strip():
            raise InputError(line, "bullet '- ' with no text")
        kind = "see also" if section == "See also" else "note"
        return section, Note(section, kind, text[2:].strip(), line)
    kind = "note" if text.startswith("(Note:") else "paragraph"
    return section, Note(section, kind, text, line)


def split_lines(text):
    """Number the lines. The source is a byte-for-byte copy of the article: what an editor
    changes when it saves (a BOM, CRLF line endings, no final newline) is refused, not undone,
    since the build records the file's sha256."""
    if not text:
        raise InputError(1, "source is empty")
    if text.startswith("\ufeff"):
        raise InputError(1, "starts with a byte order mark (BOM); save the file as UTF-8 "
                            "without BOM")
    lines = text.split("\n")
    for line, raw in enumerate(lines, start=1):
        if "\r" in raw:
            raise InputError(line, "carriage return in line (CRLF line endings?); save with LF "
                                   "endings")
        control = CONTROL.search(raw)
        if control:  # SQLite's length() and Datasette's pages stop at a NUL
            raise InputError(line, f"control character {control.group()!r} at column "
                                   f"{control.start() + 1}")
    if lines.pop() != "":
        raise InputError(len(lines) + 1, "no newline at the end of the last line")
    title = re.fullmatch(r"= (.+) =", lines[0])
    if not title:
        raise InputError(1, "first line must be the article title, '= Title ='")
    return title.group(1), list(enumerate(lines, start=1))[1:]


def check_unique(rows, what):
    seen = {}
    for row in rows:
        if row.name in seen:
            raise InputError(row.line, f"duplicate {what} {row.name!r} (first on line "
                                       f"{seen[row.name]})")
        seen[row.name] = row.line


def parse_source(text):
    """The article's text -> Source of statuses, cities and notes; names are unique."""
    title, numbered = split_lines(text)
    tables, notes, block, section = {}, [], [], title
    for line, raw in numbered + [(len(numbered) + 2, "")]:
        if raw.startswith("|"):
            block.append((line, raw))
            continue
        if block:
            kind, rows = parse_table(block)
            if kind in tables:
                raise InputError(block[0][0], f"a second {kind} table")
            tables[kind], block = rows, []
        if raw.strip():
            section, note = parse_prose(raw, section, line)
            notes += [note] if note else []
    for kind in ("statuses", "cities"):
        if not tables.get(kind):
            raise InputError(len(numbered) + 1, f"no {kind} table with rows found")
    check_unique(tables["statuses"], "status")
    check_unique(tables["cities"], "city")
    return Source(title, tables["statuses"], tables["cities"], notes)
