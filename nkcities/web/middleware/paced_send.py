"""Memory: what a client that does not read can make the server hold. The numbers and their
reasons are in serve.yml, `requests`.

A response body goes out in pieces of send_chunk_bytes, each waiting for the socket
(uvicorn's flow control), so the socket buffer holds one piece, not the whole body; a client
that takes nothing for send_timeout_s is dropped, and its request ends, freeing the body.
The bodies over one piece that are being sent, all requests together, stay under
max_held_bytes: one that would pass it gets 503 with Retry-After instead (its start is held
until its body is known). JSON escapes can make a 1 MB result a 6 MB body, so the number of
requests alone (fair_share.py) would not bound the memory.
"""

import asyncio
import itertools

from nkcities.web.http_errors import send_error
from nkcities.web.middleware.compression import BODY_BYTES
from nkcities.web.serve import load_config

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


class Paced:
    """The send() of one request. Its body is counted from its start to the end of the request:
    the size Datasette made it (compression.py's BODY_BYTES, before slicing and compression),
    else its first message's; none if that is one piece or less."""

    def __init__(self, scope, send, held, chunk=LIMITS["send_chunk_bytes"],
                 timeout=LIMITS["send_timeout_s"]):
        self.scope, self.send, self.held = scope, send, held
        self.chunk, self.timeout = chunk, timeout
        self.start, self.dropped, self.counted = None, False, 0

    async def __call__(self, message):
        if self.dropped:
            return
        if message["type"] == "http.response.start":
            self.start = message
            return
        start, self.start = self.start, None
        if start:
            size = max(self.scope.get("state", {}).get(BODY_BYTES, 0),
                       len(message.get("body", b"")))
            if size > self.chunk and self.held.bytes + size > self.held.limit:
                self.dropped = True
                return await send_error(self.scope, self.send, 503,
                                        "the server is busy: try again shortly",
                                        [("retry-after", LIMITS["retry_after_s"])])
            if size <= self.chunk:  # the start and a body of one piece: one wait for both
                return await self.within_timeout(start, message)
            self.counted = size
            self.held.bytes += size
        for piece in itertools.chain([start] if start else [], pieces(message, self.chunk)):
            if not await self.within_timeout(piece):
                return

    async def within_timeout(self, *messages):
        """Send the messages (one piece) within `timeout`, else drop the client: False."""
        try:
            async with asyncio.timeout(self.timeout):
                for each in messages:
                    await self.send(each)
        except TimeoutError:
            self.dropped = True
        return not self.dropped

    def release(self):
        self.held.bytes -= self.counted
        self.counted = 0


class PacedSend:
    """Every response of one server paced, and its bodies held within max_held_bytes."""

    def __init__(self, app):
        self.app, self.held = app, Held(LIMITS["max_held_bytes"])

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        paced = Paced(scope, send, self.held)
        try:
            return await self.app(scope, receive, paced)
        finally:
            paced.release()
