"""The visitor's map in Chromium (issue #16): map-first on a laptop and a phone, a basemap
that holds at city zoom, Back and Forward, two-way selection, the keyboard, axe-core."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.browser import atlas_server, chromium_browser, map_frame
from tests.support.factories import make_organisation, make_registry

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture(scope="module")
def app_url(tmp_path_factory, taxonomy):
    rows = make_registry(60, located_share=1.0)
    rows.append(make_organisation(name="Café `Le Lab`", website="https://lab.example",
                                  latitude="48.85", longitude="2.35"))
    with atlas_server(tmp_path_factory.mktemp("visitor"), rows, taxonomy) as url:
        yield url


@pytest.fixture(scope="module")
def browser():
    with chromium_browser() as chromium:
        yield chromium

LAPTOPS = [(1440, 900), (1366, 768)]
PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}


def map_box(page) -> dict:
    map_frame(page)
    page.wait_for_function("() => { const f = document.querySelector("
                           "\"iframe[src*='st_folium']\"); return f && f.offsetHeight > 250; }")
    page.wait_for_timeout(500)
    return page.locator("iframe[src*='st_folium']").bounding_box()


@pytest.mark.parametrize("size", LAPTOPS)
def test_the_map_fills_a_laptop_window(app_url, browser, size):
    width, height = size
    page = browser.new_page(viewport={"width": width, "height": height})
    page.goto(app_url)
    box = map_box(page)
    assert box["y"] < 320, "the map starts near the top"
    assert box["y"] + box["height"] <= height + 1, "the whole map is in the window"
    assert box["height"] >= height - 330 and box["width"] >= width * 0.55
    # What sits around it: the kinds, the filters, the legend with counts, the sentence.
    assert page.get_by_role("button", name="Alternative digital solution").is_visible()
    assert page.get_by_role("button", name="Filters").is_visible()
    assert page.locator(".st-key-sector button").first.inner_text().split("·")[-1].strip()
    assert page.locator(".st-key-result-summary").is_visible()
    page.close()


def test_on_a_phone_the_map_is_above_the_fold(app_url, browser):
    context = browser.new_context(**PHONE)
    page = context.new_page()
    page.goto(app_url)
    box = map_box(page)
    assert box["y"] < 844 / 2 and box["y"] + box["height"] <= 844 + 1
    assert box["height"] >= 400
    context.close()


def test_at_city_zoom_the_basemap_names_places_without_asking_other_hosts(
        app_url, browser):
    page = browser.new_page(viewport={"width": 1366, "height": 768})
    requested: list[str] = []
    page.on("request", lambda r: requested.append(r.url))
    page.goto(app_url)
    frame = map_frame(page)
    frame.evaluate("window.map.setView([48.857, 2.35], 12, {animate: false})")
    frame.wait_for_function("() => [...document.querySelectorAll('.atlas-place')]"
                            ".some(e => e.textContent === 'Paris')", timeout=15_000)
    assert frame.evaluate("document.querySelectorAll('.atlas-place').length") >= 5
    # The detailed outlines (Natural Earth 1:10m) replace the overview at this zoom.
    frame.wait_for_function("() => performance.getEntriesByType('resource')"
                            ".some(e => e.name.includes('countries-10m.json'))")
    others = [u for u in requested if not u.startswith(app_url) and u.startswith("http")]
    assert others == []
    page.close()


def summary_text(page) -> str:
    return page.locator(".st-key-result-summary").inner_text().strip()


def test_back_and_forward_restore_views_and_landing_adds_no_entry(app_url, browser):
    page = browser.new_page(viewport={"width": 1366, "height": 768})
    # The history's length when the page starts (a new tab's blank page counts too).
    page.add_init_script("window.startLength = window.startLength || history.length")
    page.goto(app_url)
    map_frame(page)
    page.wait_for_timeout(1500)
    start = page.evaluate("window.startLength")
    assert page.evaluate("history.length") == start, "landing added a history entry"
    everything = summary_text(page)
    page.get_by_role("button", name="Health & care").click()
    page.wait_for_function("() => location.search.includes('sector=health')")
    page.wait_for_function("(s) => document.querySelector('.st-key-result-summary')"
                           ".innerText.trim() !== s", arg=everything)
    health = summary_text(page)
    page.get_by_role("button", name="Alternative digital solution").click()
    page.wait_for_function("() => location.search.includes('kind=solution')")
    page.wait_for_timeout(1000)
    assert page.evaluate("history.length") == start + 2, "one entry per view change"
    page.go_back()
    page.wait_for_function("(s) => document.querySelector('.st-key-result-summary')"
                           ".innerText.trim() === s", arg=health, timeout=15_000)
    page.go_back()
    page.wait_for_function("(s) => document.querySelector('.st-key-result-summary')"
                           ".innerText.trim() === s", arg=everything, timeout=15_000)
    assert page.evaluate("location.search") == ""
    page.go_forward()
    page.wait_for_function("(s) => document.querySelector('.st-key-result-summary')"
                           ".innerText.trim() === s", arg=health, timeout=15_000)
    page.wait_for_timeout(1000)
    assert "sector=health" in page.evaluate("location.search")
    assert summary_text(page) == health
    page.close()


def test_a_click_on_a_name_selects_and_the_map_follows_and_escape_clears(
        app_url, browser):
    page = browser.new_page(viewport={"width": 1366, "height": 768})
    page.goto(app_url)
    frame = map_frame(page)
    grid = page.locator(".st-key-organisation-list [data-testid='stDataFrame']")
    grid.scroll_into_view_if_needed()
    page.wait_for_timeout(1000)
    box = grid.bounding_box()
    # The first row's name cell (rows are ~35 px under a ~35 px header; the name is the
    # first column after the row's selection box).
    page.mouse.click(box["x"] + 120, box["y"] + 35 + 17)
    heading = page.locator(".st-key-detail h3")
    heading.wait_for(timeout=15_000)
    name = heading.inner_text().strip()
    assert name
    # The page scrolls the card into view once it has drawn (smoothly, under load later).
    page.wait_for_function("""() => { const r = document.querySelector('.st-key-detail')
        .getBoundingClientRect(); return r.top >= -1 && r.top + 40 <= innerHeight; }""",
                           timeout=10_000)
    frame = next(f for f in page.frames if "st_folium" in f.url)
    frame.wait_for_function("() => !!window.atlasHighlight", timeout=15_000)
    selected = frame.evaluate("window.atlasLayer.selected")
    assert frame.evaluate("(s) => window.map.getBounds().contains([s[1], s[2]])", selected)
    page.keyboard.press("Escape")
    page.locator(".st-key-detail").wait_for(state="detached", timeout=15_000)
    page.wait_for_function("() => !location.search.includes('org=')")
    page.close()


def test_the_keyboard_reaches_the_list_in_few_steps_past_the_map(app_url, browser):
    page = browser.new_page(viewport={"width": 1366, "height": 768})
    page.goto(app_url)
    map_frame(page)
    page.wait_for_timeout(1000)
    seen = []
    for _ in range(25):
        page.keyboard.press("Tab")
        seen.append(page.evaluate("""() => { let el = document.activeElement;
            if (el && el.tagName === 'IFRAME') { return 'map'; }
            return el.closest('.st-key-organisation-list') ? 'list'
                : (el.getAttribute('aria-label') || el.innerText || el.tagName).slice(0, 40); }"""))
        if seen[-1] == "list":
            break
    assert seen[-1] == "list", f"25 Tab presses went through {seen}"
    assert "map" in seen, "the map is on the way"
    # The skip link goes past the map at once.
    page.reload()
    map_frame(page)
    page.wait_for_timeout(1000)
    for _ in range(25):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.classList.contains('atlas-skip')"):
            break
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    assert page.evaluate("!!document.activeElement.closest('.st-key-organisation-list')")
    page.close()


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_the_page_language_follows_the_interface_and_pinch_zoom_is_allowed(
        app_url, browser, lang):
    page = browser.new_page(viewport={"width": 1366, "height": 768})
    page.goto(f"{app_url}/?lang={lang}")
    frame = map_frame(page)
    page.wait_for_function("(l) => document.documentElement.lang === l", arg=lang)
    title = page.locator("iframe[src*='st_folium']").get_attribute("title")
    assert title == {"en": "Map of the organisations", "fr": "Carte des organisations"}[lang]
    viewport = frame.evaluate("document.querySelector('meta[name=viewport]').content")
    assert "user-scalable=no" not in viewport and "maximum-scale" not in viewport
    page.close()


AXE = (Path(__file__).resolve().parent.parent / "atlas_app" / "ui" / "static" / "vendor" /
       "axe-core" / "axe.min.js")
PUBLIC_PAGES = ["", "research", "about", "suggest", "signin"]


def axe_violations(page) -> list[str]:
    """Serious and critical axe-core findings on the page and in its frames."""
    for frame in page.frames:
        frame.add_script_tag(path=str(AXE))
    result = page.evaluate("""async () => {
        const r = await axe.run(document, {resultTypes: ['violations']});
        return r.violations.filter(v => ['serious', 'critical'].includes(v.impact))
            .map(v => v.id + ': ' + v.nodes.slice(0, 3).map(n => n.target.join(' ')
                + ' ' + (n.failureSummary || '').slice(0, 160)).join(' | ')); }""")
    return result


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_axe_finds_no_serious_violation_on_the_public_pages(app_url, browser, lang):
    page = browser.new_page(viewport={"width": 1366, "height": 768})
    found = {}
    for path in PUBLIC_PAGES:
        page.goto(f"{app_url}/{path}?lang={lang}")
        if path == "":
            map_frame(page)
        page.wait_for_function("(l) => document.documentElement.lang === l", arg=lang,
                               timeout=30_000)
        page.wait_for_timeout(1500)
        violations = axe_violations(page)
        if violations:
            found[path or "map"] = violations
    assert found == {}
    page.close()


def test_the_embed_fits_a_partners_800_by_600_frame(app_url, browser):
    page = browser.new_page(viewport={"width": 1000, "height": 700})
    page.set_content(f'<iframe src="{app_url}/?embed=true&sector=health" width="800" '
                     f'height="600"></iframe>')
    embed = None
    for _ in range(150):
        embed = next((f for f in page.frames if "embed=true" in f.url), None)
        if embed and embed.evaluate("!!document.querySelector('.st-key-embed-link a')"):
            break
        page.wait_for_timeout(200)
    embed.wait_for_function("() => { const f = document.querySelector("
                            "\"iframe[src*='st_folium']\"); return f && f.offsetHeight > 200; }")
    page.wait_for_timeout(1000)
    assert embed.evaluate("document.querySelector('.stMain').scrollHeight") <= 600
    link = embed.locator(".st-key-embed-link a").last
    assert link.inner_text() == "Open in the Social Tech Atlas"
    assert "sector=health" in link.get_attribute("href")
    assert "embed" not in link.get_attribute("href")
    assert link.bounding_box()["y"] + link.bounding_box()["height"] <= 600
    credits = next(f for f in page.frames if "st_folium" in f.url).locator(
        ".leaflet-control-attribution")
    assert "Natural Earth" in credits.inner_text()
    frame_box = page.locator("iframe").bounding_box()
    inner = embed.locator("iframe[src*='st_folium']").bounding_box()
    assert inner["y"] + inner["height"] <= frame_box["y"] + 600, "the credits are cut"
    page.close()


def test_an_embed_can_hide_the_legend_and_the_filters(app_url, browser):
    page = browser.new_page(viewport={"width": 800, "height": 600})
    page.goto(f"{app_url}/?embed=true&hide=legend&hide=filters&org=1")
    page.locator(".st-key-embed-link strong").wait_for(timeout=15_000)  # the organisation
    page.wait_for_timeout(1000)
    assert page.locator(".st-key-sector").count() == 0
    assert page.get_by_role("button", name="Filters").count() == 0
    assert page.evaluate("new URLSearchParams(location.search).getAll('hide')") == [
        "legend", "filters"]
    page.close()


def test_a_tap_on_a_dot_on_a_phone_shows_the_card_in_view(app_url, browser):
    context = browser.new_context(**PHONE)
    page = context.new_page()
    page.goto(app_url)
    frame = map_frame(page)
    frame.evaluate("""() => { const r = window.atlasLayer.data.rows[0];
        window.map.setView([r[1], r[2]], 17, {animate: false}); }""")
    frame.wait_for_function("() => window.map.getZoom() === 17")
    page.wait_for_timeout(1500)
    x, y = frame.evaluate("""() => { const r = window.atlasLayer.data.rows[0];
        const p = window.map.latLngToContainerPoint([r[1], r[2]]);
        const box = window.map.getContainer().getBoundingClientRect();
        return [p.x + box.left, p.y + box.top]; }""")
    box = page.locator("iframe[src*='st_folium']").bounding_box()
    page.touchscreen.tap(box["x"] + x, box["y"] + y)
    heading = page.locator(".st-key-detail h3")
    heading.wait_for(timeout=15_000)
    card = page.locator(".st-key-detail").bounding_box()
    assert card["y"] >= 0 and card["y"] + 80 <= 844, "the card is on screen"
    assert heading.is_visible()
    context.close()


def test_going_to_a_town_moves_the_map(app_url, browser):
    page = browser.new_page(viewport={"width": 1366, "height": 768})
    page.goto(app_url)
    map_frame(page)
    page.get_by_role("button", name="Filters").click()
    town = page.get_by_label("Go to a town")
    town.fill("Lyon")
    town.press("Enter")
    frame = next(f for f in page.frames if "st_folium" in f.url)
    frame.wait_for_function("() => window.map.getZoom() === 11 && "
                            "window.map.getCenter().distanceTo([45.75, 4.85]) < 5000",
                            timeout=15_000)
    page.close()


def test_arrow_keys_go_from_dot_to_dot_and_enter_opens_one(app_url, browser):
    page = browser.new_page(viewport={"width": 1366, "height": 768})
    page.goto(app_url)
    frame = map_frame(page)
    frame.focus(".leaflet-container")
    page.keyboard.press("ArrowRight")
    live = frame.locator(".atlas-live")
    first = live.inner_text()
    assert first.endswith(")") and "(1/" in first
    page.keyboard.press("ArrowRight")
    assert "(2/" in live.inner_text()
    # Alone in the view, a dot is named; Enter opens its card.
    frame.evaluate("""() => { const r = window.atlasLayer.data.rows[0];
        window.map.setView([r[1], r[2]], 18, {animate: false}); }""")
    frame.wait_for_function("() => window.map.getZoom() === 18")
    page.wait_for_timeout(500)
    frame.focus(".leaflet-container")
    page.keyboard.press("ArrowRight")
    name = frame.evaluate("window.atlasLayer.data.rows[0][4]")
    assert live.inner_text().startswith(name)
    page.keyboard.press("Enter")
    page.locator(".st-key-detail h3").wait_for(timeout=15_000)
    assert page.locator(".st-key-detail h3").inner_text().strip() == name
    page.close()


def test_near_me_asks_the_browser_and_moves_the_map(app_url, browser):
    context = browser.new_context(viewport={"width": 1366, "height": 768},
                                  geolocation={"latitude": 45.76, "longitude": 4.83},
                                  permissions=["geolocation"])
    page = context.new_page()
    page.goto(app_url)
    frame = map_frame(page)
    frame.get_by_role("button", name="Near me").click()
    frame.wait_for_function("() => window.map.getZoom() === 11 && "
                            "window.map.getCenter().distanceTo([45.76, 4.83]) < 1000",
                            timeout=15_000)
    context.close()
