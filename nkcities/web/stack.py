"""The serving stack: Datasette's app inside the site's middleware (nkcities/web/middleware/), in
one place. plugins/stack.py installs it, Datasette's one public way in (its asgi_wrapper hook),
so `make serve`, an in-process Datasette of the tests and the benchmarks all serve through it."""

from nkcities.web.middleware.compression import Compression
from nkcities.web.middleware.cors import Cors
from nkcities.web.middleware.csv_errors import CsvErrors
from nkcities.web.middleware.fair_share import FairShare
from nkcities.web.middleware.formats import Formats
from nkcities.web.middleware.health import Health
from nkcities.web.middleware.paced_send import PacedSend
from nkcities.web.middleware.reconcile import ReconcileAnswers
from nkcities.web.middleware.request_limits import RequestLimits
from nkcities.web.middleware.response_cache import ResponseCache, cacheable
from nkcities.web.warming import fresh_progress


def composed(app, datasette):
    """`app` (Datasette's) wrapped in the middleware below, the first the outermost: a request
    meets them from the top down, its response leaves through them from the bottom up."""
    cached = cacheable(datasette)  # a cache needs immutable files to tag its answers with
    warming = fresh_progress() if cached else None  # the cache's warm-up, for /-/health
    layers = [
        # A file that is not the build's gets 503, cached pages included.
        (Health, datasette, warming),
        # Every response, cached ones too, leaves in pieces under a byte budget.
        (PacedSend,),
        # Methods, URL parameters, facets and bodies refused before any work; before the cache,
        # so that it never answers a request the site refuses and keys pages by public_url's Host.
        (RequestLimits, datasette),
        # A hit skips everything below, the client's turn included; a miss waiting for the same
        # page's render holds no turn either.
        *([(ResponseCache, datasette, warming)] if cached else []),
        # Concurrency per client and in all; one SQL turn per client.
        (FairShare,),
        # Inside the cache, so that it keeps compressed bytes and each page is compressed once.
        (Compression,),
        # A failing CSV export becomes a CSV 400: it reads the body before compression.
        (CsvErrors, datasette),
        # An unknown format is 404; defaults and rewrites of .geojson, .xlsx and spreadsheet CSV.
        (Formats, datasette),
        # OpenRefine's JSONP and one candidate per city, on datasette-reconcile's whole answer.
        (ReconcileAnswers, datasette),
        # CORS on plugins' routes too (/-/data/*, /CITATION.cff, /sitemap.xml).
        (Cors, datasette),
    ]
    for middleware, *arguments in reversed(layers):
        app = middleware(app, *arguments)
    return app
