"""plugins/table_allows.py keeps Datasette's answers and changes none of its permission checks."""

import asyncio

import pytest
from datasette.app import Datasette

from conftest import DB_NAME, ROOT

# Denials in metadata, one of them under another spelling of the table's name.
GUARDED = {"databases": {DB_NAME: {"tables": {"cities": {"allow": {"id": "root"}},
                                              "PROVINCES": {"allow": False}}}}}


def started(ds):
    """The Datasette after its startup hooks ran, which installs the plugin on it."""
    asyncio.run(ds.invoke_startup())
    assert "_table_permission_allows" in vars(ds), "the plugin is not installed"
    return ds


@pytest.fixture(scope="module")
def guarded(db_path):
    return started(Datasette(immutables=[str(db_path)], metadata=GUARDED,
                             plugins_dir=str(ROOT / "plugins")))


def names(db):
    return [name for (name,) in db.execute(
        "select name from sqlite_master where type in ('table', 'view')")]


@pytest.mark.parametrize("which", ["project", "guarded"])
def test_same_answers_as_datasette(request, db, which):
    ds = started(request.getfixturevalue("ds" if which == "project" else "guarded"))
    for name in names(db) + ["CITIES", "Provinces", "no_such_table"]:
        for _ in range(2):  # the second answer is the kept one
            assert ds._table_permission_allows(DB_NAME, name) \
                == tuple(Datasette._table_permission_allows(ds, DB_NAME, name)), name


def test_guarded_metadata_has_answers(guarded):
    assert guarded._table_permission_allows(DB_NAME, "cities") == ({"id": "root"},)
    assert guarded._table_permission_allows(DB_NAME, "provinces") == (False,)


@pytest.mark.parametrize("path, actor, status", [
    ("cities.json", None, 403), ("cities.json", {"id": "root"}, 200),
    ("provinces.json", None, 403), ("provinces.json", {"id": "root"}, 403),
    ("statuses.json", None, 200),
])
def test_denials_still_apply(guarded, path, actor, status):
    cookies = {"ds_actor": guarded.sign({"a": actor}, "actor")} if actor else {}
    for _ in range(2):
        response = asyncio.run(guarded.client.get(f"/{DB_NAME}/{path}", cookies=cookies))
        assert response.status_code == status
