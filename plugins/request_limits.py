"""Bound what one HTTP request can make the server hold or do. Loaded by scripts/serve.sh.

Datasette reads a POSTed form whole into memory before it checks anything: a 200 MB POST to
/-/messages took 122 s and 650 MB on the unprotected server. This site takes no uploads (no
writable canned queries, no login), so a request body over MAX_BODY_BYTES is refused with 413
before Datasette sees it. A request line or header block that uvicorn cannot parse from one
64 kB read is already refused by uvicorn with 400.

A table page runs one query per facet, each allowed facet_time_limit_ms: with `_where` making
every row slow, 24 `_facet` parameters kept one request busy for 6 s. A request may ask for at
most MAX_FACETS facets (on top of the ones metadata.yml configures), or it gets 400.

Datasette 0.65 prints every error it answers (a 404 too) as a traceback with its local
variables when the `rich` package can be imported (the test extra brings it, through
frictionless): 0.35 s of CPU per 404. That is switched off; a real server error still prints
its plain traceback.
"""

from urllib.parse import parse_qsl

import datasette.handle_exception
from datasette import hookimpl

datasette.handle_exception.rich = None

MAX_BODY_BYTES = 100_000
MAX_FACETS = 3
FACET_PARAMETERS = {"_facet", "_facet_array", "_facet_date"}
NO_BODY = {"GET", "HEAD", "OPTIONS"}  # Datasette never reads a body of these


async def refuse(send, status, message):
    body = message.encode("utf-8")
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"text/plain; charset=utf-8"),
                            (b"content-length", str(len(body)).encode())]})
    await send({"type": "http.response.body", "body": body})


def facets_asked(scope):
    query = scope.get("query_string", b"").decode("latin-1")
    return sum(name in FACET_PARAMETERS for name, _ in parse_qsl(query, keep_blank_values=True))


def declared_length(scope):
    for name, value in scope.get("headers", []):
        if name.lower() == b"content-length" and value.strip().isdigit():
            return int(value)
    return 0


async def read_body(receive, limit):
    """The whole request body, or None as soon as it passes `limit` bytes."""
    chunks, size, more = [], 0, True
    while more:
        message = await receive()
        if message["type"] != "http.request":
            return None
        chunks.append(message.get("body", b""))
        size += len(chunks[-1])
        if size > limit:
            return None
        more = message.get("more_body", False)
    return b"".join(chunks)


def replay(body, receive):
    """A receive() that gives the buffered body once, then waits on the real one."""
    sent = False

    async def replayed():
        nonlocal sent
        if sent:
            return await receive()
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    return replayed


@hookimpl
def asgi_wrapper(datasette):
    def wrap(app):
        async def limited(scope, receive, send):
            if scope["type"] != "http":
                return await app(scope, receive, send)
            if facets_asked(scope) > MAX_FACETS:
                return await refuse(send, 400, f"more than {MAX_FACETS} _facet parameters\n")
            too_big = f"request body over {MAX_BODY_BYTES:,} bytes\n"
            if declared_length(scope) > MAX_BODY_BYTES:
                return await refuse(send, 413, too_big)
            if scope["method"] not in NO_BODY:
                body = await read_body(receive, MAX_BODY_BYTES)
                if body is None:
                    return await refuse(send, 413, too_big)
                receive = replay(body, receive)
            return await app(scope, receive, send)
        return limited
    return wrap
