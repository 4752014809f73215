"""The .db download in CHUNK-byte reads, with its Content-Length.

Datasette 0.65.5's own download reads the file in 4 kB chunks, each through aiofiles' thread
pool, and sends `Transfer-Encoding: chunked`, so uvicorn drops the Content-Length it also
sets (a browser shows no progress). This route (plugin routes come before Datasette's own)
makes the same checks as Datasette's DatabaseDownload view, the same ETag (the database's hash
from the inspect file) and the same 304, and sends the file with datasette's public
asgi_send_file in 256 kB chunks: 40 clients that stop reading hold at most a chunk each.
"""

import os

from datasette import Forbidden, hookimpl
from datasette.utils import add_cors_headers, tilde_decode
from datasette.utils.asgi import NotFound, Response, asgi_send_file

CHUNK = 256 * 1024  # bytes


class FileDownload:
    def __init__(self, path, headers):
        self.path, self.headers = path, headers

    async def asgi_send(self, send):
        await asgi_send_file(send, self.path, filename=os.path.basename(self.path),
                             content_type="application/octet-stream", chunk_size=CHUNK,
                             headers=self.headers)


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
    headers = {"etag": f'"{db.hash}"'}
    if datasette.cors:
        add_cors_headers(headers)
    if request.headers.get("if-none-match") == headers["etag"]:
        return Response("", status=304, headers=headers)
    return FileDownload(db.path, headers)


@hookimpl
def register_routes():
    return [(r"^/(?P<database>[^/.]+)\.db$", download)]
