"""CITATION.cff, parsed here only, once per process: the pages' "how to cite"
(plugins/citation.py), the home page's schema.org Dataset (plugins/dataset_jsonld.py) and the
data package's version (nkcities/build/datapackage.py) read the same parse, with libyaml where
PyYAML has it (the pure-Python parser is slow enough to show in every home page)."""

from functools import cache
from pathlib import Path

import yaml

CFF = Path(__file__).resolve().parent.parent / "CITATION.cff"


@cache
def parsed():
    """The file's content; callers copy before they change it."""
    return yaml.load(CFF.read_text(encoding="utf-8"),
                     Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
