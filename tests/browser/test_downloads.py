"""A visitor takes the data away: the spreadsheet link of a table page, in headless Chromium."""

import io

from openpyxl import load_workbook

from conftest import DB_NAME, SOURCE_CITIES


def downloaded(page, url, link, text):
    """(file name, bytes) of what the browser downloads from url's `link` saying `text`."""
    page.goto(url)
    with page.expect_download() as download:
        page.locator(link, has_text=text).click()
    with open(download.value.path(), "rb") as f:
        return download.value.suggested_filename, f.read()


def test_xlsx_link_downloads_a_spreadsheet_with_korean(page, server):
    name, content = downloaded(page, f"{server}/{DB_NAME}/cities", "p.export-links a", "xlsx")
    assert name == "cities.xlsx"
    sheet = load_workbook(io.BytesIO(content), read_only=True).active
    header, *rows = list(sheet.values)
    assert len(rows) == SOURCE_CITIES
    # Sinuiju's names, from source/korean-names.csv read by eye.
    sinuiju = dict(zip(header, next(r for r in rows if r[header.index("name")] == "Sinuiju")))
    assert (sinuiju["hangul"], sinuiju["hancha"]) == ("신의주", "新義州")


def test_geojson_link_on_the_cities_page(page, server):
    page.goto(f"{server}/{DB_NAME}/cities")
    link = page.locator("p.export-links a", has_text="geojson")
    assert link.get_attribute("href").startswith(f"/{DB_NAME}/cities.geojson")


def test_home_pages_csv_link_downloads_a_file_for_spreadsheets(page, server):
    """Not a page of text in the tab: a file, with the byte order mark Excel reads UTF-8 by."""
    name, content = downloaded(page, f"{server}/", "a", "the cities as CSV")
    assert name == "city_list.csv"
    assert content.startswith(b"\xef\xbb\xbf")
    assert len(content.decode("utf-8-sig").strip().splitlines()) == 1 + SOURCE_CITIES
