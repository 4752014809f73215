"""Load plain rows into SQLite with sqlite-utils: schema.sql first (the single truth for the
tables), then each table's rows, the full-text indexes rebuilt, ANALYZE, VACUUM. One transaction."""

from pathlib import Path

import sqlite_utils

SCHEMA = Path(__file__).resolve().parents[2] / "schema.sql"
# Parents before children, so that every foreign key points at a row already there.
TABLES = ["statuses", "sort_keys", "provinces", "cities", "city_names", "status_changes",
          "notes", "provenance", "contradictions", "contradiction_quotes"]
FTS = ["city_names_fts", "cities_fts", "provinces_fts"]  # external content: rebuilt from it


def write(path, tables):
    """Create the database at path (an empty file) from {table: [row dict, ...]}."""
    db = sqlite_utils.Database(path)
    try:
        db.execute("PRAGMA foreign_keys = ON")
        # One transaction for schema and rows: one commit, not one per CREATE statement.
        db.conn.executescript("BEGIN;\n" + SCHEMA.read_text(encoding="utf-8"))
        with db.atomic():  # inside the BEGIN above: a savepoint
            for table in TABLES:
                db[table].insert_all(tables[table])
                if table == "city_names":
                    for index in FTS:
                        db[index].rebuild_fts()
        # sqlite_stat1: how many rows each index value holds, so that SQLite counts a facet or a
        # view through the index that covers it (schema.sql says which and by how much).
        db.conn.execute("ANALYZE")
        db.conn.execute("COMMIT")
        db.vacuum()
    finally:
        db.close()

