"""Which of a list of spellings a typed text means: the matcher of the site's search, of the
error pages' "did you mean" and of reconciliation. Names are compared as
nkcities.spelling.name_key folds them (the one folding); edits are counted on letters, Hangul
as its jamo, so 평앙 is one edit from 평양. Pure functions."""

import unicodedata

import Levenshtein

from nkcities.spelling import name_key
from nkcities.web.serve import load_config

EXACT, PREFIX, TYPO = 0, 1, 2  # how a spelling matches, best first
MIN_FUZZY = 3  # letters below which neither a prefix nor a typo is forgiven
MAX_TEXT = load_config()["names"]["max_text_chars"]


def letters(key):
    """A folded name as its letters: a Hangul syllable as its jamo (평 -> ㅍㅕㅇ)."""
    return unicodedata.normalize("NFD", key)


def one_edit(text_key, spelling_key):
    """True if two folded names, each of at least MIN_FUZZY letters, are one edit apart."""
    text, spelling = letters(text_key), letters(spelling_key)
    return (min(len(text), len(spelling)) >= MIN_FUZZY
            and Levenshtein.distance(text, spelling, score_cutoff=1) <= 1)


def how(text_key, spelling_key):
    """EXACT, PREFIX, TYPO (one edit) or None: how a folded spelling matches a folded text."""
    if text_key == spelling_key:
        return EXACT
    if len(letters(text_key)) < MIN_FUZZY:
        return None
    if spelling_key.startswith(text_key):
        return PREFIX
    if one_edit(text_key, spelling_key):
        return TYPO
    return None


def best_per_id(text, spellings, score):
    """[(id, spelling, score)] of the ids with a spelling that `score(text_key, spelling_key)`
    does not turn down (None), lowest score first (ties in the order of `spellings`), each id
    once at its best; spellings: (id, spelling) pairs."""
    if not text or len(text) > MAX_TEXT:
        return []
    text_key = name_key(text)
    if not text_key:
        return []
    best = {}
    for order, (key, spelling) in enumerate(spellings):
        value = score(text_key, name_key(spelling))
        if value is not None and (key not in best or value < best[key][0]):
            best[key] = (value, order, spelling)
    return [(key, spelling, value)
            for key, (value, _, spelling) in sorted(best.items(), key=lambda item: item[1][:2])]


def ranked(text, spellings):
    """[(id, spelling, how)] of the ids with a spelling matching text, best match first."""
    return best_per_id(text, spellings, how)


def edits(text_key, spelling_key):
    """Letter edits between the two, or None past a third of the text's letters (at least 2)."""
    text = letters(text_key)
    allowed = max(2, len(text) // 3)
    distance = Levenshtein.distance(text, letters(spelling_key), score_cutoff=allowed)
    return distance if distance <= allowed else None


def nearest(text, spellings, limit=3):
    """[(id, spelling)]: the ids whose spellings are fewest edits from text, nearest first; for
    "did you mean" when nothing matches."""
    return [(key, spelling) for key, spelling, _ in best_per_id(text, spellings, edits)[:limit]]
