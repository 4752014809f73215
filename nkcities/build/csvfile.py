"""The one reader of the project's CSV files (supplements and reference extracts), one set of
rules for all: UTF-8, a BOM and CRLF line endings accepted, exactly the given header, every row
as wide as the header. Errors are InputErrors carrying the file's path."""

import csv
import io
from pathlib import Path

from nkcities.build.errors import InputError, in_file


def decode(raw):
    """UTF-8 bytes -> text; an invalid byte is reported at its line."""
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
        raise InputError(line, f"not valid UTF-8 ({error.reason})") from None


def read_csv(path, header):
    """[(line, {column: cell})] of a CSV file; line is where the row ends (a quoted value may
    span lines)."""
    with in_file(path):
        text = decode(Path(path).read_bytes()).removeprefix("\ufeff")
        reader = csv.reader(io.StringIO(text, newline=""))
        try:
            if next(reader, None) != header:
                raise InputError(1, f"header must be {','.join(header)}")
            rows = []
            for cells in reader:
                if len(cells) != len(header):
                    raise InputError(reader.line_num,
                                     f"row has {len(cells)} fields, expected {len(header)}")
                rows.append((reader.line_num, dict(zip(header, cells))))
            return rows
        except csv.Error as error:
            raise InputError(reader.line_num, f"not valid CSV ({error})") from None
