"""The changes of status the article states: each city's founding in its current status (the
list, read as line 49 says) and the changes its notes tell, which source/status-changes.csv
lists, each with the words of its line of the article. Pure apart from read_changes."""

import datetime
import re
from typing import NamedTuple

from nkcities.build.csvfile import read_csv
from nkcities.build.errors import InputError, in_file

# The file's "division" columns name the province after and before the change (its word).
HEADER = ["city", "date", "change", "status", "division", "status_before", "division_before",
          "line", "quote", "reading"]
NOTED = ("annexed", "promoted", "re-merged")  # the founding dates come from the list itself
DATE = re.compile(r"[0-9]{4}(-[0-9]{2}(-[0-9]{2})?)?")
PRECISION = {4: "year", 7: "month", 10: "day"}


class Change(NamedTuple):
    city: str
    change: str
    date: str | None  # ISO 8601 with only the parts the article gives; None: stated undated
    precision: str | None
    status: str | None  # after the change, by name; None where the article does not say
    province: str | None
    status_before: str | None
    province_before: str | None
    line: int  # of the article
    quote: str


def parse_date(cell, line):
    """'2004' -> ('2004', 'year'), '2010-01-05' -> (…, 'day'), '' -> (None, None)."""
    if not cell:
        return None, None
    if not DATE.fullmatch(cell):
        raise InputError(line, f"date {cell!r} is not YYYY, YYYY-MM or YYYY-MM-DD")
    try:
        datetime.date.fromisoformat(cell + "-01" * ((10 - len(cell)) // 3))
    except ValueError:
        raise InputError(line, f"date {cell!r} is not a real date") from None
    return cell, PRECISION[len(cell)]


def parse_change(row, line, article, names):
    """One row of status-changes.csv. article: the article's lines; names: {"city" | "status" |
    "province": the names the article gives}."""
    if row["change"] not in NOTED:
        raise InputError(line, f"change {row['change']!r} is not one of: {', '.join(NOTED)}")
    for column, kind in [("city", "city"), ("status", "status"), ("division", "province"),
                         ("status_before", "status"), ("division_before", "province")]:
        if (row[column] or column == "city") and row[column] not in names[kind]:
            raise InputError(line, f"{column} {row[column]!r} is not a {kind} of the article")
    if not row["line"].isdigit() or not 0 < int(row["line"]) <= len(article):
        raise InputError(line, f"line {row['line']!r} is not a line of the article")
    number = int(row["line"])
    if not row["quote"] or row["quote"] not in article[number - 1]:
        raise InputError(line, f"line {number} of the article does not hold {row['quote']!r}")
    if not row["reading"].strip():
        raise InputError(line, "reading must say how the row reads the article")
    return Change(row["city"], row["change"], *parse_date(row["date"], line),
                  *(row[c] or None for c in HEADER[3:7]), number, row["quote"])


def founding(city, cell, article):
    """A city's row of the list as the change that gave it its current status; cell: its
    inputs.ProvinceCell."""
    return Change(city.name, "founded", city.founded, city.founded_precision, cell.status,
                  cell.name, None, None, city.line, article[city.line - 1])


def period_end(change):
    """Sorts a change by the end of the period its date names (2004 holds at 2004's end);
    one without a date last."""
    return (change.date is None, (change.date or "") + "-12-31"[len(change.date or "") - 4:])


def changes(source, cells, noted, article):
    """Every change: per city in the list's order, by date."""
    order = {city.name: city.line for city in source.cities}
    found = [founding(city, cells[city.name], article) for city in source.cities] + noted
    return sorted(found, key=lambda c: (order[c.city], period_end(c)))


def read_changes(path, article, names):
    with in_file(path):
        return [parse_change(row, line, article, names) for line, row in read_csv(path, HEADER)]
