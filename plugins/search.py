"""The site's search, /-/search?q=: the cities whose name in any script (English, McCune-
Reischauer, Revised Romanization, Hangul, Hancha) equals the text, begins with it or is one
edit from it, exact matches first (nkcities/web/nearest.py, on the one name folding); one hit
offers its city's page at the top, none offers the nearest spellings."""

from datasette import hookimpl
from datasette.utils.asgi import Response

from nkcities.web import suggest


async def search_page(datasette, request):
    text = request.args.get("q", "").strip()
    db = datasette.get_database()
    found, near = await suggest.search(datasette, db, text) if text else ([], [])
    return Response.html(await datasette.render_template(
        "search.html", {"q": text, "found": found, "near": near, "database": db.name},
        request=request))


@hookimpl
def register_routes():
    return [(r"^/-/search$", search_page)]
