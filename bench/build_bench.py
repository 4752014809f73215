"""Build benchmark: the whole build process against the import floor, and scaling to 100,000
synthetic cities (with their Korean-names supplement) against a raw sqlite3 executemany of the
same rows into the same schema, full-text indexes included.

Runs are interleaved (floor, build, floor, build, ...) so that drift in machine load hits both,
and medians are reported, of wall time and of CPU time (user + system), which other jobs on a
shared machine disturb much less.
"""

import resource
import sqlite3
import statistics
import subprocess
import sys
import time
from contextlib import closing
from pathlib import Path

from bench.generate import CHANGES_NONE, CONTRADICTIONS_NONE, make_source, make_supplement

ROOT = Path(__file__).resolve().parent.parent
SOURCE = ROOT / "source" / "list-of-cities-in-north-korea.txt"
SCHEMA = ROOT / "schema.sql"
PYTHON = sys.executable
# The floor: importing the libraries the build (nkcities/build/) cannot start without, a cost
# no build of this data avoids.
FLOOR = [PYTHON, "-c", "import sqlite_utils, click, yaml, csv, sqlite3, ko_pron"]
# nkcities.build.build_database.build_database() alone, timed inside a fresh process:
# parse + load + write + rename.
OWN_WORK = ("import sys, time\nfrom nkcities.build.build_database import build_database\n"
            "from nkcities.build.inputs import Inputs\n"
            "start, cpu = time.perf_counter(), time.process_time()\n"
            "build_database(sys.argv[2], Inputs(source=sys.argv[1]))\n"
            "print(time.perf_counter() - start, time.process_time() - cpu)")
# Tables and full-text indexes, in schema.sql's order (shadow tables are the indexes' own).
TABLES = """SELECT t.name, t.ncol, t.type FROM pragma_table_list AS t
    JOIN sqlite_master AS m ON m.name = t.name AND m.type = 'table'
    WHERE t.schema = 'main' AND t.type IN ('table', 'virtual') AND t.name NOT LIKE 'sqlite_%'
    ORDER BY m.rowid"""  # not sqlite_stat1 (the build's ANALYZE): raw_insert's schema has none


def timed(command):
    """(wall, CPU) seconds of a command run to completion; CPU is user + system time."""
    before, start = resource.getrusage(resource.RUSAGE_CHILDREN), time.perf_counter()
    subprocess.run(command, cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
    wall, after = time.perf_counter() - start, resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime


def own_work(source, db):
    out = subprocess.run([PYTHON, "-c", OWN_WORK, str(source), str(db)], cwd=ROOT, check=True,
                         capture_output=True, text=True).stdout
    return tuple(float(number) for number in out.split())


def medians(pairs):
    """[(wall, cpu), ...] -> (median wall, median cpu)."""
    return tuple(statistics.median(values) for values in zip(*pairs))


def build_command(source, db, *options):
    return [PYTHON, "build.py", str(source), "--db", str(db), *map(str, options)]


def floor_vs_build(folder, repeat):
    """Median (wall, CPU) seconds of the import floor, the build process and its own work."""
    db = folder / "north-korea-cities.db"
    times = {"floor": [], "build": [], "own work": []}
    for _ in range(repeat):
        times["floor"].append(timed(FLOOR))
        times["build"].append(timed(build_command(SOURCE, db)))
        times["own work"].append(own_work(SOURCE, db))
    return {key: medians(value) for key, value in times.items()}


def finished_rows(db_path):
    """What a build wrote: {table: (column count, rows)} of every table, and the names of its
    full-text indexes (external content: they hold no rows of their own)."""
    with closing(sqlite3.connect(db_path)) as db:
        tables = db.execute(TABLES).fetchall()
        rows = {name: stored_rows(db, name) for name, _, kind in tables if kind == "table"}
    return rows, [name for name, _, kind in tables if kind == "virtual"]


def stored_rows(db, table):
    """(column names, rows) of a table's stored columns: a generated column (cities.geometry)
    is computed by SQLite and cannot be inserted."""
    names = [row[1] for row in db.execute(f"PRAGMA table_xinfo([{table}])") if row[6] == 0]
    columns = ", ".join(f"[{name}]" for name in names)
    return names, db.execute(f"SELECT {columns} FROM [{table}]").fetchall()


def raw_insert(finished, db_path):
    """The floor for loading: the finished rows, executemany into schema.sql, the full-text
    indexes built from them as build.py builds them, one commit."""
    rows, indexes = finished
    Path(db_path).unlink(missing_ok=True)
    start, cpu = time.perf_counter(), time.process_time()
    db = sqlite3.connect(db_path, isolation_level=None)
    db.executescript("BEGIN;\n" + SCHEMA.read_text(encoding="utf-8"))
    for table, (names, table_rows) in rows.items():
        columns, places = ", ".join(f"[{name}]" for name in names), ", ".join("?" * len(names))
        db.executemany(f"INSERT INTO [{table}] ({columns}) VALUES ({places})", table_rows)
    for index in indexes:
        db.execute(f"INSERT INTO [{index}] ([{index}]) VALUES ('rebuild')")
    db.execute("COMMIT")
    db.close()
    return time.perf_counter() - start, time.process_time() - cpu


def scaling(folder, sizes, repeat):
    """For each size: median (wall, CPU) seconds of the build process and of the raw insert."""
    results = {}
    for size in sizes:
        source, db = folder / f"cities-{size}.txt", folder / f"cities-{size}.db"
        names = folder / f"names-{size}.csv"
        source.write_text(make_source(size), encoding="utf-8")
        names.write_text(make_supplement(size), encoding="utf-8")
        none = folder / "contradictions.yml"
        none.write_text(CONTRADICTIONS_NONE, encoding="utf-8")
        no_changes = folder / "status-changes.csv"
        no_changes.write_text(CHANGES_NONE, encoding="utf-8")
        builds, raws = [], []
        for _ in range(repeat):
            builds.append(timed(build_command(source, db, "--names", names,
                                              "--contradictions", none,
                                              "--changes", no_changes)))
            raws.append(raw_insert(finished_rows(db), folder / "raw.db"))
        results[size] = {"build": medians(builds), "raw": medians(raws)}
    return results
