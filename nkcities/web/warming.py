"""The pages a response cache renders before anyone asks (plugins/response_cache.py), and how
far it has got, which GET /-/health reports (plugins/health.py).

The pages people arrive at: those of sitemap.xml (datasette-sitemap's SQL in metadata.yml: the
home page, the database, each table and view, each city, province and status) and each canned
query. A cached page is keyed by the Host it was asked under (its absolute URLs name it), so
the warm-up runs when the first request shows the Host and scheme the public uses.
"""

PROGRESS = {}  # id(datasette): {"done": bool, "pages": rendered, "of": listed}


def progress(datasette):
    """For /-/health: None where no response cache runs (a mutable database)."""
    return PROGRESS.get(id(datasette))


async def arrival_paths(datasette):
    """The paths to render, home page first, without repeats."""
    paths = ["/"]
    sitemap = datasette.plugin_config("datasette-sitemap") or {}
    if sitemap.get("sql") and sitemap.get("database"):
        result = await datasette.get_database(sitemap["database"]).execute(sitemap["sql"])
        paths += [row["path"] for row in result.rows]
    for db in datasette.databases.values():
        if not db.path:
            continue
        paths.append(datasette.urls.database(db.name))
        if not sitemap.get("sql"):
            paths += [datasette.urls.table(db.name, name)
                      for name in [*await db.table_names(), *await db.view_names()]
                      if name not in await db.hidden_table_names()]
        paths += [datasette.urls.query(db.name, name)
                  for name in await datasette.get_canned_queries(db.name, None)]
    return list(dict.fromkeys(paths))
