"""Ways of writing a name: MR without diacritics, names compared across spellings, and the
rows of city_names (Revised Romanization: nkcities/romanize.py). Pure functions."""

import re
import unicodedata

# What GeoNames appends to a name: -si/시/市 city, -ŭp/읍/邑 town, -ni/-ri/리 village, -dong/동.
PLACE_SUFFIX = re.compile("(-(si|ŭp|up|ni|ri|li|dong|tong)|[시읍리동市邑])$")
WRITING_SYSTEMS = ["English", "MR", "MR without diacritics", "RR", "Hangul",
                   "Hangul with suffix", "Hancha", "Hancha with suffix"]


def without_diacritics(mr):
    """P'yŏngyang -> Pyongyang: no breves, no apostrophes."""
    decomposed = unicodedata.normalize("NFKD", mr)
    return "".join(c for c in decomposed if not unicodedata.combining(c) and c != "'")


def name_key(name):
    """Compare names across spellings: no place suffix, accents, apostrophes, case or spaces."""
    name = PLACE_SUFFIX.sub("", unicodedata.normalize("NFC", name.strip()))
    return "".join(c for c in unicodedata.normalize("NFKD", name).casefold() if c.isalnum())


def name_rows(name, mr, rr, hangul, full_hangul, hancha, full_hancha):
    """One (writing system, name) per way of writing a city, in WRITING_SYSTEMS order."""
    values = [name, mr, without_diacritics(mr), rr, hangul, full_hangul, hancha, full_hancha]
    return list(zip(WRITING_SYSTEMS, values))
