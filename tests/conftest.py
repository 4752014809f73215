"""Shared fixtures: one database built per session into a temporary folder."""

import asyncio
import sqlite3
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner
from datasette.app import Datasette

import build
from nkcities.build import datapackage
from harness.server import running_server, write_inspect

ROOT = Path(__file__).resolve().parent.parent
SOURCE = ROOT / "source" / "list-of-cities-in-north-korea.txt"
METADATA = ROOT / "metadata.yml"
DB_NAME = "north-korea-cities"

# Facts read from the source by eye, not from the database.
SOURCE_CITIES = 28
SOURCE_POPULATION = 10_504_092
SOURCE_PROVINCES = 13  # 9 provinces named in the list + Pyongyang, Nampo, Rason, Kaesong
SOURCE_STATUSES = 4


def run_build(*args):
    """Run build.py's command line in-process; returns click's Result."""
    return CliRunner().invoke(build.main, [str(arg) for arg in args])


def build_with_supplement(tmp_path, option, name, text):
    """Build into tmp_path with `text` as the supplement build.py's `option` reads, written to
    tmp_path/name: (click's Result, the supplement's path, the database's path)."""
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    db = tmp_path / "north-korea-cities.db"
    return run_build(SOURCE, "--db", db, option, path), path, db


@pytest.fixture(scope="session")
def db_path(tmp_path_factory):
    path = tmp_path_factory.mktemp("built") / f"{DB_NAME}.db"
    result = run_build(SOURCE, "--db", path)
    assert result.exit_code == 0, result.output
    return path


@pytest.fixture
def fresh_db(tmp_path):
    """A database built into this test's own folder, for a test that tries to break it."""
    path = tmp_path / f"{DB_NAME}.db"
    result = run_build(SOURCE, "--db", path)
    assert result.exit_code == 0, result.output
    return path


@pytest.fixture(scope="session")
def db(db_path):
    connection = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
    yield connection
    connection.close()


@pytest.fixture(scope="session")
def metadata():
    return yaml.safe_load(METADATA.read_text(encoding="utf-8"))


@pytest.fixture(scope="session")
def ds(db_path):
    # metadata.yml read for it alone: a database or table page fills the licence and source it
    # inherits into the dict Datasette was given (Datasette.update_with_inherited_metadata).
    metadata = yaml.safe_load(METADATA.read_text(encoding="utf-8"))
    return Datasette(immutables=[str(db_path)], metadata=metadata,
                     settings={"suggest_facets": False}, plugins_dir=str(ROOT / "plugins"))


@pytest.fixture(scope="session")
def get(ds):
    """GET a path through Datasette's own ASGI client."""
    def get(path):
        return asyncio.run(ds.client.get(path))
    return get


@pytest.fixture(scope="session")
def dist_path(db_path):
    """The Frictionless Data Package of the session's database, written by datapackage.py's CLI
    into dist/ beside it, where the server finds it (as make build does)."""
    path = db_path.parent / "dist"
    result = CliRunner().invoke(datapackage.main, [str(db_path), "--dist", str(path)])
    assert result.exit_code == 0, result.output
    return path


@pytest.fixture(scope="session")
def server(db_path, dist_path):
    """Base URL of nkcities/web/serve.py serving the session's database (and its inspect file)."""
    with running_server(db_path, write_inspect(db_path)) as running:
        yield running.url


# The fast tier (`make test-fast`, `pytest -m "not external"`) leaves out every test that needs
# more than this process: a browser, a real server, another program, or many builds.
REAL_SERVER = {"server", "served", "proxied"}
OUT_OF_PROCESS = (
    "test_serve_start.py::test_start_refused_as_a_process",  # python -m nkcities.web.serve
    "test_serve_start.py::test_file_changed_while_serving",  # a real server
    "test_http_cache.py::test_etag_follows_the_recorded_hash",  # three real servers
    "test_dockerfile.py::test_image_build_step",  # the image's build, run by bash
    "test_citation.py::test_cffconvert_validates",  # cffconvert in .venv-cff
    "test_geojson.py::test_ogrinfo",  # GDAL
    "test_datapackage.py::test_frictionless_validate",  # frictionless's command line
    "test_fuzz_build.py",  # 50 builds
)


# Tests whose verdict depends on wall time or on having the CPU to themselves: `make test` runs
# them alone after the others have run two at a time (pytest-xdist), so nothing competes with them.
TIMING = (
    "test_serving.py",  # latency ratios, answers within 1 s, rate windows, 503 at once, timeouts
    "test_hostile_sql.py",  # each hostile request answered within 1-2 s
    "test_slow_clients.py",  # slowhttptest; legitimate latencies; closed within timeout + 2 s
    "test_noisy_clients.py",  # loud p50 against the quiet p50
    "test_burst.py",  # 50 connections at once, none refused
    # 503 within 1 s, SIGTERM within 10 s; SIGHUP 0.2 s into a request; the log read after 0.2 s
    "test_serve_start.py::test_file_changed_while_serving",
    "test_serve_start.py::test_same_size_same_mtime_rewrite_is_caught",
    "test_serve_start.py::test_sighup_ends_the_server_like_sigterm",
    "test_serve_start.py::test_access_log_lines_are_bounded",
    "test_load.py",  # requests/s and p99
    "test_stack.py::test_a_cache_hit_takes_no_turn",  # held requests all taken in within 0.2 s
    "browser/test_lighthouse.py",  # performance scores
    "browser/test_watch.py",  # a page's errors caught within 500 ms
)


def pytest_collection_modifyitems(config, items):
    for item in items:
        nodeid = item.nodeid.removeprefix("tests/")
        if ("browser" in item.path.parts or REAL_SERVER & set(item.fixturenames)
                or nodeid.startswith(OUT_OF_PROCESS)):
            item.add_marker(pytest.mark.external)
        if nodeid.startswith(TIMING):
            item.add_marker(pytest.mark.timing)
