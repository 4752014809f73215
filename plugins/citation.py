"""How to cite: CITATION.cff, read once, as the template variable `citation` (for
templates/_citation.html, which the home page and each city page include) and served at
/CITATION.cff. One file, so the pages and the file cannot say different things.

Served, it gets the two places only the server knows, unless the file names them already:
`url`, the site's address from the request, and `repository-code`, metadata.yml's
pages.repository where it is set; so that a citation converted from it (cffconvert -f bibtex)
links the dataset. CORS lets a page of another origin read it.
"""

import json
from functools import lru_cache

from datasette import hookimpl
from datasette.utils.asgi import Response

from nkcities.citation_file import CFF, parsed

# CITATION.cff names licences by SPDX id; a reader wants the name and the deed.
LICENSES = {
    "CC-BY-SA-4.0": ("CC BY-SA 4.0", "https://creativecommons.org/licenses/by-sa/4.0/"),
    "CC-BY-4.0": ("CC BY 4.0", "https://creativecommons.org/licenses/by/4.0/"),
}


def licence(spdx):
    name, url = LICENSES[spdx]
    return {"spdx": spdx, "name": name, "url": url}


def names(entry):
    return ", ".join(author["name"] for author in entry["authors"])


@lru_cache(maxsize=1)
def citation():
    """CITATION.cff with each licence and author list ready for a page."""
    cff = parsed()
    sources = [dict(ref, by=names(ref), license=licence(ref["license"]))
               for ref in cff.get("references", [])]
    return dict(cff, by=names(cff), license=licence(cff["license"]), sources=sources)


@hookimpl
def extra_template_vars():
    return {"citation": citation()}


async def citation_file(request, datasette):
    text = CFF.read_text(encoding="utf-8")
    where = {"url": datasette.absolute_url(request, datasette.urls.instance()),
             "repository-code": (datasette.plugin_config("pages") or {}).get("repository")}
    added = "".join(f"{key}: {json.dumps(value)}\n" for key, value in where.items()
                    if value and key not in parsed())
    return Response.text(text + added, headers={"Access-Control-Allow-Origin": "*"})


@hookimpl
def register_routes():
    return [(r"^/CITATION\.cff$", citation_file)]
