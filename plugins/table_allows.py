"""Answer Datasette's `allow` look-up for a table once, not twice per request. Loaded by
scripts/serve.sh (--plugins-dir plugins).

For every table or view request Datasette 0.65.5 checks the `view-table` permission: it finds
the `allow` blocks that metadata names for that table (under any spelling of its name, since
table names are case-insensitive) by deep-copying the whole metadata first. metadata.yml
describes every table and column and holds the dashboards' charts, about 730 objects, so that
look-up took 0.75 ms of a 3 ms table JSON request, twice per request (bench/NOTES.md).

Its answer depends only on the database and table names and on the metadata, which Datasette
reads once at start and never changes. So each answer is kept (for at most MAX_KEPT names) and
given again; the check itself, matching the actor against those blocks, still runs on every
request. Where a plugin supplies metadata (the get_metadata hook), it may change at any time,
and nothing is kept.
"""

import functools

from datasette import hookimpl
from datasette.plugins import pm

MAX_KEPT = 1024  # (database, table) names; a request for a missing table asks too


def remembered(allows):
    """`allows(database, table)`, each answer kept as a tuple that no caller can change."""
    @functools.lru_cache(maxsize=MAX_KEPT)
    def kept(database, table):
        return tuple(allows(database, table))
    return kept


@hookimpl
def startup(datasette):
    if not pm.hook.get_metadata.get_hookimpls():
        datasette._table_permission_allows = remembered(datasette._table_permission_allows)
