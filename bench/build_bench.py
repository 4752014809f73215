"""Build benchmark: the whole build process against the import floor, and scaling to 100,000
synthetic cities against a raw sqlite3 executemany of the same rows into the same schema.

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

import build
from bench.generate import make_source

ROOT = Path(build.__file__).resolve().parent
PYTHON = sys.executable
# The floor, plus the modules build.py imports that those two do not already import.
FLOOR = [PYTHON, "-c", "import sqlite_utils, click, yaml, csv, sqlite3"]
# build.build() alone, timed inside a fresh process: parse + load + write + rename.
OWN_WORK = ("import sys, time, build\nstart, cpu = time.perf_counter(), time.process_time()\n"
            "build.build(sys.argv[1], sys.argv[2])\n"
            "print(time.perf_counter() - start, time.process_time() - cpu)")
TABLES = ("statuses", "sort_keys", "provinces", "cities", "notes", "provenance")


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


def build_command(source, db):
    return [PYTHON, "build.py", str(source), "--db", str(db)]


def floor_vs_build(folder, repeat):
    """Median (wall, CPU) seconds of the import floor, the build process and its own work."""
    db = folder / "north-korea-cities.db"
    times = {"floor": [], "build": [], "own work": []}
    for _ in range(repeat):
        times["floor"].append(timed(FLOOR))
        times["build"].append(timed(build_command(build.DEFAULT_SOURCE, db)))
        times["own work"].append(own_work(build.DEFAULT_SOURCE, db))
    return {key: medians(value) for key, value in times.items()}


def raw_insert(rows, db_path):
    """The floor for loading: the finished rows, executemany into schema.sql, one commit."""
    Path(db_path).unlink(missing_ok=True)
    start, cpu = time.perf_counter(), time.process_time()
    db = sqlite3.connect(db_path, isolation_level=None)
    db.executescript("BEGIN;\n" + build.SCHEMA.read_text(encoding="utf-8"))
    for table, table_rows in rows.items():
        marks = ", ".join("?" * len(table_rows[0]))
        db.executemany(f"INSERT INTO {table} VALUES ({marks})", table_rows)
    db.execute("COMMIT")
    db.close()
    return time.perf_counter() - start, time.process_time() - cpu


def scaling(folder, sizes, repeat):
    """For each size: median (wall, CPU) seconds of the build process and of the raw insert."""
    results = {}
    for size in sizes:
        source, db = folder / f"cities-{size}.txt", folder / f"cities-{size}.db"
        source.write_text(make_source(size), encoding="utf-8")
        builds, raws = [], []
        for _ in range(repeat):
            builds.append(timed(build_command(source, db)))
            with closing(sqlite3.connect(db)) as built:
                rows = {t: built.execute(f"SELECT * FROM {t}").fetchall() for t in TABLES}
            raws.append(raw_insert(rows, folder / "raw.db"))
        results[size] = {"build": medians(builds), "raw": medians(raws)}
    return results
