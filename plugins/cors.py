"""CORS on every GET and HEAD answer, when serve.yml turns Datasette's `cors` on.

Datasette adds `Access-Control-Allow-Origin: *` to its own views only; routes of plugins
(/-/data/* of the data package, /CITATION.cff, /sitemap.xml, robots.txt) go without, although the
home page's JSON-LD points browsers at them. Everything here is public and read-only, so a page
of any origin may read it; an answer that has the header already keeps its own.
"""

from datasette import hookimpl

ORIGIN = b"access-control-allow-origin"


def with_cors(send):
    async def send_with_cors(message):
        if message["type"] == "http.response.start":
            headers = list(message.get("headers", []))
            if not any(name.lower() == ORIGIN for name, _ in headers):
                message = dict(message, headers=[*headers, (ORIGIN, b"*")])
        await send(message)
    return send_with_cors


@hookimpl
def asgi_wrapper(datasette):
    def wrap(app):
        async def cors(scope, receive, send):
            if datasette.cors and scope["type"] == "http" and scope["method"] in ("GET", "HEAD"):
                send = with_cors(send)
            return await app(scope, receive, send)
        return cors
    return wrap
