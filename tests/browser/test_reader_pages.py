"""The pages a reader meets, at 1280x800 in headless Chromium against the real server: a
screenshot of each kind in test-artifacts/page-<kind>.png (look at them), the city page's
content, and the list of cities in view on arrival."""

import re

from playwright.sync_api import expect

from browser.conftest import ARTIFACTS, AT_ONCE, side_by_side, watch
from browser.page_kinds import CITY, page_kinds, row_path
from conftest import DB_NAME

# Text with Hangul or Hancha outside an element with lang="ko" (SQL in <pre> and <code> aside).
KOREAN_OUTSIDE_KO = """() => {
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    const found = [];
    while (walker.nextNode()) {
        const node = walker.currentNode;
        if (!/[\\uac00-\\ud7a3\\u4e00-\\u9fff]/.test(node.textContent)) continue;
        if (node.parentElement.closest("script, style, pre, code")) continue;  // SQL, not prose
        const marked = node.parentElement.closest("[lang]");
        if (!marked || marked.lang !== "ko") found.push(node.textContent.trim().slice(0, 60));
    }
    return found;
}"""


def test_every_kind_of_page(page, server, db_path, metadata):
    """Each has a language, a meta description, one h1, Korean in lang="ko", no wider than the
    window; and a screenshot to look at."""
    ARTIFACTS.mkdir(exist_ok=True)
    others = [page.context.new_page() for _ in range(AT_ONCE - 1)]
    problems = [watch(other, server) for other in others]
    for kind, tab in side_by_side([page, *others], server,
                                  page_kinds(server, db_path, metadata)):
        expect(tab.locator("html")).to_have_attribute("lang", "en")
        description = tab.locator("meta[name=description]").get_attribute("content")
        assert description and len(description) > 40, kind
        expect(tab.locator("h1")).to_have_count(1)
        assert tab.evaluate(KOREAN_OUTSIDE_KO) == [], kind
        width = tab.evaluate("document.documentElement.scrollWidth")
        assert width <= 1280, f"{kind} is {width} px wide"
        tab.screenshot(path=ARTIFACTS / f"page-{kind}.png")
    assert [problem for found in problems for problem in found()] == []


def test_pyongyang_page(page, server):
    page.goto(server + row_path(server, "cities", name=CITY))
    expect(page.locator("h1")).to_contain_text("Pyongyang")
    for korean in ["평양", "平壤"]:  # the city's article on Wikipedia
        expect(page.locator("h1 [lang=ko]", has_text=korean)).to_have_count(1)
    expect(page.locator("dl.facts")).to_contain_text("3,255,288 (2008 census)")  # the source
    expect(page.locator("dl.facts")).to_contain_text("September 1946")  # 1946-09-<u>　</u>
    division = page.get_by_role("link", name="Pyongyang", exact=True).first
    expect(division).to_have_attribute("href", row_path(server, "provinces", name="Pyongyang"))
    status = page.get_by_role("link", name="direct-administered city").first
    expect(status).to_have_attribute(
        "href", row_path(server, "statuses", name="direct-administered city"))
    expect(page.locator(".leaflet-marker-icon")).to_have_count(1)
    expect(page.locator(".leaflet-marker-icon")).to_be_visible()
    expect(page.locator("#cite")).to_be_visible()


def test_the_home_page_list_of_cities_is_in_view(page, server):
    page.goto(server)
    with page.expect_navigation():
        page.get_by_role("link", name="The cities", exact=True).click()
    first = page.locator("table.rows-and-columns tbody tr").first
    expect(first).to_contain_text("Pyongyang")
    expect(first).to_contain_text("3,255,288")
    box = first.bounding_box()
    assert box["y"] + box["height"] <= page.viewport_size["height"], box
    expect(first.locator("td.col-name a")).to_have_attribute(  # the name leads to its page
        "href", row_path(server, "cities", name=CITY))


def test_search_from_the_home_page(page, server):
    page.goto(server)
    page.get_by_label(re.compile("Find a city")).fill("P'yŏngyang")
    with page.expect_navigation():
        page.get_by_role("button", name="Search").click()
    expect(page.locator("table.rows-and-columns tbody tr")).to_have_count(1)
    expect(page.locator("tbody td").first).to_have_text("Pyongyang")
    with page.expect_navigation():  # one hit: its page is offered at the top
        page.locator(".search-single a").click()
    assert page.url == server + row_path(server, "cities", name=CITY)


def scripts_loaded(page, url):
    """The JavaScript files a page fetched, by file name."""
    loaded = []
    page.on("request", lambda request: request.resource_type == "script" and loaded.append(
        request.url.rsplit("/", 1)[-1].split("?")[0]))
    page.goto(url)
    page.wait_for_load_state("networkidle")
    return loaded


def test_lean_pages(page, server):
    """Leaflet only where there is a map, and minified; no SQL editor on a read-only query."""
    charts = scripts_loaded(page, f"{server}/-/dashboards/cities")
    assert not [name for name in charts if "leaflet" in name], charts
    the_map = scripts_loaded(page, f"{server}/{DB_NAME}/city_map")
    assert "leaflet-v1.7.1.min.js" in the_map and "leaflet-v1.7.1.js" not in the_map, the_map
    assert not [name for name in the_map if "codemirror" in name], the_map
    expect(page.locator(".leaflet-marker-icon").first).to_be_visible()
    editor = scripts_loaded(page, f"{server}/{DB_NAME}")
    assert [name for name in editor if "codemirror" in name], editor  # where SQL is typed
