"""Output formats: an unknown one is 404; a table's GeoJSON carries its foreign keys' labels.

Datasette 0.65 answers `/db/table.kml` (any extension it has no renderer for) with the table's
HTML page and 200, so a client asking for a format it cannot get is told it got one. This
middleware answers such a request 404, as plain text, before Datasette sees it. The known
extensions are Datasette's own (json, csv, the .db download) and those registered by
output-renderer plugins (geojson, xlsx). Dots in table names and keys are tilde-encoded in
Datasette's URLs (~2E), so a dot in the path is always the format's.

Defaults for a table's downloads, unless the request sets them itself: `.geojson` gets
`_labels=on` (datasette-geojson makes every column a property, and Datasette then gives a foreign
key as {"value": ..., "label": ...}, so cities.geojson names each city's province and status);
`.xlsx` gets `_size=max` (a spreadsheet wants every row, not the first page).
GeoJSON goes out as application/geo+json (RFC 7946), not datasette-geojson's application/json,
as GIS reads it (GDAL, QGIS, geopandas store an object property as a JSON string): a foreign key
as two plain properties side by side, its key and `<column>_label` (as Datasette's CSV expands
it), and each feature of a table with its primary key as its `id`. A table or view without a
geometry column gets a 404 that says so, not datasette-geojson's 500.
A CSV meant for a spreadsheet (`_spreadsheet=1`, the home page's link) is an attachment (as with
Datasette's `_dl`) rewritten for one as it streams (nkcities/web/spreadsheet_csv.py: a byte order
mark, no formulas); any other CSV is Datasette's, exact for programs.
"""

import re
from urllib.parse import urlencode

from datasette.utils import tilde_decode

from nkcities.gis_geojson import plain_geojson
from nkcities.web.asgi import on_start, query, send_whole, without
from nkcities.web.http_errors import send_error
from nkcities.web.middleware import Middleware
from nkcities.web.spreadsheet_csv import SpreadsheetCsv

BUILT_IN = {"json", "csv", "db"}
TABLE_DEFAULTS = {"geojson": ("_labels", "on"), "xlsx": ("_size", "max")}
SPREADSHEET = "_spreadsheet"  # CSV for a spreadsheet: nkcities/web/spreadsheet_csv.py
MEDIA_TYPES = {"geojson": b"application/geo+json"}  # registered types the renderers do not send
# /db.ext, /db/table.ext, /db/table/pk.ext
FORMAT_PATH = re.compile(
    r"^/(?P<database>[^/.]+)(?:/(?P<table>[^/.]+)(?:/[^/.]+)?)?\.(?P<ext>\w+)$")


def with_default(scope, name, value):
    """The scope with name=value added to its query string, unless it sets name already."""
    asked = query(scope)
    if any(key == name for key, _ in asked):
        return scope
    return dict(scope, query_string=urlencode([*asked, (name, value)]).encode("latin-1"))


def typed(send, media_type):
    """send, with a successful response's content-type set to media_type."""
    def retyped(status, headers):
        if status != 200:
            return headers
        return [*without(headers, b"content-type"), (b"content-type", media_type)]
    return on_start(send, retyped)


def for_gis(send, key):
    """send, with a successful GeoJSON body made plain (plain_geojson), sent whole."""
    start, chunks = None, []

    async def send_plain(message):
        nonlocal start
        if message["type"] == "http.response.start":
            if message["status"] != 200:
                return await send(message)
            start = message
            return
        if start is None:
            return await send(message)
        chunks.append(message.get("body", b""))
        if message.get("more_body"):
            return
        await send_whole(send, start["status"], start.get("headers", []),
                         plain_geojson(b"".join(chunks), key))
    return send_plain


async def geometry_key(datasette, database, table):
    """(has a geometry column, its single primary key or None) of a table or view."""
    db = datasette.get_database(database)
    columns = await db.table_columns(table)
    keys = await db.primary_keys(table)
    return "geometry" in columns, keys[0] if len(keys) == 1 else None


async def no_geometry(db, table):
    having = [name for name in await db.table_names()
              if "geometry" in await db.table_columns(name)]
    return (f"{table} has no geometry column, which GeoJSON needs "
            f"(tables with one: {', '.join(having) or 'none'})")


def for_spreadsheets(send):
    """send, with a successful CSV response's body rewritten by SpreadsheetCsv."""
    rewriting = None

    async def send_rewritten(message):
        nonlocal rewriting
        if message["type"] == "http.response.start":
            if message["status"] == 200:
                rewriting = SpreadsheetCsv()
                message = dict(message, headers=without(message.get("headers", []),
                                                        b"content-length"))
        elif message["type"] == "http.response.body" and rewriting:
            more = message.get("more_body", False)
            message = dict(message, body=rewriting.feed(message.get("body", b""), not more))
        await send(message)
    return send_rewritten


def asks_for(scope, name):
    return any(key == name and value for key, value in query(scope))


class Formats(Middleware):
    """Unknown formats refused; the defaults, media types and rewrites of the site's formats."""

    async def __call__(self, scope, receive, send):
        found = FORMAT_PATH.match(scope.get("path", "")) if scope["type"] == "http" else None
        if not found or found["database"] not in self.datasette.databases:
            return await self.app(scope, receive, send)
        if found["ext"] not in BUILT_IN and found["ext"] not in self.datasette.renderers:
            listed = ", ".join(sorted(BUILT_IN | set(self.datasette.renderers)))
            return await send_error(scope, send, 404,
                                    f"no format .{found['ext']} here (there are {listed})",
                                    fmt="text")
        if found["ext"] in TABLE_DEFAULTS and found["table"]:
            scope = with_default(scope, *TABLE_DEFAULTS[found["ext"]])
        if found["ext"] in MEDIA_TYPES:
            send = typed(send, MEDIA_TYPES[found["ext"]])
        if found["ext"] == "geojson" and found["table"]:
            table = tilde_decode(found["table"])
            db = self.datasette.databases[found["database"]]
            if table in await db.table_names() or table in await db.view_names():
                has_geometry, key = await geometry_key(self.datasette, found["database"], table)
                if not has_geometry:
                    return await send_error(scope, send, 404, await no_geometry(db, table),
                                            fmt="text")
                send = for_gis(send, key)
        if found["ext"] == "csv" and asks_for(scope, SPREADSHEET):
            scope, send = with_default(scope, "_dl", "1"), for_spreadsheets(send)
        return await self.app(scope, receive, send)
