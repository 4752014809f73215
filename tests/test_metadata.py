"""Every table, view and column is described in metadata.yml, and licensed: each says its
licence and source once, at the top level, which Datasette and the data package inherit."""

import pytest

from conftest import DB_NAME

PROVENANCE_KEYS = ["license", "license_url", "source", "source_url"]
WIKIPEDIA = ("CC BY-SA 4.0", "https://creativecommons.org/licenses/by-sa/4.0/",
             'Wikipedia, "List of cities in North Korea"',
             "https://en.wikipedia.org/wiki/List_of_cities_in_North_Korea")


def tables_and_columns(db):
    """Tables and views; not the FTS5 search indexes (virtual tables) or their shadow tables
    (SQLite's own storage of an index), nor sqlite_stat1 (the build's ANALYZE): Datasette hides
    them, they hold no data of their own."""
    index = {row[1] for row in db.execute("PRAGMA table_list") if row[2] in ("virtual", "shadow")}
    names = [row[0] for row in db.execute(
        "SELECT name FROM sqlite_master WHERE type IN ('table', 'view')"
        " AND name NOT LIKE 'sqlite_%' ORDER BY name")
        if row[0] not in index]
    # table_xinfo: generated columns too (cities.geometry), not a virtual table's hidden ones.
    return {name: [row[1] for row in db.execute(f"PRAGMA table_xinfo([{name}])") if row[6] != 1]
            for name in names}


def described_entries(metadata):
    """(name, entry) of the database and of each of its tables, views and queries."""
    database = metadata["databases"][DB_NAME]
    return [(DB_NAME, database)] + [(name, entry) for kind in ("tables", "queries")
                                    for name, entry in database.get(kind, {}).items()]


def test_top_level_licence_and_source(metadata):
    assert tuple(metadata.get(key) for key in PROVENANCE_KEYS) == WIKIPEDIA
    assert metadata["databases"][DB_NAME]["description"]


def test_licence_and_source_said_once(metadata):
    """No database, table or query repeats what it inherits; none has a licence of its own
    (everything is CC BY-SA); a table may name more sources than the article."""
    repeated = [f"{name}.{key}" for name, entry in described_entries(metadata)
                for key in PROVENANCE_KEYS if entry.get(key) == metadata[key]]
    licensed = [name for name, entry in described_entries(metadata)
                if "license" in entry or "license_url" in entry]
    assert (repeated, licensed) == ([], [])


def test_every_table_and_column_described(db, metadata):
    """pudl's test: every table, view and column has a description; each table's licence and
    source is its own or the top level's (what Datasette shows)."""
    described = metadata["databases"][DB_NAME]["tables"]
    missing = []
    for table, columns in tables_and_columns(db).items():
        entry = described.get(table, {})
        missing += [f"{table}.{key}" for key in ("title", "description") if not entry.get(key)]
        missing += [f"{table}.{key}" for key in PROVENANCE_KEYS
                    if not (entry.get(key) or metadata.get(key))]
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
