"""dist/cities.geojson: /<db>/cities.geojson as the site serves it, rendered in-process by a plain
Datasette (no project plugins or middleware: datasette-geojson, installed as a package, renders
it) with the project's metadata, its foreign keys labelled and made plain for GIS as the served
file is (nkcities/gis_geojson.py), so that the file in the data package and the page cannot
differ."""

import asyncio

from datasette.app import Datasette

from nkcities.gis_geojson import plain_geojson


def cities_geojson(db_path, name, metadata):
    """The bytes of /<name>/cities.geojson served from db_path."""
    ds = Datasette(immutables=[str(db_path)], metadata=metadata,
                   settings={"suggest_facets": False})

    async def render():
        # _labels=on: the site's default for a table's GeoJSON (each foreign key with its label).
        response = await ds.client.get(f"/{name}/cities.geojson?_labels=on")
        return response, await ds.get_database(name).primary_keys("cities")
    response, (key,) = asyncio.run(render())
    if response.status_code != 200:
        raise ValueError(f"cities.geojson: Datasette answered {response.status_code}")
    return plain_geojson(response.content, key)


def geojson_resource(data):
    """The data package's entry for cities.geojson (its files dict gets the bytes)."""
    return {"name": "cities-geojson", "path": "cities.geojson", "title": "Cities as GeoJSON",
            "description": "The 28 cities as a GeoJSON FeatureCollection of Points (WGS 84), "
                           "each with the city's key as its id, every column of cities a plain "
                           "property, each foreign key's label beside it (<column>_label).",
            "format": "geojson", "mediatype": "application/geo+json", "encoding": "utf-8",
            "bytes": len(data)}
