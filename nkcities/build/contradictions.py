"""source/contradictions.yml: where the article contradicts itself or another source, quoted.

Each quote is cited as PATH:LINE, a file the build reads and a line of it; the quote must be
found on that line, or the build fails with the contradictions file's PATH:LINE:. A contradiction
of the article with a cited outside source quotes that source by its https:// URL instead, which
the build cannot fetch: the sentence is as the page said when it was read. Returns
plain rows for the contradictions and contradiction_quotes tables; knows no SQLite.
"""

import re
from pathlib import Path
from typing import NamedTuple

import yaml

from nkcities.build.csvfile import decode
from nkcities.build.errors import InputError, in_file

OUTSIDE = "the article against a cited outside source"
KINDS = ("the article against itself", "one source against another", OUTSIDE)
KEYS = {"topic", "kind", "one side", "other side", "the database keeps"}
SIDES = {"one side": 1, "other side": 2}
REFERENCE = re.compile(r"(source/[\w.-]+):([1-9][0-9]*)")
URL = re.compile(r"https://[^\s/]+/\S*")


class Quote(NamedTuple):
    side: int
    source: str  # the file as cited, source/…, or the outside source's URL
    line: int | None  # None for a URL
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


class Items(list):
    """A YAML sequence that knows the line each of its items starts on."""
    lines = ()


class Loader(yaml.SafeLoader):
    """SafeLoader whose mappings are Located and whose sequences are Items (for PATH:LINE:)."""


def construct_located(loader, node):
    mapping = Located(loader.construct_mapping(node, deep=True))
    mapping.line = node.start_mark.line + 1
    return mapping


def construct_items(loader, node):
    items = Items(loader.construct_sequence(node, deep=True))
    items.lines = [child.start_mark.line + 1 for child in node.value]
    return items


Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, construct_located)
Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG, construct_items)


def cited_line(reference, files, line):
    """(file, line number, the text there) for 'source/x:12'; text None past the end."""
    match = REFERENCE.fullmatch(reference)
    if not match:
        raise InputError(line, f"{reference!r} is not PATH:LINE of a file in source/")
    cited, number = match.group(1), int(match.group(2))
    if cited not in files:
        raise InputError(line, f"{cited} is not a file the build reads: {', '.join(files)}")
    lines = files[cited]
    return cited, number, lines[number - 1] if number <= len(lines) else None


def parse_quote(item, line, side, files, kind):
    if not (isinstance(item, Located) and len(item) == 1):
        raise InputError(line, "a quote is one 'PATH:LINE: quoted text' entry")
    (reference, quote), = item.items()
    if not isinstance(quote, str) or not quote.strip():
        raise InputError(line, f"{reference}: the quote must be text")
    if URL.fullmatch(str(reference)):
        if kind != OUTSIDE:
            raise InputError(line, f"{reference}: only '{OUTSIDE}' quotes a URL")
        return Quote(side, str(reference), None, quote)
    source, number, text = cited_line(str(reference), files, line)
    if text is None:
        raise InputError(line, f"{source} has no line {number}")
    if quote not in text:
        raise InputError(line, f"line {number} of {source} does not hold {quote!r}: it reads "
                               f"{text!r}")
    return Quote(side, source, number, quote)


def parse_entry(entry, line, files):
    if not isinstance(entry, Located) or set(entry) != KEYS:
        raise InputError(line, f"each contradiction needs exactly: {', '.join(sorted(KEYS))}")
    if entry["kind"] not in KINDS:
        raise InputError(entry.line, f"kind {entry['kind']!r} is not one of: {', '.join(KINDS)}")
    for key in ("topic", "the database keeps"):
        if not isinstance(entry[key], str) or not entry[key].strip():
            raise InputError(entry.line, f"{key} must be text")
    quotes = []
    for key, side in SIDES.items():
        items = entry[key]
        if not isinstance(items, Items) or not items:
            raise InputError(entry.line, f"{key} must list at least one quote")
        quotes += [parse_quote(item, line, side, files, entry["kind"])
                   for item, line in zip(items, items.lines)]
    if entry["kind"] == OUTSIDE and all(quote.line for quote in quotes):
        raise InputError(entry.line, f"'{OUTSIDE}' needs a quote of that source by its URL")
    return Contradiction(entry["topic"], entry["kind"], entry["the database keeps"], quotes,
                         entry.line)


def parse_contradictions(text, files):
    """files: {cited name, e.g. 'source/sort-keys.csv': [its lines]}, the build's own inputs."""
    try:
        entries = yaml.load(text, Loader=Loader)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        raise InputError(mark.line + 1 if mark else 1, f"not valid YAML ({error})")
    if entries is None:
        return []
    if not isinstance(entries, Items):
        raise InputError(1, "the file must be a list of contradictions")
    return [parse_entry(entry, line, files) for entry, line in zip(entries, entries.lines)]


def read_contradictions(inputs):
    """The contradictions file of the build's inputs, its quotes checked against the files the
    build reads (as named in source/); none if inputs.contradictions is None."""
    if inputs.contradictions is None:
        return []
    cited = {"source/list-of-cities-in-north-korea.txt": inputs.source,
             "source/sort-keys.csv": inputs.sort_keys, "source/korean-names.csv": inputs.names,
             "source/iso-3166-2-kp.csv": inputs.iso}
    files = {}
    for name, path in cited.items():
        with in_file(path):
            files[name] = decode(Path(path).read_bytes()).splitlines()
    with in_file(inputs.contradictions):
        return parse_contradictions(decode(Path(inputs.contradictions).read_bytes()), files)


def rows(found):
    """(contradictions rows, contradiction_quotes rows), numbered in the file's order."""
    contradictions = [{"id": id, "topic": c.topic, "kind": c.kind, "database_keeps": c.keeps,
                       "source_line": c.line} for id, c in enumerate(found, start=1)]
    quotes = [{"contradiction_id": id, **q._asdict()}
              for id, c in enumerate(found, start=1) for q in c.quotes]
    return contradictions, [{"id": i, **q} for i, q in enumerate(quotes, start=1)]
