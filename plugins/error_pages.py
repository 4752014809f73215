"""Datasette's errors, answered here (handle_exception hook) instead of by its default:

- in the request's format (JSON, CSV, HTML; nkcities/web/http_errors.py), the HTML page from
  Datasette's own error.html template;
- without the default's `rich` traceback of every error, locals included (0.35 s of CPU per
  404 when rich is importable, as it is with the test extra, on the event loop: one such error
  stalled every other client for 0.4 s); a real 500 still logs its plain traceback;
- SQLite out of memory (sql_limits.py's heap limit reached) is the query's fault: 400;
- so is a `.geojson` of a query without a geometry column (datasette-geojson's 500), and a
  `_sort` on a column that does not exist (Datasette 0.65 raises it as a 500);
- a page that shows the way on (templates/error.html): the site's header; a refused or
  failing SQL back in an editor; a bad _size with the allowed values; a missing table or row
  with "did you mean" links (nkcities/web/suggest.py), and a row key that names one row in
  another case or spelling (/cities/Pyongyang, /cities/평양) redirected to that row's page.
"""

import sqlite3
import traceback

from datasette import Response, hookimpl
from datasette.utils import add_cors_headers
from datasette.utils.asgi import Base400
from datasette.views.base import DatasetteError
from markupsafe import Markup

from nkcities.web import suggest
from nkcities.web.http_errors import TITLES, error_body, error_format

# datasette-geojson's error for rows without a geometry column, raised with DatasetteError's
# default status, 500: the request's fault (`.geojson?sql=` without one), so 400.
NO_GEOMETRY = "SQL query must include a geometry column"
# Datasette's row view binds one parameter per primary-key column: a row URL with fewer values
# than a compound key has (/city_names/zz) leaves one unbound, and sqlite3 raises this.
MISSING_KEY_PART = "You did not supply a value for binding parameter"
BAD_SORT = "Cannot sort table by "  # datasette/views/table.py, for _sort and _sort_desc


def describe(exception):
    """(status, message, title, extra fields) as Datasette's default handler gives them."""
    if isinstance(exception, MemoryError):
        return 400, ("the query needs more memory than this server allows SQLite "
                     "(plugins/sql_limits.py)"), "Query too large", {}
    if isinstance(exception, Base400):
        return exception.status, exception.args[0], None, {}
    if isinstance(exception, sqlite3.ProgrammingError) and MISSING_KEY_PART in str(exception):
        return 404, ("No such row: a row of this table is named by all the values of its "
                     "primary key, joined by commas"), "Not found", {}
    if isinstance(exception, DatasetteError) and exception.message == NO_GEOMETRY:
        return 400, f"{NO_GEOMETRY} for GeoJSON", None, {}
    if isinstance(exception, DatasetteError):
        status = 400 if str(exception.message).startswith(BAD_SORT) else exception.status
        return status, exception.message, exception.title, exception.error_dict
    traceback.print_exception(exception)
    return 500, str(exception), None, {}


def size_message(datasette, request, status, message):
    """Datasette's "_size must be <= 1000" names the largest value only: say them all."""
    if status != 400 or "_size" not in request.args or not message.startswith("_size must"):
        return message
    most = datasette.setting("max_returned_rows")
    return (f"_size must be a whole number from 1 to {most} (rows per page), or max for "
            f"{most}; for more rows follow the page's next link, or download the CSV.")


def database_of(datasette, request):
    """The database the path is under, if there is one."""
    first = request.path.strip("/").split("/")[0].split(".")[0]
    return first if first in datasette.databases else None


async def html_page(datasette, request, info):
    info = dict(info, title=info.get("title") or TITLES.get(info["status"]))
    database = database_of(datasette, request)
    sql = request.args.get("sql") if database and request.path.rstrip("/") == f"/{database}" \
        else None
    # Datasette's public render_template: the site's stylesheets, scripts and menu as on any page.
    return await datasette.render_template(
        [f"{info['status']}.html", "error.html"],
        dict(info, database=database, sql=sql, suggestions=info.get("suggestions") or []),
        request=request)


@hookimpl(hookwrapper=True)
def handle_exception(datasette, request, exception):
    """A pluggy hookwrapper, so that this answer replaces the others: Datasette 0.65 awaits
    every hook's answer, the default's too, which prints the rich traceback."""
    # Upstream: the hook's design awaits all answers (simonw/datasette#1770); rich (#1416).
    async def answer():
        status, message, title, extra = describe(exception)
        message = size_message(datasette, request, status, message)
        info = {**extra, "ok": False, "error": message, "status": status, "title": title}
        headers = {}
        if datasette.cors:
            add_cors_headers(headers)
        fmt = error_format(request.path)
        if fmt == "html":
            if getattr(exception, "message_is_html", False):
                # Datasette's "took too long" page appends its own copy of the query, in a
                # textarea of its own: the page's editor holds it.
                info["error"] = Markup(message.split("<textarea", 1)[0].strip())
            if status == 404:
                redirect, info["suggestions"] = await suggest.missing(datasette, request.path)
                if redirect:
                    return Response.redirect(redirect)
            return Response.html(await html_page(datasette, request, info), status=status,
                                 headers=headers)
        if fmt == "json":
            return Response.json(info, status=status, headers=headers)
        content_type, body = error_body(fmt, status, message, title or TITLES.get(status))
        return Response(body, status=status, headers=headers, content_type=content_type)

    outcome = yield
    outcome.force_result([answer])
