"""Where a build writes: a temporary file beside the database that replaces it only when the
build succeeded and changed something, then `<db>.sha256` beside it. Leftovers of a killed
build are removed first."""

import contextlib
import hashlib
import os
import tempfile
from pathlib import Path

PUBLISHED_MODE = 0o644  # readable by the server's user, e.g. 'nobody' in the Dockerfile


def sha256(path):
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def sidecar(db_path):
    """`<db>.sha256`, the server's check of the file it serves."""
    return Path(f"{db_path}.sha256")


def leftovers(db_path):
    """Temporary files of an earlier build that was killed: `.<name>.*.tmp` and their
    SQLite journals (`*.tmp-journal`)."""
    folder, name = Path(db_path).parent, Path(db_path).name
    return sorted({*folder.glob(f".{name}.*.tmp"), *folder.glob(f".{name}.*.tmp-journal"),
                   *folder.glob(f".{sidecar(name).name}.*.tmp")})


def write_atomically(path, data):
    """Write bytes to a temporary name beside path, then rename it into place."""
    path = Path(path)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.chmod(tmp, PUBLISHED_MODE)
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


@contextlib.contextmanager
def replacing(db_path):
    """Yield a temporary file beside db_path. If the block succeeds, it replaces db_path unless
    both are byte-identical (then db_path is left untouched); `<db>.sha256` is written after."""
    db_path = Path(db_path)
    for path in leftovers(db_path):
        path.unlink()
    fd, tmp = tempfile.mkstemp(dir=db_path.parent, prefix=f".{db_path.name}.", suffix=".tmp")
    os.close(fd)
    os.chmod(tmp, PUBLISHED_MODE)  # mkstemp makes it 0600; the database is published
    try:
        yield tmp
        digest = sha256(tmp)
        if not (db_path.is_file() and sha256(db_path) == digest):
            os.replace(tmp, db_path)
        record = f"{digest}  {db_path.name}\n".encode()
        if not (sidecar(db_path).is_file() and sidecar(db_path).read_bytes() == record):
            write_atomically(sidecar(db_path), record)
    finally:
        for path in (tmp, f"{tmp}-journal"):
            if os.path.exists(path):
                os.unlink(path)
