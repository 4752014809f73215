"""The README's examples, run as written against the real server: they cannot drift.

Every line of a ```bash block is a command (a following `# => TEXT` line is its exact output);
every ```sql block is typed into the SQL editor in the browser.
"""

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from playwright.sync_api import expect

from browser.conftest import ROOT
from browser.pages import cells, run_sql
from conftest import SOURCE_POPULATION
from helpers import sha256

README = (ROOT / "README.md").read_text(encoding="utf-8")
PUBLISHED = "127.0.0.1:8001"  # where `make serve` listens, as the README says


def blocks(language):
    return re.findall(rf"^```{language}\n(.*?)^```", README, re.M | re.S)


def commands():
    """[(command, expected output or None)] from the README's bash blocks."""
    found = []
    for block in blocks("bash"):
        for line in block.splitlines():
            assert not line.endswith("\\"), "one command per line, please"
            if line.startswith("# => "):
                found[-1] = (found[-1][0], line.removeprefix("# => "))
            elif line.strip() and not line.startswith("#"):
                found.append((line, None))
    return found


COMMANDS = commands()
QUERIES = blocks("sql")


def test_the_readme_shows_what_people_take_away():
    lines = [command for command, _ in COMMANDS]
    assert any(re.match(r"curl .*\.json\?", line) for line in lines)        # JSON API
    assert any(re.match(r"curl -o \S+\.db ", line) for line in lines)       # .db download
    assert any("_stream=on" in line for line in lines)                      # full CSV export
    assert any("frictionless validate" in line for line in lines)           # data package
    assert QUERIES                                                          # SQL in the browser


@pytest.fixture(scope="module")
def workdir(tmp_path_factory, dist_path):
    """A folder that looks like a checkout after `make build`: .venv and dist/."""
    path = tmp_path_factory.mktemp("readme")
    (path / ".venv").symlink_to(Path(sys.executable).parent.parent)
    shutil.copytree(dist_path, path / "dist")
    return path


def check_output(command, stdout, workdir, db_path):
    """Without a `# =>` line: a download is the built file, JSON parses, nothing is empty."""
    download = re.match(r"curl -o (\S+)", command)
    if download:
        assert sha256(workdir / download.group(1)) == sha256(db_path)
    elif ".json?" in command:
        assert json.loads(stdout)
    else:
        assert stdout.strip()


@pytest.mark.parametrize("command, expected", COMMANDS,
                         ids=[f"bash{i}" for i in range(len(COMMANDS))])
def test_bash_example(server, workdir, db_path, command, expected):
    here = server.removeprefix("http://")
    result = subprocess.run(["bash", "-o", "pipefail", "-c", command.replace(PUBLISHED, here)],
                            cwd=workdir, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    if expected is None:
        check_output(command, result.stdout, workdir, db_path)
    else:
        assert result.stdout.strip() == expected


@pytest.mark.parametrize("sql", QUERIES, ids=[f"sql{i}" for i in range(len(QUERIES))])
def test_sql_example_in_the_browser(page, server, sql):
    run_sql(page, server, sql.strip())
    expect(page.locator(".message-error")).to_have_count(0)
    expect(page.locator("table.rows-and-columns tbody tr").first).to_be_visible()
    if "population_2008" in sql:
        populations = [int(text.replace(",", "")) for text in cells(page, "population_2008")]
        assert sum(populations) == SOURCE_POPULATION
