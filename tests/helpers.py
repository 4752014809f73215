"""Helpers shared by the test modules (imported, not fixtures)."""

import hashlib
import importlib.util
from pathlib import Path

PLUGINS = Path(__file__).resolve().parent.parent / "plugins"


def plugin(name):
    """A module of plugins/ by its file name, loaded as Datasette's plugins_dir loads it."""
    spec = importlib.util.spec_from_file_location(name, PLUGINS / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def sha256(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


def assert_refused_cleanly(result, path, line, message):
    """The build exited 1 with one `PATH:LINE: ...` line holding message, and no traceback."""
    assert result.exit_code == 1, result.output
    assert isinstance(result.exception, SystemExit), result.exception
    assert result.output.count("\n") == 1 and "Traceback" not in result.output, result.output
    assert result.output.startswith(f"{path}:{line}: "), result.output
    assert message in result.output, result.output
