"""What the middleware (nkcities/web/middleware/) shares: reading a request, changing a response.

ASGI gives a request's headers and a response's as lists of (name, value) bytes; the server
(uvicorn) gives request header names in lower case, an app may send response names in any case.
"""

import functools
from urllib.parse import parse_qsl


def query(scope):
    """The URL parameters as (name, value) pairs, in order, blank values kept: as Datasette reads
    them (request.args). A tuple: several layers read the same request's, parsed once."""
    return parsed(scope.get("query_string", b""))


@functools.lru_cache(maxsize=1)  # the request being handled: one entry, whatever its size
def parsed(query_string):
    if not query_string:
        return ()
    return tuple(parse_qsl(query_string.decode("latin-1"), keep_blank_values=True))


def request_header(scope, name):
    """A request header's values joined by ", " (RFC 9110 5.3), or None if it was not sent."""
    values = [value.decode("latin-1") for key, value in scope.get("headers", []) if key == name]
    return ", ".join(values) if values else None


def has(headers, name):
    return any(key.lower() == name for key, _ in headers)


def without(headers, *names):
    """The headers, less those named (lower case)."""
    return [(key, value) for key, value in headers if key.lower() not in names]


def on_start(send, change):
    """send, with each response start's headers replaced by change(status, headers)."""
    async def changed(message):
        if message["type"] == "http.response.start":
            headers = message.get("headers", [])
            new = change(message["status"], headers)
            if new is not headers:  # a change makes its own list; none, no copy
                message = {**message, "headers": new}
        await send(message)
    return changed


async def send_whole(send, status, headers, body):
    """A response of one body message, its Content-Length set to the body's."""
    await send({"type": "http.response.start", "status": status, "headers": [
        *without(headers, b"content-length"), (b"content-length", str(len(body)).encode())]})
    await send({"type": "http.response.body", "body": body})
