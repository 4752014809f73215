"""Every table, view and column is described and licensed in metadata.yml."""

import pytest

from conftest import DB_NAME

PROVENANCE_KEYS = ["title", "description", "license", "license_url", "source", "source_url"]


def tables_and_columns(db):
    """Tables and views; not FTS5's shadow tables (SQLite's own storage of a search index)."""
    shadow = {row[1] for row in db.execute("PRAGMA table_list") if row[2] == "shadow"}
    names = [row[0] for row in db.execute(
        "SELECT name FROM sqlite_master WHERE type IN ('table', 'view') ORDER BY name")
        if row[0] not in shadow]
    # table_xinfo: generated columns too (cities.geometry), not a virtual table's hidden ones.
    return {name: [row[1] for row in db.execute(f"PRAGMA table_xinfo([{name}])") if row[6] != 1]
            for name in names}


def test_database_provenance(metadata):
    database = metadata["databases"][DB_NAME]
    for key in PROVENANCE_KEYS:
        assert metadata.get(key), key
        assert database.get(key) or key == "title", key


def test_every_table_and_column_described(db, metadata):
    described = metadata["databases"][DB_NAME]["tables"]
    missing = []
    for table, columns in tables_and_columns(db).items():
        entry = described.get(table, {})
        missing += [f"{table}.{key}" for key in PROVENANCE_KEYS if not entry.get(key)]
        missing += [f"{table}.{c}" for c in columns if not entry.get("columns", {}).get(c)]
    assert missing == []


def test_no_description_for_missing_things(db, metadata):
    """Descriptions of columns that no longer exist are stale."""
    actual = tables_and_columns(db)
    for table, entry in metadata["databases"][DB_NAME]["tables"].items():
        assert table in actual, table
        assert set(entry.get("columns", {})) <= set(actual[table]), table


@pytest.mark.parametrize("table", ["cities", "provinces", "statuses"])
def test_label_columns(metadata, table):
    assert metadata["databases"][DB_NAME]["tables"][table]["label_column"] == "name"


def test_no_canned_query_hides_a_table_or_view(db, metadata):
    """Datasette serves a canned query in place of the table or view of the same name."""
    queries = set(metadata["databases"][DB_NAME].get("queries", {}))
    assert queries & set(tables_and_columns(db)) == set()
