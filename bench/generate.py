"""Synthetic sources of N cities in the article's own format, for the build benchmark.

The real source is kept as it is (title, prose, notes, see-also) except for its two tables:
the city rows are replaced by N generated ones and the summary's counts by theirs, so
build.parse_source reads the result exactly as it reads the article.

    .venv/bin/python -m bench.generate 10000 > /tmp/cities-10000.txt
"""

import random
import sys

import click

import build

# Syllables of real city names; four of them make a name, and no four make a province name.
SYLLABLES = ("an ju chon hae ham hung hoe ryong hui hye san kae song gye kim chaek ku man po "
             "mun nam pyong sa ri won sin ui rim tok tan").split()
NAMES = len(SYLLABLES) ** 4  # 810,000 distinct names
SCRAMBLE = 7919  # a prime coprime with NAMES, so i -> i * SCRAMBLE % NAMES is one-to-one
PROVINCE_LEVEL_EVERY = 7  # one city in seven is a province-level city, as 4 of 28 are


def city_name(i):
    n, parts = i * SCRAMBLE % NAMES, []
    for _ in range(4):
        n, digit = divmod(n, len(SYLLABLES))
        parts.append(SYLLABLES[digit])
    return "".join(parts).capitalize()


def founded(rng):
    """A date with 'year', 'month' or 'day' precision, unknown parts marked as the article does."""
    year, month, day = rng.randint(1945, 2020), f"{rng.randint(1, 12):02}", f"{rng.randint(1, 28):02}"
    precision = rng.choice(["year", "month", "day"])
    if precision == "year":
        month = build.UNKNOWN
    if precision != "day":
        day = build.UNKNOWN
    return f"{year}-{month}-{day}"


def city_rows(n, provinces, sort_keys, seed):
    rng = random.Random(seed)
    for i in range(n):
        if i % PROVINCE_LEVEL_EVERY == 0:
            province = sort_keys[i // PROVINCE_LEVEL_EVERY % len(sort_keys)]
        else:
            province = rng.choice(provinces)
        population = f"{rng.randint(1_000, 3_500_000):,}"
        yield province, f"| {city_name(i)} | | | {province} | {population} | {founded(rng)} |"


def make_source(n, seed=2008):
    """The article's text with N generated cities and a summary table that counts them."""
    if not 1 <= n <= NAMES:
        raise ValueError(f"number of cities must be between 1 and {NAMES:,}")
    text = build.DEFAULT_SOURCE.read_text(encoding="utf-8")
    article = build.parse_source(text, build.DEFAULT_SOURCE)
    sort_keys = build.read_sort_keys(build.DEFAULT_SORT_KEYS)
    provinces = sorted({c.province_cell for c in article.cities} - set(sort_keys))
    rows = list(city_rows(n, provinces, sorted(sort_keys), seed))
    status_of = {key: row["status"] for key, row in sort_keys.items()}
    counts = {status.name: 0 for status in article.statuses}
    for province, _ in rows:
        counts[status_of.get(province, build.PROVINCE_STATUS)] += 1
    lines = text.split("\n")
    for status in article.statuses:
        lines[status.line - 1] = f"| | {status.name} | | | {counts[status.name]} |"
    first, last = article.cities[0].line, article.cities[-1].line
    lines[first - 1:last] = [row for _, row in rows]
    return "\n".join(lines)


@click.command()
@click.argument("cities", type=click.IntRange(1, NAMES))
@click.option("--seed", default=2008, show_default=True, help="Seed for populations and dates.")
def main(cities, seed):
    """Print a synthetic source of CITIES cities to standard output."""
    sys.stdout.write(make_source(cities, seed))


if __name__ == "__main__":
    main()
