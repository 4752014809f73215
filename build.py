"""Build north-korea-cities.db from the Wikipedia article kept in source/.

The command line only: the work is in nkcities/build/ (inputs.py reads and checks every input,
rows.py makes the rows, load.py loads them with sqlite-utils, atomic_file.py replaces the
database atomically).
Bad input prints one `PATH:LINE: what is wrong` line and exits 1; the old database stays.
"""

from pathlib import Path

import click

from nkcities.build.errors import one_line_errors
from nkcities.build.build_database import build_database
from nkcities.build.inputs import Inputs

DEFAULTS = Inputs()
DEFAULT_DB = Path(__file__).resolve().parent / "north-korea-cities.db"
FILE = click.Path(exists=True, dir_okay=False)


@click.command()
@click.argument("source", default=str(DEFAULTS.source), type=FILE)
@click.option("--db", "db_path", default=str(DEFAULT_DB), type=click.Path(dir_okay=False),
              show_default=True, help="Where to write the SQLite database.")
@click.option("--names", "names_path", default=str(DEFAULTS.names), show_default=True,
              type=FILE, help="The cited supplement of Korean names and points.")
@click.option("--overrides", "overrides_path", default=str(DEFAULTS.overrides),
              show_default=True, type=FILE,
              help="Cited disagreements with GeoNames of more than 15 km.")
@click.option("--contradictions", "contradictions_path", default=str(DEFAULTS.contradictions),
              show_default=True, type=FILE,
              help="Where the article contradicts itself, each side quoted by line.")
@click.option("--changes", "changes_path", default=str(DEFAULTS.changes), show_default=True,
              type=FILE, help="The changes of status the article's notes state, quoted by line.")
@click.option("--check", is_flag=True,
              help="Validate SOURCE and every supplement; write no database.")
def main(source, db_path, names_path, overrides_path, contradictions_path, changes_path,
         check):
    """Build the North Korean cities database from SOURCE."""
    inputs = DEFAULTS._replace(source=source, names=names_path, overrides=overrides_path,
                               contradictions=contradictions_path, changes=changes_path)
    with one_line_errors(db_path):
        cities, provinces, statuses, population = build_database(None if check else db_path,
                                                                  inputs)
    click.echo(f"{cities} cities, {provinces} provinces, {statuses} statuses, "
               f"population {population:,} -> {'checked, nothing written' if check else db_path}")


if __name__ == "__main__":
    main()
