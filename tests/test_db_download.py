"""The .db download as HTTP-range SQLite readers use it, read with the real curl: Range gives
206 and exactly those bytes, an impossible range 416; HEAD and the CORS preflight carry no body."""

import shutil
import subprocess

import pytest

PATH = "/north-korea-cities.db"
PAGE = 4096  # SQLite's page size in this database (PRAGMA page_size), read by eye

pytestmark = pytest.mark.skipif(shutil.which("curl") is None, reason="make test installs curl")


def curl(url, *args):
    """(status, headers {lower name: value}, body bytes) of one curl request."""
    dump = [] if "-I" in args else ["-D", "-"]  # -I writes the headers to the output itself
    result = subprocess.run(["curl", "-s", *dump, "--output", "-", *args, url],
                            capture_output=True, timeout=60, check=True)
    head, _, body = result.stdout.partition(b"\r\n\r\n")
    status_line, *lines = head.decode("latin-1").split("\r\n")
    headers = {name.lower(): value for name, value in (line.split(": ", 1) for line in lines)}
    return int(status_line.split()[1]), headers, body


@pytest.fixture(scope="module")
def whole(db_path):
    return db_path.read_bytes()


def test_a_range_gives_206_and_those_bytes(server, whole):
    status, headers, body = curl(server + PATH, "-r", "0-99")
    assert status == 206
    assert body == whole[:100] and body.startswith(b"SQLite format 3\0")
    assert headers["content-range"] == f"bytes 0-99/{len(whole)}"
    assert headers["accept-ranges"] == "bytes"
    assert headers["content-type"] == "application/vnd.sqlite3"


def test_a_suffix_range_and_a_page(server, whole):
    status, headers, body = curl(server + PATH, "-r", "-512")
    assert (status, body) == (206, whole[-512:])
    status, headers, body = curl(server + PATH, "-r", f"{2 * PAGE}-{3 * PAGE - 1}")
    assert (status, body) == (206, whole[2 * PAGE:3 * PAGE])
    assert headers["content-range"] == f"bytes {2 * PAGE}-{3 * PAGE - 1}/{len(whole)}"


def test_an_impossible_range_is_416(server, whole):
    status, headers, _ = curl(server + PATH, "-r", f"{len(whole)}-{len(whole) + 99}")
    assert status == 416
    assert headers["content-range"] == f"bytes */{len(whole)}"


def test_if_range_with_another_validator_gives_the_whole_file(server, whole):
    _, headers, _ = curl(server + PATH, "-r", "0-99")
    status, _, body = curl(server + PATH, "-r", "0-99", "-H", f"If-Range: {headers['etag']}")
    assert (status, body) == (206, whole[:100])
    status, _, body = curl(server + PATH, "-r", "0-99", "-H", 'If-Range: "another"')
    assert (status, body) == (200, whole)


def test_the_whole_file_has_validators_and_a_lifetime(server, whole):
    status, headers, body = curl(server + PATH)
    assert (status, body) == (200, whole)
    assert headers["content-length"] == str(len(whole))
    assert headers["etag"] and "max-age=" in headers["cache-control"]
    assert "attachment" in headers["content-disposition"]


def test_head_and_options_have_no_body(server, whole):
    status, headers, body = curl(server + PATH, "-I")
    assert (status, body) == (200, b"") and headers["content-length"] == str(len(whole))
    status, headers, body = curl(server + PATH, "-X", "OPTIONS",
                                 "-H", "Origin: https://example.org",
                                 "-H", "Access-Control-Request-Method: GET",
                                 "-H", "Access-Control-Request-Headers: range")
    assert status == 204 and body == b""
    assert headers["access-control-allow-origin"] == "*"
    assert "range" in headers["access-control-allow-headers"].lower()
    assert "GET" in headers["access-control-allow-methods"]
    assert "content-range" in headers["access-control-expose-headers"].lower()


def test_post_is_405_with_allow(server):
    status, headers, _ = curl(server + PATH, "-X", "POST")
    assert status == 405 and "GET" in headers["allow"]
