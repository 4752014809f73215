"""Discovery: schema.org Dataset JSON-LD for the home page, and the data package's files.

`dataset_jsonld` (for templates/_dataset_jsonld.html, included by the home page) describes the
dataset as search engines read it: name and description from metadata.yml, version and creator
from CITATION.cff, the article it is based on, where and when it covers, and one DataDownload per
download with absolute URLs from the request. The data package that `make build` writes in dist/
beside the database is served at /-/data/<file>, and listed only when it is there.
"""

import json
from functools import partial
from pathlib import Path

from datasette import hookimpl
from datasette.utils.asgi import NotFound, Response

from nkcities.citation_file import parsed
from nkcities.geography import BOX

DATA_PATH = "/-/data/"
MEDIA_TYPES = {".json": "application/json", ".csv": "text/csv; charset=utf-8",
               ".geojson": "application/geo+json"}
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DESCRIBED = {"title", "description", "license_url", "source", "source_url"}  # metadata.yml's
SCHEMA_BOX = "{south} {west} {north} {east}".format(**BOX)  # schema.org's GeoShape order


def served_database(datasette):
    """The database file this site serves, or None (a Datasette with no file)."""
    return next((db for name, db in datasette.databases.items()
                 if db.path and not name.startswith("_")), None)


def dist_file(datasette, name):
    """A file of the data package beside the served database, or None."""
    served = served_database(datasette)
    if served is None:
        return None
    dist = Path(served.path).parent / "dist"
    package = dist / "datapackage.json"
    if not package.is_file():
        return None
    listed = {r["path"] for r in json.loads(package.read_text())["resources"]}
    return dist / name if name in listed | {"datapackage.json"} else None


def download(url, media_type, name):
    return {"@type": "DataDownload", "name": name, "contentUrl": url, "encodingFormat": media_type}


def downloads(datasette, request, db):
    url = partial(datasette.absolute_url, request)
    table = datasette.urls.table(db, "cities")
    found = [download(url(datasette.urls.database(db) + ".db"), "application/vnd.sqlite3",
                      "The SQLite database"),
             download(url(table + ".csv?_stream=on&_dl=1"), "text/csv", "The cities as CSV"),
             download(url(table + ".geojson"), "application/geo+json", "The cities as GeoJSON"),
             download(url(table + ".xlsx"), XLSX, "The cities for Excel")]
    if dist_file(datasette, "datapackage.json"):
        found.append(download(url(DATA_PATH + "datapackage.json"), "application/json",
                              "Frictionless Data Package (datapackage.json and one CSV per table)"))
    return found


def dataset(datasette, request):
    metadata, cff = datasette.metadata(), parsed()
    db = served_database(datasette).name
    return {
        "@context": "https://schema.org", "@type": "Dataset",
        "name": metadata["title"], "description": metadata["description"],
        "url": datasette.absolute_url(request, "/"), "version": str(cff["version"]),
        "license": metadata["license_url"],
        "creator": [{"@type": "Organization", "name": a["name"]} for a in cff["authors"]],
        "isBasedOn": {"@type": "CreativeWork", "name": metadata["source"],
                      "url": metadata["source_url"], "license": metadata["license_url"]},
        "spatialCoverage": {"@type": "Place", "name": "North Korea",
                            "geo": {"@type": "GeoShape", "box": SCHEMA_BOX}},
        "temporalCoverage": "2008",
        "keywords": cff.get("keywords", []),
        "distribution": downloads(datasette, request, db),
    }


@hookimpl
def extra_template_vars(template, datasette, request):
    if template != "index.html" or request is None or served_database(datasette) is None \
            or not DESCRIBED <= datasette.metadata().keys():
        return {}
    # As text for a <script> element: "<" escaped, so no "</script>" can end it early.
    text = json.dumps(dataset(datasette, request), ensure_ascii=False, indent=2)
    return {"dataset_jsonld": text.replace("<", "\\u003c")}


async def data_file(datasette, request):
    path = dist_file(datasette, request.url_vars["name"])
    if path is None or not path.is_file():
        raise NotFound("No such file in the data package")
    return Response(path.read_bytes(), content_type=MEDIA_TYPES.get(path.suffix, "text/plain"))


@hookimpl
def register_routes():
    return [(rf"^{DATA_PATH}(?P<name>[\w.-]+)$", data_file)]
