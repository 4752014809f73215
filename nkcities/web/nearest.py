"""Which of a list of spellings a typed text means: the matcher of the site's search, of the
error pages' "did you mean" and of reconciliation. Names are compared as
nkcities.spelling.name_key folds them (the one folding); edits are counted on letters, Hangul
as its jamo, so 평앙 is one edit from 평양. Pure functions."""

import unicodedata

import Levenshtein

from nkcities.spelling import name_key

EXACT, PREFIX, TYPO = 0, 1, 2  # how a spelling matches, best first
MIN_FUZZY = 3  # letters below which neither a prefix nor a typo is forgiven
MAX_TEXT = 100  # characters; longer than any name: such a text matches nothing, at no cost


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


def looked_up(text):
    """text folded, or "" when there is none or it is longer than any name (MAX_TEXT)."""
    return name_key(text) if text and len(text) <= MAX_TEXT else ""


def ranked(text, spellings):
    """[(id, spelling, how)] of the ids with a spelling matching text, best match first (ties
    in the order of `spellings`), each id once at its best; spellings: (id, spelling) pairs."""
    text_key = looked_up(text)
    if not text_key:
        return []
    best = {}
    for order, (key, spelling) in enumerate(spellings):
        match = how(text_key, name_key(spelling))
        if match is not None and (key not in best or match < best[key][0]):
            best[key] = (match, order, spelling)
    return [(key, spelling, match)
            for key, (match, _, spelling) in sorted(best.items(), key=lambda item: item[1][:2])]


def nearest(text, spellings, limit=3):
    """[(id, spelling)]: the ids whose spellings are fewest edits from text, at most a third of
    its folded length (at least 2), nearest first; for "did you mean" when nothing matches."""
    text_key = looked_up(text)
    if not text_key:
        return []
    text = letters(text_key)
    allowed = max(2, len(text) // 3)
    best = {}
    for order, (key, spelling) in enumerate(spellings):
        distance = Levenshtein.distance(text, letters(name_key(spelling)), score_cutoff=allowed)
        if distance <= allowed and (key not in best or distance < best[key][0]):
            best[key] = (distance, order, spelling)
    found = sorted(best.items(), key=lambda item: item[1][:2])
    return [(key, spelling) for key, (_, _, spelling) in found[:limit]]
