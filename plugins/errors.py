"""Datasette's errors, answered here (handle_exception hook) instead of by its default:

- in the request's format (JSON, CSV, HTML; nkcities/http_errors.py), the HTML page from
  Datasette's own error.html template;
- without the default's `rich` traceback of every error, locals included (0.35 s of CPU per
  404 when rich is importable, as it is with the test extra, on the event loop: one such error
  stalled every other client for 0.4 s); a real 500 still logs its plain traceback;
- SQLite out of memory (sql_limits.py's heap limit reached) is the query's fault: 400;
- so is a `_sort` on a column that does not exist: Datasette 0.65 raises it as a 500.
"""

import traceback

from datasette import Response, hookimpl
from datasette.utils import add_cors_headers
from datasette.utils.asgi import Base400
from datasette.views.base import DatasetteError
from markupsafe import Markup

from nkcities.http_errors import TITLES, error_body, error_format

BAD_SORT = "Cannot sort table by "  # datasette/views/table.py, for _sort and _sort_desc


def describe(exception):
    """(status, message, title, extra fields) as Datasette's default handler gives them."""
    if isinstance(exception, MemoryError):
        return 400, ("the query needs more memory than this server allows SQLite "
                     "(plugins/sql_limits.py)"), "Query too large", {}
    if isinstance(exception, Base400):
        return exception.status, exception.args[0], None, {}
    if isinstance(exception, DatasetteError):
        status = 400 if str(exception.message).startswith(BAD_SORT) else exception.status
        return status, exception.message, exception.title, exception.error_dict
    traceback.print_exception(exception)
    return 500, str(exception), None, {}


async def html_page(datasette, info):
    template = datasette.jinja_env.select_template([f"{info['status']}.html", "error.html"])
    return await template.render_async(dict(info, urls=datasette.urls,
                                            app_css_hash=datasette.app_css_hash(),
                                            menu_links=list))


@hookimpl(hookwrapper=True)
def handle_exception(datasette, request, exception):
    """A pluggy hookwrapper, so that this answer replaces the others: Datasette 0.65 awaits
    every hook's answer, the default's too, which prints the rich traceback."""
    # Upstream: the hook's design awaits all answers (simonw/datasette#1770); rich (#1416).
    async def answer():
        status, message, title, extra = describe(exception)
        info = {**extra, "ok": False, "error": message, "status": status, "title": title}
        headers = {}
        if datasette.cors:
            add_cors_headers(headers)
        fmt = error_format(request.path)
        if fmt == "html":
            if getattr(exception, "message_is_html", False):
                info["error"] = Markup(message)
            return Response.html(await html_page(datasette, info), status=status,
                                 headers=headers)
        if fmt == "json":
            return Response.json(info, status=status, headers=headers)
        content_type, body = error_body(fmt, status, message, title or TITLES.get(status))
        return Response(body, status=status, headers=headers, content_type=content_type)

    outcome = yield
    outcome.force_result([answer])
