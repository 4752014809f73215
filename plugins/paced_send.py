"""Memory: what a client that does not read can make the server hold. The numbers and their
reasons are in serve.yml, `requests`.

A response body goes out in pieces of send_chunk_bytes, each waiting for the socket
(uvicorn's flow control), so the socket buffer holds one piece, not the whole body; a client
that takes nothing for send_timeout_s is dropped, and its request ends, freeing the body.
The bodies over one piece that are being sent, all requests together, stay under
max_held_bytes: one that would pass it gets 503 with Retry-After instead (its start is held
until its body is known). JSON escapes can make a 2 MB result a 12 MB body, so the number of
requests alone (fair_share.py) would not bound the memory.
"""

import asyncio
import itertools

from datasette import hookimpl

from nkcities.http_errors import send_error
from nkcities.serve import load_config

LIMITS = load_config()["requests"]


class Held:
    """Bytes of response bodies being sent, all requests of one server."""

    def __init__(self, limit):
        self.bytes, self.limit = 0, limit


def pieces(message, chunk):
    """The body message as messages of at most `chunk` bytes, each copied when it is sent."""
    body, more = message.get("body", b""), message.get("more_body", False)
    if len(body) <= chunk:
        yield message
        return
    for i in range(0, len(body), chunk):
        yield {"type": "http.response.body", "body": body[i:i + chunk],
               "more_body": more or i + chunk < len(body)}


def paced(scope, send, held, chunk=LIMITS["send_chunk_bytes"],
          timeout=LIMITS["send_timeout_s"]):
    start, dropped = None, False

    async def paced_send(message):
        nonlocal start, dropped
        if dropped:
            return
        if message["type"] == "http.response.start":
            start = message
            return
        size = len(message.get("body", b"")) if message["type"] == "http.response.body" else 0
        size = size if size > chunk else 0
        if start and size and held.bytes + size > held.limit:
            dropped = True
            return await send_error(scope, send, 503, "the server is busy: try again shortly",
                                    [("retry-after", LIMITS["retry_after_s"])])
        queue, start = itertools.chain([start] if start else [], pieces(message, chunk)), None
        held.bytes += size
        try:
            for piece in queue:
                async with asyncio.timeout(timeout):
                    await send(piece)
        except TimeoutError:
            dropped = True
        finally:
            held.bytes -= size

    return paced_send


@hookimpl
def asgi_wrapper(datasette):
    def wrap(app):
        held = Held(LIMITS["max_held_bytes"])

        async def pacing(scope, receive, send):
            if scope["type"] != "http":
                return await app(scope, receive, send)
            return await app(scope, receive, paced(scope, send, held))
        return pacing
    return wrap
