"""Every kind of page at a phone's size (390x844, touch, 2x pixels) and a desktop's (1280x800),
in headless Chromium against the real server: nothing wider than the screen, every label that a
card's cell shows (Datasette's `td::before` on a phone) is its own table's column heading, and
the list of cities fits a phone. A screenshot of each page's first screen goes to
test-artifacts/<size>-<kind>.png: look at them."""

import re
import urllib.parse

import pytest

from browser.conftest import ARTIFACTS, AT_ONCE, side_by_side, watch
from browser.page_kinds import page_kinds
from conftest import DB_NAME

SIZES = {"phone": {"viewport": {"width": 390, "height": 844}, "is_mobile": True,
                   "has_touch": True, "device_scale_factor": 2},
         "desktop": {"viewport": {"width": 1280, "height": 800}}}
SCREENS = 8  # the cities page on a phone is shorter than this many screens

# Each cell's ::before label beside its table's heading for that column (headings without
# their sort arrows); cells with no label are left out.
WRONG_LABELS = """() => {
    const wrong = [];
    for (const cell of document.querySelectorAll("td")) {
        const content = getComputedStyle(cell, "::before").content;
        if (!content || content === "none" || content === "normal") continue;
        const heading = cell.closest("table").querySelectorAll("thead th")[cell.cellIndex];
        const text = heading ? heading.textContent.replace(/[▼▲]/g, "").trim() : null;
        if (JSON.parse(content) !== text) wrong.push([JSON.parse(content), text]);
    }
    return wrong;
}"""


def every_page(server, db_path, metadata):
    """page_kinds' pages, every table, the site's search and the error pages."""
    kinds = page_kinds(server, db_path, metadata)
    tables = metadata["databases"][DB_NAME]["tables"]
    kinds.update({f"table-{name}": f"/{DB_NAME}/{name}" for name, table in tables.items()
                  if not table.get("hidden") and f"/{DB_NAME}/{name}" not in kinds.values()})
    kinds.update({
        "site-search": "/-/search?" + urllib.parse.urlencode({"q": "pyong"}),
        "site-search-none": "/-/search?" + urllib.parse.urlencode({"q": "Pyangyong"}),
        "error-sql": f"/{DB_NAME}?" + urllib.parse.urlencode({"sql": "selec * from cities"}),
        "error-table": f"/{DB_NAME}/citys",
        "error-row": f"/{DB_NAME}/cities/pyongyng",
        "error-size": f"/{DB_NAME}/cities?_size=100000",
    })
    return kinds


@pytest.fixture(params=list(SIZES))
def sized(browser, server, request):
    """The size's name, and a function that opens a watched page in one context of that size."""
    context = browser.new_context(**SIZES[request.param])
    watched = []

    def new_page():
        page = context.new_page()
        watched.append(watch(page, server))
        return page
    yield request.param, new_page
    context.close()
    # Error pages answer 4xx: the browser logs each as a failed resource, which is expected.
    unexpected = [p for problems in watched for p in problems()
                  if not re.search(r"status of 40[04]", p)]
    assert unexpected == [], unexpected


def test_every_page_fits_and_labels_its_own_cells(sized, server, db_path, metadata):
    size, new_page = sized
    width = SIZES[size]["viewport"]["width"]
    ARTIFACTS.mkdir(exist_ok=True)
    found = []
    tabs = [new_page() for _ in range(AT_ONCE)]
    for kind, page in side_by_side(tabs, server, every_page(server, db_path, metadata)):
        page.screenshot(path=ARTIFACTS / f"{size}-{kind}.png")
        scroll_width = page.evaluate("document.documentElement.scrollWidth")
        if scroll_width > width:
            found.append(f"{kind}: {scroll_width} px wide")
        wrong = page.evaluate(WRONG_LABELS)
        if wrong:
            found.append(f"{kind}: {len(wrong)} cells labelled as another table's, e.g. {wrong[0]}")
    assert found == []


def test_cities_on_a_phone(browser, server):
    """The first city in the first screen, and the 28 cities in under SCREENS screens."""
    context = browser.new_context(**SIZES["phone"])
    page = context.new_page()
    page.goto(f"{server}/{DB_NAME}/cities")
    page.wait_for_load_state("networkidle")
    height = SIZES["phone"]["viewport"]["height"]
    first = page.locator("table.rows-and-columns tbody tr").first.locator("td.col-name")
    assert first.inner_text() == "Pyongyang"
    box = first.bounding_box()
    assert box["y"] + box["height"] <= height, box
    total = page.evaluate("document.documentElement.scrollHeight")
    assert total < SCREENS * height, f"{total} px: {total / height:.1f} screens"
    page.screenshot(path=ARTIFACTS / "phone-cities-whole.png", full_page=True)
    context.close()


@pytest.mark.parametrize("path", ["/", f"/{DB_NAME}/cities/pyongyang"])
def test_one_how_to_cite(page, server, path):
    page.goto(server + path)
    assert page.get_by_text("How to cite", exact=True).count() == 1
    assert page.locator(".how-to-cite p.citation").count() == 1


def test_footer_links_say_where_they_go(page, server):
    page.goto(f"{server}/{DB_NAME}/cities")
    footer = page.locator("footer")
    assert "About:" not in footer.inner_text()
    assert footer.get_by_role("link", name="Charts").get_attribute("href") == \
        "/-/dashboards/cities"
    assert "About:" not in page.locator("section.content").inner_text()


def test_a_query_pages_sql_is_in_the_editor_and_formats(page, server):
    """A ?sql= page's SQL is in CodeMirror, as on the database page, with its Format button."""
    sql = "select name from cities where id = 'rason'"
    page.goto(f"{server}/{DB_NAME}?" + urllib.parse.urlencode({"sql": sql}))
    assert page.locator(".CodeMirror").inner_text().strip().endswith(sql)
    page.get_by_role("button", name="Format SQL").click()
    assert "\n" in page.locator(".CodeMirror").inner_text().strip()


def test_sql_heading_on_one_line(page, server):
    page.goto(f"{server}/{DB_NAME}")
    heading = page.locator("form.sql h2")
    line = float(heading.evaluate("e => getComputedStyle(e).lineHeight").removesuffix("px"))
    assert heading.bounding_box()["height"] < 1.5 * line


def test_charts_on_a_phone_cut_no_text(browser, server):
    """Every text of the charts (axis titles, legends) whole and inside its card: Vega-Lite
    shortens what does not fit with "…", and the card clips what the SVG draws outside it."""
    context = browser.new_context(**SIZES["phone"])
    page = context.new_page()
    page.goto(f"{server}/-/dashboards/cities")
    for chart in ("population-by-division", "cities-by-status"):
        page.locator(f"#chart-{chart} svg .mark-rect.role-mark path").first.wait_for(
            state="attached")
        texts = page.locator(f"#chart-{chart} svg text").all_text_contents()
        assert texts and not [text for text in texts if text.endswith("…")], chart
        card = page.locator(f"#card-{chart}").bounding_box()
        outside = page.locator(f"#chart-{chart} svg text").evaluate_all(
            """(texts, card) => texts.filter(text => { const box = text.getBoundingClientRect();
                return box.width && (box.left < card.x || box.right > card.x + card.width); })
                .map(text => text.textContent)""", card)
        assert outside == [], chart
    context.close()


def test_refused_sql_is_mended_in_the_editor(sized, server):
    """The error page's editor holds the refused query; corrected there, it runs."""
    _, new_page = sized
    page = new_page()
    page.goto(f"{server}/{DB_NAME}?" + urllib.parse.urlencode({"sql": "selec * from cities"}))
    editor = page.locator(".CodeMirror")
    assert editor.inner_text().strip().endswith("selec * from cities")
    assert "Statement must be a SELECT" in page.locator(".message-error").inner_text()
    assert page.get_by_role("link", name="home", exact=True).get_attribute("href") == "/"
    editor.click()
    page.keyboard.press("Control+A")
    page.keyboard.type("select name from cities where name = 'Sinuiju'")
    with page.expect_navigation():
        page.get_by_role("button", name="Run SQL").click()
    assert page.locator("table.rows-and-columns tbody td").all_inner_texts() == ["Sinuiju"]
