"""The contradictions table: the article against itself, and the list against ISO 3166-2.

Expected lines and texts were read off the source files by eye; each quote is also checked here
against the file it cites, independently of the build's own check.
"""

import asyncio

import pytest
from datasette.app import Datasette

from conftest import ROOT, SOURCE, run_build
from helpers import assert_refused_cleanly, sha256

CONTRADICTIONS = ROOT / "source" / "contradictions.yml"
ARTICLE = "source/list-of-cities-in-north-korea.txt"
ISO = "source/iso-3166-2-kp.csv"

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


def test_every_quote_is_on_its_line(db):
    for source, line, quote in db.execute("SELECT source, line, quote FROM contradiction_quotes"):
        assert quote in (ROOT / source).read_text(encoding="utf-8").splitlines()[line - 1]


def test_the_quotes_say_what_the_topics_say(db):
    said = {}
    for reference, quote in db.execute(
            "SELECT source || ':' || line, quote FROM contradiction_quotes"):
        said.setdefault(reference, []).append(quote)
    assert "while three cities (see the list below) are classified as t'ŭkpyŏlsi (special city)" \
        in said[f"{ARTICLE}:3"]
    assert said[f"{ARTICLE}:8"] == ["Several former special cities have been re-merged with their "
                                    "provinces, including Chongjin, Hamhung and Kaesong."]
    assert said[f"{ARTICLE}:15"] == ["| | special city | | | 3 |"]
    assert said[f"{ISO}:13"] == ["KP-14,Nampho,Metropolitan city"]


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
                   template_dir=str(ROOT / "templates"))
    page = asyncio.run(ds.client.get("/")).text
    assert 'href="/north-korea-cities/contradictions"' in page
    assert 'href="/north-korea-cities/contradiction_list"' in page
    rows = asyncio.run(ds.client.get("/north-korea-cities/contradiction_list.json?_shape=array"))
    assert [row["kind"] for row in rows.json()].count("the article against itself") == 4


def build_with(tmp_path, text):
    path = tmp_path / "contradictions.yml"
    path.write_text(text, encoding="utf-8")
    db = tmp_path / "north-korea-cities.db"
    return run_build(SOURCE, "--db", db, "--contradictions", path), path, db


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
    assert TEXT.count(old) == 1
    result, path, db = build_with(tmp_path, TEXT.replace(old, new))
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
