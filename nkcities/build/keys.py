"""Permanent keys: each city, province and status is keyed by a slug of its English name
(`pyongyang`, `south-pyongan`, `direct-administered-city`), so a key survives the article adding,
removing or reordering rows, and pages and foreign keys keep their URLs. Pure functions.

A slug is not a folding (nkcities/spelling.py's name_key compares spellings): it is a URL that
keeps a name's words apart and its status words (direct-administered-city), in ASCII."""

import re

from nkcities.build.errors import InputError
from nkcities.spelling import without_diacritics

NOT_SLUG = re.compile(r"[^a-z0-9]+")


def slug(name):
    """ASCII letters and digits in lower case, joined by "-": "South Pyongan" -> south-pyongan."""
    return NOT_SLUG.sub("-", without_diacritics(name).lower()).strip("-")


def check_keys(kind, lines):
    """{name: line} of one kind of row -> {name: key}; two names with one key, or a name with
    no letter or digit for a key, is an error at the second name's line."""
    keys, seen = {}, {}
    for name, line in lines.items():
        key = slug(name)
        if not key:
            raise InputError(line, f"{kind} {name!r} has no ASCII letter or digit for its key")
        if key in seen:
            raise InputError(line, f"{kind} {name!r} has the key {key!r} of the {kind} "
                                   f"{seen[key][0]!r} at line {seen[key][1]}")
        keys[name], seen[key] = key, (name, line)
    return keys
