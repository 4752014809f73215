"""The contradictions table: the article against itself, and the list against ISO 3166-2.

Expected lines and texts were read off the source files by eye; each quote is also checked here
against the file it cites, independently of the build's own check.
"""

import asyncio

import pytest
from datasette.app import Datasette

from conftest import ROOT, SOURCE, build_with_supplement, run_build
from helpers import assert_refused_cleanly, sha256

CONTRADICTIONS = ROOT / "source" / "contradictions.yml"
ARTICLE = "source/list-of-cities-in-north-korea.txt"
ISO = "source/iso-3166-2-kp.csv"
OUTSIDE = "the article against a cited outside source"
# The outside sources, as read (stored copies found with the search tool, 2026-12-01).
NKECONWATCH = "https://www.nkeconwatch.com/2010/01/05/rajin-songbon-rason-clarification/"
DAILYNK = "https://www.dailynk.com/english/rasun-becomes-special-city/"
NAMPO = "https://en.wikipedia.org/wiki/Nampo"

# topic word: (kind, lines of side 1, lines of side 2), as read in the source files.
EXPECTED = {
    "summary table's counts": ("the article against itself",
                               [(ARTICLE, 15), (ARTICLE, 16), (ARTICLE, 17)],
                               [(ARTICLE, 29), (ARTICLE, 35), (ARTICLE, 38),
                                ("source/sort-keys.csv", 3), ("source/sort-keys.csv", 4)]),
    "Three special cities": ("the article against itself", [(ARTICLE, 3)],
                             [(ARTICLE, 35), (ARTICLE, 38), ("source/sort-keys.csv", 3)]),
    "Kaesong re-merged": ("the article against itself", [(ARTICLE, 8)],
                          [(ARTICLE, 29), ("source/sort-keys.csv", 4)]),
    "'capital city'": ("the article against itself", [(ARTICLE, 3)], [(ARTICLE, 14)]),
    "types Nampo": ("one source against another",
                    [(ARTICLE, 35), (ARTICLE, 38), ("source/sort-keys.csv", 3), (ISO, 12)],
                    [(ISO, 13)]),
    "types Kaesong": ("one source against another",
                      [(ARTICLE, 29), ("source/sort-keys.csv", 4)], [(ISO, 14)]),
    "29 cities": ("the article against itself",
                  [(ARTICLE, 14), (ARTICLE, 15), (ARTICLE, 16), (ARTICLE, 17)],
                  [(ARTICLE, 19), (ARTICLE, 20), (ARTICLE, 47)]),
    "predate North Korea": ("the article against itself", [(ARTICLE, 49)],
                            [(ARTICLE, 23), (ARTICLE, 37), (ARTICLE, 39), (ARTICLE, 42),
                             (ARTICLE, 43), (ARTICLE, 47)]),
    "Samjiyon": ("the article against itself", [(ARTICLE, 7)], [(ARTICLE, 40)]),
    "three kinds of city": ("the article against itself", [(ARTICLE, 3)] * 3,
                            [(ARTICLE, 16), (ARTICLE, 29), ("source/sort-keys.csv", 4)]),
    "Rason": (OUTSIDE, [(ARTICLE, 38)], [(NKECONWATCH, None), (DAILYNK, None)]),
    "Nampo became": (OUTSIDE, [(ARTICLE, 35)],
                     [(NAMPO, None), ("source/korean-names.csv", 34)]),
}


def quotes(db, contradiction_id, side):
    return db.execute("""SELECT source, line, quote FROM contradiction_quotes
        WHERE contradiction_id = ? AND side = ? ORDER BY id""", [contradiction_id, side]).fetchall()


def test_each_contradiction_with_its_lines(db):
    rows = db.execute("SELECT id, topic, kind FROM contradictions ORDER BY id").fetchall()
    assert len(rows) == len(EXPECTED)
    for (id, topic, kind), (word, (kind_expected, one, other)) in zip(rows, EXPECTED.items()):
        assert word in topic and kind == kind_expected, topic
        assert [q[:2] for q in quotes(db, id, 1)] == one, topic
        assert [q[:2] for q in quotes(db, id, 2)] == other, topic


def test_the_quotes_say_what_the_topics_say(db):
    said = {}
    for reference, quote in db.execute(
            "SELECT source || ':' || line, quote FROM contradiction_quotes"):
        said.setdefault(reference, []).append(quote)
    assert "while three cities (see the list below) are classified as t'ŭkpyŏlsi (special city)" \
        in said[f"{ARTICLE}:3"]
    assert said[f"{ARTICLE}:8"] == ["Several former special cities have been re-merged with their "
                                    "provinces, including Chongjin, Hamhung and Kaesong."]
    assert said[f"{ARTICLE}:15"] == ["| | special city | | | 3 |"] * 2  # counts; 29 against 28
    assert said[f"{ISO}:13"] == ["KP-14,Nampho,Metropolitan city"]


def test_the_pre_dprk_dates_quote_line_49_and_the_six_cities(db):
    one, other = db.execute("""SELECT one_side, other_side FROM contradiction_list
        WHERE topic LIKE '%predate North Korea%'""").fetchone()
    assert one == (f"{ARTICLE}:49: foundation dates are the dates the cities were legally founded "
                   "as their current status by the North Korean government")
    cities = [line.split("| ")[1].strip() for line in other.split("\n")]
    dates = [line.rsplit("| ", 1)[1] for line in other.split("\n")]
    assert cities == ["Haeju", "Pyongyang", "Sariwon", "Sinuiju", "Songrim", "Wonsan"]
    assert dates == ["1945-09-02 |", "1946-09-", "1947-", "1947-", "1947-", "1946-09-"]


def test_the_outside_sources_carry_their_urls_and_sentences(db):
    """The sentences as the pages said them when read (the search tool's stored copies)."""
    rows = db.execute("""SELECT contradictions.topic, source, line, quote FROM contradiction_quotes
        JOIN contradictions ON contradictions.id = contradiction_id
        WHERE contradictions.kind = ? AND source LIKE 'https://%'
        ORDER BY contradiction_quotes.id""", [OUTSIDE]).fetchall()
    assert [(topic.split()[0], source, line) for topic, source, line, _ in rows] == [
        ("Rason", NKECONWATCH, None), ("Rason", DAILYNK, None), ("Nampo", NAMPO, None)]
    assert "as a “special city” on Monday" in rows[0][3]
    assert 'was designated a "Special City"' in rows[2][3] and rows[2][3].endswith("in 2010.")


def test_the_article_keeps_its_dates_against_the_outside_sources(db):
    """Typed from the article, lines 35 and 38: the outside sources change no value."""
    assert db.execute("SELECT id, founded FROM cities WHERE id IN ('nampo', 'rason') ORDER BY id"
                      ).fetchall() == [("nampo", "2011-02-15"), ("rason", "2010-01-05")]


def test_a_url_quote_only_against_an_outside_source(tmp_path):
    old = f"    - {ISO}:13: \"KP-14,Nampho,Metropolitan city\""
    assert TEXT.count(old) == 1
    result, path, db = build_with(tmp_path, TEXT.replace(old, f"    - {NAMPO}: \"in 2010\""))
    assert_refused_cleanly(result, path, line_of(old),
                           "only 'the article against a cited outside source' quotes a URL")


def test_an_outside_source_needs_its_url(tmp_path):
    old = f"    - {NAMPO}: "
    start = TEXT.index(old)
    edited = TEXT[:start] + TEXT[TEXT.index("\n", start) + 1:]
    result, path, db = build_with(tmp_path, edited)
    assert_refused_cleanly(result, path, line_of("Nampo became a special city on"),
                           "needs a quote of that source by its URL")


def test_the_list_shows_both_sides_and_what_is_kept(db):
    one, other, keeps = db.execute("""SELECT one_side, other_side, database_keeps
        FROM contradiction_list WHERE topic LIKE 'Three special cities%'""").fetchone()
    assert one.startswith(f"{ARTICLE}:3: while three cities")
    assert other.split("\n") == [f"{ARTICLE}:35: | Nampo | | | AB |",
                                 f"{ARTICLE}:38: | Rason | | | AB |",
                                 "source/sort-keys.csv:3: AB,special city"]
    assert "Nampo and Rason" in keeps


def test_the_home_page_links_the_contradictions(db_path, metadata):
    """The project's home page template (tests/browser/ checks it in Chromium, on the real
    server, with every other table)."""
    ds = Datasette(immutables=[str(db_path)], metadata=metadata,
                   template_dir=str(ROOT / "templates"), plugins_dir=str(ROOT / "plugins"))
    page = asyncio.run(ds.client.get("/")).text
    assert 'href="/north-korea-cities/contradictions"' in page
    assert 'href="/north-korea-cities/contradiction_list"' in page
    rows = asyncio.run(ds.client.get("/north-korea-cities/contradiction_list.json?_shape=array"))
    assert [row["kind"] for row in rows.json()].count("the article against itself") == 8


def build_with(tmp_path, text):
    return build_with_supplement(tmp_path, "--contradictions", "contradictions.yml", text)


TEXT = CONTRADICTIONS.read_text(encoding="utf-8")


def line_of(text):
    return next(n for n, line in enumerate(TEXT.splitlines(), start=1) if text in line)


@pytest.mark.parametrize("old, new, message", [
    (f"{ARTICLE}:16:", f"{ARTICLE}:18:",
     f"line 18 of {ARTICLE} does not hold '| | special-level city | | | 0 |'"),
    (f"{ISO}:13:", f"{ISO}:12:", "line 12 of source/iso-3166-2-kp.csv does not hold"),
    (f"{ARTICLE}:8:", f"{ARTICLE}:80:", "source/list-of-cities-in-north-korea.txt has no line 80"),
    (f"{ARTICLE}:14:", "source/nowhere.txt:14:",
     "source/nowhere.txt is not a file the build reads"),
])
def test_a_quote_not_on_its_line_fails_the_build(tmp_path, old, new, message):
    assert old in TEXT  # its first quote, on line_of(old), is edited
    result, path, db = build_with(tmp_path, TEXT.replace(old, new, 1))
    assert_refused_cleanly(result, path, line_of(old), message)
    assert not db.exists()


def test_a_bad_kind_fails_at_its_entry(tmp_path, fresh_db):
    before = sha256(fresh_db)
    old = "kind: one source against another"
    path = tmp_path / "contradictions.yml"
    path.write_text(TEXT.replace(old, "kind: a hunch", 1), encoding="utf-8")
    result = run_build(SOURCE, "--db", fresh_db, "--contradictions", path)
    entry = line_of("ISO 3166-2 types Nampo")
    assert_refused_cleanly(result, path, entry, "kind 'a hunch' is not one of")
    assert sha256(fresh_db) == before
