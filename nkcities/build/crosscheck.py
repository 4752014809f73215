"""Check the typed Korean names against sources that did not type them.

- Hancha: each character must read as its Hangul syllable in the `hanja` package's dictionary
  (its extract source/hanja-readings.csv, see nkcities/build/reference.py), as the dictionary
  gives it (with the initial ㄹ and ㄴ that North Korea writes: 羅 라, 兩 량) or after the South
  Korean
  initial-sound rule (兩 양 at the start of a word).
- MR: ko-pron's McCune-Reischauer of the Hangul must be the typed MR, apart from capitals,
  hyphens and spaces (which MR sets by a word's parts, not its letters).

Where the library is wrong or follows another convention, source/crosscheck-exceptions.csv
holds the row's exception, cited: what the library gives and what is typed. An exception must
match exactly, and one for a row of the supplement must be needed (one for a row the supplement
does not have, as in the benchmark's synthetic supplements, applies to nothing). A failure names
the supplement row: PATH:LINE: what is wrong.
"""

import re
from typing import NamedTuple

from ko_pron import romanise

from nkcities.build.csvfile import read_csv
from nkcities.build.errors import InputError, in_file
from nkcities.build.supplements import FILE_KIND, KINDS

EXCEPTIONS_HEADER = ["check", "kind", "name", "library", "typed", "reason", "citation"]
CHECKS = ("hancha", "mr")


class Excepted(NamedTuple):
    library: str
    typed: str
    line: int


def hancha_disagreement(entry, readings):
    """None, or (the dictionary's reading of the Hancha, the Hangul) and the first misread.
    readings: {character: (reading, initial)}, as reference.hanja_readings gives them."""
    for character, syllable in zip(entry.hancha, entry.hangul):
        found = readings.get(character)
        if found is None or syllable not in found:
            spelled = "".join(readings[c][0] if c in readings else c for c in entry.hancha)
            read = "/".join(sorted(set(found))) if found else "nothing (run make reference)"
            return (spelled, entry.hangul), (
                f"Hancha {character!r} of {entry.hancha!r} reads {read} in the hanja "
                f"dictionary, not {syllable!r} of {entry.hangul!r}")
    return None


def mr_key(mr):
    """Not spelling.name_key, which drops breves and apostrophes: the typed MR must keep
    ko-pron's; only capitals and where words are parted (hyphens, spaces) may differ."""
    return re.sub("[- ]", "", mr).casefold()


def mr_disagreement(entry, readings=None):
    """None, or (ko-pron's MR of the Hangul, the typed MR) when they differ."""
    library = romanise(entry.hangul, "mr")
    if mr_key(library) == mr_key(entry.mr):
        return None
    return (library, entry.mr), (f"MR {entry.mr!r} is not {library!r}, ko-pron's McCune-"
                                 f"Reischauer of {entry.hangul!r} (capitals and hyphens aside)")


def read_exceptions(path):
    """source/crosscheck-exceptions.csv -> {(check, kind, name): Excepted}."""
    exceptions = {}
    with in_file(path):
        for line, row in read_csv(path, EXCEPTIONS_HEADER):
            if row["check"] not in CHECKS or not all(row.values()):
                raise InputError(line, f"each row needs check ({' or '.join(CHECKS)}), kind, "
                                       f"name, library, typed, reason and citation")
            if not row["citation"].startswith("https://"):
                raise InputError(line, f"citation {row['citation']!r} is not an https:// address")
            key = (row["check"], KINDS.get(row["kind"], row["kind"]), row["name"])
            if key in exceptions:
                raise InputError(line, f"duplicate {row['check']} exception for {row['kind']} "
                                       f"{row['name']!r}")
            exceptions[key] = Excepted(row["library"], row["typed"], line)
    return exceptions


def check_entry(entry, readings, exceptions, path, exceptions_path):
    """The keys of the exceptions this supplement row needs; fail if one is missing or wrong."""
    needed = []
    for check, disagreement in zip(CHECKS, (hancha_disagreement, mr_disagreement)):
        found = disagreement(entry, readings)
        if found is None:
            continue
        (library, typed), what = found
        key = (check, entry.kind, entry.name)
        exception = exceptions.get(key)
        if exception is None or (exception.library, exception.typed) != (library, typed):
            raise InputError(entry.line, f"{what}; if the library is wrong, cite it in "
                                         f"{exceptions_path} as {check},{FILE_KIND[entry.kind]},"
                                         f"{entry.name},{library},{typed}", path)
        needed.append(key)
    return needed


def check_supplement(entries, path, exceptions_path, readings):
    """Every row of the supplement against the dictionary's readings and ko-pron; every
    exception needed."""
    exceptions = read_exceptions(exceptions_path)
    needed = {key for entry in entries.values()
              for key in check_entry(entry, readings, exceptions, path, exceptions_path)}
    for key, exception in exceptions.items():
        if key not in needed and key[1:] in entries:
            raise InputError(exception.line, f"{key[1]} {key[2]!r} of {path} has no {key[0]} "
                                             f"that the library gets wrong as "
                                             f"{exception.library!r}: nothing to except",
                             exceptions_path)
