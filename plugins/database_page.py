"""The database page without Datasette's table survey: templates/database.html lists each
visible table that is not hidden and each visible view, by name and row count, and the canned
queries. Datasette's database view also asks every table's columns, keys and full-text index,
and checks each table's visibility twice (for the visitor, then for anyone), where each check
deep-copies the whole metadata: 62 copies and about 150 SQL calls, most of them for the 16
hidden tables (the search indexes', SQLite's statistics) that the page never shows. This
route renders the same template from what it shows, with one visibility check per listed
table or view and canned query.

Anything else at this address is Datasette's own view (nkcities/web/serve.py, datasette_view):
a query (?sql=), methods other than GET, and a page whose template is not this site's
(Datasette's own database.html reads every table's columns and the database_actions hook, which
this route does not gather).
"""

import time

from datasette import Forbidden, NotFound, Response, hookimpl
from datasette.utils import add_cors_headers, path_with_format, tilde_decode, to_css_class
from datasette.version import __version__
from datasette.views.database import DatabaseView

from nkcities.web.serve import datasette_view, site_template


async def visible(datasette, actor, permissions):
    """Whether actor may see it: Datasette's own check, asked once (check_visibility asks
    again for the anonymous visitor, to mark it private, which this page does not show)."""
    try:
        await datasette.ensure_permissions(actor, permissions)
    except Forbidden:
        return False
    return True


async def listed(datasette, db, actor):
    """(tables, views, queries) as the template lists them."""
    database, counts = db.name, await db.table_counts(5)
    hidden = set(await db.hidden_table_names())
    above = [("view-database", database), "view-instance"]
    tables = [{"name": name, "count": counts[name], "hidden": False} for name in sorted(counts)
              if name not in hidden
              and await visible(datasette, actor, [("view-table", (database, name)), *above])]
    views = [{"name": name} for name in await db.view_names()
             if await visible(datasette, actor, [("view-table", (database, name)), *above])]
    queries = [query for query in (await datasette.get_canned_queries(database, actor)).values()
               if await visible(datasette, actor, [("view-query", (database, query["name"])),
                                                   *above])]
    return tables, views, queries


async def database_page(datasette, request, send):
    if request.method != "GET" or request.args.get("sql"):
        return await datasette_view(DatabaseView, datasette, request, send)
    started = time.perf_counter()
    try:
        db = datasette.get_database(route=tilde_decode(request.url_vars["database"]))
    except KeyError:
        raise NotFound("Database not found")
    database = db.name
    templates = [f"database-{to_css_class(database)}.html", "database.html"]
    chosen = site_template(datasette, templates)
    if chosen is None:
        return await datasette_view(DatabaseView, datasette, request, send)
    seen, private = await datasette.check_visibility(
        request.actor, permissions=[("view-database", database), "view-instance"])
    if not seen:
        raise Forbidden("You do not have permission to view this database")
    metadata = dict((datasette.metadata("databases") or {}).get(database, {}))
    datasette.update_with_inherited_metadata(metadata)
    tables, views, queries = await listed(datasette, db, request.actor)
    alternate = datasette.absolute_url(
        request, datasette.urls.path(path_with_format(request=request, format="json")))
    html = await datasette.render_template(templates, {
        "database": database, "private": private, "path": datasette.urls.database(database),
        "size": db.size, "tables": tables, "views": views, "queries": queries,
        "allow_execute_sql": await datasette.permission_allowed(
            request.actor, "execute-sql", database, default=True),
        "metadata": metadata, "editable": True,
        "allow_download": datasette.setting("allow_download") and not db.is_mutable
        and not db.is_memory,
        "query_ms": (time.perf_counter() - started) * 1000,
        "datasette_version": __version__, "settings": datasette.settings_dict(),
        "database_color": lambda database: "ff0000", "alternate_url_json": alternate,
        "select_templates": [f"{'*' if name == chosen else ''}{name}" for name in templates],
    }, request=request, view_name="database")
    response = datasette_response(datasette, request, html)
    response.headers["Link"] = f'{alternate}; rel="alternate"; type="application/json+datasette"'
    return response


def datasette_response(datasette, request, html):
    """An HTML response with the headers Datasette's views give theirs (a _ttl parameter
    sets the cache lifetime, as on Datasette's pages)."""
    response = Response.html(html)
    ttl = request.args.get("_ttl")
    ttl = int(ttl) if ttl and ttl.isdigit() else datasette.setting("default_cache_ttl")
    if datasette.cache_headers:
        response.headers["Cache-Control"] = f"max-age={ttl}" if ttl else "no-cache"
    response.headers["Referrer-Policy"] = "no-referrer"
    if datasette.cors:
        add_cors_headers(response.headers)
    return response


@hookimpl
def register_routes():
    # `format` never matches: None, as Datasette's own view has it for its HTML page. Not
    # /:memory:, which Datasette's own route, after the plugins', redirects to /_memory.
    return [(r"^/(?!:memory:)(?P<database>[^/.]+)(?P<format>(?!))?$", database_page)]
