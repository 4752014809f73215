"""What a missing page or a search meant, from the database through nkcities.web.nearest: the
cities in every spelling (the view city_spellings, which reconciliation matches too), the rows
of other tables by key and label, and the tables, views and canned queries by name."""

import urllib.parse

from datasette.utils import tilde_decode, tilde_encode

from nkcities.web.nearest import EXACT, nearest, ranked
from nkcities.web.serve import load_config

CITIES, SPELLINGS = "cities", "city_spellings"  # schema.sql
SUGGESTED = 3  # "did you mean" links on an error page
MAX_ROWS = load_config()["names"]["max_listed_rows"]


async def city_spellings(db):
    """(city id, spelling) of every spelling of every city, the largest city first."""
    result = await db.execute(
        f"select s.city, s.name from [{SPELLINGS}] s join [{CITIES}] c on c.id = s.city "
        "order by c.population_2008 desc, s.rowid")
    return [tuple(row) for row in result.rows]


async def cities(db, ids):
    """{id: row} of the cities with these ids, with their province's name."""
    if not ids:
        return {}
    marks = ", ".join("?" for _ in ids)
    result = await db.execute(
        f"select c.*, p.name as province from [{CITIES}] c join provinces p "
        f"on p.id = c.province_id where c.id in ({marks})", list(ids))
    return {row["id"]: dict(row) for row in result.rows}


async def search(datasette, db, text):
    """The site's search: (cities matching text best first, each with "how" it matched;
    the nearest cities when none matches)."""
    spellings = await city_spellings(db)
    found = ranked(text, spellings)
    near = [] if found else nearest(text, spellings)
    rows = await cities(db, [key for key, *_ in found] + [key for key, _ in near])
    for key, spelling, how in found:
        rows[key].update(spelling=spelling, how=how,
                         href=datasette.urls.row(db.name, CITIES, tilde_encode(key)))
    for key, spelling in near:
        rows[key].update(spelling=spelling,
                         href=datasette.urls.row(db.name, CITIES, tilde_encode(key)))
    return [rows[key] for key, *_ in found], [rows[key] for key, _ in near]


async def row_spellings(datasette, db, table):
    """(key, spelling) of each row of a table with a one-column key: its key and its label."""
    if table == CITIES:
        return await city_spellings(db)
    pks = await db.primary_keys(table)
    if len(pks) != 1:
        return []
    label = datasette.table_metadata(db.name, table).get("label_column")
    columns = ", ".join(f"[{column}]" for column in [pks[0]] + ([label] if label else []))
    result = await db.execute(f"select {columns} from [{table}] limit {MAX_ROWS}")
    return [(str(row[0]), str(value)) for row in result.rows for value in row
            if value is not None]


async def labels(datasette, db, table, keys):
    """{key: what a reader calls the row}: its label column, else its key."""
    label = datasette.table_metadata(db.name, table).get("label_column")
    pks = await db.primary_keys(table)
    if not keys or not label or len(pks) != 1:
        return {key: key for key in keys}
    marks = ", ".join("?" for _ in keys)
    result = await db.execute(
        f"select [{pks[0]}], [{label}] from [{table}] where [{pks[0]}] in ({marks})", list(keys))
    return {str(row[0]): row[1] for row in result.rows}


def meant(text, spellings):
    """The keys text may mean: those it matches best first, then the nearest."""
    keys = [key for key, *_ in ranked(text, spellings)]
    keys += [key for key, _ in nearest(text, spellings) if key not in keys]
    return keys[:SUGGESTED]


async def missing(datasette, path):
    """For a 404 at path (/db/table or /db/table/key): (the one row the key names in another
    case or spelling, to redirect to, or None; [(label, href)] to suggest)."""
    parts = [urllib.parse.unquote(part) for part in path.strip("/").split("/")]
    # A database's address is its route, which Datasette lets differ from its name.
    routes = {db.route: db for db in datasette.databases.values()}
    if not parts or parts[0] not in routes or len(parts) not in (2, 3):
        return None, []
    db = routes[parts[0]]
    tables = await db.table_names() + await db.view_names()
    if len(parts) == 2:
        names = tables + list(datasette.metadata("queries", database=db.name) or {})
        near = [name for name, _ in nearest(parts[1], [(name, name) for name in names])]
        return None, [(name, datasette.urls.table(db.name, name)) for name in near[:SUGGESTED]]
    table, key = parts[1], tilde_decode(parts[2])
    if table not in tables or "," in parts[2]:
        return None, []
    spellings = await row_spellings(datasette, db, table)
    exact = {found for found, _, how in ranked(key, spellings) if how == EXACT}
    if len(exact) == 1:
        return datasette.urls.row(db.name, table, tilde_encode(exact.pop())), []
    keys = meant(key, spellings)
    named = await labels(datasette, db, table, keys)
    return None, [(named.get(found, found), datasette.urls.row(db.name, table, tilde_encode(found)))
                  for found in keys]
