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
    # 10 tables, 5 views and cities.geojson
    assert "INVALID" not in result.stdout and result.stdout.count("VALID") == 16


def test_one_resource_and_csv_per_table_and_view(dist_path, descriptor):
    """The ten tables of schema.sql and its five views (not the full-text indexes), and the
    cities as GeoJSON."""
    tables = sorted(["cities", "city_names", "contradiction_quotes", "contradictions", "notes",
                     "provenance", "provinces", "sort_keys", "statuses", "status_changes",
                     "city_list",
                     "contradiction_list", "province_totals", "status_reconciliation",
                     "city_spellings"])
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


def test_keys_as_in_schema_sql(descriptor):
    cities = resource(descriptor, "cities")["schema"]
    assert cities["primaryKey"] == ["id"]
    assert cities["foreignKeys"] == [
        {"fields": ["province_id"], "reference": {"resource": "provinces", "fields": ["id"]}},
        {"fields": ["status_id"], "reference": {"resource": "statuses", "fields": ["id"]}},
    ]
    assert resource(descriptor, "sort_keys")["schema"]["primaryKey"] == ["sort_key"]


@pytest.mark.parametrize("table, column, expected", [
    ("cities", "name", {"required": True, "unique": True, "minLength": 1}),
    ("cities", "population_2008", {"required": True, "minimum": 1, "maximum": 999999999}),
    ("cities", "source_line", {"required": True, "unique": True, "minimum": 1}),
    ("provinces", "kind", {"required": True, "enum": ["province", "province-level city"]}),
    ("statuses", "province_level", {"required": True, "enum": [0, 1]}),
    ("statuses", "declared_count", {"required": True, "minimum": 0}),
    ("sort_keys", "sort_key", {"required": True, "pattern": "[A-Z][A-Z]"}),
    ("cities", "founded_precision", {"required": True, "enum": ["year", "month", "day"]}),
    ("cities", "founded", {"required": True, "pattern":
                           r"([0-9][0-9][0-9][0-9]|[0-9][0-9][0-9][0-9]\-[0-9][0-9]"
                           r"|[0-9][0-9][0-9][0-9]\-[0-9][0-9]\-[0-9][0-9])"}),
    ("cities", "hangul", {"required": True, "pattern": "[가-힣]+"}),
    ("cities", "hancha", {"required": True, "pattern": "[一-鿿]+"}),
    ("provinces", "hangul", {"required": True, "pattern": "[가-힣]+"}),
    ("statuses", "hancha", {"required": True, "pattern": "[一-鿿]+"}),
    ("cities", "geonames_km", {"minimum": 0}),
    ("contradiction_quotes", "side", {"required": True, "enum": [1, 2]}),
    ("status_changes", "change", {"required": True,
                                  "enum": ["founded", "annexed", "promoted", "re-merged"]}),
    ("status_changes", "date_precision", {"enum": ["year", "month", "day"]}),
    ("status_changes", "source_line", {"required": True, "minimum": 1}),
])
def test_constraints_from_schema_sql(descriptor, table, column, expected):
    assert fields(descriptor, table)[column]["constraints"] == expected


def test_types(descriptor):
    assert {name: f["type"] for name, f in fields(descriptor, "cities").items()} == {
        "id": "string", "name": "string", "province_id": "string", "status_id": "string",
        "population_2008": "integer", "founded": "string", "founded_precision": "string",
        "source_line": "integer", "hangul": "string", "hancha": "string", "mr": "string",
        "rr": "string", "full_hangul": "string", "full_hancha": "string", "latitude": "number",
        "longitude": "number", "geonameid": "integer", "geonames_km": "number",
        "citation": "string"}


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
    copy = without_hashes(dist_path, tmp_path)
    text = (copy / "cities.csv").read_text(encoding="utf-8")
    assert text.count(old) == 1
    (copy / "cities.csv").write_text(text.replace(old, new), encoding="utf-8")
    report = frictionless.validate(copy / "datapackage.json")
    found = {e[0] for e in report.flatten(["type"])}
    assert found == ({error} if error else set()), found


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
    copy = without_hashes(dist_path, tmp_path)
    text = (copy / "status_changes.csv").read_text(encoding="utf-8")
    assert text.count(old) == 1
    (copy / "status_changes.csv").write_text(text.replace(old, new), encoding="utf-8")
    report = frictionless.validate(copy / "datapackage.json")
    found = {e[0] for e in report.flatten(["type"])}
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
