"""The folium map: colours, clustering, and hostile text rendered inert (HOSTILE 1-5)."""

from __future__ import annotations

import pandas as pd
import pytest

from atlas_app.mapping import build_map, popup_html, safe_text, safe_url

HOSTILE_NAMES = ["<img src=x onerror=alert(1)>", "${globalThis.PWNED=1}",
                 "Foo\\`);globalThis.PWNED=1;//", "Café `Le Lab`",
                 "</script><script>alert(1)</script>"]


def frame(names, **extra):
    rows = [{"id": i + 1, "name": n, "description_en": extra.get("description", "d"),
             "description_fr": None, "website": extra.get("website", "https://a.org"),
             "kind": "support", "sector": "health", "country": "FR", "city": "Paris",
             "tags": [], "latitude": 48.85 + i / 100, "longitude": 2.35}
            for i, n in enumerate(names)]
    return pd.DataFrame(rows)


@pytest.mark.parametrize("name", HOSTILE_NAMES)
def test_safe_text_leaves_nothing_active(name):
    out = safe_text(name)
    for dangerous in ("<", ">", "`", "${", "\\"):
        assert dangerous not in out
    assert "&" in out or name == out


@pytest.mark.parametrize("name", HOSTILE_NAMES)
def test_hostile_names_never_reach_the_page_raw(taxonomy, name):
    html = build_map(frame([name], description=name), taxonomy).get_root().render()
    assert name not in html
    assert safe_text(name) in html


def test_unsafe_urls_never_become_links():
    assert safe_url("javascript:alert(1)") is None
    assert safe_url('https://x.org/"onmouseover="a') is None
    assert safe_url("https://x.org/a?b=1&c=2") == "https://x.org/a?b=1&amp;c=2"


def test_popup_shows_sector_label_and_falls_back_to_other_language(taxonomy):
    org = frame(["Lab"]).iloc[0].to_dict()
    html = popup_html(org, taxonomy, lang="fr")
    assert "Santé et soin" in html and "<p>d</p>" in html and "France" in html


def test_each_dot_has_its_sector_colour_and_only_located_rows_are_drawn(taxonomy):
    f = frame(["A", "B"])
    f.loc[1, ["latitude", "longitude"]] = None
    html = build_map(f, taxonomy).get_root().render()
    assert html.count("L.circleMarker(") == 1
    assert taxonomy.get("health").colour in html
    assert "markerClusterGroup" in html


def test_no_tile_server_means_no_tile_layer(taxonomy):
    html = build_map(frame(["A"]), taxonomy, tile_url="").get_root().render()
    assert "L.tileLayer(" not in html
    html = build_map(frame(["A"]), taxonomy, tile_url="http://127.0.0.1:9/{z}/{x}/{y}.png",
                     tile_attribution="local").get_root().render()
    assert "http://127.0.0.1:9/{z}/{x}/{y}.png" in html


def test_assets_come_from_the_app_and_exist(taxonomy):
    import re
    from pathlib import Path

    static = Path(__file__).resolve().parent.parent / "atlas_app" / "ui" / "static"
    html = build_map(frame(["A"]), taxonomy, asset_base="../../app/static").get_root().render()
    links = re.findall(r'<(?:script|link)[^>]+(?:src|href)="([^"]+)"', html)
    assert len(links) == 6
    for link in links:
        assert link.startswith("../../app/static/")
        assert (static / link.removeprefix("../../app/static/")).is_file()
    assert "basemap/countries.json" in html and "Natural Earth" in html and "GeoNames" in html
