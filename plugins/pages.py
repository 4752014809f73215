"""The pages a person reads: what the templates in templates/ need beyond Datasette's context.

- A synchronous Jinja twin for the big parts of a page (`sync_include`).
- extra_template_vars: column labels (`labels`), the site's description, the licence and
  source a canned query inherits, a founding date in words, and on a row page `related(row)`:
  the row with the rows it links to and the rows that link to it, found through the foreign
  keys (so no template depends on what a key looks like).
- Lean pages: the minified Leaflet where Leaflet is needed, no Leaflet on a dashboard that
  draws no map.
All configuration is data in metadata.yml under `plugins: pages:`.
"""

import calendar
import contextvars
import functools
import hashlib
import json
import tomllib
from pathlib import Path

from datasette import hookimpl
from datasette.tracer import trace, trace_child_tasks
from datasette.utils import path_from_row_pks, tilde_encode
from jinja2 import pass_context
from markupsafe import Markup

from nkcities.web.serve import load_config

CONFIG = "pages"
PYPROJECT = Path(__file__).resolve().parent.parent / "pyproject.toml"
STYLESHEET = Path(__file__).resolve().parent.parent / "static" / "pages.css"
# In the stylesheet's URL: a changed file is a new URL, so browsers may keep one for a year
# (middleware/response_cache.py sends it as immutable).
STYLESHEET_VERSION = hashlib.sha256(STYLESHEET.read_bytes()).hexdigest()[:10]
VERSION = tomllib.loads(PYPROJECT.read_text(encoding="utf-8"))["project"]["version"]
CHILD_ROWS = load_config()["names"]["max_listed_rows"]
LEAFLET = "leaflet-v1.7.1.min.js"  # the minified file datasette-leaflet ships
NOTHING_JS, NOTHING_CSS = "data:text/javascript,", "data:text/css,"  # an empty module/sheet


def config(datasette):
    return datasette.plugin_config(CONFIG) or {}


@functools.lru_cache(maxsize=8)
def site(datasette):
    """What every page reads from metadata.yml, once per Datasette: metadata does not change
    while it runs, and each plugin_config() call copies a plugin's configuration anew."""
    return {"labels": config(datasette).get("labels", {}),
            "site_description": datasette.metadata("description"),
            "tiles": datasette.plugin_config("datasette-cluster-map") or {}}


@hookimpl
def prepare_jinja2_environment(env):
    # Datasette renders in Jinja's async mode, which costs about 2 µs for every piece of
    # output: a big page body is rendered by a synchronous twin (same loader and filters).
    synchronous = env.overlay(enable_async=False, cache_size=50)
    # The templates do not change while the server runs: no stat() of each template file at
    # every render and include to see whether it has (Jinja's auto_reload).
    env.auto_reload = synchronous.auto_reload = False
    env.filters["tilde_encode"] = tilde_encode  # a row's key in its page's URL

    @pass_context
    def sync_include(context, name):
        return Markup(synchronous.get_template(name).render(context.get_all()))
    env.globals["sync_include"] = sync_include


def in_words(date, precision):
    """An ISO 8601 date at its precision in words: 1985, August 1987, 2 September 1945."""
    parts = str(date).split("-")
    if precision == "year" or len(parts) == 1:
        return parts[0]
    month = calendar.month_name[int(parts[1])]
    if precision == "month" or len(parts) == 2:
        return f"{month} {parts[0]}"
    return f"{int(parts[2])} {month} {parts[0]}"


SCHEMAS = {}  # (database, table): schema(); an immutable database's schema never changes


async def schema(db, table):
    """What a row page of `table` links through: its foreign keys, the keys of other tables
    into it, and of each such table its primary keys, its own foreign keys and the label
    column of each table those point to. Read once per process for an immutable database."""
    if (db.name, table) in SCHEMAS:
        return SCHEMAS[db.name, table]
    incoming = (await db.get_all_foreign_keys())[table]["incoming"]
    linking = {}
    for key in incoming:
        other = key["other_table"]
        if other not in linking:
            keys = await db.foreign_keys_for_table(other)
            linking[other] = {"pks": await db.primary_keys(other), "foreign_keys": keys,
                              "labels": {k["other_table"]: await db.label_column_for_table(
                                  k["other_table"]) for k in keys}}
    found = {"outgoing": await db.foreign_keys_for_table(table), "incoming": incoming,
             "linking": linking}
    if not db.is_mutable:
        SCHEMAS[db.name, table] = found
    return found


def traced(conn, database):
    """A function running a query on conn, seen in Datasette's SQL trace (?_trace=1) as a
    query of db.execute is; called on a SQL thread inside the requesting task's context."""
    def query(sql, params):
        with trace("sql", database=database, sql=sql, params=params):
            return conn.execute(sql, params).fetchall()
    return query


def parent_rows(query, outgoing, row):
    """[(foreign key, the rows it points to)] for each foreign key set in row."""
    return [(key, query(f"select * from [{key['other_table']}] where [{key['other_column']}] = ?",
                        [row[key["column"]]]))
            for key in outgoing if row[key["column"]] is not None]


def label_rows(query, linking, rows, back):
    """{column: {key: label}} for each foreign key of a linking table set in rows but `back`
    (the one that points to the page's own row): so a template names what a linking row
    points to (a status by its name, not its key). One query per table pointed to."""
    wanted = {}  # (other table, other column): {column: its values}
    for key in linking["foreign_keys"]:
        values = {row[key["column"]] for row in rows} - {None}
        if values and key["column"] != back:
            wanted.setdefault((key["other_table"], key["other_column"]), {})[key["column"]] = values
    found = {}
    for (other, other_column), columns in wanted.items():
        label = linking["labels"][other]
        if label:
            values = sorted(set().union(*columns.values()))
            names = dict(query(f"select [{other_column}], [{label}] from [{other}] "
                               f"where [{other_column}] in ({', '.join('?' * len(values))})",
                               values))
            found.update(dict.fromkeys(columns, names))
    return found


def child_rows(query, shape, row):
    """[(other table, its rows whose foreign key is this row, their labels)] per key into it."""
    found = []
    for key in shape["incoming"]:
        other = key["other_table"]
        linking = shape["linking"][other]
        columns = "*" if linking["pks"] else "rowid, *"  # a rowid table's link
        rows = query(f"select {columns} from [{other}] where [{key['other_column']}] = ? "
                     f"limit {CHILD_ROWS}", [row[key["column"]]])
        found.append((other, rows, label_rows(query, linking, rows, key["other_column"])))
    return found


async def record(datasette, database, table, row):
    """The row of a row page (the one Datasette fetched: templates/row.html passes it), with
    {other_table: {"column", "row", "href"}} for each foreign key of the row that is set
    (parents), and {other_table: [{"row", "href", "labels"}]} for the rows of other tables
    whose foreign key is this row (children), with the labels of what their own foreign keys
    point to ({column: label}). Their rows are read in one turn on a SQL thread."""
    db = datasette.get_database(database)
    shape = await schema(db, table)
    with trace_child_tasks():
        context = contextvars.copy_context()

    def read(conn):
        query = traced(conn, database)
        return parent_rows(query, shape["outgoing"], row), child_rows(query, shape, row)
    parent, child = await db.execute_fn(lambda conn: context.run(read, conn))
    parents = {}
    for key, found in parent:
        if found:
            href = datasette.urls.row(database, key["other_table"],
                                      tilde_encode(str(row[key["column"]])))
            parents[key["other_table"]] = {"column": key["column"], "row": dict(found[0]),
                                           "href": href}
    children = {}
    for other, rows, named in child:
        pks = shape["linking"][other]["pks"]
        table_url = datasette.urls.table(database, other)  # each row's is table_url/its key
        children.setdefault(other, []).extend(
            {"row": dict(each), "labels": {c: names.get(each[c]) for c, names in named.items()},
             "href": f"{table_url}/{path_from_row_pks(each, pks, not pks)}"}
            for each in rows)
    return {"row": dict(row), "parents": parents, "children": children}


def draws_no_map(datasette):
    """True if no dashboard has a map chart (datasette-dashboards' `map` library)."""
    dashboards = datasette.plugin_config("datasette-dashboards") or {}
    return not any(chart.get("library") == "map" for dashboard in dashboards.values()
                   for chart in (dashboard.get("charts") or {}).values())


def inherited(datasette, metadata):
    """A page's metadata with the licence, source and about link of the top level where it
    names none: Datasette 0.65.5 fills them in on table and database pages, not on a canned
    query's (query.html calls this)."""
    filled = dict(metadata or {})
    filled.update({key: filled.get(key) or value for key, value in top_level(datasette).items()})
    return filled


@functools.lru_cache(maxsize=8)
def top_level(datasette):
    """What Datasette's update_with_inherited_metadata fills in, from metadata.yml's top level,
    read once per Datasette (it reads the whole metadata again for each of its six keys)."""
    found = {}
    datasette.update_with_inherited_metadata(found)
    return found


@hookimpl(trylast=True)
def extra_template_vars(template, database, table, view_name, request, datasette):
    variables = {
        **site(datasette),
        "in_words": in_words,
        "inherited": functools.partial(inherited, datasette),
        "dataset_version": VERSION,
        "datasette_leaflet_url": datasette.urls.static_plugins("datasette-leaflet", LEAFLET),
    }
    # template is None for a Template object a plugin renders itself.
    if (template or "").startswith("dashboard_") and draws_no_map(datasette):
        variables.update(datasette_leaflet_url=NOTHING_JS, datasette_leaflet_css_url=NOTHING_CSS)
    if view_name == "row":
        variables["related"] = functools.partial(record, datasette, database, table)
    return variables


@hookimpl(trylast=True)
def extra_body_script(datasette):
    """After datasette-leaflet's script: datasette-cluster-map imports the minified Leaflet."""
    url = json.dumps(datasette.urls.static_plugins("datasette-leaflet", LEAFLET))
    return f"if (window.datasette && datasette.leaflet) datasette.leaflet.JAVASCRIPT_URL = {url};"


@hookimpl
def extra_css_urls(datasette):
    return [datasette.urls.path(f"/assets/pages.css?{STYLESHEET_VERSION}")]
