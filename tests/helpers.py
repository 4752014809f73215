"""Helpers shared by the test modules (imported, not fixtures)."""

import hashlib


def sha256(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


def assert_refused_cleanly(result, path, line, message):
    """The build exited 1 with one `PATH:LINE: ...` line holding message, and no traceback."""
    assert result.exit_code == 1, result.output
    assert isinstance(result.exception, SystemExit), result.exception
    assert result.output.count("\n") == 1 and "Traceback" not in result.output, result.output
    assert result.output.startswith(f"{path}:{line}: "), result.output
    assert message in result.output, result.output
