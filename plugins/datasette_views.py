"""Datasette's own views of each database served immutable, routed to
nkcities/web/serve.py's datasette_view: the database in a format (a query, ?sql=, among them),
its tables, views and canned queries, and its rows. Datasette's route for them would first ask
every database for its schema version, which nothing changes here.

The addresses are those of Datasette's own routes, for these databases only, so /-/..., the
static mounts and /favicon.ico stay Datasette's. Listed after every other plugin's routes
(trylast), so that a plugin's page at such an address (reconcile_spellings' city pages) stays
that plugin's, as it is with Datasette's own routes.
"""

import re

from datasette import hookimpl
from datasette.utils import tilde_encode
from datasette.views.database import DatabaseView
from datasette.views.row import RowView
from datasette.views.table import TableView

from nkcities.web.serve import datasette_view


def route(view_class):
    async def view(datasette, request, send):
        return await datasette_view(view_class, datasette, request, send)
    return view


@hookimpl(trylast=True)
def register_routes(datasette):
    names = "|".join(re.escape(tilde_encode(db.route)) for db in datasette.databases.values()
                     if not db.is_mutable)  # as Datasette's URLs name them
    if not names:
        return []
    database = rf"^/(?P<database>{names})"
    return [  # the database page itself is plugins/database_page.py's; .db is db_download's
        (database + r"\.(?P<format>(?!db$)\w+)$", route(DatabaseView)),
        (database + r"/(?P<table>[^\/\.]+)(\.(?P<format>\w+))?$", route(TableView)),
        (database + r"/(?P<table>[^/]+?)/(?P<pks>[^/]+?)(\.(?P<format>\w+))?$", route(RowView)),
    ]
