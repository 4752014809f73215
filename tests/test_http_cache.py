"""Compression, validators and the response cache, on the real server (python -m nkcities.web.serve
with the compression and response cache middleware, nkcities/web/middleware/, and
plugins/db_download.py)."""

import contextlib
import gzip
import re
import shutil
import sqlite3
from email.utils import formatdate, parsedate_to_datetime
from urllib.parse import quote

import brotli
import httpx
import pytest
from conftest import DB_NAME
from helpers import sha256
from harness.server import running_server, write_inspect
from nkcities.web.middleware import response_cache

# One of each page kind, and the assets and JSON they load.
PAGES = ["/", f"/{DB_NAME}", f"/{DB_NAME}/cities", f"/{DB_NAME}/city_list",
         f"/{DB_NAME}/cities/pyongyang",
         f"/{DB_NAME}/city_map", f"/{DB_NAME}.json?sql=select+1", "/-/dashboards/cities",
         f"/{DB_NAME}/cities.json?_shape=array", f"/{DB_NAME}/city_list.csv?_stream=on",
         "/-/static/table.js", "/-/static-plugins/datasette-cluster-map/datasette-cluster-map.js",
         "/-/versions.json"]
# 1,000 random rows of 316 characters, 300 of them double quotes that CSV doubles: a 0.6 MB
# answer, over the cache's entry limit, from rows under the SQL result limit.
BIG_CSV = f"/{DB_NAME}.csv?sql=" + quote(
    "with recursive n(i) as (select 1 union all select i + 1 from n where i < 1000) "
    "select i, hex(randomblob(8)) || replace(hex(zeroblob(150)), '0', '\"') as r from n")
MINIMUM_SIZE = 500  # middleware/compression.py sends smaller ones as they are
# "Queries took 3.2ms", "query_ms": 0.4: the one part of an answer that varies
TIMING = re.compile(rb'[\d.]+ ?ms|"query_ms": [\d.e-]+')
RANDOM = f"/{DB_NAME}.json?_shape=array&sql=select+hex(randomblob(8))+as+r"


def raw(server, path, **headers):
    """GET without decoding the body (httpx would undo the compression)."""
    with httpx.Client(base_url=server.url, timeout=10) as client, \
            client.stream("GET", path, headers=headers) as response:
        response.sent = b"".join(response.iter_raw())  # the bytes as they came
    return response


def body(response):
    coding = response.headers.get("content-encoding")
    data = response.sent
    return {"br": brotli.decompress, "gzip": gzip.decompress}.get(coding, lambda d: d)(data)


@pytest.fixture(scope="module")
def server(db_path):
    with running_server(db_path, write_inspect(db_path)) as running:
        yield running


@pytest.mark.parametrize("path", PAGES)
def test_every_get_is_compressed_and_validated(server, path):
    plain = raw(server, path, **{"accept-encoding": "identity"})
    assert plain.status_code == 200 and "content-encoding" not in plain.headers
    etags, small = {plain.headers["etag"]}, len(plain.sent) < MINIMUM_SIZE
    for coding, accept in [("br", "gzip, deflate, br"), ("gzip", "br;q=0, gzip")]:
        packed = raw(server, path, **{"accept-encoding": accept})
        assert packed.headers.get("content-encoding") == (None if small else coding)
        assert "accept-encoding" in packed.headers["vary"].lower()
        assert TIMING.sub(b"", body(packed)) == TIMING.sub(b"", plain.sent)
        assert small or len(packed.sent) < len(plain.sent)
        etags.add(packed.headers["etag"])
        again = raw(server, path, **{"accept-encoding": accept,
                                     "if-none-match": packed.headers["etag"]})
        assert again.status_code == 304 and again.sent == b""
        assert again.headers["etag"] == packed.headers["etag"]
    assert len(etags) == 3, "each coding is a representation of its own"


def test_if_modified_since(server):
    path = f"/{DB_NAME}/provinces"
    modified = parsedate_to_datetime(raw(server, path).headers["last-modified"]).timestamp()
    later, earlier = formatdate(modified + 1, usegmt=True), formatdate(modified - 1, usegmt=True)
    assert raw(server, path, **{"if-modified-since": later}).status_code == 304
    assert raw(server, path, **{"if-modified-since": earlier}).status_code == 200
    # If-None-Match decides when both are sent (RFC 9110 13.2.2)
    assert raw(server, path, **{"if-modified-since": later,
                                "if-none-match": '"other"'}).status_code == 200


def test_static_assets_are_cached_long(server):
    versioned = raw(server, "/-/static/app.css?d59929")
    assert versioned.headers["cache-control"] == "public, max-age=31536000, immutable"
    plain = raw(server, "/-/static/table.js")
    assert plain.headers["cache-control"] == "public, max-age=3600"
    # The project's stylesheet: linked under a URL that changes with the file, and validated.
    home = httpx.get(server.url + "/").text
    (stylesheet,) = re.findall(r'href="(/assets/pages\.css\?\w+)"', home)
    assert raw(server, stylesheet).headers["cache-control"] == "public, max-age=31536000, immutable"
    etag = raw(server, "/assets/pages.css").headers["etag"]
    assert raw(server, "/assets/pages.css", **{"if-none-match": etag}).status_code == 304


def test_repeated_get_comes_from_the_cache(server):
    first, second = raw(server, RANDOM), raw(server, RANDOM)
    assert "x-cache" not in first.headers and second.headers["x-cache"] == "hit"
    assert second.sent == first.sent  # the same random value: not run again


@pytest.mark.parametrize("credentials", [{"cookie": "ds_actor=x"}, {"authorization": "Bearer x"}])
def test_requests_with_credentials_bypass_the_cache(server, credentials):
    path = RANDOM + "+,+1+as+bypass"
    answers = {raw(server, path, **credentials).sent for _ in range(3)}
    assert len(answers) == 3
    assert all("x-cache" not in raw(server, path, **credentials).headers for _ in range(2))
    assert raw(server, path, **credentials).headers["etag"] != raw(server, path).headers["etag"]


def test_big_responses_and_errors_are_not_cached(server):
    first = raw(server, BIG_CSV, **{"accept-encoding": "identity"})
    assert first.status_code == 200 and len(first.sent) > 512 * 1024
    second = raw(server, BIG_CSV, **{"accept-encoding": "identity"})
    assert "x-cache" not in second.headers and second.sent != first.sent
    for _ in range(2):
        missing = raw(server, f"/{DB_NAME}/no_such_table")
        assert missing.status_code == 404 and "x-cache" not in missing.headers
        assert "etag" not in missing.headers


def test_live_endpoints_are_not_cached(server):
    for _ in range(2):
        threads = raw(server, "/-/threads.json")
        assert "x-cache" not in threads.headers and "etag" not in threads.headers


def test_db_download_has_its_length_and_hash(server, db_path):
    download = raw(server, f"/{DB_NAME}.db", **{"accept-encoding": "br, gzip"})
    assert download.sent == db_path.read_bytes()
    assert "content-encoding" not in download.headers
    assert download.headers["content-length"] == str(db_path.stat().st_size)
    etag = download.headers["etag"]
    assert raw(server, f"/{DB_NAME}.db", **{"if-none-match": etag}).status_code == 304


def served_copy(db_path, folder, user_version=0):
    """A copy of the database in its own folder with its own recorded sha256 and inspect file:
    another replica (user_version 0) or another build (the header's user_version changed)."""
    folder.mkdir()
    db = folder / db_path.name
    shutil.copy(db_path, db)
    if user_version:
        with contextlib.closing(sqlite3.connect(db)) as connection:
            connection.execute(f"PRAGMA user_version = {user_version}")
            connection.commit()
    (folder / f"{db.name}.sha256").write_text(f"{sha256(db)}  {db.name}\n")
    return db, write_inspect(db)


def test_etag_follows_the_recorded_hash(db_path, tmp_path):
    """Same files, same ETag (on every replica); another build, another ETag."""
    tags = []
    for folder, user_version in [("one", 0), ("two", 0), ("other", 7)]:
        with running_server(*served_copy(db_path, tmp_path / folder, user_version)) as running:
            tags.append(raw(running, f"/{DB_NAME}/cities").headers["etag"])
    assert tags[0] == tags[1] != tags[2]


def test_the_cache_stays_within_its_bytes():
    entries = response_cache.Entries(100_000)
    for n in range(100):
        entries.put(n, (200, [(b"etag", b'"x"')], bytes(5_000)))
        assert entries.size <= 100_000
    assert len(entries.items) == 100_000 // (5_000 + 7 + response_cache.ENTRY_OVERHEAD)
    assert entries.get(99) is not None and entries.get(0) is None  # oldest out first
