"""What a page costs when it is rendered, not replayed: no SQL the page does not show, no row
fetched twice, no file parsed again. Counted with Datasette's own SQL trace (trace_debug)."""

import asyncio
import html
import json
import re
from pathlib import Path

import pytest
import yaml

from conftest import DB_NAME, METADATA
from harness.server import write_inspect
from nkcities.web.serve import datasette, load_config

CITY = "rason"  # a city of the source; its row page's key


@pytest.fixture(scope="module")
def traced(db_path):
    """GET path with ?_trace=1 (and a cookie, so no cache answers): (status, [(sql, params)])."""
    ds = datasette(load_config(), db_path, write_inspect(db_path), {"trace_debug": True})

    async def get(path):
        response = await ds.client.get(f"{path}{'&' if '?' in path else '?'}_trace=1",
                                       cookies={"visitor": "1"})
        if response.headers["content-type"].startswith("application/json"):
            traces = response.json()["_trace"]["traces"]
        else:
            found = re.search(r"<pre>(.*)</pre>", response.text, re.S)
            traces = json.loads(html.unescape(found.group(1)))["traces"] if found else []
        return response.status_code, [(t.get("sql", ""), t.get("params")) for t in traces]
    asyncio.run(get("/"))  # the first request runs Datasette's start-up, counted in no test
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


@pytest.mark.parametrize("path", [f"/{DB_NAME}.json?sql=select+1", f"/{DB_NAME}?sql=select+1",
                                  f"/{DB_NAME}/cities/{CITY}", f"/{DB_NAME}/cities.json"])
def test_a_page_of_the_immutable_database_asks_no_schema_version(traced, path):
    """Datasette's views first ask every database for its schema version, each a SQL call of
    its own; nothing writes to the database served here, so its pages ask it no more."""
    status, queries = traced(path)
    assert status == 200 and queries
    assert not [sql for sql, _ in queries if "schema_version" in sql.lower()]


def test_a_query_runs_only_its_own_sql(traced):
    status, queries = traced(f"/{DB_NAME}.json?sql=select+1")
    assert status == 200 and [sql for sql, _ in queries] == ["select 1"]


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


def test_the_database_page_checks_each_table_it_lists_once_and_no_hidden_one(traced):
    """It shows the name and count of each table and view the visitor may see: Datasette's
    own database view checked every table twice, the hidden search-index tables too (each
    check deep-copies the metadata), and asked each for its columns and keys."""
    status, queries = traced(f"/{DB_NAME}")
    assert status == 200
    checked = [params[0] for sql, params in queries
               if sql.startswith("select name from sqlite_master where type in ('table', 'view')")]
    assert "cities" in checked and "city_list" in checked
    assert len(checked) == len(set(checked))
    assert not [name for name in checked if "_fts" in name]


def test_the_database_page_lists_no_table_or_view_the_visitor_may_not_see(db_path, tmp_path):
    """Metadata that hides one table and one view from everyone: both leave the page, the
    others stay, and a query at the same address still runs (Datasette's own view)."""
    metadata = yaml.safe_load(METADATA.read_text(encoding="utf-8"))
    tables = metadata["databases"][DB_NAME]["tables"]
    for name in ("notes", "city_list"):
        tables.setdefault(name, {})["allow"] = False
    path = tmp_path / "metadata.yml"
    path.write_text(yaml.safe_dump(metadata), encoding="utf-8")
    ds = datasette(load_config(), db_path, write_inspect(db_path), {}, metadata=path)

    async def get(path):
        return await ds.client.get(path, cookies={"visitor": "1"})
    page = asyncio.run(get(f"/{DB_NAME}"))
    assert page.status_code == 200
    listed = {name for name in ("notes", "city_list", "cities", "provinces")
              if f'href="/{DB_NAME}/{name}"' in page.text}
    assert listed == {"cities", "provinces"}
    query = asyncio.run(get(f"/{DB_NAME}.json?sql=select+name+from+cities+where+id='rason'"
                            "&_shape=array"))
    answer = asyncio.run(get(f"/{DB_NAME}?sql=select+name+from+cities+where+id='rason'"))
    assert query.json() == [{"name": "Rason"}] and "Rason" in answer.text


def test_a_row_pages_crumbs_do_not_check_its_table_again(traced, db_path):
    """Datasette's row view checks the table twice (for the visitor, then for anyone) before
    the page is rendered; its crumbs checked it a third time, a copy of the metadata each."""
    _, queries = traced(f"/{DB_NAME}/cities/{CITY}")
    checked = [params for sql, params in queries
               if sql.startswith("select name from sqlite_master where type in ('table', 'view')")]
    assert checked == [["cities"], ["cities"]]
    ds = datasette(load_config(), db_path, write_inspect(db_path), {})
    page = asyncio.run(ds.client.get(f"/{DB_NAME}/cities/{CITY}", cookies={"visitor": "1"}))
    crumbs = re.search(r'<p class="crumbs">(.*?)</p>', page.text, re.S)
    assert re.findall(r'href="([^"]+)"', crumbs.group(1)) == ["/", f"/{DB_NAME}",
                                                             f"/{DB_NAME}/cities"]
