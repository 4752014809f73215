"""Revised Romanization of Korean (Ministry of Culture and Tourism notice 2000-8) of a place name.

The sound changes inside a name (송림 [송님] -> Songnim, 종로 -> Jongno, 신라 -> Silla) come from
ko-pron (after Wiktionary's ko-pron module), which applies the standard pronunciation rules;
korean-romanizer, used before, transliterates letter by letter (Songrim). On top of it, the two
rules of the notice that ko-pron leaves out of a name:

- Chapter 3, Article 5: a hyphen before an administrative unit (도, 시, 군, 구, 읍, 면, 리, 동,
  가), with no sound change across it: 충청북도 -> Chungcheongbuk-do, 인왕리 -> Inwang-ri.
- Chapter 3, Article 2 lets a hyphen part syllables that could be misread (중앙 Jung-ang); it is
  optional, and place names are written without it (강원도 Gangwon-do, 평양 Pyeongyang): ko-pron
  writes it, so it is taken out.

The name is romanized as written: North Korean spellings keep their initial ㄹ and ㄴ (라선 ->
Raseon, 량강도 -> Ryanggang-do), since the rules romanize the Hangul, not a respelling of it.
"""

from ko_pron import romanise

# Chapter 3, Article 5: the units written after a hyphen.
UNITS = ("도", "시", "군", "구", "읍", "면", "리", "동", "가")


def romanize(hangul, unit=""):
    """평안남 + 도 -> Pyeongannam-do; 송림 -> Songnim. unit: one of UNITS, or empty."""
    if unit and unit not in UNITS:
        raise ValueError(f"{unit!r} is not an administrative unit of the RR rules: {UNITS}")
    name = romanise(hangul, "rr").replace("-", "")
    name = name[:1].upper() + name[1:]
    return f"{name}-{romanise(unit, 'rr')}" if unit else name


def romanize_place(hangul, units=("도",)):
    """A full name whose last syllable is one of units is split before it: 자강도 -> Jagang-do."""
    if len(hangul) > 1 and hangul[-1] in units:
        return romanize(hangul[:-1], hangul[-1])
    return romanize(hangul)
