"""The .db download as HTTP readers of SQLite expect it (sql.js-httpvfs, Datasette Lite, curl).

Datasette 0.65.5's own download reads the file in 4 kB chunks and sends it chunked, without a
Content-Length, ignoring Range. This route (plugin routes come before Datasette's own) makes the
same checks as Datasette's DatabaseDownload view and sends the file with Starlette's
FileResponse, which answers Range (206 with Content-Range, several ranges as multipart, 416 for
an impossible one), If-Range and HEAD, in CHUNK-byte reads: 40 clients that stop reading hold
at most a chunk each. Added here:
- application/vnd.sqlite3 (its registered type; the JSON-LD names it);
- the database's hash from the inspect file as ETag (If-None-Match gives 304) and
  Cache-Control with the site's default_cache_ttl (serve.yml);
- OPTIONS (a CORS preflight) without the body, allowing Range; any other method 405 with Allow;
- CORS that lets a page of another origin read the range headers.
"""

from datasette import Forbidden, hookimpl
from datasette.utils import add_cors_headers, tilde_decode
from datasette.utils.asgi import NotFound, Response
from starlette.responses import FileResponse

from nkcities.web.http_errors import error_body

CHUNK = 256 * 1024  # bytes
MEDIA_TYPE = "application/vnd.sqlite3"
ALLOW = "GET, HEAD, OPTIONS"
CORS = {"Access-Control-Allow-Methods": ALLOW,
        "Access-Control-Allow-Headers": "Range, If-Range, If-None-Match",
        "Access-Control-Expose-Headers": "Accept-Ranges, Content-Range, Content-Length, ETag",
        "Access-Control-Max-Age": "3600"}


class DatabaseFile(FileResponse):
    chunk_size = CHUNK


class FileDownload:
    """What the route returns: Datasette sends a response through its asgi_send(send)."""

    def __init__(self, request, path, headers):
        self.request, self.path, self.headers = request, path, headers

    async def asgi_send(self, send):
        name = self.path.rsplit("/", 1)[-1]
        response = DatabaseFile(self.path, media_type=MEDIA_TYPE, filename=name,
                                headers=self.headers)
        await response(self.request.scope, self.request.receive, send)


async def download(request, datasette):
    name = tilde_decode(request.url_vars["database"])
    await datasette.ensure_permissions(request.actor, [
        ("view-database-download", name), ("view-database", name), "view-instance"])
    try:
        db = datasette.get_database(route=name)
    except KeyError:
        raise NotFound("Invalid database") from None
    if db.is_memory or not db.path:
        raise NotFound("Cannot download this database")
    if not datasette.setting("allow_download") or db.is_mutable:
        raise Forbidden("Database download is forbidden")
    headers = {"etag": f'"{db.hash}"',
               "cache-control": f"max-age={datasette.setting('default_cache_ttl')}"}
    if datasette.cors:
        add_cors_headers(headers)
        headers.update(CORS)
    if request.method == "OPTIONS":
        return Response("", status=204, headers={**headers, "allow": ALLOW})
    if request.method not in ("GET", "HEAD"):
        content_type, body = error_body("html", 405, f"{request.method} is not allowed here")
        return Response(body, status=405, content_type=content_type,
                        headers={**headers, "allow": ALLOW})
    if request.headers.get("if-none-match") == headers["etag"]:
        return Response("", status=304, headers=headers)
    return FileDownload(request, db.path, headers)


@hookimpl
def register_routes():
    return [(r"^/(?P<database>[^/.]+)\.db$", download)]
