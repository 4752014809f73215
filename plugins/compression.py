"""Compress responses: brotli where the browser takes it, else gzip (brotli-asgi, which wraps
Starlette's gzip middleware for the fallback).

datasette-gzip (0.3, on Datasette 0.65.5) works but only speaks gzip, at level 9, and
compresses every response of 500 bytes or more whatever its type, the .db download included,
whose ETag then names two different bodies. Here:
- brotli at quality 4 (fast; bench/RESULTS.md has the sizes), gzip as the fallback;
- only responses over MINIMUM_SIZE bytes: below it the headers outweigh the saving;
- never the .db download: SQLite pages are served as the file is, with its Content-Length
  and the file's own ETag (plugins/db_download.py).
plugins/response_cache.py, the outermost wrapper, reduces Accept-Encoding to the one coding
chosen (so `br;q=0` is not read as brotli) and adds `Vary: Accept-Encoding`; this one is the
innermost wrapper (tryfirst), so the cache keeps compressed bytes and compresses once.
"""

from brotli_asgi import BrotliMiddleware
from datasette import hookimpl

MINIMUM_SIZE = 500  # bytes
QUALITY = 4
NOT_COMPRESSED = [r"\.db$"]  # path patterns


@hookimpl(tryfirst=True)
def asgi_wrapper(datasette):
    def wrap(app):
        return BrotliMiddleware(app, quality=QUALITY, minimum_size=MINIMUM_SIZE,
                                excluded_handlers=NOT_COMPRESSED)
    return wrap
