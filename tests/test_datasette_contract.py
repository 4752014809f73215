"""Where this site does not need Datasette changed, its plugins leave Datasette's contract alone:
a Datasette without a file still answers, a plugin can still write to a mutable database, and a
setting the site refuses stops the start with one line."""
import asyncio
import sqlite3

import click
import pytest
from click.testing import CliRunner
from datasette.app import Datasette
from datasette.database import Database
from datasette.cli import cli

from helpers import PLUGINS


@pytest.fixture(scope="module", autouse=True)
def plugins_registered():
    """plugins/ in Datasette's plugin manager, so every Datasette below runs with them (as
    Datasette's own test suite does once they are registered)."""
    Datasette(memory=True, plugins_dir=str(PLUGINS))


@pytest.mark.parametrize("kwargs", [{"memory": True}, {}], ids=["memory", "no file"])
@pytest.mark.parametrize("path", ["/", "/-/versions.json", "/_memory.json?sql=select+1"])
def test_a_datasette_without_a_file_answers(kwargs, path):
    response = asyncio.run(Datasette(**kwargs).client.get(path))
    assert response.status_code == 200, response.text


@pytest.mark.parametrize("old, new", [(":memory:.csv?sql=select+1", "_memory.csv?sql=select+1"),
                                      (":memory:", "_memory"), (":memory:?sql=select+1",
                                                                "_memory?sql=select+1")])
def test_an_old_memory_url_still_redirects(old, new):
    """Datasette 0.65 sends /:memory: to /_memory (a 301 with no body, which is not an export
    that failed, nor a database that is missing)."""
    response = asyncio.run(Datasette(memory=True).client.get(f"/{old}"))
    assert response.status_code == 301, response.text
    assert response.headers["location"] == f"/{new}"


@pytest.fixture
def mutable(tmp_path):
    path = tmp_path / "plugin-data.db"
    with sqlite3.connect(path) as conn:
        conn.execute("create table notes (note text)")
    conn.close()
    return Datasette([str(path)]).get_database("plugin-data")


def test_a_plugin_writes_through_the_write_connection(mutable):
    async def write_then_read():
        await mutable.execute_write("insert into notes values ('kept')")
        return (await mutable.execute("select note from notes")).rows
    assert [tuple(row) for row in asyncio.run(write_then_read())] == [("kept",)]


def test_a_mutable_database_is_served(mutable):
    """It changes while served by design, so it has no build record to be checked against."""
    response = asyncio.run(mutable.ds.client.get("/plugin-data/notes.json"))
    assert response.status_code == 200, response.text


def test_read_connections_do_not_write(mutable, ds):
    served = next(db for name, db in ds.databases.items() if not name.startswith("_"))
    for db, table in [(mutable, "notes"), (served, "cities")]:
        with pytest.raises(sqlite3.DatabaseError):
            asyncio.run(db.execute(f"delete from {table}"))


def test_crossdb_is_refused_at_start_in_one_line(db_path):
    result = CliRunner().invoke(cli, ["serve", str(db_path), "--crossdb", "--get", "/"])
    assert result.exit_code == 1, result.output
    assert result.output.count("\n") == 1 and "--crossdb" in result.output, result.output
    with pytest.raises(click.ClickException):
        asyncio.run(Datasette(crossdb=True).invoke_startup())


def test_an_unrecorded_file_is_refused_not_a_crash(tmp_path, db_path):
    """An immutable file with neither the build's record nor a hash in its inspect data."""
    db = tmp_path / "other.db"
    db.write_bytes(db_path.read_bytes())
    ds = Datasette(immutables=[str(db)], inspect_data={"other": {"tables": {}}})
    assert asyncio.run(ds.client.get("/")).status_code == 503


def test_another_sites_metadata(mutable, tmp_path):
    ds = Datasette([mutable.path], metadata={"title": "Another site"})
    assert asyncio.run(ds.client.get("/")).status_code == 200


def test_a_plugin_renders_its_own_template():
    ds = Datasette(memory=True)

    async def render():
        await ds.invoke_startup()
        return await ds.render_template(ds.jinja_env.from_string("{{ 1 + 2 }}"))
    assert asyncio.run(render()) == "3"


def test_a_row_linked_from_a_table_without_a_primary_key(mutable):
    with sqlite3.connect(mutable.path) as conn:
        conn.executescript("""
            create table kinds (id integer primary key, name text);
            create table things (name text, kind_id integer references kinds(id));
            insert into kinds values (1, 'one');
            insert into things values ('a thing', 1);""")
    conn.close()
    response = asyncio.run(Datasette([mutable.path]).client.get("/plugin-data/kinds/1"))
    assert response.status_code == 200, response.text


def test_a_database_page_in_datasettes_own_templates(mutable):
    """Without this site's templates the database page is Datasette's, with what its template
    reads (the database_actions hook's links, every table's columns)."""
    response = asyncio.run(mutable.ds.client.get("/plugin-data"))
    assert response.status_code == 200, response.text
    assert '<a href="/plugin-data/notes">notes</a>' in response.text
    assert "<p><em>note</em></p>" in response.text


def test_a_database_is_found_at_its_route_not_its_name():
    """A database added with a route of its own is at that route only: its name is a 404 and
    no redirect (Datasette's own test_routes checks the same)."""
    async def get(path):
        ds = Datasette()
        db = Database(ds, is_memory=True, memory_name="contract-route")
        ds.add_database(db, name="original-name", route="custom-route-name")
        await db.execute_write_script("create table if not exists t (id integer primary key);"
                                      "insert or replace into t (id) values (1);")
        return await ds.client.get(path)
    assert asyncio.run(get("/custom-route-name/t/1")).status_code == 200
    assert asyncio.run(get("/original-name/t/1")).status_code == 404


def test_a_home_page_in_datasettes_own_templates(mutable):
    """Without this site's templates the home page is Datasette's, with the counts it shows."""
    response = asyncio.run(mutable.ds.client.get("/"))
    assert response.status_code == 200, response.text
    assert "0 rows in 1 table" in response.text, response.text
