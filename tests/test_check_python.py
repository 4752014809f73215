"""scripts/check-python.py: the one line `make` prints before venv or pip, for a Python that the
locks do not install on or that cannot make a venv (the versions are Debian's and Ubuntu's)."""
import importlib.util
import subprocess
import sys
from pathlib import Path

SCRIPT = Path(__file__).parent.parent / "scripts" / "check-python.py"
spec = importlib.util.spec_from_file_location("check_python", SCRIPT)
check_python = importlib.util.module_from_spec(spec)
spec.loader.exec_module(check_python)


def test_debian_12_and_later_3_11_pass():
    for version in [(3, 11, 2), (3, 11, 7), (3, 11, 14)]:
        assert check_python.problem(version, True) is None


def test_too_old_or_other_minor_is_named_with_the_fix():
    assert check_python.problem((3, 11, 1), True, "/usr/bin/python3") == (
        "Python 3.11 (3.11.2 or later) is needed, this is 3.11.1 (/usr/bin/python3): "
        "install python3.11, or run make PYTHON=/path/to/python3.11")
    for version in [(3, 10, 12), (3, 12, 3)]:
        message = check_python.problem(version, True)
        assert message.startswith("Python 3.11 (3.11.2 or later) is needed, this is ")
        assert ".".join(map(str, version)) in message


def test_no_ensurepip_names_python3_venv():
    assert check_python.problem((3, 11, 2), False, "python3") == (
        "python3 cannot make a venv (no ensurepip): apt-get install python3-venv, then run make"
        " again")


def test_this_python_passes_silently():
    done = subprocess.run([sys.executable, str(SCRIPT)], capture_output=True, text=True)
    assert (done.returncode, done.stdout, done.stderr) == (0, "", "")
