"""Write a Frictionless Data Package (datapackage.json + one CSV per table) from a built database.

Everything comes from the database itself, read with sqlite-utils' introspection (columns,
indexes, foreign keys and the CHECK constraints of schema.sql, `table.column_checks`) and from
metadata.yml (titles, descriptions, licence, sources): there is no second copy of the schema.
A CHECK that has no Table Schema form is not dropped: it is quoted in the field's description.
Output is deterministic: rows in primary-key order (a view's: see page_order), keys in schema
order, no timestamps.
Imports neither the build nor its libraries.
"""

import csv
import hashlib
import io
import json
import re
import sqlite3
from pathlib import Path

import click
import sqlite_utils
import yaml

from nkcities import citation_file
from nkcities.build.errors import FileError, one_line_errors
from nkcities.build.geojson import cities_geojson, geojson_resource
from nkcities.build.atomic_file import write_atomically

ROOT = Path(__file__).resolve().parents[2]
DEFAULT_DB = ROOT / "north-korea-cities.db"
METADATA = ROOT / "metadata.yml"
TYPES = {"INTEGER": "integer", "TEXT": "string", "REAL": "number"}


def glob_to_regex(glob):
    parts = re.findall(r"\[[^\]]*\]|.", glob)
    return "".join({"*": ".*", "?": "."}.get(p, p if p.startswith("[") else re.escape(p))
                   for p in parts)


def globs_to_regex(expression):
    """'x GLOB 'a' OR x GLOB 'b'' -> '(a|b)', grouped: Table Schema anchors a pattern whole."""
    return "(" + "|".join(map(glob_to_regex, re.findall("'([^']*)'", expression))) + ")"


def like_to_regex(like):
    """LIKE is case-insensitive for ASCII letters: 'h' becomes [hH]."""
    return "".join({"%": ".*", "_": "."}.get(c, f"[{c.lower()}{c.upper()}]" if c.isascii()
                   and c.isalpha() else re.escape(c)) for c in like)


def sql_literals(text):
    values = [value.strip() for value in text.split(",")]
    if all(re.fullmatch(r"'[^']*'", value) for value in values):
        return [value[1:-1] for value in values]
    if all(re.fullmatch(r"-?\d+", value) for value in values):
        return [int(value) for value in values]
    return None


def constraint(column, field_type, expression):
    """One CHECK on one column as Table Schema constraints, or None if it has no such form."""
    c, number = re.escape(column), r"(-?\d+)"
    forms = [
        (rf"length\({c}\) > 0", lambda m: {"minLength": 1}),
        (rf"{c} >= {number}", lambda m: {"minimum": int(m[1])}),
        (rf"{c} > {number}",
         lambda m: {"minimum": int(m[1]) + 1} if field_type == "integer" else None),
        (rf"{c} BETWEEN {number} AND {number}",
         lambda m: {"minimum": int(m[1]), "maximum": int(m[2])}),
        (rf"{c} IN \((.+)\)",
         lambda m: {"enum": values} if (values := sql_literals(m[1])) else None),
        (rf"{c} GLOB '([^']*)'", lambda m: {"pattern": glob_to_regex(m[1])}),
        (rf"{c} GLOB '[^']*'( OR {c} GLOB '[^']*')+", lambda m: {"pattern": globs_to_regex(m[0])}),
        (rf"{c} <> '' AND {c} NOT GLOB '\*\[\^([^]']+)\]\*'",
         lambda m: {"pattern": f"[{m[1]}]+"}),
        (rf"{c} LIKE '([^']*)'", lambda m: {"pattern": like_to_regex(m[1])}),
    ]
    for pattern, make in forms:
        match = re.fullmatch(pattern, expression, re.I)
        if match:
            return make(match)
    return None


def field(table, column, described, checks, unique):
    if column.type.upper() not in TYPES:
        raise ValueError(f"{table}.{column.name}: no Table Schema type for SQLite type "
                         f"{column.type!r}")
    result = {"name": column.name, "type": TYPES[column.type.upper()],
              "description": described.get("columns", {}).get(column.name, "")}
    constraints = {"required": True} if column.notnull or column.is_pk else {}
    if column.name in unique:
        constraints["unique"] = True
    for check in checks.get(column.name, []):
        expression = " ".join(check.check.split())
        found = constraint(column.name, result["type"], expression)
        if found:
            constraints.update(found)
        else:
            result["description"] += f" (Also checked by the database: CHECK ({expression}).)"
    if constraints:
        result["constraints"] = constraints
    return result


def table_schema(table, described):
    """(Table Schema, primary key columns) of a sqlite-utils Table."""
    table_checks = [check.check for check in table.checks if not check.column]
    if table_checks:
        raise ValueError(f"{table.name}: table-level CHECK constraints are not supported: "
                         f"{table_checks}")
    unique = {index.columns[0] for index in table.indexes
              if index.unique and index.origin == "u" and len(index.columns) == 1}
    schema = {"fields": [field(table.name, column, described, table.column_checks, unique)
                         for column in table.columns]}
    primary_key = [c.name for c in sorted(table.columns, key=lambda c: c.is_pk) if c.is_pk]
    if primary_key:
        schema["primaryKey"] = primary_key
    foreign_keys = [{"fields": [fk.column],
                     "reference": {"resource": fk.other_table, "fields": [fk.other_column]}}
                    for fk in table.foreign_keys]
    if foreign_keys:
        schema["foreignKeys"] = sorted(foreign_keys, key=lambda fk: fk["fields"])
    return schema, primary_key


def table_csv(db, table, order_by):
    """The table's rows as CSV text, header first, in primary-key (else rowid) order. The columns
    of the table's schema: not generated ones (cities.geometry, served as cities.geojson)."""
    columns = ", ".join(f"[{column.name}]" for column in db[table].columns)
    order = f" ORDER BY {', '.join(order_by)}" if order_by else ""
    cursor = db.execute(f"SELECT {columns} FROM [{table}]{order}")
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([column[0] for column in cursor.description])
    writer.writerows(cursor)
    return out.getvalue()


PROVENANCE = ("license", "license_url", "source", "source_url")


def with_inherited_provenance(metadata, entry):
    """entry with the licence and source it does not name taken from the top level, key by key,
    as Datasette shows them (Datasette.update_with_inherited_metadata)."""
    return dict(entry, **{key: entry.get(key) or metadata[key] for key in PROVENANCE})


def licenses(entry):
    name = entry["license"].replace(" ", "-")  # "CC BY-SA 4.0" -> the SPDX id "CC-BY-SA-4.0"
    return [{"name": name, "path": entry["license_url"], "title": entry["license"]}]


def sources(entry):
    return [{"title": entry["source"], "path": entry["source_url"]}]


def value_type(db, view, column):
    """The Table Schema type of a view's computed column (count(), CASE), from its values."""
    found = {t for (t,) in db.execute(f"SELECT DISTINCT typeof([{column}]) FROM [{view}]")}
    found.discard("null")
    if found and found <= {"integer"}:
        return "integer"
    return "number" if found and found <= {"integer", "real"} else "string"


def view_schema(db, view, described):
    """A view's fields: a table's column keeps its declared type, a computed one takes its
    values'. No keys or constraints: a view has none of its own."""
    columns = described.get("columns", {})
    return {"fields": [{"name": c.name, "type": TYPES.get(c.type.upper())
                        or value_type(db, view, c.name), "description": columns.get(c.name, "")}
                       for c in db[view].columns]}


def page_order(db, view, described):
    """The ORDER BY of a view's CSV: its pages' order where metadata.yml sorts it (sort or
    sort_desc, then its first column), not whatever order SQLite's plan gives; else none, and
    the view's own ORDER BY holds."""
    if "sort" not in described and "sort_desc" not in described:
        return []
    first = db[view].columns[0].name
    key = (f"[{described['sort']}]" if "sort" in described
           else f"[{described['sort_desc']}] DESC")
    return [key, f"[{first}]"]


def resource(db, table, described, files):
    if not described.get("description"):
        raise ValueError(f"table {table!r} has no description in the metadata")
    if table in db.view_names():
        schema, text = view_schema(db, table, described), table_csv(db, table, page_order(
            db, table, described))
    else:
        schema, primary_key = table_schema(db[table], described)
        text = table_csv(db, table, [f"[{c}]" for c in primary_key] or ["rowid"])
    data = text.encode("utf-8")
    files[f"{table}.csv"] = data
    return {"name": table, "path": f"{table}.csv", "title": described.get("title", table),
            "description": described["description"], "format": "csv", "mediatype": "text/csv",
            "encoding": "utf-8", "bytes": len(data), "hash": sha256_hash(data),
            # Said, not sniffed: a table that quotes the article's rows ("| Anju | | |") is
            # otherwise read as '|'-separated.
            "dialect": {"delimiter": ","},
            "licenses": licenses(described), "sources": sources(described), "schema": schema}


def sha256_hash(data):
    return f"sha256:{hashlib.sha256(data).hexdigest()}"


def geojson_file(db_path, name, metadata, database, files):
    """cities.geojson, as the server gives it, and its entry in the package (database: its
    metadata with the provenance it inherits)."""
    data = files["cities.geojson"] = cities_geojson(db_path, name, metadata)
    return dict(geojson_resource(data), hash=sha256_hash(data), licenses=licenses(database),
                sources=sources(database))


def data_tables(db):
    """Tables in schema order, without the FTS5 search indexes (built from the tables) or
    SQLite's own (sqlite_stat1, of the build's ANALYZE), then the views, whose descriptions the
    tables' point to (status_reconciliation)."""
    index = {row[1] for row in db.execute("PRAGMA table_list") if row[2] in ("virtual", "shadow")}
    return [name for name in db.table_names()
            if name not in index and not name.startswith("sqlite_")] + db.view_names()


def package(db, name, metadata, db_path):
    """(datapackage dict, {file name: bytes}) for every table of the database, in schema order,
    then cities.geojson."""
    database = with_inherited_provenance(metadata, metadata["databases"][name])
    files = {}
    tables = database.get("tables", {})
    resources = [resource(db, table, with_inherited_provenance(metadata, tables.get(table, {})),
                          files) for table in data_tables(db)]
    resources.append(geojson_file(db_path, name, metadata, database, files))
    version = str(citation_file.parsed()["version"])  # the dataset's, as its citation gives it
    descriptor = {"name": name, "title": database.get("title", metadata.get("title", name)),
                  "version": version,
                  "description": f"{metadata['description']} {database['description']}",
                  "licenses": licenses(database), "sources": sources(database),
                  "resources": resources}
    text = json.dumps(descriptor, indent=2, ensure_ascii=False) + "\n"
    files["datapackage.json"] = text.encode()
    return descriptor, files


def write_datapackage(db_path, dist, metadata_path=METADATA, name=None):
    if not Path(db_path).is_file():
        raise FileError(db_path, "no such database; build it first")
    metadata = yaml.safe_load(Path(metadata_path).read_text(encoding="utf-8"))
    name = name or Path(db_path).stem
    if name not in (metadata.get("databases") or {}):
        raise FileError(metadata_path, f"no database {name!r}")
    db = sqlite_utils.Database(sqlite3.connect(f"file:{db_path}?mode=ro", uri=True))
    try:
        descriptor, files = package(db, name, metadata, db_path)
    except ValueError as error:
        raise FileError(db_path, str(error)) from None
    finally:
        db.close()
    Path(dist).mkdir(parents=True, exist_ok=True)
    for file_name, data in files.items():
        write_atomically(Path(dist) / file_name, data)
    return descriptor


@click.command()
@click.argument("db_path", default=str(DEFAULT_DB), type=click.Path(dir_okay=False))
@click.option("--dist", default="dist", type=click.Path(file_okay=False), show_default=True,
              help="Folder to write datapackage.json and the CSV files into.")
@click.option("--metadata", "metadata_path", default=str(METADATA),
              type=click.Path(dir_okay=False), show_default=True,
              help="Datasette metadata with titles, descriptions and licence.")
def main(db_path, dist, metadata_path):
    """Write a Frictionless Data Package of DB_PATH into --dist."""
    with one_line_errors(db_path):
        descriptor = write_datapackage(db_path, dist, metadata_path)
    click.echo(f"{len(descriptor['resources'])} resources -> {Path(dist) / 'datapackage.json'}")


if __name__ == "__main__":
    main()
