"""The page fixture's watch can fail: it catches what a broken page would do."""

from browser.conftest import watch


def test_watch_reports_errors_exceptions_and_outside_requests(browser, server):
    context = browser.new_context()
    page = context.new_page()
    problems = watch(page, server)
    page.goto(server)
    page.evaluate("console.error('logged error')")
    page.evaluate("setTimeout(() => { throw new Error('uncaught error') }, 0)")
    page.evaluate("fetch('https://example.com/tile.png').catch(() => null)")
    page.wait_for_timeout(500)
    context.close()
    found = "\n".join(problems())
    assert "console: logged error" in found
    assert "exception: " in found and "uncaught error" in found
    assert "not local: https://example.com/tile.png" in found
