"""Synthetic sources of N cities in the article's own format, with their Korean-names supplement,
for the build benchmark.

The real source is kept as it is (title, prose, notes, see-also) except for its two tables: the
summary's counts are replaced by those of the generated list, and the city rows by the article's
own province-level cities (Pyongyang, Nampo, Rason, Kaesong: each is a province of its own, and
ISO 3166-2 has a code for these four only) followed by generated cities under the nine
provinces. nkcities.build.article.parse_source reads the result exactly as it reads the article.

The supplement (source/korean-names.csv's format) copies the real rows of the statuses,
provinces and cities the generated source names, and adds one row per generated city: Hangul
and Hancha written syllable by syllable, McCune-Reischauer as ko-pron writes the Hangul (which
the build's cross-check expects), a point inside North Korea's bounding box, no geonameid. The
article's contradictions (source/contradictions.yml) do not hold for a generated source: build
it with an empty list (CONTRADICTIONS_NONE), and with no status changes (CHANGES_NONE).

    .venv/bin/python -m bench.generate 10000 --names /tmp/names-10000.csv > /tmp/cities-10000.txt
"""

import csv
import io
import random
import sys
from pathlib import Path

import click
from ko_pron import romanise

from nkcities.build import article, history, inputs, supplements
from nkcities.geography import BOX

DEFAULTS = inputs.Inputs()

# Syllables of real city names, with their Hangul and Hancha in those names. Four make a name;
# none is a place suffix that spelling.name_key strips (리/里 of Sariwon is left out for that).
SYLLABLES = {
    "an": ("안", "安"), "ju": ("주", "州"), "chon": ("천", "川"), "hae": ("해", "海"),
    "ham": ("함", "咸"), "hung": ("흥", "興"), "hoe": ("회", "會"), "ryong": ("령", "寧"),
    "hui": ("희", "熙"), "hye": ("혜", "惠"), "san": ("산", "山"), "kae": ("개", "開"),
    "song": ("성", "城"), "gye": ("계", "界"), "kang": ("강", "江"), "chaek": ("책", "策"),
    "ku": ("구", "龜"), "man": ("만", "滿"), "po": ("포", "浦"), "mun": ("문", "文"),
    "nam": ("남", "南"), "pyong": ("평", "平"), "sa": ("사", "沙"), "ra": ("라", "羅"),
    "won": ("원", "院"), "sin": ("신", "新"), "ui": ("의", "義"), "rim": ("림", "林"),
    "tok": ("덕", "德"), "tan": ("단", "端"),
}
ROMAN = list(SYLLABLES)
NAMES = len(ROMAN) ** 4  # 810,000 distinct names
SCRAMBLE = 7919  # a prime coprime with NAMES, so i -> i * SCRAMBLE % NAMES is one-to-one
CITATION = "https://en.wikipedia.org/wiki/Synthetic_data"  # generated, not taken from anywhere
CONTRADICTIONS_NONE = "[]\n"  # the contradictions file of a generated source: none
# The status changes file of a generated source: none (its notes name cities it may not list).
CHANGES_NONE = ",".join(history.HEADER) + "\n"


def syllables(i):
    """The four syllables of generated city number i; different i, different syllables."""
    n, parts = i * SCRAMBLE % NAMES, []
    for _ in range(4):
        n, digit = divmod(n, len(ROMAN))
        parts.append(ROMAN[digit])
    return parts


def city_name(i):
    return "".join(syllables(i)).capitalize()


def founded(rng):
    """A date with 'year', 'month' or 'day' precision, unknown parts marked as the article does."""
    year = rng.randint(1945, 2020)
    month, day = f"{rng.randint(1, 12):02}", f"{rng.randint(1, 28):02}"
    precision = rng.choice(["year", "month", "day"])
    if precision == "year":
        month = article.UNKNOWN
    if precision != "day":
        day = article.UNKNOWN
    return f"{year}-{month}-{day}"


def city_rows(n, provinces, seed):
    rng = random.Random(seed)
    for i in range(n):
        population = f"{rng.randint(1_000, 3_500_000):,}"
        province = rng.choice(provinces)
        yield province, f"| {city_name(i)} | | | {province} | {population} | {founded(rng)} |"


def make_source(n, seed=2008):
    """The article's text with N cities (its province-level ones first, the rest generated) and
    a summary table that counts them."""
    if not 1 <= n <= NAMES:
        raise ValueError(f"number of cities must be between 1 and {NAMES:,}")
    text = Path(DEFAULTS.source).read_text(encoding="utf-8")
    source = article.parse_source(text)
    sort_keys = supplements.read_sort_keys(DEFAULTS.sort_keys)
    provinces = sorted({c.province_cell for c in source.cities} - set(sort_keys))
    lines = text.split("\n")
    kept = [c for c in source.cities if c.province_cell in sort_keys][:n]
    rows = [(c.province_cell, lines[c.line - 1]) for c in kept]
    rows += city_rows(n - len(kept), provinces, seed)
    status_of = {key: row["status"] for key, row in sort_keys.items()}
    counts = {status.name: 0 for status in source.statuses}
    for province, _ in rows:
        counts[status_of.get(province, inputs.PROVINCE_STATUS)] += 1
    for status in source.statuses:
        lines[status.line - 1] = f"| | {status.name} | | | {counts[status.name]} |"
    first, last = source.cities[0].line, source.cities[-1].line
    lines[first - 1:last] = [row for _, row in rows]
    return "\n".join(lines)


def generated_row(parts, rng):
    """A supplement row for a generated city, in supplements.NAMES_HEADER order."""
    name = "".join(parts).capitalize()
    hangul = "".join(SYLLABLES[p][0] for p in parts)
    latitude = rng.uniform(BOX["south"], BOX["north"])
    longitude = rng.uniform(BOX["west"], BOX["east"])
    return ["city", name, hangul, "".join(SYLLABLES[p][1] for p in parts),
            romanise(hangul, "mr").capitalize(), f"{latitude:.4f}", f"{longitude:.4f}", "", "",
            CITATION]


def make_supplement(n, seed=2008):
    """source/korean-names.csv for make_source(n, seed): a row for every status, province and
    city it names, in that order; real rows where the real supplement has one."""
    source = article.parse_source(make_source(n, seed))
    sort_keys = supplements.read_sort_keys(DEFAULTS.sort_keys)
    cells = {city.name: inputs.classify(city, sort_keys) for city in source.cities}
    wanted = inputs.wanted_names(source, cells)
    with open(DEFAULTS.names, newline="", encoding="utf-8") as f:
        real = {(row[0], row[1]): row for row in list(csv.reader(f))[1:]}
    generated = {city_name(i): syllables(i) for i in range(n)}
    rng, out = random.Random(seed), io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(supplements.NAMES_HEADER)
    for word, kind in supplements.KINDS.items():
        for name in wanted[kind]:
            row = real.get((word, name))
            writer.writerow(row if row else generated_row(generated[name], rng))
    return out.getvalue()


@click.command()
@click.argument("cities", type=click.IntRange(1, NAMES))
@click.option("--seed", default=2008, show_default=True, help="Seed for populations and dates.")
@click.option("--names", "names_path", type=click.Path(dir_okay=False),
              help="Also write the matching Korean-names supplement here (for build.py --names).")
def main(cities, seed, names_path):
    """Print a synthetic source of CITIES cities to standard output."""
    sys.stdout.write(make_source(cities, seed))
    if names_path:
        with open(names_path, "w", encoding="utf-8") as f:
            f.write(make_supplement(cities, seed))


if __name__ == "__main__":
    main()
