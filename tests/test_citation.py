"""How to cite: CITATION.cff is valid, carries the dataset's version, and the page include says
the same, crediting the article and GeoNames."""

import asyncio
import subprocess
import tomllib

import yaml
from conftest import ROOT
from datasette.app import Datasette

CFF = ROOT / "CITATION.cff"


def test_cffconvert_validates():
    result = subprocess.run([str(ROOT / ".venv-cff" / "bin" / "cffconvert"), "--validate", "-i",
                             str(CFF)], check=False, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stdout + result.stderr


def test_version_is_the_dataset_version():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert str(yaml.safe_load(CFF.read_text())["version"]) == project["version"]


def test_citation_file_is_served(get):
    response = get("/CITATION.cff")
    assert response.status_code == 200
    assert response.text == CFF.read_text(encoding="utf-8")


def test_citation_include_credits_article_and_geonames(db_path, metadata):
    ds = Datasette(immutables=[str(db_path)], metadata=metadata, plugins_dir=str(ROOT / "plugins"),
                   template_dir=str(ROOT / "templates"))

    async def render():
        await ds.invoke_startup()
        return await ds.render_template("_citation.html", {})
    html = asyncio.run(render())
    version = str(yaml.safe_load(CFF.read_text())["version"])
    assert f"version\n    {version}" in html or f"version {version}" in html
    assert 'href="https://en.wikipedia.org/wiki/List_of_cities_in_North_Korea"' in html
    assert 'href="https://www.geonames.org/"' in html
    assert "CC BY-SA 4.0" in html and "CC BY 4.0" in html
