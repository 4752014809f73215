#!/usr/bin/env bash
# Serve the built database with the project's settings: the one serve configuration that
# `make serve`, the tests and the benchmarks all use.
#   DB (north-korea-cities.db), INSPECT (inspect-data.json), HOST (127.0.0.1), PORT (8001)
set -euo pipefail
cd "$(dirname "$0")/.."
DB=${DB:-north-korea-cities.db}
INSPECT=${INSPECT:-inspect-data.json}
# num_sql_threads 0: queries on this small immutable file take microseconds, handing each to a
# thread pool costs more than running it (see bench/RESULTS.md); sql_time_limit_ms still applies.
exec datasette serve -i "$DB" \
    --inspect-file "$INSPECT" \
    --metadata metadata.yml \
    --template-dir templates \
    --host "${HOST:-127.0.0.1}" --port "${PORT:-8001}" \
    --setting suggest_facets off \
    --setting default_cache_ttl 600 \
    --cors \
    --setting num_sql_threads 0 \
    --plugins-dir plugins \
    --setting sql_time_limit_ms 250 \
    --setting facet_time_limit_ms 100 \
    --setting max_returned_rows 1000 \
    --setting max_csv_mb 5 \
    --setting allow_download on \
    "$@"
