"""An .xlsx download of any table, view or query, for spreadsheets.

Excel reads a CSV without a byte order mark in the machine's code page, so Datasette's UTF-8 CSV
opens with its Hangul and Hancha garbled. An .xlsx file has no such choice to get wrong: its text
is Unicode, and numbers stay numbers. Written by openpyxl; registered as an output renderer, so
Datasette links it ("This data as ... xlsx") from every table, view and query page.

Text is always a string cell: openpyxl makes a formula of any text that starts with `=`, which
a spreadsheet would then evaluate (`?sql=select '=HYPERLINK(...)'` on the site's own origin).
"""

import io

from datasette import hookimpl
from datasette.utils.asgi import Response
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell

MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def cell(value):
    """A cell's value: a foreign key with _labels=on as its label, bytes as hex."""
    if isinstance(value, dict) and "value" in value:
        return value.get("label") or value["value"]
    return value.hex() if isinstance(value, bytes) else value


def text_cell(sheet, value):
    """value in a cell of sheet; text as a string cell, whatever it starts with."""
    written = WriteOnlyCell(sheet, value=value)
    if isinstance(value, str):
        written.data_type = "s"  # not "f": never a formula
    return written


def workbook_bytes(title, columns, rows):
    book = Workbook(write_only=True)
    sheet = book.create_sheet(title[:31])  # Excel's longest sheet name
    sheet.append([text_cell(sheet, column) for column in columns])
    for row in rows:
        sheet.append([text_cell(sheet, cell(row[column])) for column in columns])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def render_xlsx(columns, rows, table, query_name, database):
    title = table or query_name or database
    body = workbook_bytes(title, columns, rows)
    disposition = f'attachment; filename="{title}.xlsx"'
    return Response(body, content_type=MEDIA_TYPE, headers={"content-disposition": disposition})


@hookimpl
def register_output_renderer(datasette):
    return {"extension": "xlsx", "render": render_xlsx, "can_render": lambda: True}
