#!/usr/bin/env bash
# make datasette-suite (not part of make test): Datasette 0.65.5's own test suite run twice, as
# it is and with this project's plugins/ registered in Datasette's plugin manager, in a venv and
# a folder of its own ($WORK, default /tmp/datasette-suite). Nothing of Datasette's is kept in
# this tree. The test modules are the 0.65.5 sdist's (PyPI); the sdist leaves out conftest.py,
# fixtures.py and the test plugins, which come from the 0.65.x branch of Datasette's repository
# ($DATASETTE_REPO: a URL or a local clone). Prints the tests that fail only with the plugins,
# grouped by their first error line; docs/datasette-suite.md says why each fails. Arguments, if
# any, name the test modules to run (default: all of tests/).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
WORK=${WORK:-/tmp/datasette-suite}
REPO=${DATASETTE_REPO:-https://github.com/simonw/datasette}
PYTHON=${PYTHON:-python3}
mkdir -p "$WORK"
cd "$WORK"
if [ ! -x venv/bin/pytest ]; then
    "$PYTHON" -m venv venv
    venv/bin/pip install -q --require-hashes -r "$root/requirements-serve.lock"
    # Datasette 0.65.5's test extra, less black (its test_black.py checks Datasette's own code).
    venv/bin/pip install -q pytest==8.4.2 pytest-asyncio==0.23.8 beautifulsoup4==4.15.0 \
        pytest-timeout==2.4.0 trustme==1.2.1 cogapp==3.5.1
fi
if [ ! -d run/tests ]; then
    rm -rf repo.git run sdist && mkdir run sdist
    git clone --quiet --bare --branch 0.65.x "$REPO" repo.git
    git -C repo.git archive 0.65.x tests docs pytest.ini | tar -x -C run
    venv/bin/pip download -q datasette==0.65.5 --no-binary :all: --no-deps -d sdist
    tar -xzf sdist/datasette-0.65.5.tar.gz -C sdist
    cp sdist/datasette-0.65.5/tests/*.py run/tests/
fi
# A pytest plugin that registers plugins/*.py as Datasette's --plugins-dir does. It imports
# Datasette before Datasette's conftest sets sys._called_from_test, so the installed plugins
# load from their entry points too, as in the served site.
cat > run/project_plugins.py <<PY
import glob, os, sys
from datasette.plugins import pm
from datasette.utils import module_from_path
sys.path.insert(0, "$root")
for path in sorted(glob.glob("$root/plugins/*.py")):
    pm.register(module_from_path(path, name=os.path.basename(path)))
PY
suite() {  # suite NAME [pytest options]: one run, JUnit XML in $WORK/NAME.xml
    local name=$1; shift
    # PATH: test_cli_serve_server starts the `datasette` command.
    (cd run && PATH="$WORK/venv/bin:$PATH" PYTHONPATH=. timeout 3600 ../venv/bin/python -m pytest "${TESTS[@]}" -q -p no:cacheprovider \
        --timeout 60 --ignore tests/test_black.py -o addopts= --junitxml="../$name.xml" "$@" \
        >"../$name.log" 2>&1) || true
    tail -n 1 "$name.log"
}
TESTS=("${@:-tests}")
suite without
suite with-plugins -p project_plugins
venv/bin/python - <<'PY'
import collections
import xml.etree.ElementTree as ET

def failed(name):
    out = {}
    for case in ET.parse(f"{name}.xml").iter("testcase"):
        problem = case.find("failure") if case.find("failure") is not None else case.find("error")
        if problem is not None:
            test = f"{case.get('classname')}::{case.get('name')}"
            out[test] = (problem.get("message") or "").strip().splitlines()[0][:150] \
                if (problem.get("message") or "").strip() else "(no message)"
    return out

without, with_plugins = failed("without"), failed("with-plugins")
only = {test: why for test, why in with_plugins.items() if test not in without}
print(f"fail without the plugins: {len(without)}; with them: {len(with_plugins)}; "
      f"only with them: {len(only)}")
groups = collections.defaultdict(list)
for test, why in sorted(only.items()):
    groups[why].append(test)
for why, tests in sorted(groups.items(), key=lambda item: -len(item[1])):
    print(f"\n{len(tests)} x {why}")
    for test in tests:
        print(f"    {test}")
PY
