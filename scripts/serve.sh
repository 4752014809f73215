#!/usr/bin/env bash
# Serve the built database with the project's settings: the one serve configuration that
# `make serve`, the tests, the benchmarks and the Dockerfile all use.
#   DB (north-korea-cities.db), INSPECT (inspect-data.json), HOST (127.0.0.1), PORT (8001)
# The numbers and why are in README.md, "Security and limits".
set -euo pipefail
cd "$(dirname "$0")/.."
DB=${DB:-north-korea-cities.db}
INSPECT=${INSPECT:-inspect-data.json}
args=(
    # Immutable, with row counts from the inspect file instead of a count per request.
    -i "$DB" --inspect-file "$INSPECT"
    --metadata metadata.yml --template-dir templates
    # plugins/: the per-connection and per-request limits; table_allows.py answers Datasette's
    # metadata look-up for a table's `allow` blocks once instead of on every request.
    --plugins-dir plugins
    # static/: the pages' stylesheet (plugins/pages.py links it on every page).
    --static assets:static
    --host "${HOST:-127.0.0.1}" --port "${PORT:-8001}"
    # Facet suggestions cost a query per column on every table page; metadata.yml names the
    # useful facets.
    --setting suggest_facets off
    # Queries on this small immutable file take microseconds: handing each to a thread pool
    # costs more than running it (bench/RESULTS.md). The time limit still applies.
    --setting num_sql_threads 0
    --setting sql_time_limit_ms 250
    --setting facet_time_limit_ms 100
    --setting max_returned_rows 1000
    --setting max_csv_mb 5
    --setting allow_download on
    # Cacheable by a CDN (the data only changes with a deployment); CORS for Datasette Lite.
    --setting default_cache_ttl 600
    --cors
)
exec datasette serve "${args[@]}" "$@"
