"""The .db as a user takes it away: downloaded from the running server and searched with stock
sqlite-utils and stock Datasette (.venv-stock, `make test` installs it from
requirements-stock.lock: no plugins, no metadata of this project). Both join a full-text index to
its table by rowid; the right row must come first."""

import json
import socket
import subprocess
import time
from pathlib import Path

import httpx
import pytest

ROOT = Path(__file__).resolve().parent.parent
STOCK = ROOT / ".venv-stock" / "bin"

# (table, query, the row's name): names read from the article and source/korean-names.csv.
SEARCHES = [
    ("cities", "Hamhung", "Hamhung"),
    ("cities", "Chongjin", "Chongjin"),
    ("cities", "Pyongyang", "Pyongyang"),
    ("cities", "평양", "Pyongyang"),
    ("cities", "平壤", "Pyongyang"),
    ("cities", "P'yŏngyang", "Pyongyang"),
    ("cities", "평양직할시", "Pyongyang"),
    ("provinces", "함경남도", "South Hamgyong"),
    ("provinces", "Ryanggang", "Ryanggang"),
]

pytestmark = pytest.mark.skipif(not (STOCK / "datasette").exists(),
                                reason="make test installs .venv-stock")


@pytest.fixture(scope="module")
def downloaded(server, tmp_path_factory):
    path = tmp_path_factory.mktemp("downloaded") / "north-korea-cities.db"
    response = httpx.get(server + "/north-korea-cities.db", timeout=30)
    assert response.status_code == 200
    path.write_bytes(response.content)
    return path


@pytest.mark.parametrize(("table", "query", "name"), SEARCHES)
def test_stock_sqlite_utils_search(downloaded, table, query, name):
    # --quote: the query as words, not FTS5 syntax (an apostrophe is not a bareword character).
    result = subprocess.run([str(STOCK / "sqlite-utils"), "search", str(downloaded), table, query,
                             "--quote", "-c", "name"], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    rows = json.loads(result.stdout)
    assert rows and rows[0]["name"] == name, rows


@pytest.fixture(scope="module")
def stock_datasette(downloaded):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    process = subprocess.Popen([str(STOCK / "datasette"), str(downloaded), "--port", str(port),
                                "--host", "127.0.0.1"], stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL, stdin=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                if httpx.get(url + "/-/versions.json", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.2)
        else:
            raise RuntimeError("stock datasette did not start")
        plugins = httpx.get(url + "/-/plugins.json").json()
        assert plugins == [], plugins  # stock: nothing of this project
        yield url
    finally:
        process.terminate()
        process.wait(10)


@pytest.mark.parametrize(("table", "query", "name"), SEARCHES)
def test_stock_datasette_search(stock_datasette, table, query, name):
    response = httpx.get(f"{stock_datasette}/north-korea-cities/{table}.json",
                         params={"_search": query, "_shape": "array"}, timeout=10)
    assert response.status_code == 200, response.text
    rows = response.json()
    assert rows and rows[0]["name"] == name, rows
