"""Small helpers for the browser tests."""

from conftest import DB_NAME


def cells(page, column):
    """The text of every cell of a column in Datasette's results table."""
    return page.locator(f"table.rows-and-columns tbody td.col-{column}").all_inner_texts()


def run_sql(page, server, sql):
    """Type sql into the database page's SQL editor (CodeMirror) and press Run SQL."""
    page.goto(f"{server}/{DB_NAME}")
    page.locator(".CodeMirror").click()
    page.keyboard.press("Control+A")
    page.keyboard.type(sql)
    with page.expect_navigation():
        page.get_by_role("button", name="Run SQL").click()
