"""Bound what one HTTP request can make the server do, before Datasette reads it. The numbers
and their reasons are in serve.yml, `requests`; refusals come in the request's format.

- Methods: Datasette serves GET, HEAD, OPTIONS and POST; another known method is 405 (with
  Allow), an unknown one 501, instead of Datasette's 500 and a logged traceback. POST is for
  canned queries: to a table's or view's page, its rows or formats it is 405 too (Datasette
  answers it 500, "You may only POST to a canned query").
- URL parameters: at most max_parameters, counted on the raw query string, before Datasette
  parses it (its cost grows with the square of their number).
- Facets: at most max_facets `_facet*` parameters, each a query of up to facet_time_limit_ms.
- Bodies: this site takes no uploads; a body over max_body_bytes gets 413 before Datasette
  reads it whole into memory (a 200 MB POST once took 122 s and 650 MB).
- The request line and headers: over uvicorn.h11_max_incomplete_event_size bytes in all is
  431, however they arrived (h11 counts only what is still incomplete: 10,000 headers in one
  write got a 200).
- The Host header: absolute URLs (JSON-LD, reconciliation) and the response cache's key are
  made from it, so a public_url in serve.yml (PUBLIC_URL in the environment wins) replaces it
  on every request; without one, a Host that is not a host name (or over 255 bytes) is 400.
- A target that is not a path (`GET http://evil.example/`) is 400, not a redirect there; a
  Content-Length with a Transfer-Encoding is 400 and the connection closed, so bytes after the
  body are never read as a second request (request smuggling).
"""

import os
import re
from urllib.parse import urlsplit

from datasette.utils import tilde_decode

from nkcities.web.asgi import has, on_start, query
from nkcities.web.http_errors import send_error
from nkcities.web.middleware import Middleware
from nkcities.web.serve import load_config

CONFIG = load_config()
LIMITS = CONFIG["requests"]
MAX_HEAD_BYTES = CONFIG["uvicorn"]["h11_max_incomplete_event_size"]
PUBLIC = urlsplit(os.environ.get("PUBLIC_URL") or CONFIG.get("public_url") or "")
HOST = re.compile(rb"[A-Za-z0-9.-]{1,253}(:[0-9]{1,5})?|\[[0-9A-Fa-f:.]{2,45}\](:[0-9]{1,5})?")
MAX_BODY_BYTES = LIMITS["max_body_bytes"]
MAX_FACETS = LIMITS["max_facets"]
MAX_PARAMETERS = LIMITS["max_parameters"]
FACET_PARAMETERS = {"_facet", "_facet_array", "_facet_date"}
NO_BODY = {"GET", "HEAD", "OPTIONS"}  # Datasette never reads a body of these
SERVED = NO_BODY | {"POST"}
OTHER_KNOWN = {"PUT", "DELETE", "PATCH", "TRACE", "CONNECT"}  # RFC 9110's other methods


def parameters_asked(scope):
    """An upper bound, from the raw bytes: every '&' may start one more."""
    query = scope.get("query_string", b"")
    return query.count(b"&") + 1 if query else 0


def facets_asked(scope):
    return sum(name in FACET_PARAMETERS for name, _ in query(scope))


def head(scope):
    """(the request line and headers' size as sent, give or take the separators; the Host
    values; the first Content-Length that is a number, else 0; whether Content-Length came
    with Transfer-Encoding), in one pass over the headers."""
    size = len(scope["method"]) + len(scope.get("raw_path", b"")) + \
        len(scope.get("query_string", b"")) + 12
    hosts, length, framing = [], None, set()
    for name, value in scope.get("headers", []):
        size += len(name) + len(value) + 4
        name = name.lower()
        if name == b"host":
            hosts.append(value)
        elif name in (b"content-length", b"transfer-encoding"):
            framing.add(name)
            if length is None and name == b"content-length" and value.strip().isdigit():
                length = int(value)
    return size, hosts, length or 0, len(framing) == 2


def host_refused(hosts):
    return len(hosts) > 1 or (hosts and not HOST.fullmatch(hosts[0]))


def with_public_host(scope):
    """The scope as if the request had come to public_url (its scheme and host)."""
    headers = [(n, v) for n, v in scope.get("headers", []) if n.lower() != b"host"]
    return {**scope, "scheme": PUBLIC.scheme, "headers": [
        *headers, (b"host", PUBLIC.netloc.encode())]}


def refusal(scope):
    """(status, message, headers) for a request refused on its shape alone, else None."""
    close = [("connection", "close")]
    size, hosts, length, both_framings = head(scope)
    if size > MAX_HEAD_BYTES:
        return 431, f"request line and headers over {MAX_HEAD_BYTES:,} bytes", close
    raw_path = scope.get("raw_path") or scope["path"].encode()
    if not raw_path.startswith(b"/") or raw_path.startswith(b"//"):
        return 400, "the request target must be a path", close
    if both_framings:
        return 400, "Content-Length together with Transfer-Encoding", close
    if not PUBLIC.netloc and host_refused(hosts):
        return 400, "the Host header is not a host name", close
    method = scope["method"]
    if method not in SERVED:
        allow = [("allow", ", ".join(sorted(SERVED)))]
        return (405, f"{method} is not allowed here", allow) if method in OTHER_KNOWN \
            else (501, f"unknown method {method[:20]}", allow)
    if parameters_asked(scope) > MAX_PARAMETERS:
        return 400, f"more than {MAX_PARAMETERS} URL parameters", []
    if facets_asked(scope) > MAX_FACETS:
        return 400, f"more than {MAX_FACETS} _facet parameters", []
    if length > MAX_BODY_BYTES:
        return 413, f"request body over {MAX_BODY_BYTES:,} bytes", []
    return None


READ_ONLY = [("allow", ", ".join(sorted(NO_BODY)))]


async def post_refusal(datasette, scope):
    """405 for a POST that Datasette would answer 500: to a database, a table or view (its
    page, rows, formats) or a canned query that does not write; else None."""
    if scope["method"] != "POST":
        return None
    parts = scope["path"].split("/")
    database = parts[1].split(".", 1)[0] if len(parts) > 1 else ""
    if database not in datasette.databases or len(parts) > 4:
        return None
    refused = (405, "POST is not allowed here: this is read-only", READ_ONLY)
    if len(parts) == 2:
        return refused
    name = tilde_decode(parts[2].split(".", 1)[0])  # a dot in a name is tilde-encoded (~2E)
    queries = await datasette.get_canned_queries(database, scope.get("actor"))
    if name in queries:
        return None if queries[name].get("write") else refused
    db = datasette.databases[database]
    if name in await db.table_names() or name in await db.view_names():
        return refused
    return None


def with_allow(status, headers):
    """Allow on a 405 that lacks it (Datasette's own 405s, for POST to its pages)."""
    if status != 405 or has(headers, b"allow"):
        return headers
    return [*headers, (b"allow", READ_ONLY[0][1].encode())]


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


class RequestLimits(Middleware):
    """Requests refused on their shape, method or size before Datasette reads them."""

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        refused = refusal(scope) or await post_refusal(self.datasette, scope)
        if refused:
            status, message, headers = refused
            return await send_error(scope, send, status, message, headers)
        if PUBLIC.netloc:
            scope = with_public_host(scope)
        if scope["method"] not in NO_BODY:
            body = await read_body(receive, MAX_BODY_BYTES)
            if body is None:
                return await send_error(scope, send, 413,
                                        f"request body over {MAX_BODY_BYTES:,} bytes")
            receive = replay(body, receive)
        return await self.app(scope, receive, on_start(send, with_allow))
