"""GeoJSON as GIS reads it (GDAL, QGIS, geopandas store an object property as a JSON string):
datasette-geojson's feature collection with each foreign key as two plain properties side by
side, its key and `<column>_label` (as Datasette's CSV expands it), and each feature with its
primary key as its `id`. The served `.geojson` and dist/cities.geojson both are this."""

import json


def plain_feature(feature, key):
    """A feature with plain properties (key and label side by side) and its id from `key`."""
    properties = {}
    for name, value in (feature.get("properties") or {}).items():
        if isinstance(value, dict) and "value" in value:
            properties[name], properties[f"{name}_label"] = value["value"], value.get("label")
        else:
            properties[name] = value
    if key in properties:
        feature = {"type": feature["type"], "id": properties[key], **feature}
    return dict(feature, properties=properties)


def plain_geojson(body, key):
    try:
        collection = json.loads(body)
        features = collection["features"]
    except (ValueError, KeyError, TypeError):
        return body
    collection["features"] = [plain_feature(feature, key) for feature in features]
    return json.dumps(collection, ensure_ascii=False).encode("utf-8")
