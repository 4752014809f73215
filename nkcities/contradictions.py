"""source/contradictions.yml: where the article contradicts itself or another source, quoted.

Each quote is cited as PATH:LINE, a file the build reads and a line of it, or as
ISO 3166-2:CODE, pycountry's entry for that code; the quote must be found there, or the build
fails with the contradictions file's PATH:LINE:. Pure: returns rows, knows no SQLite.
"""

import re
from pathlib import Path
from typing import NamedTuple

import yaml

from names import fail, kp_subdivisions

DEFAULT_CONTRADICTIONS = Path(__file__).resolve().parent.parent / "source" / "contradictions.yml"
KINDS = ("the article against itself", "one source against another")
KEYS = {"topic", "kind", "one side", "other side", "the database keeps"}
SIDES = {"one side": 1, "other side": 2}
FILE_REFERENCE = re.compile(r"(source/[\w.-]+):([1-9][0-9]*)")
ISO_REFERENCE = re.compile(r"ISO 3166-2:(KP-[0-9]{2})")
ISO_SOURCE = "ISO 3166-2:KP (pycountry)"


class Quote(NamedTuple):
    side: int
    source: str  # the file as cited (source/…), or ISO_SOURCE
    line: int  # None for ISO
    iso_code: str  # None for a file
    quote: str


class Contradiction(NamedTuple):
    topic: str
    kind: str
    keeps: str
    quotes: list
    line: int  # of its entry in the contradictions file


class Located(dict):
    """A YAML mapping that knows the line it starts on."""
    line = 1


class Loader(yaml.SafeLoader):
    """SafeLoader whose mappings are Located."""


def construct_located(loader, node):
    mapping = Located(loader.construct_mapping(node, deep=True))
    mapping.line = node.start_mark.line + 1
    return mapping


Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, construct_located)


def iso_text(code):
    """pycountry's entry as 'KP-14 Nampho, Metropolitan city', or None."""
    entry = kp_subdivisions().get(code)
    return entry and f"{entry['code']} {entry['name']}, {entry['type']}"


def cited_text(reference, files, path, line):
    """(source, line, iso_code, the text there) for 'source/x:12' or 'ISO 3166-2:KP-14'."""
    if match := FILE_REFERENCE.fullmatch(reference):
        cited, number = match.group(1), int(match.group(2))
        if cited not in files:
            fail(path, line, f"{cited} is not a file the build reads: {', '.join(files)}")
        lines = files[cited]
        text = lines[number - 1] if number <= len(lines) else None
        return cited, number, None, text
    if match := ISO_REFERENCE.fullmatch(reference):
        return ISO_SOURCE, None, match.group(1), iso_text(match.group(1))
    fail(path, line, f"{reference!r} is neither PATH:LINE (source/…) nor ISO 3166-2:KP-NN")


def parse_quote(item, side, files, path):
    if not (isinstance(item, Located) and len(item) == 1):
        fail(path, getattr(item, "line", 1), "a quote is one 'PATH:LINE: quoted text' entry")
    (reference, quote), = item.items()
    if not isinstance(quote, str) or not quote.strip():
        fail(path, item.line, f"{reference}: the quote must be text")
    source, number, iso_code, text = cited_text(str(reference), files, path, item.line)
    where = f"line {number} of {source}" if number else f"{iso_code} in pycountry"
    if text is None:
        fail(path, item.line, f"there is no {where}")
    if quote not in text:
        fail(path, item.line, f"{where} does not hold {quote!r}: it reads {text!r}")
    return Quote(side, source, number, iso_code, quote)


def parse_entry(entry, files, path):
    if not isinstance(entry, Located) or set(entry) != KEYS:
        fail(path, getattr(entry, "line", 1), f"each contradiction needs exactly: "
                                             f"{', '.join(sorted(KEYS))}")
    if entry["kind"] not in KINDS:
        fail(path, entry.line, f"kind {entry['kind']!r} is not one of: {', '.join(KINDS)}")
    for key in ("topic", "the database keeps"):
        if not isinstance(entry[key], str) or not entry[key].strip():
            fail(path, entry.line, f"{key} must be text")
    quotes = []
    for key, side in SIDES.items():
        if not isinstance(entry[key], list) or not entry[key]:
            fail(path, entry.line, f"{key} must list at least one quote")
        quotes += [parse_quote(item, side, files, path) for item in entry[key]]
    return Contradiction(entry["topic"], entry["kind"], entry["the database keeps"], quotes,
                         entry.line)


def parse_contradictions(text, path, files):
    """files: {cited name, e.g. 'source/sort-keys.csv': [its lines]}, the build's own inputs."""
    try:
        entries = yaml.load(text, Loader=Loader)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        fail(path, mark.line + 1 if mark else 1, f"not valid YAML ({error})")
    if entries is None:
        return []
    if not isinstance(entries, list):
        fail(path, 1, "the file must be a list of contradictions")
    return [parse_entry(entry, files, path) for entry in entries]
