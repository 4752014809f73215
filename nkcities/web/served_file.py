"""Is the file about to be served, or being served, the database the build made?

The build records the database's sha256 in `<db>.sha256` (sha256sum format). Before the server
starts, `verify` checks the file against it and the inspect file (its hash and every table's
row count) against the file; while it serves, `Fingerprint.unchanged` compares a stat of the
file with the one taken when it was verified, which a truncation or an overwrite changes: an
in-place rewrite of the same size with its mtime put back still moves the ctime, which no
one but the kernel can set.
"""

import json
import os
import sqlite3
from pathlib import Path
from typing import NamedTuple

from nkcities.build.atomic_file import sha256, sidecar


class NotTheBuild(Exception):
    """The file is not the one the build recorded: `PATH: what is wrong`."""


class Fingerprint(NamedTuple):
    size: int
    mtime_ns: int
    ctime_ns: int
    inode: int

    @classmethod
    def of(cls, path):
        stat = os.stat(path)
        return cls(stat.st_size, stat.st_mtime_ns, stat.st_ctime_ns, stat.st_ino)

    def unchanged(self, path):
        try:
            return Fingerprint.of(path) == self
        except OSError:
            return False


def recorded_sha256(db_path):
    record = sidecar(db_path)
    try:
        digest, name = record.read_text(encoding="utf-8").split()
    except (OSError, ValueError):
        raise NotTheBuild(f"{record}: missing or not '<sha256>  <name>': run the build") from None
    if name != Path(db_path).name:
        raise NotTheBuild(f"{record}: records {name}, not {Path(db_path).name}")
    return digest


def table_counts(db_path):
    connection = sqlite3.connect(f"file:{db_path}?mode=ro&immutable=1", uri=True)
    try:
        names = [name for (name,) in connection.execute(
            "select name from sqlite_master where type = 'table'")]
        return {name: connection.execute(f"select count(*) from [{name}]").fetchone()[0]
                for name in names}
    finally:
        connection.close()


def check_inspect(inspect_path, db_path, digest):
    try:
        entry = json.loads(Path(inspect_path).read_text(encoding="utf-8"))[Path(db_path).stem]
        hashed, counts = entry["hash"], {n: t["count"] for n, t in entry["tables"].items()}
    except (OSError, ValueError, KeyError, TypeError) as error:
        raise NotTheBuild(f"{inspect_path}: not an inspect file of {db_path} ({error})") from None
    if hashed != digest:
        raise NotTheBuild(f"{inspect_path}: hash {hashed[:12]}… is not the database's")
    if counts != table_counts(db_path):
        raise NotTheBuild(f"{inspect_path}: row counts are not the database's")


def verify(db_path, inspect_path=None):
    """The file's Fingerprint if it is the recorded build (and the inspect file is its own)."""
    fingerprint = Fingerprint.of(db_path)
    if fingerprint.size == 0:
        raise NotTheBuild(f"{db_path}: empty")
    digest = sha256(db_path)
    if digest != recorded_sha256(db_path):
        raise NotTheBuild(f"{db_path}: sha256 {digest[:12]}… is not the recorded one "
                          "(truncated or changed after the build)")
    if inspect_path is not None:
        check_inspect(inspect_path, db_path, digest)
    if Fingerprint.of(db_path) != fingerprint:
        raise NotTheBuild(f"{db_path}: changed while it was checked")
    return fingerprint
