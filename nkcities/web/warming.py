"""The pages the response cache renders before anyone asks (middleware/response_cache.py; how
far it has got, GET /-/health reports: middleware/health.py).

The pages people arrive at: those of sitemap.xml (datasette-sitemap's SQL in metadata.yml: the
home page, the database, each table and view, each city, province and status) and each canned
query. A cached page is keyed by the Host it was asked under (its absolute URLs name it), so
the warm-up runs when the first request shows the Host and scheme the public uses.
"""


def fresh_progress():
    """How far a warm-up has got: the cache updates it, /-/health reports it."""
    return {"done": False, "pages": 0, "of": None}


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
