"""How to cite: CITATION.cff is valid, carries the dataset's version, and the page include says
the same, crediting the article and GeoNames."""

import asyncio
import re
import subprocess
import tomllib

import httpx
import yaml
from conftest import ROOT
from datasette.app import Datasette

CFF = ROOT / "CITATION.cff"
# Read here with PyYAML itself, not nkcities/citation_file.py (the code under test).
VERSION = str(yaml.safe_load(CFF.read_text(encoding="utf-8"))["version"])


def test_cffconvert_validates():
    result = subprocess.run([str(ROOT / ".venv-cff" / "bin" / "cffconvert"), "--validate", "-i",
                             str(CFF)], check=False, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stdout + result.stderr


def test_version_is_the_dataset_version():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert VERSION == project["version"]


def test_citation_file_is_served_with_where_it_is(get):
    response = get("/CITATION.cff")
    assert response.status_code == 200
    assert response.headers["access-control-allow-origin"] == "*"
    text = CFF.read_text(encoding="utf-8")
    assert response.text.startswith(text)
    assert yaml.safe_load(response.text)["url"] == "http://localhost/"  # the client's host


def cffconvert(path, fmt):
    result = subprocess.run([str(ROOT / ".venv-cff" / "bin" / "cffconvert"), "-f", fmt, "-i",
                             str(path)], check=True, capture_output=True, text=True, timeout=60)
    return result.stdout


def test_converted_citations_have_year_url_version_and_corporate_author(server, tmp_path):
    """The served CITATION.cff through cffconvert, as a citation manager would take it."""
    served = tmp_path / "CITATION.cff"
    served.write_text(httpx.get(server + "/CITATION.cff").text, encoding="utf-8")
    bibtex = cffconvert(served, "bibtex")
    assert re.search(r"^year = \{20\d\d\}", bibtex, re.MULTILINE), bibtex
    assert f"url = {{{server}/}}" in bibtex
    # An entity, as written: the whole name in the author field, not a person's parts.
    assert "author = {North Korean cities dataset contributors}" in bibtex
    apa = cffconvert(served, "apalike")
    assert apa.startswith("North Korean cities dataset contributors (20"), apa
    assert f"(version {VERSION})" in apa and f"URL: {server}/" in apa


def test_citation_include_credits_article_and_geonames(db_path, metadata):
    ds = Datasette(immutables=[str(db_path)], metadata=metadata, plugins_dir=str(ROOT / "plugins"),
                   template_dir=str(ROOT / "templates"))

    async def render():
        await ds.invoke_startup()
        return await ds.render_template("_citation.html", {})
    html = asyncio.run(render())
    assert f"version\n    {VERSION}" in html or f"version {VERSION}" in html
    assert 'href="https://en.wikipedia.org/wiki/List_of_cities_in_North_Korea"' in html
    assert 'href="https://www.geonames.org/"' in html
    assert "CC BY-SA 4.0" in html and "CC BY 4.0" in html
