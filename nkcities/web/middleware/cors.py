"""CORS on every GET and HEAD answer, when serve.yml turns Datasette's `cors` on.

Datasette adds `Access-Control-Allow-Origin: *` to its own views only; routes of plugins
(/-/data/* of the data package, /CITATION.cff, /sitemap.xml, robots.txt) go without, although the
home page's JSON-LD points browsers at them. Everything here is public and read-only, so a page
of any origin may read it; an answer that has the header already keeps its own.
"""

from nkcities.web.asgi import has, on_start
from nkcities.web.middleware import Middleware

ORIGIN = b"access-control-allow-origin"


def with_cors(status, headers):
    return headers if has(headers, ORIGIN) else [*headers, (ORIGIN, b"*")]


class Cors(Middleware):
    """Access-Control-Allow-Origin: * on every GET and HEAD answer that has none."""

    async def __call__(self, scope, receive, send):
        if self.datasette.cors and scope["type"] == "http" and scope["method"] in ("GET", "HEAD"):
            send = on_start(send, with_cors)
        return await self.app(scope, receive, send)
