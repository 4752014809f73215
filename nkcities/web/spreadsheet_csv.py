"""CSV for spreadsheets, from Datasette's CSV as it streams: a byte order mark, so that Excel and
LibreOffice read UTF-8 (평양, P'yŏngyang) instead of the machine's code page, and OWASP's
CSV-injection defence: every cell quoted, and a cell a spreadsheet would take for a formula
(starting with = + - @, a tab or a carriage return, and not a number) led by an apostrophe.
Asked for with `_spreadsheet=1` (middleware/formats.py); any other CSV stays exact for programs."""

import codecs
import csv
import io
import re

BOM = "\ufeff"
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
NUMBER = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?")


def neutral(cell):
    """The cell as text no spreadsheet evaluates (OWASP, CSV Injection)."""
    if cell.startswith(FORMULA_START) and not NUMBER.fullmatch(cell):
        return "'" + cell
    return cell


def records_end(text):
    """Where the last complete record of CSV text ends: after a newline outside quotes."""
    end = text.rfind("\n")
    while end >= 0 and text.count('"', 0, end) % 2:
        end = text.rfind("\n", 0, end)
    return end + 1


class SpreadsheetCsv:
    """Feed it the CSV's bytes as they come; it gives back the spreadsheet's bytes, whole
    records at a time."""

    def __init__(self):
        self.decoder = codecs.getincrementaldecoder("utf-8")("replace")
        self.pending, self.started = "", False

    def feed(self, data, final=False):
        text = self.pending + self.decoder.decode(data, final)
        cut = len(text) if final else records_end(text)
        complete, self.pending = text[:cut], text[cut:]
        if not complete.strip():  # nothing yet (or a failed query's empty header): as it came
            return complete.encode("utf-8")
        out = io.StringIO()
        writer = csv.writer(out, quoting=csv.QUOTE_ALL, lineterminator="\r\n")
        for record in csv.reader(io.StringIO(complete, newline="")):
            writer.writerow([neutral(cell) for cell in record])
        start, self.started = ("" if self.started else BOM), True
        return (start + out.getvalue()).encode("utf-8")
