"""Every kind of page a reader meets, by name, as paths on the real server: what the Lighthouse
and screenshot tests visit. Rows are found by name through the JSON API, so no path here
depends on what a primary key looks like."""

import json
import sqlite3
import urllib.parse
import urllib.request

from datasette.utils import tilde_encode

from conftest import DB_NAME

# Named in the source; a division and a status with more than one city.
CITY, DIVISION, STATUS = "Pyongyang", "South Pyongan", "special city"
SQL = "select name, population_2008 from cities order by population_2008 desc limit 5"


def row_path(server, table, **where):
    """The row page of the one row of table matching where."""
    query = urllib.parse.urlencode({**where, "_shape": "objects"})
    with urllib.request.urlopen(f"{server}/{DB_NAME}/{table}.json?{query}", timeout=30) as response:
        data = json.load(response)
    (row,) = data["rows"]
    key = ",".join(tilde_encode(str(row[pk])) for pk in data["primary_keys"])
    return f"/{DB_NAME}/{table}/{key}"


def page_kinds(server, db_path, metadata):
    """{name: path} for every kind of page: home, database, table, row pages, each view, each
    canned query (city_map is the map), an SQL result, the charts, a search result
    in a table and on the site's search page."""
    with sqlite3.connect(f"file:{db_path}?mode=ro", uri=True) as db:
        views = [name for (name,) in db.execute(
            "select name from sqlite_master where type = 'view' order by name")]
    queries = list(metadata["databases"][DB_NAME]["queries"])
    dashboards = list(metadata["plugins"]["datasette-dashboards"])
    return {
        "home": "/",
        "database": f"/{DB_NAME}",
        "table-cities": f"/{DB_NAME}/cities",
        "city": row_path(server, "cities", name=CITY),
        "division": row_path(server, "provinces", name=DIVISION),
        "status": row_path(server, "statuses", name=STATUS),
        **{f"view-{name}": f"/{DB_NAME}/{name}" for name in views},
        **{f"query-{name}": f"/{DB_NAME}/{name}" for name in queries},
        "sql": f"/{DB_NAME}?" + urllib.parse.urlencode({"sql": SQL}),
        **{f"charts-{name}": f"/-/dashboards/{name}" for name in dashboards},
        "search": f"/{DB_NAME}/cities?" + urllib.parse.urlencode({"_search": "평양"}),
        "site-search": "/-/search?" + urllib.parse.urlencode({"q": "pyong"}),
    }
