"""Reconciliation in any spelling, through datasette-reconcile (configured in metadata.yml).

datasette-reconcile matches a query only against its table's full-text index, then scores each
candidate by its name. Pointed at the view `city_spellings` (schema.sql: one row per way of
writing a city), with the same view as its `fts_table`, it runs
`SELECT rowid, rank FROM city_spellings WHERE city_spellings MATCH :query`. On a view SQLite reads
`X MATCH Y` as the function match(Y, X), which it leaves to the application: this plugin defines
it, so a spelling is a candidate when it equals the query up to case, breves and apostrophes, or
is one edit away from it. datasette-reconcile then gives `match: true` to the spellings equal to
the query up to case, and ranks the rest by similarity.

Folding is nkcities/spelling.py's name_key, the project's one: case, breves, apostrophes and
hyphens of any kind, and a status word or suffix in any script (-si, City, 시, 직할시, 特別市), so
"Pyongyang-si", "Sinuiju City" and "평양직할시" find their city.

A city matching in several spellings (Pyongyang, P'yŏngyang) would be listed once per
spelling: each answer keeps a city's best-scored candidate only, named after the city with the
matched spelling beside it ("Hamhung (咸興)").

Data extension (OpenRefine's "Add columns from reconciled values"): datasette-reconcile 0.6.3
offers the view's own columns and fails on them (it keys them by description, looks them up by
id). The routes below, registered first (tryfirst), answer `extend`, its property proposals and
property suggestions with a city's properties (PROPERTIES), whatever spelling matched, and a
preview of a candidate (the manifest gets its URL); every other reconciliation request goes on
to datasette-reconcile's own `reconcile`.

Two more things OpenRefine needs, by public hooks:
- the manifest's view URL is datasette-reconcile's row URL of the view, /<db>/city_spellings/<id>
  (absolute, from the request's host); views have no row pages, so that route redirects to the
  city's page, /<db>/cities/<id>;
- a GET with `callback=` (OpenRefine's JSONP) gets `callback(<json>)` as JavaScript
  (nkcities/web/middleware/reconcile.py, which also makes each answer one candidate per city and
  gives the manifest its preview).
"""

import json
from urllib.parse import parse_qs

from datasette import hookimpl
from datasette.utils.asgi import BadRequest, NotFound, Request, Response
from datasette_reconcile import reconcile as reconcile_by_library
from markupsafe import Markup

from nkcities.web.http_errors import error_body
from nkcities.web.nearest import MAX_TEXT, one_edit
from nkcities.spelling import name_key

VIEW = "city_spellings"
# What `extend` offers for a city: (id, name, SQL over cities joined to its province and status).
PROPERTIES = [
    ("name", "Name, as the article spells it", "cities.name"),
    ("province", "First-level division", "provinces.name"),
    ("province_id", "Key of the first-level division", "cities.province_id"),
    ("province_iso_code", "ISO 3166-2 code of the first-level division", "provinces.iso_code"),
    ("status", "Status", "statuses.name"),
    ("population_2008", "Population at the 2008 census", "cities.population_2008"),
    ("founded", "Founded (ISO 8601, only the parts the article knows)", "cities.founded"),
    ("latitude", "Latitude (WGS 84)", "cities.latitude"),
    ("longitude", "Longitude (WGS 84)", "cities.longitude"),
    ("hangul", "Name in Chosŏn'gŭl", "cities.hangul"),
    ("full_hangul", "Name in Chosŏn'gŭl with its status", "cities.full_hangul"),
    ("hancha", "Name in Hancha", "cities.hancha"),
    ("full_hancha", "Name in Hancha with its status", "cities.full_hancha"),
    ("mr", "McCune-Reischauer", "cities.mr"),
    ("rr", "Revised Romanization", "cities.rr"),
    ("geonameid", "GeoNames id", "cities.geonameid"),
]
EXTEND_SQL = """select cities.id as id, {columns}
from cities
join provinces on provinces.id = cities.province_id
join statuses on statuses.id = cities.status_id
where cities.id in (select value from json_each(:ids))"""


def within_an_edit(query, spelling):
    return query == spelling or one_edit(query, spelling)


def spelling_match(query, spelling):
    """1 if spelling is a candidate for query: equal when folded, or one edit away (as the site's
    search counts edits), with or without a status suffix (평앙직할시, 평앙 for 평양)."""
    if not isinstance(query, str) or not isinstance(spelling, str):
        return 0
    # longer than any name: 0, so that arbitrary SQL cannot make match() costly
    if len(query) > MAX_TEXT or len(spelling) > MAX_TEXT:
        return 0
    # The query comes as datasette-reconcile's escape_fts made it: each word in double quotes.
    query = query.replace('"', "")
    return int(within_an_edit(name_key(query), name_key(spelling))
               or within_an_edit(name_key(query, keep_suffix=True),
                                 name_key(spelling, keep_suffix=True)))


@hookimpl
def prepare_connection(conn):
    conn.create_function("match", 2, spelling_match, deterministic=True)


async def city_page(datasette, request):
    database, key = request.url_vars["database"], request.url_vars["key"]
    return Response.redirect(datasette.urls.row(database, "cities", key))


def value(raw):
    """A property's value as the Reconciliation API types it; None has none."""
    if raw is None:
        return []
    if isinstance(raw, int):
        return [{"int": raw}]
    if isinstance(raw, float):
        return [{"float": raw}]
    return [{"str": str(raw)}]


def extend_query(text):
    """The ids and property ids of an `extend` parameter; BadRequest naming what is wrong."""
    try:
        query = json.loads(text)
        ids, wanted = query["ids"], [prop["id"] for prop in query["properties"]]
    except (ValueError, TypeError, KeyError):
        raise BadRequest('extend: not {"ids": [...], "properties": [{"id": ...}, ...]}') from None
    if not all(isinstance(key, str) for key in [*ids, *wanted]):
        raise BadRequest("extend: ids and property ids are strings")
    known = {prop_id for prop_id, _, _ in PROPERTIES}
    unknown = [prop_id for prop_id in wanted if prop_id not in known]
    if unknown:
        raise BadRequest(f"extend: no property {', '.join(unknown)} "
                         f"(there are {', '.join(sorted(known))})")
    return ids, wanted


async def extend(datasette, database, text):
    ids, wanted = extend_query(text)
    chosen = [prop for prop in PROPERTIES if prop[0] in wanted]
    columns = ", ".join(f"{sql} as [{prop_id}]" for prop_id, _, sql in chosen)
    result = await datasette.get_database(database).execute(
        EXTEND_SQL.format(columns=columns), {"ids": json.dumps(ids)})
    found = {row["id"]: row for row in result.rows}
    names = {prop_id: name for prop_id, name, _ in PROPERTIES}
    return {"meta": [{"id": prop_id, "name": names[prop_id]} for prop_id in wanted],
            "rows": {key: {prop_id: value(found[key][prop_id]) if key in found else []
                           for prop_id in wanted} for key in ids}}


def proposed(prefix=""):
    prefix = prefix.casefold()
    return [{"id": prop_id, "name": name} for prop_id, name, _ in PROPERTIES
            if prop_id.startswith(prefix) or name.casefold().startswith(prefix)]


async def allowed(datasette, request):
    database = request.url_vars["database"]
    await datasette.ensure_permissions(request.actor, [
        ("view-table", (database, VIEW)), ("view-database", database), "view-instance"])
    return database


def api_response(answer):
    return Response.json(answer, headers={"Access-Control-Allow-Origin": "*"})


async def reconcile_or_extend(datasette, request):
    """`extend` here; anything else (the manifest, queries) to datasette-reconcile, with the
    request's body as it came."""
    database = await allowed(datasette, request)
    body = await request.post_body() if request.method == "POST" else b""
    form = parse_qs(body.decode("utf-8", "replace")) if body else {}
    text = (form.get("extend") or [None])[0] or request.args.get("extend")
    if text:
        try:
            return api_response(await extend(datasette, database, text))
        except BadRequest as error:  # the API's client reads JSON, whatever the path looks like
            content_type, body = error_body("json", 400, error.args[0])
            return Response(body, status=400, content_type=content_type,
                            headers={"Access-Control-Allow-Origin": "*"})
    sent = False

    async def replay():
        nonlocal sent
        if sent:
            return {"type": "http.disconnect"}
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    scope = dict(request.scope, url_route={"kwargs": {"db_name": database, "db_table": VIEW}})
    response = await reconcile_by_library(Request(scope, replay), datasette)
    queries = (form.get("queries") or [None])[0] or request.args.get("queries")
    if queries and response.status == 200:
        return api_response(matched_when_folded_equal(json.loads(queries),
                                                      json.loads(response.body)))
    return response


def matched_when_folded_equal(queries, answer):
    """`match: true` also for the one city whose spelling equals the query when folded
    ("Pyongyang City", "P’yŏngyang"): datasette-reconcile sets it only for equal text."""
    for key, result in answer.items():
        query = (queries.get(key) or {}).get("query") if isinstance(queries, dict) else None
        if not isinstance(query, str) or not isinstance(result, dict):
            continue
        equal = [c for c in result.get("result", []) if name_key(c["name"]) == name_key(query)]
        if len({c["id"] for c in equal}) == 1:
            for candidate in equal:
                candidate["match"] = True
    return answer


async def propose_properties(datasette, request):
    await allowed(datasette, request)
    limit = request.args.get("limit", "")
    answer = {"type": request.args.get("type") or "city", "properties": proposed()}
    if limit.isdigit():
        answer["limit"] = int(limit)
        answer["properties"] = answer["properties"][:int(limit)]
    return api_response(answer)


PREVIEW_SQL = """select cities.name, cities.full_hangul, cities.full_hancha, cities.mr,
    statuses.name as status, provinces.name as province, cities.population_2008
from cities
join provinces on provinces.id = cities.province_id
join statuses on statuses.id = cities.status_id
where cities.id = :key"""


async def preview(datasette, request):
    """OpenRefine's preview of a candidate: a few lines of HTML about the city."""
    database = await allowed(datasette, request)
    row = (await datasette.get_database(database).execute(
        PREVIEW_SQL, {"key": request.url_vars["key"]})).first()
    if row is None:
        raise NotFound("no such city")
    link = datasette.urls.row(database, "cities", request.url_vars["key"])
    html = Markup(
        '<!DOCTYPE html><html lang="en"><meta charset="utf-8"><title>{name}</title>'
        '<body style="font-family: sans-serif; margin: 0.5em"><p><a href="{link}" target="_blank">'
        '<b>{name}</b></a> <span lang="ko">{hangul} {hancha}</span> ({mr})<br>{status} in '
        "{province}; {population:,} people (2008 census)</p></body></html>").format(
        link=link, hangul=row["full_hangul"], hancha=row["full_hancha"],
        population=row["population_2008"], **{k: row[k] for k in ("name", "mr", "status",
                                                                   "province")})
    return Response.html(str(html))


async def suggest_property(datasette, request):
    await allowed(datasette, request)
    return api_response({"result": proposed(request.args.get("prefix", ""))})


@hookimpl(tryfirst=True)  # before datasette-reconcile's routes for the same paths
def register_routes():
    service = rf"^/(?P<database>[^/]+)/{VIEW}/-/reconcile"
    return [(rf"^/(?P<database>[^/]+)/{VIEW}/(?P<key>[^/.]+)$", city_page),
            (service + "$", reconcile_or_extend),
            (service + "/extend/propose$", propose_properties),
            (service + "/suggest/property$", suggest_property),
            (service + r"/preview/(?P<key>[^/]+)$", preview)]

