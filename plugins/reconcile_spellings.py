"""Reconciliation in any spelling, through datasette-reconcile (configured in metadata.yml).

datasette-reconcile matches a query only against its table's full-text index, then scores each
candidate by its name. Pointed at the view `city_spellings` (schema.sql: one row per way of
writing a city), with the same view as its `fts_table`, it runs
`SELECT rowid, rank FROM city_spellings WHERE city_spellings MATCH :query`. On a view SQLite reads
`X MATCH Y` as the function match(Y, X), which it leaves to the application: this plugin defines
it, so a spelling is a candidate when it equals the query up to case, breves and apostrophes, or
is one edit away from it. datasette-reconcile then gives `match: true` to the spellings equal to
the query up to case, and ranks the rest by similarity.

A city matching in several spellings (Pyongyang, P'yŏngyang) would be listed once per
spelling: each answer keeps a city's best-scored candidate only.

Two more things OpenRefine needs, by public hooks:
- the manifest's view URL is datasette-reconcile's row URL of the view, /<db>/city_spellings/<id>
  (absolute, from the request's host); views have no row pages, so that route redirects to the
  city's page, /<db>/cities/<id>;
- a GET with `callback=` (OpenRefine's JSONP) gets `callback(<json>)` as JavaScript.
"""

import json
import re
import unicodedata
from functools import lru_cache
from urllib.parse import parse_qs

import Levenshtein
from datasette import hookimpl
from datasette.utils.asgi import Response

VIEW = "city_spellings"
MAX_QUERY = 100  # longer than any name: match() is then 0, so arbitrary SQL cannot make it costly
MIN_FUZZY = 3  # shorter spellings (two Hangul syllables) match only as written: one edit is half
IGNORED = re.compile(r"[\s'’ʼ‘`.\-]")
CALLBACK = re.compile(r"^[A-Za-z_$][\w$.]{0,63}$")
RECONCILE_PATH = re.compile(r"^/[^/]+/[^/]+/-/reconcile(/.*)?$")


@lru_cache(maxsize=4096)  # the same few hundred spellings, folded once each, not per query
def folded(text):
    """Lower case, without diacritics (ŏ, ŭ), apostrophes, hyphens or spaces."""
    decomposed = unicodedata.normalize("NFKD", text)
    bare = "".join(char for char in decomposed if not unicodedata.combining(char))
    return unicodedata.normalize("NFC", IGNORED.sub("", bare)).casefold()


def spelling_match(query, spelling):
    """1 if spelling is a candidate for query: equal when folded, or one edit away."""
    if not isinstance(query, str) or not isinstance(spelling, str):
        return 0
    if len(query) > MAX_QUERY or len(spelling) > MAX_QUERY:
        return 0
    # The query comes as datasette-reconcile's escape_fts made it: each word in double quotes.
    query, spelling = folded(query.replace('"', "")), folded(spelling)
    allowed = 1 if min(len(query), len(spelling)) >= MIN_FUZZY else 0
    return int(Levenshtein.distance(query, spelling, score_cutoff=allowed) <= allowed)


@hookimpl
def prepare_connection(conn):
    conn.create_function("match", 2, spelling_match, deterministic=True)


async def city_page(datasette, request):
    database, key = request.url_vars["database"], request.url_vars["key"]
    return Response.redirect(datasette.urls.row(database, "cities", key))


@hookimpl
def register_routes():
    return [(rf"^/(?P<database>[^/]+)/{VIEW}/(?P<key>[^/.]+)$", city_page)]


def is_reconcile(scope):
    return scope["type"] == "http" and RECONCILE_PATH.match(scope["path"]) is not None


def jsonp_callback(scope):
    if scope["method"] != "GET":
        return None
    callback = parse_qs(scope.get("query_string", b"").decode("latin-1")).get("callback", [""])[0]
    return callback if CALLBACK.match(callback) else None


def one_per_city(answer):
    """Each list of candidates (per query, or a suggest answer's) with one candidate per id:
    the best-scored, in datasette-reconcile's order otherwise."""
    lists = [answer] + [value for value in answer.values() if isinstance(value, dict)]
    for holder in lists:
        if isinstance(holder.get("result"), list):
            seen, kept = set(), []
            for candidate in sorted(holder["result"], key=lambda c: -(c.get("score") or 0)):
                if candidate.get("id") not in seen:
                    seen.add(candidate.get("id"))
                    kept.append(candidate)
            holder["result"] = kept
    return answer


def deduplicated(body):
    try:
        answer = json.loads(body)
    except ValueError:
        return body
    if not isinstance(answer, dict):
        return body
    return json.dumps(one_per_city(answer), ensure_ascii=False).encode("utf-8")


async def send_rewritten(app, scope, receive, send):
    """Run app, then send its whole JSON body with one candidate per city, wrapped as
    callback(...); as JavaScript when OpenRefine asks for JSONP."""
    start, chunks, callback = {}, [], jsonp_callback(scope)

    async def keep(message):
        if message["type"] == "http.response.start":
            start.update(message)
        else:
            chunks.append(message.get("body", b""))

    await app(scope, receive, keep)
    body, dropped = b"".join(chunks), [b"content-length"]
    if start.get("status", 200) == 200:
        body = deduplicated(body)
    if callback:
        body, dropped = callback.encode() + b"(" + body + b");", [*dropped, b"content-type"]
    headers = [(name, value) for name, value in start.get("headers", [])
               if name.lower() not in dropped]
    if callback:
        headers.append((b"content-type", b"application/javascript; charset=utf-8"))
    headers.append((b"content-length", str(len(body)).encode()))
    await send({"type": "http.response.start", "status": start.get("status", 200),
                "headers": headers})
    await send({"type": "http.response.body", "body": body})


@hookimpl
def asgi_wrapper(datasette):
    def wrap(app):
        async def reconciled(scope, receive, send):
            if not is_reconcile(scope):
                return await app(scope, receive, send)
            return await send_rewritten(app, scope, receive, send)
        return reconciled
    return wrap
