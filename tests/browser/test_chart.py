"""The charts page (datasette-dashboards, Vega-Lite rendered to SVG), opened from the home page."""

import re

from playwright.sync_api import expect

from conftest import SOURCE_PROVINCES, SOURCE_POPULATION, SOURCE_STATUSES

# Read off the source by eye: its summary table declares, its list holds.
DECLARED = {"direct-administered city": 1, "special city": 3, "special-level city": 0, "city": 25}
LISTED = {"direct-administered city": 1, "special city": 2, "special-level city": 1, "city": 24}
# The axis says what is summed: the listed cities, not the division's own population.
SUMMED = "Sum of the listed cities' population (2008 census)"


def bar_labels(page, chart):
    """The aria-label of each bar, e.g. 'Sum of the ... (2008 census): 3255288; First-level ...'."""
    bars = page.locator(f"#chart-{chart} svg .mark-rect.role-mark path")
    return [bars.nth(i).get_attribute("aria-label") for i in range(bars.count())]


def labelled(label):
    return dict(part.split(": ", 1) for part in label.removesuffix(" bar").split("; "))


def open_charts(page, server):
    page.goto(server)
    page.locator(".home-charts a").first.click()
    expect(page).to_have_url(f"{server}/-/dashboards/cities")
    for chart in ("population-by-division", "cities-by-status"):
        expect(page.locator(f"#chart-{chart} svg .mark-rect.role-mark path").first).to_be_attached()


def test_population_by_division(page, server):
    open_charts(page, server)
    expect(page.locator("h1")).to_have_text("North Korean cities in charts")
    expect(page.locator(".dashboard-header")).to_contain_text("CC BY-SA 4.0")  # attribution
    bars = [labelled(label) for label in bar_labels(page, "population-by-division")]
    assert len(bars) == SOURCE_PROVINCES
    assert sum(int(bar[SUMMED]) for bar in bars) == SOURCE_POPULATION
    pyongyang = next(bar for bar in bars if bar["First-level division"] == "Pyongyang")
    assert (pyongyang[SUMMED], pyongyang["Kind"]) == ("3255288", "province-level city")


def test_cities_by_status_listed_and_declared(page, server):
    open_charts(page, server)
    bars = [labelled(label) for label in bar_labels(page, "cities-by-status")]
    assert len(bars) == 2 * SOURCE_STATUSES
    counts = {(bar["Status"], bar["According to"]): int(bar["Cities"]) for bar in bars}
    assert {s: counts[s, "listed in the article"] for s in LISTED} == LISTED
    assert {s: counts[s, "declared by its summary table"] for s in DECLARED} == DECLARED
    numbers = page.locator(
        "#chart-cities-by-status svg .mark-text.role-mark text").all_text_contents()
    assert sorted(map(int, numbers)) == sorted([*LISTED.values(), *DECLARED.values()])


def test_charts_fit_their_cards(page, server):
    """Nothing drawn outside its card: the SVG is no wider than the card that holds it."""
    open_charts(page, server)
    for chart in ("population-by-division", "cities-by-status"):
        card = page.locator(f"#card-{chart}").bounding_box()
        svg = page.locator(f"#chart-{chart} svg").bounding_box()
        assert svg["width"] > 200, chart
        assert svg["x"] + svg["width"] <= card["x"] + card["width"] + 1, chart
        assert re.search(r"\w", page.locator(f"#card-{chart} .dashboard-card-title").inner_text())
