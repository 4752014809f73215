"""What a visitor sees, in headless Chromium against the real server."""

from pathlib import Path

import pytest
from playwright.sync_api import expect

from browser.pages import cells, run_sql
from conftest import DB_NAME, SOURCE_CITIES, SOURCE_PROVINCES, SOURCE_POPULATION, SOURCE_STATUSES
from helpers import sha256

# The README's table: its tables and views (not the hidden search indexes).
TABLES_AND_VIEWS = ["cities", "provinces", "statuses", "sort_keys", "notes", "provenance",
                    "city_names", "status_changes", "city_list", "status_reconciliation",
                    "province_totals", "contradictions", "contradiction_quotes",
                    "contradiction_list", "city_spellings"]


def test_home_page_lists_tables_with_descriptions(page, server, metadata):
    page.goto(server)
    expect(page.locator("h1")).to_have_text(metadata["title"])
    expect(page.locator("h2").first).to_have_text(metadata["databases"][DB_NAME]["title"])
    described = metadata["databases"][DB_NAME]["tables"]
    entries = page.locator("dl.home-tables dt")
    expect(entries).to_have_count(len(TABLES_AND_VIEWS))
    for name in TABLES_AND_VIEWS:
        entry = page.locator("dl.home-tables dt", has=page.locator(f"code:text-is('{name}')"))
        expect(entry.locator("a")).to_have_attribute("href", f"/{DB_NAME}/{name}")
        expect(entry.locator("a")).to_have_text(described[name]["title"])
        expect(entry.locator("xpath=following-sibling::dd[1]")).to_have_text(described[name]["description"])
    expect(page.get_by_text("CC BY-SA 4.0").first).to_be_visible()


def test_cities_page(page, server):
    page.goto(f"{server}/{DB_NAME}/cities")
    expect(page.locator("table.rows-and-columns tbody tr")).to_have_count(SOURCE_CITIES)
    populations = [int(text.replace(",", "")) for text in cells(page, "population_2008")]
    assert populations == sorted(populations, reverse=True)
    assert sum(populations) == SOURCE_POPULATION
    first = page.locator("table.rows-and-columns tbody tr").first
    expect(first.locator("td.col-name")).to_have_text("Pyongyang")
    expect(first.locator("td.col-province_id a")).to_have_text("Pyongyang")
    expect(first.locator("td.col-status_id a")).to_have_text("direct-administered city")
    provinces = page.locator("tbody td.col-province_id a").all_inner_texts()
    statuses = page.locator("tbody td.col-status_id a").all_inner_texts()
    assert len(set(provinces)) == SOURCE_PROVINCES and "South Pyongan" in provinces
    assert set(statuses) == {"direct-administered city", "special city", "special-level city",
                             "city"}
    for column, total in [("province_id", SOURCE_PROVINCES), ("status_id", SOURCE_STATUSES)]:
        facet = page.locator(f".facet-info[data-column={column}]")
        expect(facet.locator(".facet-info-total")).to_have_text(str(total))
    status_facet = page.locator(".facet-info[data-column=status_id]")
    expect(status_facet.locator("li", has_text="special city").first).to_contain_text("2")


def test_sql_typed_into_the_editor(page, server):
    run_sql(page, server, "select count(*) as cities, sum(population_2008) as total from cities")
    assert "sql=select+count" in page.url
    expect(page.locator("td.col-cities")).to_have_text(str(SOURCE_CITIES))
    expect(page.locator("td.col-total")).to_have_text(str(SOURCE_POPULATION))


def test_canned_query(page, server, metadata):
    page.goto(f"{server}/{DB_NAME}/largest_cities")
    title = metadata["databases"][DB_NAME]["queries"]["largest_cities"]["title"]
    expect(page.locator("h1")).to_contain_text(title)
    expect(page.locator("table.rows-and-columns tbody tr")).to_have_count(SOURCE_CITIES)
    expect(page.locator("p", has_text="Data license").first).to_contain_text("CC BY-SA 4.0")
    assert cells(page, "city")[:3] == ["Pyongyang", "Hamhung", "Chongjin"]
    populations = [int(text.replace(",", "")) for text in cells(page, "population_2008")]
    assert sum(populations) == SOURCE_POPULATION


ARTICLE = "https://en.wikipedia.org/wiki/List_of_cities_in_North_Korea"


@pytest.mark.parametrize("path, source, url", [
    ("", 'Wikipedia, "List of cities in North Korea"', ARTICLE),
    ("/notes", 'Wikipedia, "List of cities in North Korea"', ARTICLE),
    ("/city_list", 'Wikipedia, "List of cities in North Korea"', ARTICLE),
    ("/cities_per_division", 'Wikipedia, "List of cities in North Korea"', ARTICLE),
    ("/sort_keys", "source/sort-keys.csv, citing Wikipedia",
     "https://en.wikipedia.org/wiki/Special_cities_of_North_Korea"),
    ("/city_map", "points from source/korean-names.csv", ARTICLE)])
def test_every_page_shows_licence_and_source(page, server, path, source, url):
    """metadata.yml says them once; the database, a table, a view and a canned query with none
    of their own show the top level's, one with its own source shows that."""
    page.goto(f"{server}/{DB_NAME}{path}")
    line = page.locator("p", has_text="Data license").first
    expect(line.locator("a", has_text="CC BY-SA 4.0")).to_have_attribute(
        "href", "https://creativecommons.org/licenses/by-sa/4.0/")
    expect(line.locator("a", has_text=source)).to_have_attribute("href", url)


def test_db_download_is_the_build(page, server, db_path):
    page.goto(f"{server}/{DB_NAME}")
    with page.expect_download() as download:
        page.locator("p.download-sqlite a").click()
    assert download.value.suggested_filename == f"{DB_NAME}.db"
    assert sha256(Path(download.value.path())) == sha256(db_path)
