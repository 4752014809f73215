"""Ways of writing a name: MR without diacritics, names compared across spellings, and the
rows of city_names (Revised Romanization: nkcities/romanize.py). Pure functions."""

import re
import unicodedata
from functools import lru_cache

# What may follow a place's name, in any script, after spaces or hyphens of any kind (ASCII or
# typographic) or none: a status (-si, City, Special City, 직할시, 特別市: as GeoNames and
# spreadsheets write a city) or GeoNames' words for a town or village (-ŭp/읍/邑, -ni/-ri/리,
# -dong/동). Longest first, so that 평양직할시 loses 직할시, not only 시. Matched on casefolded
# NFC text with apostrophes made ASCII.
SEPARATOR = r"[\s\-\u2010-\u2015\u2212\u00b7\u30fb]"
PLACE_SUFFIX = re.compile(
    rf"(?:{SEPARATOR}+(?:(?:special|special-level|direct-administered|directly governed)"
    rf"{SEPARATOR}+)?(?:city|si|ŭp|up|ni|ri|li|dong|tong|chikhalsi|t'?ŭkpyŏlsi|t'?ŭkkŭpsi)"
    rf"|{SEPARATOR}*(?:직할시|특별시|특급시|直轄市|特別市|特級市|[시읍리동市邑]))$")
# Apostrophes as people type them (’ ʼ ‘ ` ´): the one mark of a romanized name.
APOSTROPHES = str.maketrans({"\u2019": "'", "\u02bc": "'", "\u2018": "'", "`": "'",
                             "\u00b4": "'"})
WRITING_SYSTEMS = ["English", "MR", "MR without diacritics", "RR", "Hangul",
                   "Hangul with suffix", "Hancha", "Hancha with suffix"]


def without_diacritics(mr):
    """P'yŏngyang -> Pyongyang: no breves, no apostrophes."""
    decomposed = unicodedata.normalize("NFKD", mr)
    return "".join(c for c in decomposed if not unicodedata.combining(c) and c != "'")


@lru_cache(maxsize=4096)  # the same few hundred spellings, folded once each, not per query
def name_key(name, keep_suffix=False):
    """The one way names are compared across spellings: no status or place suffix (-si, City,
    직할시, 特別市; kept with keep_suffix), accents, apostrophes, hyphens, case or spaces. A name
    that is only a suffix (시, City) keeps it."""
    name = unicodedata.normalize("NFC", name.strip()).translate(APOSTROPHES).casefold()
    if not keep_suffix:
        name = PLACE_SUFFIX.sub("", name) or name
    # NFKD drops the breves (combining marks are not alphanumeric); NFC puts a Hangul syllable
    # back together, so that one syllable is one character (reconciliation counts edits).
    bare = "".join(c for c in unicodedata.normalize("NFKD", name) if c.isalnum())
    return unicodedata.normalize("NFC", bare)


def name_rows(name, mr, rr, hangul, full_hangul, hancha, full_hancha):
    """One (writing system, name) per way of writing a city, in WRITING_SYSTEMS order."""
    values = [name, mr, without_diacritics(mr), rr, hangul, full_hangul, hancha, full_hancha]
    return list(zip(WRITING_SYSTEMS, values))
