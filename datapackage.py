"""Write a Frictionless Data Package (datapackage.json + one CSV per table) from a built database.

Everything comes from the database itself (PRAGMA table_info, index_list, foreign_key_list and the
CHECK constraints of its CREATE TABLE statements, i.e. schema.sql) and from metadata.yml (titles,
descriptions, licence, sources): there is no second copy of the schema. A CHECK that has no
Table Schema form is not dropped: it is quoted in the field's description. Output is
deterministic: rows in primary-key order, keys in schema order, no timestamps.
"""

import csv
import hashlib
import io
import json
import os
import re
import sqlite3
import tempfile
from pathlib import Path

import click
import yaml

from build import one_line_errors
from nkcities.geojson import cities_geojson, geojson_resource

HERE = Path(__file__).resolve().parent
DEFAULT_DB = HERE / "north-korea-cities.db"
METADATA = HERE / "metadata.yml"
TYPES = {"INTEGER": "integer", "TEXT": "string", "REAL": "number"}
# The parts of a CREATE TABLE statement that matter for splitting it: quoted text and comments
# (skipped), CHECK (, parentheses and commas.
COMMENT = r"--[^\n]*|/\*.*?\*/"
TOKEN = re.compile(rf"""'(?:[^']|'')*'|"(?:[^"]|"")*"|{COMMENT}|\bCHECK\s*\(|[(),]""", re.I | re.S)
TABLE_CONSTRAINT = re.compile(r"(CONSTRAINT|CHECK|PRIMARY|UNIQUE|FOREIGN)\b", re.I)


def column_checks(create_sql):
    """{column: [CHECK expression, ...]} of a CREATE TABLE statement; table-level checks under None."""
    start = create_sql.index("(") + 1
    checks, definition, depth, check = {}, start, 0, None
    for token in TOKEN.finditer(create_sql, start):
        text = token.group()
        if text[0] in "'\"-/":
            continue
        if text == "(" or text.upper().startswith("CHECK"):
            if depth == 0 and text != "(":
                check = token.end()
            depth += 1
        elif text == ")" and depth:
            depth -= 1
            if depth == 0 and check is not None:
                checks.setdefault(definition, []).append(create_sql[check:token.start()])
                check = None
        elif depth == 0:  # a top-level ',' or the ')' that closes the column list
            definition = token.end()
            if text == ")":
                break
    return {column_name(create_sql[key:]): value for key, value in checks.items()}


def column_name(definition):
    definition = re.sub(rf"^(\s+|{COMMENT})*", "", definition, flags=re.S)
    if TABLE_CONSTRAINT.match(definition):
        return None
    return re.match(r"""\[?"?`?(\w+)""", definition).group(1)


def glob_to_regex(glob):
    parts = re.findall(r"\[[^\]]*\]|.", glob)
    return "".join({"*": ".*", "?": "."}.get(p, p if p.startswith("[") else re.escape(p))
                   for p in parts)


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
        (rf"{c} > {number}", lambda m: {"minimum": int(m[1]) + 1} if field_type == "integer" else None),
        (rf"{c} BETWEEN {number} AND {number}", lambda m: {"minimum": int(m[1]), "maximum": int(m[2])}),
        (rf"{c} IN \((.+)\)", lambda m: {"enum": values} if (values := sql_literals(m[1])) else None),
        (rf"{c} GLOB '([^']*)'", lambda m: {"pattern": glob_to_regex(m[1])}),
        (rf"{c} LIKE '([^']*)'", lambda m: {"pattern": like_to_regex(m[1])}),
    ]
    expression = " ".join(expression.split())
    for pattern, make in forms:
        match = re.fullmatch(pattern, expression, re.I)
        if match:
            return make(match)
    return None


def field(table, column, described, checks, unique):
    cid, name, declared, notnull, default, pk = column
    if declared.upper() not in TYPES:
        raise ValueError(f"{table}.{name}: no Table Schema type for SQLite type {declared!r}")
    result = {"name": name, "type": TYPES[declared.upper()],
              "description": described.get("columns", {}).get(name, "")}
    constraints = {"required": True} if notnull or pk else {}
    if name in unique:
        constraints["unique"] = True
    for expression in checks.get(name, []):
        found = constraint(name, result["type"], expression)
        if found:
            constraints.update(found)
        else:
            result["description"] += f" (Also checked by the database: CHECK ({' '.join(expression.split())}).)"
    if constraints:
        result["constraints"] = constraints
    return result


def table_schema(db, table, described):
    columns = list(db.execute(f"PRAGMA table_info([{table}])"))
    create_sql = db.execute("SELECT sql FROM sqlite_master WHERE name = ?", [table]).fetchone()[0]
    checks = column_checks(create_sql)
    if checks.get(None):
        raise ValueError(f"{table}: table-level CHECK constraints are not supported: {checks[None]}")
    unique = {index_columns(db, index)[0] for _, index, is_unique, origin, _ in
              db.execute(f"PRAGMA index_list([{table}])")
              if is_unique and origin == "u" and len(index_columns(db, index)) == 1}
    schema = {"fields": [field(table, c, described, checks, unique) for c in columns]}
    primary_key = [c[1] for c in sorted(columns, key=lambda c: c[5]) if c[5]]
    if primary_key:
        schema["primaryKey"] = primary_key
    foreign_keys = [{"fields": [row[3]], "reference": {"resource": row[2], "fields": [row[4]]}}
                    for row in db.execute(f"PRAGMA foreign_key_list([{table}])")]
    if foreign_keys:
        schema["foreignKeys"] = sorted(foreign_keys, key=lambda fk: fk["fields"])
    return schema, primary_key


def index_columns(db, index):
    return [row[2] for row in db.execute(f"PRAGMA index_info([{index}])")]


def table_csv(db, table, order_by):
    """The table's rows as CSV text, header first, in primary-key (else rowid) order. The columns
    of PRAGMA table_info, as in the schema: not generated ones (cities.geometry)."""
    columns = ", ".join(f"[{column[1]}]" for column in db.execute(f"PRAGMA table_info([{table}])"))
    cursor = db.execute(f"SELECT {columns} FROM [{table}] ORDER BY {', '.join(order_by)}")
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([column[0] for column in cursor.description])
    writer.writerows(cursor)
    return out.getvalue()


def licenses(entry):
    name = entry["license"].replace(" ", "-")  # "CC BY-SA 4.0" -> the SPDX id "CC-BY-SA-4.0"
    return [{"name": name, "path": entry["license_url"], "title": entry["license"]}]


def sources(entry):
    return [{"title": entry["source"], "path": entry["source_url"]}]


def resource(db, table, described, files):
    if not described.get("description"):
        raise ValueError(f"table {table!r} has no description in the metadata")
    schema, primary_key = table_schema(db, table, described)
    text = table_csv(db, table, [f"[{c}]" for c in primary_key] or ["rowid"])
    data = text.encode("utf-8")
    files[f"{table}.csv"] = data
    return {"name": table, "path": f"{table}.csv", "title": described.get("title", table),
            "description": described["description"], "format": "csv", "mediatype": "text/csv",
            "encoding": "utf-8", "bytes": len(data), "hash": sha256_hash(data),
            "licenses": licenses(described), "sources": sources(described), "schema": schema}


def sha256_hash(data):
    return f"sha256:{hashlib.sha256(data).hexdigest()}"


def package(db, name, metadata, db_path):
    """(datapackage dict, {file name: bytes}) for every table of the database, in schema order."""
    database = metadata["databases"][name]
    index = {row[1] for row in db.execute("PRAGMA table_list") if row[2] in ("virtual", "shadow")}
    tables = [row[0] for row in db.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY rowid")
        if row[0] not in index]  # not the FTS5 search indexes: they are built from the tables
    files = {}
    resources = [resource(db, table, database.get("tables", {}).get(table, {}), files)
                 for table in tables]
    files["cities.geojson"] = cities_geojson(db_path, name, metadata)
    resources.append(dict(geojson_resource(files["cities.geojson"]),
                          hash=sha256_hash(files["cities.geojson"]),
                          licenses=licenses(database), sources=sources(database)))
    descriptor = {"name": name, "title": database.get("title", metadata.get("title", name)),
                  "description": f"{metadata['description']} {database['description']}",
                  "licenses": licenses(database), "sources": sources(database),
                  "resources": resources}
    files["datapackage.json"] = (json.dumps(descriptor, indent=2, ensure_ascii=False) + "\n").encode()
    return descriptor, files


def write_files(files, dist):
    """Write each file to a temporary name beside it, then rename it into place."""
    dist.mkdir(parents=True, exist_ok=True)
    for file_name, data in files.items():
        fd, tmp = tempfile.mkstemp(dir=dist, prefix=f".{file_name}.", suffix=".tmp")
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.chmod(tmp, 0o644)
        os.replace(tmp, dist / file_name)


def write_datapackage(db_path, dist, metadata_path=METADATA, name=None):
    if not Path(db_path).is_file():
        raise ValueError(f"{db_path}: no such database; build it first")
    metadata = yaml.safe_load(Path(metadata_path).read_text(encoding="utf-8"))
    name = name or Path(db_path).stem
    if name not in (metadata.get("databases") or {}):
        raise ValueError(f"{metadata_path}: no database {name!r}")
    db = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
    try:
        descriptor, files = package(db, name, metadata, db_path)
    except ValueError as error:
        raise ValueError(f"{db_path}: {error}") from None
    finally:
        db.close()
    write_files(files, Path(dist))
    return descriptor


@click.command()
@click.argument("db_path", default=str(DEFAULT_DB), type=click.Path(dir_okay=False))
@click.option("--dist", default="dist", type=click.Path(file_okay=False), show_default=True,
              help="Folder to write datapackage.json and the CSV files into.")
@click.option("--metadata", "metadata_path", default=str(METADATA), type=click.Path(dir_okay=False),
              show_default=True, help="Datasette metadata with titles, descriptions and licence.")
def main(db_path, dist, metadata_path):
    """Write a Frictionless Data Package of DB_PATH into --dist."""
    with one_line_errors(db_path):
        descriptor = write_datapackage(db_path, dist, metadata_path)
    click.echo(f"{len(descriptor['resources'])} resources -> {Path(dist) / 'datapackage.json'}")


if __name__ == "__main__":
    main()
