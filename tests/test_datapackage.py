"""The Frictionless Data Package in dist/: valid, complete, built from the schema and metadata."""

import csv
import json
import re
import shutil
import sqlite3
import subprocess
import sys
import tomllib
from pathlib import Path

import frictionless
import pytest
import sqlite_utils
import yaml
from click.testing import CliRunner

from conftest import DB_NAME, METADATA, ROOT, SOURCE_CITIES, SOURCE_POPULATION
from nkcities.build import datapackage

BIN = Path(sys.executable).parent


@pytest.fixture(scope="module")
def descriptor(dist_path):
    return json.loads((dist_path / "datapackage.json").read_text(encoding="utf-8"))


def resource(descriptor, name):
    return next(r for r in descriptor["resources"] if r["name"] == name)


def fields(descriptor, table):
    return {f["name"]: f for f in resource(descriptor, table)["schema"]["fields"]}


def test_frictionless_validate_passes(dist_path):
    result = subprocess.run([BIN / "frictionless", "validate", dist_path / "datapackage.json"],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    resources = json.loads((dist_path / "datapackage.json").read_text())["resources"]
    assert "INVALID" not in result.stdout
    assert result.stdout.count("VALID") == len(resources)


def test_one_resource_and_csv_per_table_and_view(db, dist_path, descriptor):
    """Every table and view that holds data (not a full-text index or SQLite's own), and the
    cities as GeoJSON."""
    tables = sorted(name for name, kind in db.execute("SELECT name, type FROM pragma_table_list")
                    if kind in ("table", "view") and not name.startswith("sqlite_"))
    assert "cities" in tables and "city_list" in tables  # a table and a view of the article's
    assert sorted(r["name"] for r in descriptor["resources"]) == sorted(tables + ["cities-geojson"])
    assert sorted(p.name for p in dist_path.glob("*.csv")) == [f"{t}.csv" for t in tables]


def test_every_table_or_view_a_description_names_is_in_the_package(db, descriptor):
    names = {row[0] for row in db.execute("SELECT name FROM sqlite_master")}
    packaged = {r["name"] for r in descriptor["resources"]}
    for r in descriptor["resources"]:
        named = set(re.findall(r"\b\w+\b", r["description"])) & names
        assert named <= packaged, (r["name"], named - packaged)
    assert "status_reconciliation" in resource(descriptor, "statuses")["description"]


def test_a_view_keeps_its_rows_and_types(dist_path, descriptor):
    assert {f["name"]: f["type"] for f in fields(descriptor, "status_reconciliation").values()} \
        == {"id": "string", "status": "string", "declared_count": "integer",
            "listed_count": "integer", "difference": "integer", "verdict": "string"}
    with open(dist_path / "status_reconciliation.csv", newline="", encoding="utf-8") as f:
        rows = [(row["status"], row["declared_count"], row["listed_count"])
                for row in csv.DictReader(f)]
    assert rows == [("direct-administered city", "1", "1"), ("special city", "3", "2"),
                    ("special-level city", "0", "1"), ("city", "25", "24")]


def test_cities_csv_holds_the_source(dist_path):
    with open(dist_path / "cities.csv", newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    assert len(rows) == SOURCE_CITIES
    assert sum(int(row["population_2008"]) for row in rows) == SOURCE_POPULATION
    assert {"name": "Haeju", "population_2008": "273300", "founded": "1945-09-02"}.items() \
        <= next(row for row in rows if row["name"] == "Haeju").items()


def table_resources(db, descriptor):
    tables = {name for name, kind in db.execute("SELECT name, type FROM pragma_table_list")
              if kind == "table"}
    return [r for r in descriptor["resources"] if r["name"] in tables]


def test_every_key_of_the_database_is_in_the_package(db, descriptor):
    for r in table_resources(db, descriptor):
        info = db.execute(f"PRAGMA table_info([{r['name']}])").fetchall()
        primary_key = [row[1] for row in sorted(info, key=lambda row: row[5]) if row[5]]
        assert r["schema"].get("primaryKey", []) == primary_key, r["name"]
        foreign_keys = sorted(
            ([column], other, [other_column]) for _, _, other, column, other_column, *_ in
            db.execute(f"PRAGMA foreign_key_list([{r['name']}])"))
        assert sorted((fk["fields"], fk["reference"]["resource"], fk["reference"]["fields"])
                      for fk in r["schema"].get("foreignKeys", [])) == foreign_keys, r["name"]


def holds(constraints, value):
    """Whether a value meets a field's Table Schema constraints (as the spec defines them)."""
    if value is None:
        return not constraints.get("required")
    return (("minimum" not in constraints or value >= constraints["minimum"])
            and ("maximum" not in constraints or value <= constraints["maximum"])
            and ("enum" not in constraints or value in constraints["enum"])
            and ("minLength" not in constraints or len(value) >= constraints["minLength"])
            and ("pattern" not in constraints
                 or re.fullmatch(constraints["pattern"], value) is not None))


def probes(field, value):
    """Values around a real one and each bound of its field: what a constraint decides on."""
    constraints = field.get("constraints", {})
    if field["type"] in ("integer", "number"):
        bounds = [constraints[k] for k in ("minimum", "maximum") if k in constraints]
        found = [value, *(b + d for b in bounds for d in (-1, 0, 1))]
        found += [v for v in constraints.get("enum", [])] + [-1, 0, 2]
    else:
        found = [value, "", value + "x", value[:-1], value.upper(), "-" + value, "1" + value,
                 *constraints.get("enum", []), "none of these"]
    return [None, *found]


def sqlite_accepts(db, table, column, value, columns):
    """Whether the table's CHECK and NOT NULL constraints take value in a copy of a row; None
    where a CHECK across columns refuses it (length(hancha) = length(hangul)), which no one
    field's constraints can say, or another row holds it already (UNIQUE)."""
    try:
        db.execute(f"UPDATE [{table}] SET [{column}] = ? WHERE rowid = "
                   f"(SELECT min(rowid) FROM [{table}])", [value])
        return True
    except sqlite3.IntegrityError as error:
        if "UNIQUE" in str(error):  # another row holds it: not the value's own constraint
            return None
        assert "CHECK" in str(error) or "NOT NULL" in str(error), error
        named = set(re.findall(r"\w+", str(error).partition(": ")[2]))
        return None if named & (set(columns) - {column}) else False


def test_the_constraints_decide_as_the_database_does(db_path, db, descriptor, tmp_path):
    """For values at and around every bound and real value: where a column's CHECKs have a Table
    Schema form, the package takes what SQLite takes; where one is quoted instead, the package
    refuses nothing SQLite takes. A constraint dropped or mistranslated fails here."""
    copy = sqlite3.connect(tmp_path / "copy.db")
    sqlite3.connect(db_path).backup(copy)
    copy.execute("PRAGMA foreign_keys = OFF")
    checked = 0
    for r in table_resources(db, descriptor):
        first = db.execute(f"SELECT * FROM [{r['name']}] ORDER BY rowid LIMIT 1").fetchone()
        columns = [c[0] for c in db.execute(f"SELECT * FROM [{r['name']}] LIMIT 0").description]
        for field in r["schema"]["fields"]:
            value = first[columns.index(field["name"])]
            if value is None:
                continue
            quoted = "Also checked by the database" in field["description"]
            # SQLite lets a NULL into a TEXT PRIMARY KEY (a legacy quirk of its own); the
            # package's primary key is required, as the data has no NULL there.
            key = field["name"] in r["schema"].get("primaryKey", [])
            for probe in probes(field, value)[key:]:
                with copy:
                    taken = sqlite_accepts(copy, r["name"], field["name"], probe, columns)
                    copy.rollback()
                if taken is None:
                    continue
                described = holds(field.get("constraints", {}), probe)
                assert described <= taken if quoted else described == taken, (
                    r["name"], field["name"], probe, described, taken)
                checked += 1
    copy.close()
    assert checked > 500


def test_types_follow_the_values(db, descriptor):
    """A column of whole numbers is an integer, one of numbers a number, one of text a string."""
    expected = {frozenset({"integer"}): "integer", frozenset({"real"}): "number",
                frozenset({"integer", "real"}): "number", frozenset({"text"}): "string"}
    for r in (r for r in descriptor["resources"] if r["format"] == "csv"):
        for field in r["schema"]["fields"]:
            found = {t for (t,) in db.execute(
                f"SELECT DISTINCT typeof([{field['name']}]) FROM [{r['name']}]")} - {"null"}
            if found:
                assert field["type"] == expected[frozenset(found)], (r["name"], field["name"])
    assert fields(descriptor, "cities")["population_2008"]["type"] == "integer"
    assert fields(descriptor, "cities")["latitude"]["type"] == "number"


def test_check_without_table_schema_form_is_quoted(descriptor):
    description = fields(descriptor, "cities")["founded_precision"]["description"]
    assert "Also checked by the database" in description
    assert "date(founded) = founded" in description


CC_BY_SA = [{"name": "CC-BY-SA-4.0", "title": "CC BY-SA 4.0",
             "path": "https://creativecommons.org/licenses/by-sa/4.0/"}]
WIKIPEDIA = [{"title": 'Wikipedia, "List of cities in North Korea"',
              "path": "https://en.wikipedia.org/wiki/List_of_cities_in_North_Korea"}]


def test_licence_and_sources_per_resource(descriptor):
    """metadata.yml says them once; the package names them on every resource: the top level's,
    or a table's own source (sort_keys cites its own page)."""
    assert (descriptor["licenses"], descriptor["sources"]) == (CC_BY_SA, WIKIPEDIA)
    assert all(r["licenses"] == CC_BY_SA for r in descriptor["resources"])
    assert resource(descriptor, "notes")["sources"] == WIKIPEDIA
    assert resource(descriptor, "sort_keys")["sources"] == [{
        "title": "source/sort-keys.csv, citing Wikipedia",
        "path": "https://en.wikipedia.org/wiki/Special_cities_of_North_Korea"}]
    cities = resource(descriptor, "cities")["sources"]
    assert "GeoNames" in cities[0]["title"] and cities[0]["path"] == WIKIPEDIA[0]["path"]


def test_descriptions_and_sources_from_metadata(descriptor, metadata):
    database = metadata["databases"][DB_NAME]
    for r in (r for r in descriptor["resources"] if r["format"] == "csv"):  # not cities.geojson
        described = database["tables"][r["name"]]
        assert (r["title"], r["description"]) == (described["title"], described["description"])
        assert r["sources"] == [{"title": described.get("source", metadata["source"]),
                                 "path": described.get("source_url", metadata["source_url"])}]
        for name, f in fields(descriptor, r["name"]).items():
            assert f["description"].startswith(described["columns"][name]), (r["name"], name)


def test_output_is_deterministic(db_path, dist_path, tmp_path):
    again = tmp_path / "again"
    datapackage.write_datapackage(db_path, again)
    files = sorted(p.name for p in dist_path.iterdir())
    assert files == sorted(p.name for p in again.iterdir())
    assert all((dist_path / f).read_bytes() == (again / f).read_bytes() for f in files)


def without_hashes(dist_path, tmp_path):
    """A copy of the package whose CSVs may be edited (no bytes/hash to give the edit away)."""
    copy = tmp_path / "copy"
    shutil.copytree(dist_path, copy)
    descriptor = json.loads((copy / "datapackage.json").read_text())
    for r in descriptor["resources"]:
        del r["bytes"], r["hash"]
    (copy / "datapackage.json").write_text(json.dumps(descriptor))
    return copy


@pytest.mark.parametrize("old, new, error", [
    ("Anju,south-pyongan,city,240117,", "Anju,south-pyongan,city,0,",
     "constraint-error"),                                           # population below minimum
    ("Anju,south-pyongan,city,240117,", "Anju,nowhere,city,240117,",
     "foreign-key"),                                                # no division 'nowhere'
    ("chongjin,Chongjin,", "chongjin,Anju,", "unique-error"),       # a second Anju
    ("1987-08,month", "1987-08,week", "constraint-error"),          # not year, month or day
    ("1987-08,month", "1987-8,month", "constraint-error"),          # founded not YYYY-MM
    ("240117,1987-08,month,20,안주,安州", "240117,1987-08,month,20,Anju,安州",
     "constraint-error"),                                           # Hangul in Latin letters
    ("240117,1987-08,month,20,안주,安州", "240117,1987-08,month,20,안주,安주",
     "constraint-error"),                                           # a Hangul syllable as Hancha
    ("1879613,0.2,", "1879613,-0.2,", "constraint-error"),          # a negative distance
    ("1987-08,month,20,안주,安州", "1987-08,month,20,안주,安", None),  # cross-column: passes
])
def test_constraints_catch_edits(dist_path, tmp_path, old, new, error):
    found = errors_after_edit(dist_path, tmp_path, "cities.csv", old, new)
    assert found == ({error} if error else set()), found


def errors_after_edit(dist_path, tmp_path, name, old, new):
    """The error types frictionless finds in the package once `old` (found once) in file `name`
    is replaced by `new`."""
    copy = without_hashes(dist_path, tmp_path)
    text = (copy / name).read_text(encoding="utf-8")
    assert text.count(old) == 1
    (copy / name).write_text(text.replace(old, new), encoding="utf-8")
    report = frictionless.validate(copy / "datapackage.json")
    return {e[0] for e in report.flatten(["type"])}


@pytest.mark.parametrize("old, new, error", [
    ("rason,annexed,2004,year,city,north-hamgyong,", "rason,seized,2004,year,city,north-hamgyong,",
     "constraint-error"),                                           # not a change the article names
    ("rason,annexed,2004,year,city,north-hamgyong,", "rason,annexed,2004,year,city,nowhere,",
     "foreign-key"),                                                # no division 'nowhere'
    ("rason,annexed,2004,year,", "rason,annexed,2004-1,year,", "constraint-error"),  # no date
    ("rason,annexed,2004,year,", "rason,annexed,,,", None),         # undated: allowed, as line 8
])
def test_status_changes_constraints_catch_edits(dist_path, tmp_path, old, new, error):
    """status_changes.csv quotes the article's '|' rows; the package reads it as CSV still."""
    found = errors_after_edit(dist_path, tmp_path, "status_changes.csv", old, new)
    assert found == ({error} if error else set()), found


def test_hash_catches_any_edit(dist_path, tmp_path):
    copy = tmp_path / "copy"
    shutil.copytree(dist_path, copy)
    text = (copy / "notes.csv").read_text(encoding="utf-8")
    (copy / "notes.csv").write_text(text.replace("census", "Census", 1), encoding="utf-8")
    assert not frictionless.validate(copy / "datapackage.json").valid


CREATE = """CREATE TABLE t (
    a TEXT NOT NULL CHECK (a IN ('x, y', 'z)')), -- a comment, with (parentheses
    /* a block comment, CHECK (x) */
    "b" INTEGER CHECK (b BETWEEN 1 AND 9) CHECK (b >= 2),
    c TEXT,
    CONSTRAINT pair CHECK (a != c)
)"""


def test_sqlite_utils_reads_the_checks_as_the_package_needs():
    """The package reads CHECKs with sqlite-utils' table.column_checks (>= 4.2): quoted text,
    comments and table-level constraints are kept apart as they must be."""
    db = sqlite_utils.Database(memory=True)
    db.execute(CREATE)
    table = db["t"]
    assert {column: [c.check for c in checks] for column, checks in
            table.column_checks.items()} == {"a": ["a IN ('x, y', 'z)')"],
                                             "b": ["b BETWEEN 1 AND 9", "b >= 2"]}
    assert [c.check for c in table.checks if not c.column] == ["a != c"]


@pytest.mark.parametrize("operator, pattern, values", [
    ("GLOB", "[A-Z][A-Z]", ["AB", "Ab", "A", "ABC", "A1"]),
    ("GLOB", "[0-9]*-?", ["1-x", "12-", "a1-x", "1-xy"]),
    ("LIKE", "https://%", ["https://x", "HTTPS://x", "http://x", "xhttps://"]),
    ("LIKE", "a_c.", ["abc.", "ABC.", "abcx", "ac."]),
])
def test_pattern_translation_agrees_with_sqlite(operator, pattern, values):
    """SQLite itself decides what GLOB and LIKE match; the Table Schema pattern must agree."""
    translate = {"GLOB": datapackage.glob_to_regex, "LIKE": datapackage.like_to_regex}[operator]
    regex = re.compile(translate(pattern))
    db = sqlite3.connect(":memory:")
    for value in values:
        expected = db.execute(f"SELECT ? {operator} ?", [value, pattern]).fetchone()[0]
        assert bool(regex.fullmatch(value)) == bool(expected), value


@pytest.mark.parametrize("expression, values", [
    ("hangul <> '' AND hangul NOT GLOB '*[^가-힣]*'", ["평양", "", "평양시", "Pyongyang", "평 양"]),
    ("founded GLOB '[0-9][0-9][0-9][0-9]' OR founded GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]'",
     ["1985", "1987-08", "1987-8", "1987-08-01", "x1985", "19850"]),
])
def test_compound_checks_agree_with_sqlite(expression, values):
    """The pattern made from a compound CHECK accepts what SQLite's CHECK accepts."""
    column = expression.split()[0]
    regex = re.compile(datapackage.constraint(column, "string", expression)["pattern"])
    db = sqlite3.connect(":memory:")
    for value in values:
        expected = db.execute(f"SELECT {expression.replace(column, '?')}",
                              [value] * expression.count(column)).fetchone()[0]
        assert bool(regex.fullmatch(value)) == bool(expected), value


def test_cli_names_the_problem(tmp_path, db_path):
    metadata = yaml.safe_load(METADATA.read_text(encoding="utf-8"))
    del metadata["databases"][DB_NAME]["tables"]["notes"]["description"]
    broken = tmp_path / "metadata.yml"
    broken.write_text(yaml.safe_dump(metadata))
    result = CliRunner().invoke(datapackage.main, [str(db_path), "--dist", str(tmp_path / "d"),
                                                   "--metadata", str(broken)])
    assert (result.exit_code, result.output) == (
        1, f"{db_path}: table 'notes' has no description in the metadata\n")
    missing = CliRunner().invoke(datapackage.main, [str(tmp_path / "none.db")])
    assert (missing.exit_code, missing.output) == (
        1, f"{tmp_path / 'none.db'}: no such database; build it first\n")


def test_the_package_has_the_dataset_version(dist_path):
    descriptor = json.loads((dist_path / "datapackage.json").read_text(encoding="utf-8"))
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert descriptor["version"] == project["version"]
