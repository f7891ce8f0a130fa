"""A real Streamlit server and Debian's chromium: the map draws, hostile text stays inert,
and the page asks nothing of other hosts."""

from __future__ import annotations

import subprocess
import time
import urllib.request
from pathlib import Path

import pytest
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import expect

from atlas_app.intake.pipeline import ImportOptions, import_bytes
from atlas_app.registry.store import Store
from atlas_app.settings import Settings
from tests.support.browser import (
    NAMES,
    STAFF_PASSWORD,
    map_frame,
    map_names,
    serve,
    sign_in_staff,
)
from tests.support.factories import make_organisation, make_registry, to_csv
from tests.support.services import chromium, free_port

ROOT = Path(__file__).resolve().parent.parent
HOSTILE = ["<img src=x onerror=\"globalThis.PWNED=1\">", "${globalThis.PWNED=1}",
           "Foo\\`);globalThis.PWNED=1;//", "Café `Le Lab`",
           "</script><script>globalThis.PWNED=1</script>"]

pytestmark = [pytest.mark.browser, pytest.mark.slow]
@pytest.fixture(scope="module")
def app_url(tmp_path_factory, taxonomy):
    chromium()
    folder = tmp_path_factory.mktemp("browser")
    url = f"sqlite:///{folder / 'atlas.db'}"
    store = Store(url)
    store.upgrade()
    rows = make_registry(60, located_share=1.0)
    rows += [make_organisation(name=name, description_en=name, website=f"https://h{i}.example",
                               latitude=f"{44 + i}", longitude="5")
             for i, name in enumerate(HOSTILE)]
    import_bytes(to_csv(rows), "b.csv", store, taxonomy, Settings(database_url=url),
                 ImportOptions())
    from atlas_app.staff.accounts import add_account
    add_account(store, "ana@example.org", STAFF_PASSWORD)
    store.dispose()
    with serve(url) as base:
        yield base


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=chromium(), args=[
            "--no-sandbox", "--disable-gpu", "--disable-background-networking"])
        yield b
        b.close()


def test_map_draws_with_zero_third_party_requests(app_url, browser):
    page = browser.new_page(viewport={"width": 1300, "height": 900})
    requested: list[str] = []
    page.on("request", lambda r: requested.append(r.url))
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(app_url)
    frame = map_frame(page)
    frame.wait_for_function("document.querySelector('.leaflet-container').offsetHeight > 300")
    assert frame.evaluate("typeof L") == "object"
    assert frame.evaluate("document.querySelector('.leaflet-container').offsetHeight") > 300
    summary = page.locator(".st-key-result-summary").inner_text()
    assert summary.strip() == f"{60 + len(HOSTILE)} of {60 + len(HOSTILE)} organisations"
    others = [u for u in requested if not u.startswith(app_url) and u.startswith("http")]
    assert others == [], f"requests to other hosts: {others}"
    assert errors == []
    page.close()


def test_hostile_names_are_shown_literally_and_never_run(app_url, browser):
    page = browser.new_page(viewport={"width": 1300, "height": 900})
    page.goto(app_url)
    frame = map_frame(page)
    assert set(HOSTILE) <= set(frame.evaluate(NAMES))
    # Put every popup and tooltip into the page, as opening them does.
    frame.evaluate("""() => { const layer = window.atlasLayer;
        layer.data.rows.forEach((row, i) => {
            const marker = layer.pointMarker(i);
            const content = marker.getPopup()._content;
            document.body.appendChild(typeof content === 'function' ? content(marker) : content);
            const tip = document.createElement('div');
            tip.innerHTML = marker.getTooltip().getContent();
            document.body.appendChild(tip); }); }""")
    frame.wait_for_function("(name) => document.body.innerText.includes(name)", arg=HOSTILE[-1])
    texts = frame.evaluate("document.body.innerText")
    for name in HOSTILE:
        assert name in texts
    assert frame.evaluate("typeof globalThis.PWNED") == "undefined"
    assert page.evaluate("typeof globalThis.PWNED") == "undefined"
    assert frame.evaluate("document.querySelectorAll('img[src=\"x\"]').length") == 0
    page.close()


def stable_box(page, selector: str) -> dict:
    """The element's box once the app has finished running and the layout stays put.

    The element is first scrolled fully into view: clicking into an iframe that sticks
    out of the viewport makes the browser scroll it in, which would move the target."""
    page.locator(selector).scroll_into_view_if_needed()
    box, steady = page.locator(selector).bounding_box(), 0
    for _ in range(100):
        page.wait_for_timeout(200)
        running = page.locator("[data-testid='stStatusWidget']").count() > 0
        again = page.locator(selector).bounding_box()
        steady = steady + 1 if again == box and not running else 0
        if steady >= 5:
            return box
        box = again
    return box


def click_organisation(page, frame, name: str) -> None:
    """Zoom to the organisation's dot and click it with the mouse, as a visitor would."""
    index = frame.evaluate(f"(name) => {NAMES}.indexOf(name)", name)
    assert index >= 0
    frame.evaluate("""(i) => { const r = window.atlasLayer.data.rows[i];
        window.map.setView([r[1], r[2]], 17, {animate: false}); }""", index)
    frame.wait_for_function("() => window.map.getZoom() === 17")
    x, y = frame.evaluate("""(i) => { const r = window.atlasLayer.data.rows[i];
        const p = window.map.latLngToContainerPoint([r[1], r[2]]);
        const box = window.map.getContainer().getBoundingClientRect();
        return [p.x + box.left, p.y + box.top]; }""", index)
    box = stable_box(page, "iframe[src*='st_folium']")
    page.mouse.click(box["x"] + x, box["y"] + y)


def test_clicking_a_dot_opens_its_detail_and_the_link_shares_it(app_url, browser):
    page = browser.new_page(viewport={"width": 1300, "height": 900})
    page.goto(app_url)
    frame = map_frame(page)
    target = "Café `Le Lab`"
    click_organisation(page, frame, target)
    detail = page.locator(".st-key-detail")
    detail.get_by_role("heading", name=target).wait_for(timeout=15_000)
    page.wait_for_function("() => window.location.search.includes('org=')", timeout=10_000)
    shared = page.url
    again = browser.new_page(viewport={"width": 1300, "height": 900})
    again.goto(shared)
    again.locator(".st-key-detail").get_by_role("heading", name=target).wait_for(timeout=15_000)
    again.close()
    page.close()


def test_a_shared_french_link_is_french(app_url, browser):
    page = browser.new_page(viewport={"width": 1300, "height": 900})
    page.goto(f"{app_url}/?lang=fr&country=FR&sector=health")
    map_frame(page)
    summary = page.locator(".st-key-result-summary").inner_text().strip()
    assert " sur " in summary and " organisations" in summary
    assert "pays : France" in summary and "secteur : Santé et soin" in summary
    page.get_by_role("button", name="Filtres · 1").click()  # the country filter
    page.get_by_text("Réinitialiser les filtres").wait_for()
    page.close()


def test_a_filter_change_updates_the_map_in_place(app_url, browser):
    page = browser.new_page(viewport={"width": 1300, "height": 900})
    page.goto(app_url)
    frame = map_frame(page)
    frame.evaluate("window.mapMarker = window.map")
    before = frame.evaluate(f"{NAMES}.length")
    page.get_by_role("button", name="Health & care").click()
    page.wait_for_function("() => window.location.search.includes('sector=health')")
    same_frame = next(f for f in page.frames if "st_folium" in f.url)
    same_frame.wait_for_function(f"(before) => {NAMES}.length !== before", arg=before)
    assert same_frame.evaluate("window.mapMarker === window.map"), "the map was remounted"
    after = same_frame.evaluate(f"{NAMES}.length")
    assert 0 < after < before
    page.close()


def test_choropleth_draws_and_a_country_click_focuses_it(app_url, browser):
    page = browser.new_page(viewport={"width": 1300, "height": 1000})
    page.goto(f"{app_url}/research?view=choropleth")
    page.wait_for_selector("iframe[src*='st_folium']", timeout=30_000)
    frame = None
    for _ in range(150):
        frame = next((f for f in page.frames if "st_folium" in f.url), None)
        if frame and frame.evaluate("typeof window.map === 'object' && !!window.map"):
            break
        page.wait_for_timeout(200)
    coloured = frame.evaluate("""() => { let n = 0; window.map.eachLayer(l => {
        if (l.feature && l.options && l.options.fillColor && l.options.fillColor !== '#f7f5f0') n++; });
        return n; }""")
    assert coloured >= 5, "countries with organisations are coloured"
    x, y = frame.evaluate("""() => { const p = window.map.latLngToContainerPoint([46.6, 2.4]);
        const box = window.map.getContainer().getBoundingClientRect();
        return [p.x + box.left, p.y + box.top]; }""")
    box = stable_box(page, "iframe[src*='st_folium']")
    page.mouse.click(box["x"] + x, box["y"] + y)
    page.wait_for_function("() => window.location.search.includes('view=focus') && "
                           "window.location.search.includes('country=FR')", timeout=15_000)
    page.locator(".st-key-research-summary").get_by_text("country is France").wait_for()
    page.close()


def test_staff_sign_in_and_set_a_location_by_clicking_the_map(app_url, browser):
    page = browser.new_page(viewport={"width": 1300, "height": 1000})
    sign_in_staff(page, app_url)
    page.get_by_role("link", name="Staff workspace").click()
    finder = page.get_by_label("Find an organisation (name, city or #number)")
    finder.fill("#1")
    finder.press("Enter")
    page.get_by_text("#1 ").first.wait_for(state="attached", timeout=15_000)
    picker = page.get_by_role("combobox", name="Organisation", exact=True)
    picker.click()
    picker.press("ArrowDown")
    picker.press("Enter")
    page.get_by_role("heading", name="Edit an organisation").wait_for(timeout=15_000)
    latitude = page.get_by_label("Latitude")
    before = latitude.input_value()
    frame = None
    for _ in range(150):
        frame = next((f for f in page.frames if "st_folium" in f.url
                      and f.evaluate("!!window.map")), None) if page.frames else None
        if frame:
            break
        page.wait_for_timeout(200)
    selector = "iframe[src*='st_folium']"
    box = stable_box(page, selector)
    page.mouse.click(box["x"] + box["width"] / 2 + 40, box["y"] + box["height"] / 2 + 30)
    page.wait_for_function("(old) => { const el = [...document.querySelectorAll('input')]"
                           ".find(i => i.getAttribute('aria-label') === 'Latitude');"
                           " return el && el.value && el.value !== old; }", arg=before,
                           timeout=15_000)
    assert latitude.input_value() != before
    page.close()


def test_the_whole_upload_flow_ends_on_the_public_map(app_url, browser, tmp_path):
    data = tmp_path / "partners.csv"
    data.write_text("nom;ville;pays;type;secteur;site web\n"
                    "Browser Coop;Nantes;France;solution;open-tech;https://browsercoop.example\n",
                    encoding="utf-8")
    page = browser.new_page(viewport={"width": 1300, "height": 1000})
    sign_in_staff(page, app_url)
    page.get_by_role("link", name="Upload a file").click()
    page.locator("input[type=file]").set_input_files(str(data))
    page.get_by_text("1 row — ready: 1, refused: 0").wait_for(timeout=30_000)
    page.get_by_text("Publish the new organisations at once").click()
    expect(page.get_by_label("Publish the new organisations at once")
           ).to_be_checked()
    page.get_by_role("button", name="Commit the upload").click()
    page.get_by_text("written as upload").wait_for(timeout=30_000)
    page.get_by_role("link", name="Map").click()
    page.get_by_text("Browser Coop").first.wait_for(state="attached", timeout=30_000)  # list
    assert "Browser Coop" in map_names(page)
    page.close()


def test_the_upload_endpoint_keeps_files_for_signed_in_staff_only(app_url, browser):
    """Issue 18, finding 2: an anonymous tab PUTs files straight to Streamlit's upload
    endpoint for its own session (no uploader on the page): refused and not kept. A signed-in
    staff session may upload, but holds at most two maximum-size files at once."""
    import re

    from tests.support.browser import sign_in_staff

    context = browser.new_context()
    page = context.new_page()
    seen: list[str] = []
    uuid = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")

    def frames(ws):
        ws.on("framereceived", lambda payload: seen.extend(uuid.findall(
            payload if isinstance(payload, str) else payload.decode("latin-1"))))

    page.on("websocket", frames)

    def put(session: str, megabytes: float, file_id: str) -> int:
        xsrf = next(c["value"] for c in context.cookies() if c["name"] == "_streamlit_xsrf")
        for attempt in range(3):
            try:
                return context.request.put(
                    f"{app_url}/_stcore/upload_file/{session}/{file_id}",
                    headers={"X-Xsrftoken": xsrf},
                    multipart={"file": {"name": "x.csv", "mimeType": "text/csv",
                                        "buffer": b"x" * int(megabytes * 1_048_576)}}).status
            except PlaywrightError as exc:
                # A kept-alive connection the server has just closed: a PUT is idempotent,
                # and a browser sends it again on a fresh connection, as here (once seen in
                # CI on a loaded machine).
                if "ECONNRESET" not in str(exc) or attempt == 2:
                    raise
        raise AssertionError("unreachable")

    def own_session() -> str:
        """Of the ids the server sent, the one it knows as a session (others: 400)."""
        [session] = [s for s in dict.fromkeys(seen) if put(s, 0.001, "probe") != 400]
        return session

    page.goto(app_url)
    map_frame(page)
    anonymous = own_session()
    assert put(anonymous, 19, "anything") == 403, "anonymous: refused, not kept"
    seen.clear()
    sign_in_staff(page, app_url)
    staff = own_session()
    assert put(staff, 19, "first") == 204
    assert put(staff, 19, "second") == 204
    assert put(staff, 19, "third") == 413, "at most two 20 MB files held at once"
    assert put(staff, 19, "second") == 204, "replacing a held file is fine"
    context.close()


@pytest.fixture(scope="module")
def proxy_url(app_url, tmp_path_factory):
    """The app behind the shipped nginx configuration (deploy/nginx.conf)."""
    from tests.support.services import nginx

    binary = nginx()
    prefix = tmp_path_factory.mktemp("proxy")
    prefix.chmod(0o777)  # nginx's workers run as nobody when the tests run as root
    port = free_port()
    conf = (ROOT / "deploy" / "nginx.conf").read_text(encoding="utf-8")
    assert "listen 8080;" in conf and "server 127.0.0.1:8501;" in conf
    conf = conf.replace("listen 8080;", f"listen 127.0.0.1:{port};").replace(
        "server 127.0.0.1:8501;", f"server {app_url.removeprefix('http://')};")
    (prefix / "nginx.conf").write_text(conf, encoding="utf-8")
    proc = subprocess.Popen([binary, "-p", str(prefix), "-c", str(prefix / "nginx.conf"),
                             "-g", "daemon off;"], stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    for _ in range(100):
        try:
            with urllib.request.urlopen(f"{base}/_stcore/health", timeout=1):
                break
        except OSError:
            time.sleep(0.1)
    else:
        proc.kill()
        pytest.fail("nginx did not start: " + proc.stdout.read().decode()[-2000:])
    yield base
    proc.terminate()
    proc.wait(timeout=10)


def _get(url: str, **headers) -> tuple[int, dict, bytes]:
    request = urllib.request.Request(url, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=10) as r:
            return r.status, {k.lower(): v for k, v in r.headers.items()}, r.read()
    except urllib.error.HTTPError as exc:
        return exc.code, {k.lower(): v for k, v in exc.headers.items()}, b""


def test_the_shipped_proxy_closes_metrics_and_framing_and_compresses(app_url, proxy_url):
    """Issue 18, finding 8 (and issue 20's compression): what Streamlit alone leaves open,
    deploy/nginx.conf closes."""
    import re

    assert _get(f"{app_url}/_stcore/metrics")[0] == 200, "Streamlit alone serves it"
    assert _get(f"{proxy_url}/_stcore/metrics")[0] == 404
    for path in ("/", "/signin"):
        status, headers, page = _get(proxy_url + path)
        assert status == 200
        assert headers["x-frame-options"] == "SAMEORIGIN"
        assert headers["content-security-policy"] == "frame-ancestors 'self'"
    status, headers, _ = _get(f"{proxy_url}/?embed=true")
    assert "x-frame-options" not in headers
    assert headers["content-security-policy"] == "frame-ancestors *", "the embed may be framed"
    script = re.search(rb'src="\.?/?(static/js/[^"]+\.js)"', page).group(1).decode()
    plain = _get(f"{proxy_url}/{script}")
    packed = _get(f"{proxy_url}/{script}", **{"Accept-Encoding": "gzip"})
    assert packed[1].get("content-encoding") == "gzip"
    assert len(packed[2]) * 3 < len(plain[2]), (len(packed[2]), len(plain[2]))


def test_the_proxy_paints_the_atlas_name_in_the_visitors_language(proxy_url):
    """Issue 20: before Streamlit's scripts arrive (seconds on slow 4G), the page itself
    shows the atlas's name and tagline, in the language the app will choose; the words
    are the catalogues'."""
    import re

    from atlas_app.i18n import translator

    tagline = "European organisations using digital technology for the common good."
    for query, accept, lang in (("", "", "en"), ("?lang=fr", "de-DE,de", "fr"),
                                ("", "pl-PL,pl;q=0.9,en;q=0.5", "pl"),
                                ("?lang=en", "pt-PT", "en"), ("?lang=xx", "it", "it")):
        headers = {"Accept-Language": accept} if accept else {}
        status, _, page = _get(f"{proxy_url}/{query}", **headers)
        text = page.decode()
        shell = re.search(r'<div class="atlas-shell" lang="(\w+)"><h1>Social Tech Atlas</h1>'
                          r"<p>([^<]+)</p>", text)
        assert status == 200 and shell, text[-600:]
        assert shell.groups() == (lang, translator(lang)(tagline)), (query, accept)
        assert 'rel="preload"' not in text, "the unused font is not preloaded"
        assert '.st-key-filters [data-testid="stIconMaterial"]{font-family:inherit' in text


def test_the_map_works_through_the_proxy(proxy_url, browser):
    """WebSockets pass the proxy: the map draws and a search answers. A first visit
    fetches no text font (the page uses the visitor's system font) and only the large
    places' names; the icon font is not loaded up front (the filter button's chevron is
    drawn by CSS; Streamlit may still show an icon of it while it connects on a busy
    server) — issue 20: bytes."""
    import re

    context = browser.new_context(viewport={"width": 1300, "height": 900})
    page = context.new_page()
    fetched = []
    context.on("request", lambda request: fetched.append(request.url))
    page.goto(proxy_url)
    map_frame(page)
    assert map_names(page)
    page.wait_for_timeout(1500)  # late requests (fonts, place names) would be made by now
    assert any(url.endswith("/basemap/places-large.json") for url in fetched), fetched
    assert not [url for url in fetched if url.endswith("/basemap/places.json")]
    assert not [url for url in fetched if "SourceSans" in url]
    [script] = {url for url in fetched
                if re.fullmatch(re.escape(proxy_url) + r"/static/js/index\.[\w-]+\.js", url)}
    served = _get(script)[2]
    assert b"Promise.resolve(`1em" in served and b"document.fonts.load(`1em" not in served
    chevron = page.locator(".st-key-filters [data-testid='stIconMaterial']").first
    assert chevron.evaluate("e => getComputedStyle(e, '::after').borderRightStyle") == "solid"
    context.close()
