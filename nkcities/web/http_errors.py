"""An error answered in the format the request asked for: JSON for `.json`, CSV for `.csv`,
HTML otherwise (plain text where a caller says so). Used by the middleware before Datasette runs
(nkcities/web/middleware/) and by plugins/error_pages.py, its handle_exception hook."""

import csv
import html
import io
import json

from nkcities.web.asgi import send_whole

TITLES = {400: "Bad request", 404: "Not found", 405: "Method not allowed", 413: "Too large",
          429: "Too many requests", 500: "Server error", 501: "Not implemented",
          503: "Service unavailable"}


def error_format(path):
    _, dot, suffix = path.rsplit("/", 1)[-1].rpartition(".")
    return suffix if dot and suffix in ("json", "csv") else "html"


def error_body(fmt, status, message, title=None):
    """(content type, body bytes) of an error in format `fmt` (json, csv, text or html)."""
    title = title or TITLES.get(status, "Error")
    if fmt == "json":
        body = json.dumps({"ok": False, "error": message, "status": status, "title": title})
        return "application/json; charset=utf-8", body.encode()
    if fmt == "csv":
        text = io.StringIO()
        csv.writer(text).writerows([["error"], [message]])
        return "text/csv; charset=utf-8", text.getvalue().encode()
    if fmt == "text":
        return "text/plain; charset=utf-8", f"{message}\n".encode()
    # Answered before Datasette runs (no templates): still a way on, the home page.
    page = (f"<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>{status} "
            f"{html.escape(title)}</title></head>\n<body><h1>{html.escape(title)}</h1>\n"
            f"<p>{html.escape(message)}</p>\n<p><a href=\"/\">Home page</a></p></body></html>\n")
    return "text/html; charset=utf-8", page.encode()


async def send_error(scope, send, status, message, headers=(), fmt=None):
    """Answer the ASGI request `scope` with an error in its format (or `fmt`); headers: (name,
    value)."""
    content_type, body = error_body(fmt or error_format(scope.get("path", "")), status, message)
    await send_whole(send, status, [(b"content-type", content_type.encode()), *(
        (name.encode(), str(value).encode()) for name, value in headers)], body)
