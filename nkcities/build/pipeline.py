"""The build as one call: resolve and check every input into rows, then (unless only checking)
load them into a database that replaces the old one atomically."""

from nkcities.build import load, rows, target
from nkcities.build.resolve import Inputs


def build(db_path, inputs=Inputs()):
    """(cities, divisions, statuses, population). db_path None: check only, write nothing."""
    tables = rows.resolve(inputs)
    if db_path is None:
        return (len(tables["cities"]), len(tables["provinces"]), len(tables["statuses"]),
                sum(city["population_2008"] for city in tables["cities"]))
    with target.replacing(db_path) as tmp:
        load.write(tmp, tables)
        return load.summary(tmp)
