"""The home page without Datasette's table survey: templates/index.html lists the tables from
metadata.yml, so the columns, keys, full-text indexes, counts and visibility of every table and
view that Datasette's own index view gathers (about 140 SQL calls and 30 permission checks)
would be thrown away. This route renders the same template with what it reads: each visible
database's name and colour, the metadata. `/.json` stays Datasette's, and so does the page
when index.html is not this site's (Datasette's own reads those counts).
"""

import hashlib

from datasette import hookimpl
from datasette.utils.asgi import Base400, Response
from datasette.version import __version__

from nkcities.web.serve import site_template


class MethodNotAllowed(Base400):
    status = 405  # plugins/error_pages.py renders it, middleware/request_limits.py adds Allow


def color(name, db):
    """Datasette's colour for a database: its hash's first digits, else its name's."""
    return db.hash[:6] if db.hash else hashlib.md5(name.encode("utf8")).hexdigest()[:6]


async def home(datasette, request, send):
    if request.method not in ("GET", "HEAD"):
        raise MethodNotAllowed(f"{request.method} is not allowed here: this page only reads")
    await datasette.ensure_permissions(request.actor, ["view-instance"])
    databases = []
    for name, db in datasette.databases.items():
        visible, private = await datasette.check_visibility(request.actor, "view-database", name)
        if visible:
            databases.append({"name": name, "color": color(name, db), "private": private,
                              "path": datasette.urls.database(name)})
    alternate = datasette.absolute_url(request, datasette.urls.path("/.json"))
    html = await datasette.render_template(["index.html"], {
        "databases": databases, "metadata": datasette.metadata(),
        "datasette_version": __version__, "database_color": lambda database: "ff0000",
        "private": not await datasette.permission_allowed(None, "view-instance", default=True),
        "alternate_url_json": alternate, "select_templates": ["*index.html"],
    }, request=request, view_name="index")
    return Response.html("" if request.method == "HEAD" else html, headers={
        "Link": f'{alternate}; rel="alternate"; type="application/json+datasette"'})


@hookimpl
def register_routes(datasette):
    if site_template(datasette, ["index.html"]) is None:
        return []  # Datasette's own index.html reads what its own view gathers: its view
    # `format` never matches: None, as Datasette's own view has it for its HTML page.
    return [(r"^/(?P<format>(?!))?$", home)]
