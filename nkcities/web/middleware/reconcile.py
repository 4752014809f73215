"""datasette-reconcile's answers as OpenRefine needs them (the plugin plugins/reconcile_spellings.py
says how the site reconciles): one candidate per city, the best-scored of its spellings, named
after the city with the matched spelling beside it ("Hamhung (咸興)"); the manifest with a preview
of each candidate and without the view's columns as extend settings; and a GET with `callback=`
(OpenRefine's JSONP) answered `callback(<json>)` as JavaScript.
"""

import json
import re

from nkcities.web.asgi import query, send_whole, without
from nkcities.web.middleware import Middleware

CALLBACK = re.compile(r"^[A-Za-z_$][\w$.]{0,63}$")
RECONCILE_PATH = re.compile(r"^/(?P<database>[^/]+)/[^/]+/-/reconcile(?P<service>/.*)?$")
PREVIEW = {"width": 400, "height": 120}  # pixels of OpenRefine's preview frame


def is_reconcile(scope):
    return scope["type"] == "http" and RECONCILE_PATH.match(scope["path"]) is not None


def jsonp_callback(scope):
    if scope["method"] != "GET":
        return None
    callback = next((value for name, value in query(scope) if name == "callback" and value), "")
    return callback if CALLBACK.match(callback) else None


def candidate_lists(answer):
    """Each list of candidates: per query, or a suggest answer's."""
    holders = [answer] + [value for value in answer.values() if isinstance(value, dict)]
    return [holder for holder in holders if isinstance(holder.get("result"), list)]


def one_per_city(answer):
    """Each list of candidates with one candidate per id: the best-scored, in
    datasette-reconcile's order otherwise."""
    for holder in candidate_lists(answer):
        seen, kept = set(), []
        for candidate in sorted(holder["result"], key=lambda c: -(c.get("score") or 0)):
            if candidate.get("id") not in seen:
                seen.add(candidate.get("id"))
                kept.append(candidate)
        holder["result"] = kept
    return answer


def named_after_cities(answer, city_names):
    """Each candidate named after its city, with the matched spelling beside it."""
    for holder in candidate_lists(answer):
        for candidate in holder["result"]:
            city, spelling = city_names.get(candidate.get("id")), candidate.get("name")
            if city is not None and spelling is not None and spelling != city:
                candidate["name"] = f"{city} ({spelling})"
            elif city is not None:
                candidate["name"] = city
    return answer


async def rewritten(body, datasette, database, service):
    """The body with one candidate per city; candidates of a query or an entity suggestion
    named after their city."""
    try:
        answer = json.loads(body)
    except ValueError:
        return body
    if not isinstance(answer, dict):
        return body
    answer = one_per_city(answer)
    if isinstance(answer.get("extend"), dict):  # the manifest: it lists the view's columns as
        answer["extend"].pop("property_settings", None)  # settings; extend takes none
        service_url = answer["extend"]["propose_properties"]["service_url"]
        answer["preview"] = {"url": service_url + "/preview/{{id}}", **PREVIEW}
    if service in (None, "/suggest/entity") and database in datasette.databases:
        result = await datasette.get_database(database).execute("select id, name from cities")
        answer = named_after_cities(answer, dict(result.rows))
    return json.dumps(answer, ensure_ascii=False).encode("utf-8")


async def send_rewritten(app, scope, receive, send, datasette):
    """Run app, then send its whole JSON body with one candidate per city, wrapped as
    callback(...); as JavaScript when OpenRefine asks for JSONP."""
    start, chunks, callback = {}, [], jsonp_callback(scope)

    async def keep(message):
        if message["type"] == "http.response.start":
            start.update(message)
        else:
            chunks.append(message.get("body", b""))

    await app(scope, receive, keep)
    body, headers = b"".join(chunks), start.get("headers", [])
    if start.get("status", 200) == 200:
        path = RECONCILE_PATH.match(scope["path"])
        body = await rewritten(body, datasette, path["database"], path["service"])
    if callback:
        body = callback.encode() + b"(" + body + b");"
        headers = [*without(headers, b"content-type"),
                   (b"content-type", b"application/javascript; charset=utf-8")]
    await send_whole(send, start.get("status", 200), headers, body)


class ReconcileAnswers(Middleware):
    """datasette-reconcile's answers rewritten whole (send_rewritten)."""

    async def __call__(self, scope, receive, send):
        if not is_reconcile(scope):
            return await self.app(scope, receive, send)
        return await send_rewritten(self.app, scope, receive, send, self.datasette)
