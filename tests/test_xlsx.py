"""The spreadsheet download: an .xlsx that Excel (here openpyxl) reads with the Hangul and Hancha
intact, with every row, linked from the table pages."""

import csv
import io
import shutil
import subprocess

import httpx
import pytest
from conftest import SOURCE_CITIES
from openpyxl import load_workbook


def sheet_rows(content):
    return list(load_workbook(io.BytesIO(content), read_only=True).active.values)


def test_cities_xlsx_keeps_korean(server):
    response = httpx.get(server + "/north-korea-cities/cities.xlsx")
    assert response.status_code == 200
    assert "attachment" in response.headers["content-disposition"]
    header, *rows = sheet_rows(response.content)
    assert len(rows) == SOURCE_CITIES
    pyongyang = dict(zip(header, next(r for r in rows if r[header.index("name")] == "Pyongyang")))
    # From source/korean-names.csv and the article, read by eye.
    assert (pyongyang["hangul"], pyongyang["hancha"]) == ("평양", "平壤")
    assert pyongyang["full_hancha"] == "平壤直轄市"
    assert pyongyang["population_2008"] == 3255288


def test_every_row_not_the_first_page(server):
    _, *rows = sheet_rows(httpx.get(server + "/north-korea-cities/city_names.xlsx").content)
    assert len(rows) == 8 * SOURCE_CITIES  # more than one page of 100


def test_table_page_links_the_xlsx(server):
    html = httpx.get(server + "/north-korea-cities/city_names").text
    assert 'href="/north-korea-cities/city_names.xlsx' in html


def libreoffice_csv(xlsx_bytes, folder):
    """The .xlsx as LibreOffice Calc reads it (headless), saved as CSV: the cells' values."""
    source = folder / "download.xlsx"
    source.write_bytes(xlsx_bytes)
    subprocess.run(["soffice", "--headless", f"-env:UserInstallation={folder.as_uri()}/profile",
                    "--convert-to", "csv", "--outdir", str(folder), str(source)],
                   check=True, capture_output=True, timeout=120)
    return (folder / "download.csv").read_text(encoding="utf-8")


@pytest.mark.skipif(shutil.which("soffice") is None, reason="make test installs LibreOffice")
def test_text_is_never_a_formula_in_libreoffice(server, tmp_path):
    sql = "select '=1+1' as x, '=HYPERLINK(\"http://example.com\",\"click\")' as y, 7 as n"
    response = httpx.get(server + "/north-korea-cities.xlsx", params={"sql": sql})
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(libreoffice_csv(response.content, tmp_path))))
    assert rows == [["x", "y", "n"], ["=1+1", '=HYPERLINK("http://example.com","click")', "7"]]
