"""How a value reads in a cell of a table, row or query page, and the `ko` filter.

- Thousands separators in the columns named under `plugins: pages: grouped`.
- A table's label column (metadata's `label_column`) as a link to the row's page.
- Hangul and Hancha in lang="ko" (so the browser picks Korean glyphs); the `ko` filter does
  the same for text in templates.

The rows of a page are written here in one pass (`table_rows`, `query_rows`), not by a
render_cell hook and a Jinja loop: those cost a third of the cities page (bench/NOTES.md).
Datasette's own cell values (foreign-key links, blanks, URLs) are kept.
"""

import functools
import re

from datasette import hookimpl
from datasette.utils import to_css_class, tilde_encode
from markupsafe import Markup, escape

CONFIG = "pages"  # the settings these share with plugins/pages.py, in metadata.yml

# Hangul syllables and jamo, and CJK ideographs (Hancha), with the spaces and · between them.
KOREAN = re.compile(r"[\u1100-\u11ff\u3130-\u318f\uac00-\ud7a3\u4e00-\u9fff\uf900-\ufaff]"
                    r"(?:[\s·]*[\u1100-\u11ff\u3130-\u318f\uac00-\ud7a3\u4e00-\u9fff\uf900-\ufaff])*")


def ko(text):
    """text (escaped unless it is Markup) with each run of Korean in <span lang="ko">."""
    text = escape(text if text is not None else "")
    return Markup(KOREAN.sub(lambda match: f'<span lang="ko">{match.group(0)}</span>', text))


@functools.lru_cache(maxsize=8)
def grouped(datasette):
    """The columns with thousands separators, read once per Datasette."""
    return frozenset((datasette.plugin_config(CONFIG) or {}).get("grouped", []))


@functools.lru_cache(maxsize=64)
def label_column(datasette, database, table):
    return datasette.table_metadata(database, table).get("label_column") if table else None


def shown(column, raw, value, grouped_columns):
    """The cell's HTML from its stored value (raw) and Datasette's display value."""
    if isinstance(raw, int) and column in grouped_columns:
        return f"{raw:,}"
    if isinstance(value, str) and not isinstance(value, Markup) and KOREAN.search(value):
        return ko(value)
    return escape(value)


def row_path(cells, pks):
    """The row's path in its URL, as path_from_row_pks gives it: a single key is in the link
    cell (named after the key), a compound key in its own cells; rowid tables have "Link"."""
    raws = {cell["column"]: cell["raw"] for cell in cells}
    return ",".join(tilde_encode(str(raws[pk])) for pk in pks or ["Link"])


def table_rows(datasette, rows, database, table, pks):
    """The <tr>s of a table or row page (Datasette's display_rows)."""
    grouped_columns, label = grouped(datasette), label_column(datasette, database, table)
    opened = {}  # column: the start of its <td>, made once per column
    lines = []
    for row in rows:
        cells = []
        for cell in row:
            column, raw = cell["column"], cell["raw"]
            if column not in opened:
                opened[column] = f'<td class="col-{to_css_class(column)} type-'
            if column == label and isinstance(raw, str):
                href = datasette.urls.row(database, table, row_path(row.cells, pks))
                html = f'<a href="{escape(href)}">{ko(raw)}</a>'
            else:
                html = shown(column, raw, cell["value"], grouped_columns)
            cells.append(f'{opened[column]}{cell["value_type"]}">{html}</td>')
        lines.append(f"<tr>{''.join(cells)}</tr>")
    return Markup("\n".join(lines))


def query_rows(datasette, columns, display_rows, rows):
    """The <tr>s of a query page: Datasette's display values beside the stored ones."""
    grouped_columns, classes = grouped(datasette), [to_css_class(c) for c in columns]
    return Markup("\n".join(
        "<tr>" + "".join(f'<td class="col-{css}">{shown(column, raw, value, grouped_columns)}</td>'
                         for css, column, raw, value in zip(classes, columns, row, shown_row))
        + "</tr>" for row, shown_row in zip(rows, display_rows)))


@hookimpl
def prepare_jinja2_environment(env):
    env.filters["ko"] = ko


@hookimpl
def extra_template_vars(datasette):
    return {"table_rows": functools.partial(table_rows, datasette),
            "query_rows": functools.partial(query_rows, datasette)}
