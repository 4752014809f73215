"""The ASGI wrappers stand in serve.yml's order whatever order the file system lists plugins/."""

from datasette.app import Datasette
from datasette.plugins import pm

from conftest import ROOT

# Outermost first, as a person reading the plugins decided it (not read from serve.yml).
EXPECTED = ["health", "paced_send", "request_limits", "response_cache", "csv_errors",
            "fair_share", "compression", "formats", "reconcile_spellings", "cors"]


def test_wrappers_in_the_declared_order(db_path):
    ds = Datasette(immutables=[str(db_path)], plugins_dir=str(ROOT / "plugins"))
    innermost_first = [wrap.__module__.removesuffix(".py")
                       for wrap in pm.hook.asgi_wrapper(datasette=ds)]
    ours = [name for name in reversed(innermost_first) if name in EXPECTED]
    assert ours == EXPECTED
