"""What a page costs when it is rendered, not replayed: no SQL the page does not show, no row
fetched twice, no file parsed again. Counted with Datasette's own SQL trace (trace_debug)."""

import asyncio
import html
import json
import re
from pathlib import Path

import pytest

from conftest import DB_NAME
from harness.server import write_inspect
from nkcities.web.serve import datasette, load_config

CITY = "rason"  # a city of the source; its row page's key


@pytest.fixture(scope="module")
def traced(db_path):
    """GET path with ?_trace=1 (and a cookie, so no cache answers): (status, [(sql, params)])."""
    ds = datasette(load_config(), db_path, write_inspect(db_path), {"trace_debug": True})

    async def get(path):
        response = await ds.client.get(f"{path}?_trace=1", cookies={"visitor": "1"})
        found = re.search(r"<pre>(.*)</pre>", response.text, re.S)
        traces = json.loads(html.unescape(found.group(1)))["traces"] if found else []
        return response.status_code, [(t.get("sql", ""), t.get("params")) for t in traces]
    asyncio.run(get("/"))  # the first request fills Datasette's internal catalogue
    return lambda path: asyncio.run(get(path))


def test_the_home_page_asks_the_database_nothing(traced):
    """It lists the tables from metadata.yml; Datasette's index view asked about every table."""
    status, queries = traced("/")
    assert status == 200 and queries == []


def test_a_row_page_fetches_its_row_once(traced):
    status, queries = traced(f"/{DB_NAME}/cities/{CITY}")
    assert status == 200
    fetches = [sql for sql, params in queries
               if re.match(r'select \* from \[?cities\]? where \[?"?id"?\]? ?=', sql)
               and CITY in json.dumps(params)]
    assert len(fetches) == 1, fetches


def test_citation_cff_is_read_once(traced, monkeypatch):
    """Home and city pages both cite CITATION.cff; rendering them again reads no file again."""
    traced("/")
    traced(f"/{DB_NAME}/cities/{CITY}")
    read, original = [], Path.read_text

    def spy(path, *args, **kwargs):
        read.append(path.name)
        return original(path, *args, **kwargs)
    monkeypatch.setattr(Path, "read_text", spy)
    traced("/")
    traced(f"/{DB_NAME}/cities/{CITY}")
    assert "CITATION.cff" not in read


def test_a_city_page_asks_each_table_for_names_once(traced):
    """Rason's history names two divisions and two statuses: one query per table, and none for
    the city itself, whose name the page already has."""
    _, queries = traced(f"/{DB_NAME}/cities/{CITY}")
    named = [re.match(r"select \[\w+\], \[\w+\] from \[(\w+)\]", sql) for sql, _ in queries]
    asked = sorted(match.group(1) for match in named if match)
    assert asked == ["provinces", "statuses"]
