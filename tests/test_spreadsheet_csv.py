"""CSV meant for spreadsheets (`_spreadsheet=1`, the home page's link): an
attachment with a byte order mark, every cell quoted and none a formula (OWASP, CSV Injection);
the plain CSV stays exact for programs."""

import csv
import io
import re
import shutil
import subprocess

import httpx
import pytest
from conftest import SOURCE_CITIES
from openpyxl import load_workbook

from nkcities.web.spreadsheet_csv import SpreadsheetCsv

BOM = b"\xef\xbb\xbf"
HOSTILE = "select '=1+1' as x, '@SUM(1)' as y, '-2+3' as z, -7 as n, '+1' as p"
SPREADSHEET = {"sql": HOSTILE, "_spreadsheet": "1"}


def rows_of(content):
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))


def test_the_home_pages_csv_downloads_as_a_file(server):
    home = httpx.get(server + "/").text
    href = re.search(r'href="([^"]*\.csv[^"]*)">the cities as CSV', home)[1].replace("&amp;", "&")
    response = httpx.get(server + href)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    assert response.headers["content-disposition"].startswith("attachment")
    assert response.content.startswith(BOM)
    header, *rows = rows_of(response.content)
    assert header[:2] == ["id", "city"] and len(rows) == SOURCE_CITIES


def test_no_cell_is_a_formula_in_the_spreadsheet_csv(server):
    response = httpx.get(server + "/north-korea-cities.csv", params=SPREADSHEET)
    assert response.status_code == 200
    assert rows_of(response.content) == [["x", "y", "z", "n", "p"],
                                         ["'=1+1", "'@SUM(1)", "'-2+3", "-7", "+1"]]
    assert b'"\'=1+1"' in response.content  # quoted, as OWASP advises


@pytest.mark.parametrize("download", [{}, {"_dl": "1"}])
def test_the_plain_csv_is_exact(server, download):
    response = httpx.get(server + "/north-korea-cities.csv", params={"sql": HOSTILE, **download})
    assert not response.content.startswith(BOM)
    assert rows_of(response.content)[1] == ["=1+1", "@SUM(1)", "-2+3", "-7", "+1"]


@pytest.mark.skipif(shutil.which("soffice") is None, reason="make test installs LibreOffice")
def test_libreoffice_reads_text_not_formulas(server, tmp_path):
    """LibreOffice's default CSV import (headless) of the spreadsheet CSV: no cell evaluated."""
    response = httpx.get(server + "/north-korea-cities.csv", params=SPREADSHEET)
    source = tmp_path / "hostile.csv"
    source.write_bytes(response.content)
    subprocess.run(["soffice", "--headless", f"-env:UserInstallation={tmp_path.as_uri()}/profile",
                    "--convert-to", "xlsx", "--outdir", str(tmp_path), str(source)],
                   check=True, capture_output=True, timeout=120)
    sheet = load_workbook(tmp_path / "hostile.xlsx").active
    values = [cell.value for cell in sheet[2]]
    assert values[:3] == ["'=1+1", "'@SUM(1)", "'-2+3"] and values[3] == -7


def test_records_split_across_chunks_come_out_whole():
    text = 'id,name\r\n1,"P\'yŏngyang, ""평양""\r\nline two"\r\n2,=cmd\r\n'.encode()
    whole = SpreadsheetCsv().feed(text, final=True)
    pieces, streaming = [], SpreadsheetCsv()
    for i in range(len(text)):
        pieces.append(streaming.feed(text[i:i + 1], final=i == len(text) - 1))
    assert b"".join(pieces) == whole
    assert rows_of(whole) == [["id", "name"], ["1", 'P\'yŏngyang, "평양"\r\nline two'],
                              ["2", "'=cmd"]]
