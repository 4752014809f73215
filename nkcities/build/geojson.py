"""dist/cities.geojson: the served /<db>/cities.geojson, rendered by Datasette in-process with the
project's metadata and plugins (datasette-geojson, middleware/formats.py), so that the file in the
data package and the page cannot differ."""

import asyncio
from pathlib import Path

from datasette.app import Datasette

PLUGINS = Path(__file__).resolve().parents[2] / "plugins"


def cities_geojson(db_path, name, metadata):
    """The bytes of /<name>/cities.geojson served from db_path."""
    ds = Datasette(immutables=[str(db_path)], metadata=metadata, plugins_dir=str(PLUGINS),
                   settings={"suggest_facets": False})
    response = asyncio.run(ds.client.get(f"/{name}/cities.geojson"))
    if response.status_code != 200:
        raise ValueError(f"cities.geojson: Datasette answered {response.status_code}")
    return response.content


def geojson_resource(data):
    """The data package's entry for cities.geojson (its files dict gets the bytes)."""
    return {"name": "cities-geojson", "path": "cities.geojson", "title": "Cities as GeoJSON",
            "description": "The 28 cities as a GeoJSON FeatureCollection of Points (WGS 84), "
                           "each with the city's key as its id, every column of cities a plain "
                           "property, each foreign key's label beside it (<column>_label).",
            "format": "geojson", "mediatype": "application/geo+json", "encoding": "utf-8",
            "bytes": len(data)}
