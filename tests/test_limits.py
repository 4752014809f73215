"""The serving limits (plugins/): legitimate queries still work, and each guard does its job.

The in-process Datasette of conftest loads plugins/ as nkcities/web/serve.py does; the hostile-SQL
battery (test_hostile_sql.py) runs the real server.
"""

import asyncio
import json
import re
import sqlite3
import sys
from urllib.parse import quote

import pytest
from conftest import DB_NAME, ROOT, SOURCE_CITIES, SOURCE_POPULATION
from hypothesis import given, settings
from hypothesis import strategies as st

from nkcities.web.serve import load_config
from plugins import error_pages, sql_limits

LIMIT = 100_000  # docs/security.md: the longest string or blob, the widest printf width
def DATASETTE_TEXT(data):  # what Datasette's connections use
    return str(data, "utf-8", "replace")


def rows(get, sql):
    response = get(f"/{DB_NAME}.json?_shape=array&sql={quote(sql)}")
    assert response.status_code == 200, response.text[:300]
    return response.json()


# What a person exploring this dataset might ask; each must still work under the limits.
LEGITIMATE = {
    "notes in one string": ("select group_concat(text, ' ') as t from notes",
                            lambda r: "2008 North Korean census" in r[0]["t"]),
    "the whole city list as JSON": (
        "select json_group_array(json_object('city', city, 'province', province, 'status', "
        "status, 'population', population_2008, 'founded', founded)) as j from city_list",
        lambda r: len(json.loads(r[0]["j"])) == SOURCE_CITIES),
    "thousands separators": ("select printf('%,d', sum(population_2008)) as p from cities",
                             lambda r: r[0]["p"] == f"{SOURCE_POPULATION:,}"),
    "bar chart": ("select printf('%.*c', population_2008 / 100000, '#') as bar from cities "
                  "where name = 'Pyongyang'", lambda r: r[0]["bar"] == "#" * 32),
    "padding": ("select printf('%-12s|%*d', name, 9, population_2008) as p from cities "
                "where name = 'Anju'", lambda r: r[0]["p"] == "Anju        |   240117"),
    "trim characters": ("select trim('..Pyongyang, ', ' .,') as t",
                        lambda r: r[0]["t"] == "Pyongyang"),
    "like": ("select name from cities where name like '%yang%'",
             lambda r: r == [{"name": "Pyongyang"}]),
    "glob": ("select count(*) as n from cities where founded glob '19[4-6]*'",
             lambda r: r[0]["n"] > 0),
    "json_patch": ("select json_patch('{\"a\":1}', '{\"b\":2}') as j",
                   lambda r: json.loads(r[0]["j"]) == {"a": 1, "b": 2}),
    "every pair of cities": ("select a.name as a, b.name as b from cities a, cities b",
                             lambda r: len(r) == SOURCE_CITIES ** 2),
    "schema": ("select sql from sqlite_master where name = 'cities'",
               lambda r: "population_2008" in r[0]["sql"]),
    "pragma function": ("select name from pragma_table_info('cities')",
                        lambda r: {"name": "population_2008"} in r),
    "a large value": ("select length(hex(randomblob(4500))) as n", lambda r: r[0]["n"] == 9000),
    # The largest values the database holds (full-text index blocks), twice over.
    "the largest value, doubled": (
        "select max(length(block || block)) as n from cities_fts_data",
        lambda r: r[0]["n"] > 0),
}


@pytest.mark.parametrize("name", LEGITIMATE)
def test_legitimate_query_works(get, name):
    sql, check = LEGITIMATE[name]
    assert check(rows(get, sql))


def test_max_returned_rows_truncates(get):
    data = get(f"/{DB_NAME}.json?sql=select+a.id+from+cities+a,+cities+b,+cities+c").json()
    assert data["truncated"] is True and len(data["rows"]) == 1000


@pytest.fixture(scope="module")
def guarded():
    """A connection prepared by the plugin, like each of Datasette's."""
    conn = sqlite3.connect(":memory:")
    conn.row_factory, conn.text_factory = sqlite3.Row, DATASETTE_TEXT
    sql_limits.harden(conn)
    yield conn
    conn.close()


def raw_printf(fmt, args):
    conn = sqlite3.connect(":memory:")
    conn.text_factory = DATASETTE_TEXT  # '%.2s' of 'héllo' cuts 'é' in two
    conn.setlimit(sqlite3.SQLITE_LIMIT_LENGTH, LIMIT)
    try:
        return conn.execute(f"select printf({', '.join('?' * (len(args) + 1))})",
                            [fmt, *args]).fetchone()[0]
    finally:
        conn.close()


# A '*' argument and the width or precision SQLite reads from it.
STAR_VALUES = {5: 5, -5: 5, 0: 0, "9": 9, 2.5: 2, None: 0, 4_000_000: 4_000_000,
               -2_000_000_000: 2_000_000_000, "150000 apples": 150_000}


@st.composite
def printf_calls(draw):
    """A format of well-formed conversions, its arguments, and whether any width or precision
    is over the limit, known from how the format was put together."""
    fmt, args, too_big = "", [], False
    for _ in range(draw(st.integers(0, 4))):
        flags = draw(st.text(alphabet="-+ #!0,", max_size=2))
        width = draw(st.sampled_from(["", "*", "7", "123456"]))
        precision = draw(st.sampled_from(["", ".", ".*", ".3", ".200000"]))
        conversion = draw(st.sampled_from(["", "l", "ll"])) + draw(st.sampled_from("dsgqcxfe%n"))
        for size in (width, precision[1:]):
            if size == "*":
                value = draw(st.sampled_from(sorted(STAR_VALUES, key=repr)))
                args.append(value)
                too_big |= STAR_VALUES[value] > LIMIT
            elif size:
                too_big |= int(size) > LIMIT
        fmt += draw(st.text(alphabet="ab ", max_size=3)) + f"%{flags}{width}{precision}{conversion}"
        if conversion[-1] not in "%n":
            args.append(draw(st.sampled_from([1, -12, 3.5, "x", "héllo", None])))
    return fmt, args, too_big


# Datasette turns on sqlite3's callback tracebacks, so each refusal is also logged: expected here.
QUIET = pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")


@QUIET
@settings(max_examples=300, deadline=None)
@given(printf_calls())
def test_printf_guard_refuses_exactly_the_oversized(guarded, call):
    fmt, args, too_big = call
    sql = f"select printf({', '.join('?' * (len(args) + 1))})"
    if too_big:
        with pytest.raises(sqlite3.OperationalError, match="user-defined function"):
            guarded.execute(sql, [fmt, *args]).fetchone()
    else:
        assert guarded.execute(sql, [fmt, *args]).fetchone()[0] == raw_printf(fmt, args)


@QUIET
@pytest.mark.parametrize("sql, refused", [
    ("select trim('xxax', ?)", False), ("select trim('xxax', ?||'x')", True),
    ("select ltrim('xxax', ?)", False), ("select rtrim('xxax', ?||'xy')", True),
])
def test_trim_guard(guarded, sql, refused):
    characters = "x" * 100
    if refused:
        with pytest.raises(sqlite3.OperationalError, match="user-defined function"):
            guarded.execute(sql, [characters]).fetchone()
    else:
        assert guarded.execute(sql, [characters]).fetchone()[0] in ("a", "xxa", "ax")


@QUIET
def test_json_patch_guard(guarded):
    """Values over the value limit cannot reach it any more; Datasette's own databases can."""
    small, large = json.dumps({"a": 1}), json.dumps({f"k{i}": i for i in range(5_000)})  # 69 kB
    assert json.loads(guarded.execute("select json_patch(?, ?)", [small, small]).fetchone()[0])
    with pytest.raises(ValueError, match="json_patch"):
        sql_limits.check_json_patch(None, large, large)


@pytest.mark.parametrize("sql, message", [
    ("attach ':memory:' as other", "not authorized"),
    ("pragma cache_size = 1", "not authorized"),
    ("pragma query_only = 0", "not authorized"),
    ("select load_extension('x')", "not authorized"),
    ("select fts3_tokenizer('simple')", "not authorized"),
    ("create table t (x)", "readonly"),
    ("select zeroblob(100001)", "too big"),
    ("select 'x' like ?", "too complex"),
])
def test_connection_refuses(guarded, sql, message):
    params = ["%" * 201] if "?" in sql else []
    with pytest.raises(sqlite3.Error, match=message):
        guarded.execute(sql, params).fetchall()


def test_full_text_search_works():
    conn = sqlite3.connect(":memory:")
    conn.execute("create virtual table names_fts using fts5 (name)")
    conn.execute("insert into names_fts (name) values ('Pyongyang'), ('Kaesong')")
    sql_limits.harden(conn)
    assert conn.execute("select name from names_fts where names_fts match 'pyong*'").fetchall() \
        == [("Pyongyang",)]


def test_connection_allows_reading_pragmas(guarded):
    assert guarded.execute("pragma query_only").fetchone()[0] == 1
    assert guarded.execute("pragma table_info(sqlite_master)").fetchall()
    assert guarded.execute("select * from pragma_database_list").fetchall()


def test_result_budget_is_per_query(guarded):
    big = "with r(i) as (select 1 union all select i + 1 from r where i < {}) " \
          "select randomblob(9000) from r"
    with pytest.raises(sqlite3.OperationalError, match="larger than 500,000 bytes"):
        guarded.execute(big.format(150)).fetchall()  # 1.35 MB
    assert len(guarded.execute(big.format(40)).fetchall()) == 40  # 0.36 MB: budget was reset


VALUES_SQL = "select 1, 2.5, 'Pyongyang', '평양', '𝄞 clef', x'00ff', null, 9223372036854775807"


@pytest.mark.parametrize("spare, refused", [(0, False), (-1, True)])
def test_result_budget_counts_what_getsizeof_counts(spare, refused):
    """The budget is the rows' sys.getsizeof(), to the byte, for every type SQLite returns."""
    conn = sqlite3.connect(":memory:")
    conn.text_factory = DATASETTE_TEXT
    values = conn.execute(VALUES_SQL).fetchone()
    size = sum(sys.getsizeof(value) for value in values) * 3
    conn.row_factory = sql_limits.result_budget(lambda cursor, row: row, size + spare)
    query = f"{VALUES_SQL} union all {VALUES_SQL} union all {VALUES_SQL}"
    if refused:
        with pytest.raises(sqlite3.OperationalError, match="larger than"):
            conn.execute(query).fetchall()
    else:
        assert conn.execute(query).fetchall() == [values] * 3


def test_sqlite_heap_limit(guarded):
    guarded.setlimit(sqlite3.SQLITE_LIMIT_LENGTH, 1_000_000_000)  # only the heap limit is left
    with pytest.raises(MemoryError):
        guarded.execute("select length(randomblob(200000000))").fetchone()


def test_memory_error_is_the_querys_fault():
    status, message, title, _ = error_pages.describe(MemoryError())
    assert (status, title) == (400, "Query too large") and "more memory" in message


@pytest.mark.parametrize("suffix, content_type, error", [
    (".json", "application/json", lambda r: r.json()["error"] == "Table not found"),
    (".csv", "text/csv", lambda r: r.text.splitlines() == ["error", "Table not found"]),
    ("", "text/html", lambda r: "Table not found" in r.text and "<html" in r.text),
])
def test_errors_come_in_the_requests_format(get, suffix, content_type, error):
    response = get(f"/{DB_NAME}/no_such_table{suffix}")
    assert response.status_code == 404
    assert response.headers["content-type"].startswith(content_type) and error(response)


@pytest.mark.parametrize("size, refused", [(1_000, False), (100_001, True)])
def test_request_body_limit(ds, size, refused):
    response = asyncio.run(ds.client.post("/-/messages", content=b"x" * size))
    assert (response.status_code == 413) == refused
    assert ("request body over 100,000 bytes" in response.text) == refused


@pytest.mark.parametrize("facets, status", [(3, 200), (4, 400)])
def test_facet_limit(get, facets, status):
    columns = ["name", "founded", "id", "source_line"][:facets]
    response = get(f"/{DB_NAME}/cities.json?" + "&".join(f"_facet={c}" for c in columns))
    assert response.status_code == status


def nginx_directives():
    """deploy/nginx.conf's directives, comments left out: name -> the arguments of each use."""
    text = re.sub(r"#[^\n]*", "", (ROOT / "deploy" / "nginx.conf").read_text(encoding="utf-8"))
    directives = {}
    for statement in re.split(r"[;{}]", text):
        if words := statement.split():
            directives.setdefault(words[0], []).append(words[1:])
    return directives


def nginx_size(value):
    """nginx's size syntax: bytes, or k or m (1,024 and 1,048,576 bytes)."""
    number, unit = re.fullmatch(r"(\d+)([kKmM]?)", value).groups()
    return int(number) * {"": 1, "k": 2**10, "m": 2**20}[unit.lower()]


def nginx_seconds(value):
    number, unit = re.fullmatch(r"(\d+)(s?|ms)", value).groups()
    return int(number) / (1000 if unit == "ms" else 1)


def test_nginx_refuses_before_the_server():
    """deploy/nginx.conf in front is never more lenient than the server behind it (serve.yml,
    each limit's one place), and refuses one address before the server's own limit does."""
    nginx, config = nginx_directives(), load_config()
    requests, connections, uvicorn = config["requests"], config["connections"], config["uvicorn"]
    [[_, per_address]] = nginx["limit_conn"]
    assert int(per_address) < requests["max_in_flight_per_client"]
    assert [["429"]] == nginx["limit_conn_status"] == nginx["limit_req_status"]
    [[body]] = nginx["client_max_body_size"]
    assert nginx_size(body) == requests["max_body_bytes"]
    [[count, size]] = nginx["large_client_header_buffers"]
    assert int(count) * nginx_size(size) <= uvicorn["h11_max_incomplete_event_size"]
    for directive, server_s in [("client_header_timeout", connections["header_timeout_s"]),
                                ("client_body_timeout", connections["body_timeout_s"]),
                                ("send_timeout", requests["send_timeout_s"]),
                                ("keepalive_timeout", uvicorn["timeout_keep_alive"])]:
        [[value]] = nginx[directive]
        assert nginx_seconds(value) <= server_s, directive
