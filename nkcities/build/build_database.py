"""The build as one call: read and check every input into rows, then (unless only checking)
load them into a database that replaces the old one atomically."""

from nkcities.build import atomic_file, load, rows
from nkcities.build.inputs import Inputs


def build_database(db_path, inputs=Inputs()):
    """(cities, provinces, statuses, population) of the rows. db_path None: check only, write
    nothing."""
    tables = rows.table_rows(inputs)
    if db_path is not None:
        with atomic_file.replacing(db_path) as tmp:
            load.write(tmp, tables)
    return (len(tables["cities"]), len(tables["provinces"]), len(tables["statuses"]),
            sum(city["population_2008"] for city in tables["cities"]))
