"""The serving stack (nkcities/web/stack.py) keeps its promises in an order a client can see: the
health check is outside the response cache, and a cache hit takes none of its client's turns."""

import asyncio
import os
import shutil

from datasette.app import Datasette
from datasette.plugins import pm

from conftest import DB_NAME, ROOT
from nkcities.web.serve import load_config
from nkcities.web.stack import composed

PAGE = f"/{DB_NAME}/cities"


def served_copy(db_path, tmp_path):
    db = tmp_path / db_path.name
    shutil.copy(db_path, db)
    shutil.copy(f"{db_path}.sha256", f"{db}.sha256")
    return db


def test_a_cached_page_is_not_served_once_the_file_changed(db_path, tmp_path):
    db = served_copy(db_path, tmp_path)
    ds = Datasette(immutables=[str(db)], plugins_dir=str(ROOT / "plugins"))

    def get():
        return asyncio.run(ds.client.get(PAGE))

    first, second = get(), get()
    assert first.status_code == second.status_code == 200
    assert second.headers.get("x-cache") == "hit"
    os.utime(db, ns=(0, 0))  # the same bytes, but no longer the file the server checked
    assert get().status_code == 503


def test_the_stack_is_the_one_asgi_wrapper(db_path):
    """Any other wrapper would sit outside or inside it by pluggy's order, not the stack's."""
    Datasette(immutables=[str(db_path)], plugins_dir=str(ROOT / "plugins"))
    assert [impl.plugin_name for impl in pm.hook.asgi_wrapper.get_hookimpls()] == ["stack.py"]


async def call(app, path, query=""):
    """(status, headers) of a GET from one client address."""
    scope = {"type": "http", "method": "GET", "scheme": "http", "http_version": "1.1",
             "path": path, "raw_path": path.encode(), "query_string": query.encode(),
             "headers": [(b"host", b"localhost")], "client": ("192.0.2.1", 50000)}
    sent = []

    async def receive():
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message):
        sent.append(message)
    await app(scope, receive, send)
    return sent[0]["status"], dict(sent[0]["headers"])


def test_a_cache_hit_takes_no_turn(db_path, tmp_path):
    """With every place its client may hold taken by slow renders, the client's next miss is
    refused (429), and a page the cache holds is still answered."""
    ds = Datasette(immutables=[str(served_copy(db_path, tmp_path))])
    per_client = load_config()["requests"]["max_in_flight_per_client"]

    async def scenario():
        release = asyncio.Event()

        async def slow_renders(scope, receive, send):  # in place of Datasette's app
            if scope["query_string"].startswith(b"hold"):
                await release.wait()
            await send({"type": "http.response.start", "status": 200,
                        "headers": [(b"content-type", b"text/plain")]})
            await send({"type": "http.response.body", "body": b"rendered"})

        stack = composed(slow_renders, ds)
        first = await call(stack, PAGE)
        held = [asyncio.create_task(call(stack, PAGE, f"hold={n}")) for n in range(per_client)]
        await asyncio.sleep(0.2)  # every held request taken in
        refused, hit = await call(stack, PAGE, "one-more"), await call(stack, PAGE)
        release.set()
        return first, refused, hit, await asyncio.gather(*held)

    first, refused, hit, held = asyncio.run(scenario())
    assert first[0] == 200 and b"x-cache" not in first[1]
    assert refused[0] == 429
    assert hit[0] == 200 and hit[1][b"x-cache"] == b"hit"
    assert [status for status, _ in held] == [200] * per_client
