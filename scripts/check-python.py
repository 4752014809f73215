"""Say in one line what this Python lacks for the project, before venv or pip print anything.

Run by `make` with the Python it is about to use. The floor is the oldest 3.11 the locks are
compiled for (Debian 12's python3); Debian and Ubuntu ship venv's ensurepip in a package apart.
"""
import sys

FLOOR = (3, 11, 2)


def problem(version, has_ensurepip, executable="python3"):
    """The one-line message for what is missing, or None when this Python will do."""
    found = ".".join(str(part) for part in version[:3])
    if version[:2] != FLOOR[:2] or tuple(version[:3]) < FLOOR:
        return (f"Python 3.11 ({'.'.join(map(str, FLOOR))} or later) is needed, this is {found}"
                f" ({executable}): install python3.11, or run make PYTHON=/path/to/python3.11")
    if not has_ensurepip:
        return (f"{executable} cannot make a venv (no ensurepip): "
                f"apt-get install python3-venv, then run make again")
    return None


def main():
    try:
        import ensurepip  # noqa: F401
        has_ensurepip = True
    except ImportError:
        has_ensurepip = False
    message = problem(sys.version_info, has_ensurepip, sys.executable)
    if message:
        print(f"make: {message}", file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
