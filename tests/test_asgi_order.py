"""The ASGI wrappers stand in an order a client can see: the health check is outside the
response cache, so a page cached before the database file changed is not served after it."""

import asyncio
import os
import shutil

from datasette.app import Datasette

from conftest import DB_NAME, ROOT


def test_a_cached_page_is_not_served_once_the_file_changed(db_path, tmp_path):
    db = tmp_path / db_path.name
    shutil.copy(db_path, db)
    shutil.copy(f"{db_path}.sha256", f"{db}.sha256")
    ds = Datasette(immutables=[str(db)], plugins_dir=str(ROOT / "plugins"))

    def get():
        return asyncio.run(ds.client.get(f"/{DB_NAME}/cities"))

    first, second = get(), get()
    assert first.status_code == second.status_code == 200
    assert second.headers.get("x-cache") == "hit"
    os.utime(db, ns=(0, 0))  # the same bytes, but no longer the file the server checked
    assert get().status_code == 503
