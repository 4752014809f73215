"""A CSV export of a query that fails is an error, not an empty 200.

Datasette 0.65's query view swallows the error of a `?sql=` query and, for `.csv`, sends 200
and an empty body. So the response's start is held until its first byte: when the body ends
empty, the query is run once more to get its error, answered as a CSV 400
(nkcities/web/http_errors.py). A query that really returns nothing (`_header=off`, no rows) still
gets its empty 200 (a failed query's body is the empty header line only). Only failed
exports pay the second run, inside the same request's turn.
"""

import sqlite3

from datasette.database import QueryInterrupted

from nkcities.web.asgi import query
from nkcities.web.http_errors import send_error
from nkcities.web.middleware import Middleware


def query_of(scope):
    """(database name, sql, named parameters) of a `/<db>.csv?sql=` request, else None."""
    path = scope["path"]
    name = path[1:].removesuffix(".csv")
    if not path.endswith(".csv") or "/" in name:
        return None
    args = dict(query(scope))
    if "sql" not in args:
        return None
    return name, args.pop("sql"), {k: v for k, v in args.items() if not k.startswith("_")}


async def query_error(datasette, name, sql, params):
    try:
        await datasette.get_database(name).execute(sql, params)
    except (sqlite3.Error, QueryInterrupted) as error:  # what made the export fail
        return str(error)
    return None


def held(send, scope, datasette, query):
    start = None

    async def send_when_not_empty(message):
        nonlocal start
        if start is False:
            return await send(message)
        if message["type"] == "http.response.start":
            start = message
            return
        blank = not message.get("body", b"").strip()  # a failed query writes an empty header
        if blank and message.get("more_body"):
            return
        error = await query_error(datasette, *query) if blank else None
        if error:
            start = False
            return await send_error(scope, send, 400, error)
        await send(start)
        start = False
        await send(message)

    return send_when_not_empty


class CsvErrors(Middleware):
    """A `/<db>.csv?sql=` export whose query fails answered as a CSV 400."""

    async def __call__(self, scope, receive, send):
        export = query_of(scope) if scope["type"] == "http" else None
        if export and export[0] in self.datasette.databases:  # else Datasette's 404 or redirect
            send = held(send, scope, self.datasette, export)
        return await self.app(scope, receive, send)
