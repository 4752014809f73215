"""Property: whatever is done to the source, the build either writes a sound database or exits 1
with one `PATH:LINE: what` line, leaving the previous database as it was and no temporary file.
`python build.py --check` reaches the same verdict with the same message and writes nothing.

Mutations: delete, duplicate, swap, split and join lines; delete, duplicate, swap and replace
cells; random bytes; invalid UTF-8; a BOM; CRLF line endings; truncation; an empty file; huge,
negative and malformed numbers; bad dates.
FUZZ_EXAMPLES sets how many examples (50 by default; `make fuzz` runs 1,000).
"""

import hashlib
import os
import re
import shutil
import sqlite3
import tempfile
from collections import Counter
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import SOURCE, run_build
from figures import report
from helpers import sha256

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "50"))
ORIGINAL = SOURCE.read_bytes()
SUPPLEMENTS = SOURCE.parent  # source/: the cited files the build reads beside the source
UNKNOWN = "<u>\u3000</u>"
INVALID_UTF8 = [b"\xff", b"\xc3", b"\xc3\x28", b"\xed\xa0\x80", b"\xf4\x90\x80\x80", b"\xe2\x82"]
OUTCOMES = Counter()


def lines_of(data):
    return data.split(b"\n")


def pick(data, items):
    return data.draw(st.integers(0, len(items) - 1))


def delete_line(source, data):
    lines = lines_of(source)
    del lines[pick(data, lines)]
    return b"\n".join(lines)


def duplicate_line(source, data):
    lines = lines_of(source)
    i = pick(data, lines)
    return b"\n".join(lines[:i] + [lines[i]] + lines[i:])


def swap_lines(source, data):
    lines = lines_of(source)
    i, j = pick(data, lines), pick(data, lines)
    lines[i], lines[j] = lines[j], lines[i]
    return b"\n".join(lines)


def number(data):
    value = data.draw(st.integers(-10**13, 10**13) | st.sampled_from([0, 1, 999_999_999]))
    return data.draw(st.sampled_from([f"{value:,}", str(value), f"{value:,}".replace(",", " "),
                                      f"{value / 7:.2f}", f"{value:e}"]))


def date(data):
    year, month, day = (data.draw(st.integers(0, limit)) for limit in (99_999, 99, 99))
    parts = [f"{year:04d}", f"{month:02d}", f"{day:02d}"]
    for i in data.draw(st.sets(st.integers(0, 2))):
        parts[i] = UNKNOWN
    return "-".join(parts)


def cell_value(data):
    return data.draw(st.one_of(st.builds(number, st.data()), st.builds(date, st.data()),
                               st.text(max_size=20), st.sampled_from(["", "AA", "AD", "-"])))


def mutate_cells(source, data):
    """Delete, duplicate, swap or replace cells of one table row."""
    lines = lines_of(source)
    rows = [i for i, line in enumerate(lines) if line.startswith(b"|")]
    if not rows:
        return source
    i = rows[pick(data, rows)]
    cells = lines[i].split(b"|")
    j, k = pick(data, cells), pick(data, cells)
    action = data.draw(st.sampled_from(["delete", "duplicate", "swap", "replace"]))
    if action == "delete":
        del cells[j]
    elif action == "duplicate":
        cells.insert(j, cells[j])
    elif action == "swap":
        cells[j], cells[k] = cells[k], cells[j]
    else:
        cells[j] = f" {cell_value(data)} ".encode("utf-8")
    lines[i] = b"|".join(cells)
    return b"\n".join(lines)


def insert_bytes(source, data):
    at = data.draw(st.integers(0, len(source)))
    junk = data.draw(st.binary(min_size=1, max_size=8) | st.sampled_from(INVALID_UTF8))
    return source[:at] + junk + source[at:]


def split_line(source, data):
    at = data.draw(st.integers(0, len(source)))
    return source[:at] + b"\n" + source[at:]


def join_lines(source, data):
    breaks = [i for i, byte in enumerate(source) if byte == ord("\n")]
    if not breaks:
        return source
    at = breaks[pick(data, breaks)]
    return source[:at] + source[at + 1:]


def crlf(source, data):
    if data.draw(st.booleans()):
        return source.replace(b"\n", b"\r\n")
    lines = lines_of(source)
    i = pick(data, lines)
    lines[i] += b"\r"
    return b"\n".join(lines)


def truncate(source, data):
    return source[:data.draw(st.integers(0, len(source)))]


MUTATIONS = {
    "delete line": delete_line, "duplicate line": duplicate_line, "swap lines": swap_lines,
    "split line": split_line, "join lines": join_lines, "cells": mutate_cells,
    "bytes": insert_bytes, "crlf": crlf, "truncate": truncate,
    "bom": lambda source, data: b"\xef\xbb\xbf" + source,
    "empty": lambda source, data: b"",
    "no final newline": lambda source, data: source.rstrip(b"\n"),
}


def assert_sound(db_path, source_bytes):
    db = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
    try:
        assert db.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        assert db.execute("PRAGMA foreign_key_check").fetchall() == []
        cities, listed, reconciled = db.execute(
            "SELECT (SELECT count(*) FROM cities), (SELECT count(*) FROM city_list), "
            "(SELECT sum(listed_count) FROM status_reconciliation)").fetchone()
        assert cities > 0 and cities == listed == reconciled
        recorded = db.execute("SELECT value FROM provenance WHERE key = 'source_sha256'").fetchone()
        assert recorded == (hashlib.sha256(source_bytes).hexdigest(),)
    finally:
        db.close()


def assert_one_clean_line(result, source_path):
    """One line naming the source, or a supplement in source/ that no longer agrees with it."""
    assert result.exit_code == 1, result.output
    assert isinstance(result.exception, SystemExit), result.exception  # not a traceback
    paths = rf"{re.escape(str(source_path))}|{re.escape(str(SUPPLEMENTS))}/[^/:]+"
    assert re.fullmatch(rf"({paths}):[1-9][0-9]*: \S.*\n", result.output), result.output


@pytest.fixture(scope="module", autouse=True)
def figures(request):
    yield
    report(request.config, "fuzz", [
        f"examples: {OUTCOMES['examples']} (FUZZ_EXAMPLES={EXAMPLES})",
        f"built a sound database: {OUTCOMES['built']}",
        f"refused with one PATH:LINE: line: {OUTCOMES['refused']}",
        "mutations applied: " + ", ".join(f"{k} {v}" for k, v in sorted(OUTCOMES.items())
                                          if k in MUTATIONS),
    ])
    assert OUTCOMES["examples"] >= EXAMPLES


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_any_source_builds_soundly_or_fails_cleanly(db_path, data):
    source = ORIGINAL
    for _ in range(data.draw(st.integers(1, 3))):
        name = data.draw(st.sampled_from(sorted(MUTATIONS)))
        source = MUTATIONS[name](source, data)
        OUTCOMES[name] += 1
    OUTCOMES["examples"] += 1
    with tempfile.TemporaryDirectory() as folder:
        folder = Path(folder)
        source_path, db = folder / "source.txt", folder / "north-korea-cities.db"
        source_path.write_bytes(source)
        shutil.copyfile(db_path, db)
        before = sha256(db)
        checked = run_build(source_path, "--check", "--db", db)
        built = run_build(source_path, "--db", db)
        sidecar = [f"{db.name}.sha256"] if built.exit_code == 0 else []
        assert sorted(p.name for p in folder.iterdir()) == sorted(
            [db.name, source_path.name, *sidecar])
        if built.exit_code == 0:
            OUTCOMES["built"] += 1
            assert_sound(db, source)
            assert checked.exit_code == 0
        else:
            OUTCOMES["refused"] += 1
            assert_one_clean_line(built, source_path)
            assert checked.output == built.output and checked.exit_code == 1
            assert sha256(db) == before
