"""Compress responses: brotli where the browser takes it, else gzip (brotli-asgi, which wraps
Starlette's gzip middleware for the fallback).

datasette-gzip (0.3, on Datasette 0.65.5) works but only speaks gzip, at level 9, and
compresses every response of 500 bytes or more whatever its type, the .db download included,
whose ETag then names two different bodies. Here:
- brotli at quality 4 (fast; bench/RESULTS.md has the sizes), gzip as the fallback;
- only responses over MINIMUM_SIZE bytes: below it the headers outweigh the saving;
- never the .db download: SQLite pages are served as the file is, with its Content-Length
  and the file's own ETag (plugins/db_download.py).
A large answer that Datasette sends as one message (a 4 MB query as JSON is ~25 MB) is handed
to the compressor in SLICE-byte parts with a turn of the event loop between them, so that
compressing it (gzip at level 9, brotli-asgi's fallback, takes seconds for 25 MB) does not
hold up every other request; streamed answers (CSV) come in parts already.
response_cache.py reduces Accept-Encoding to the one coding chosen (so `br;q=0` is not read as
brotli) and adds `Vary: Accept-Encoding`.
"""

import asyncio

from brotli_asgi import BrotliMiddleware

from nkcities.web.serve import load_config

COMPRESSION = load_config()["compression"]
MINIMUM_SIZE, QUALITY = COMPRESSION["minimum_bytes"], COMPRESSION["brotli_quality"]
NOT_COMPRESSED = [r"\.db$"]  # path patterns
SLICE = COMPRESSION["slice_bytes"]
BODY_BYTES = "nkcities.body_bytes"  # the whole body's size, in the request's scope["state"]


class Sliced:
    """The app, with every response body over SLICE bytes sent in SLICE-byte parts. The size of
    the first body message, whole, goes in the request's scope["state"] under BODY_BYTES:
    paced_send.py budgets the body Datasette holds, not the parts it is sent in."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        async def send_sliced(message):
            body = message.get("body", b"")
            if message["type"] != "http.response.body" or len(body) <= SLICE:
                return await send(message)
            scope.get("state", {}).setdefault(BODY_BYTES, len(body))
            more = message.get("more_body", False)
            for start in range(0, len(body), SLICE):
                last = start + SLICE >= len(body)
                await send({"type": "http.response.body", "body": body[start:start + SLICE],
                            "more_body": more or not last})
                await asyncio.sleep(0)  # let other requests run between two parts
        await self.app(scope, receive, send_sliced)


class Compression(BrotliMiddleware):
    """brotli-asgi's middleware with this site's choices, large bodies sliced before it."""

    def __init__(self, app):
        super().__init__(Sliced(app), quality=QUALITY, minimum_size=MINIMUM_SIZE,
                         excluded_handlers=NOT_COMPRESSED)
