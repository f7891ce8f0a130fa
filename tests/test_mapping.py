"""The folium map: data as escaped JSON, local assets, deterministic base (HOSTILE 1-5)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pandas as pd
import pytest

from atlas_app.maps.elements import build_base_map, build_map, json_for_script, map_payload
from atlas_app.text import safe_url

HOSTILE_NAMES = ["<img src=x onerror=alert(1)>", "${globalThis.PWNED=1}",
                 "Foo\\`);globalThis.PWNED=1;//", "Café `Le Lab`",
                 "</script><script>alert(1)</script>", "\u2028line"]
STATIC = Path(__file__).resolve().parent.parent / "atlas_app" / "ui" / "static"


def frame(names, **extra):
    rows = [{"id": i + 1, "name": n, "description_en": "d", "description_fr": None,
             "website": "https://a.org", "kind": "support", "sector": extra.get("sector", "health"),
             "country": "FR", "city": "Paris", "tags": [], "latitude": 48.85 + i / 100,
             "longitude": 2.35} for i, n in enumerate(names)]
    return pd.DataFrame(rows)


@pytest.mark.parametrize("name", HOSTILE_NAMES)
def test_json_for_script_keeps_text_inert_and_exact(name):
    encoded = json_for_script({"name": name})
    for dangerous in ("<", ">", "`", "\u2028"):
        assert dangerous not in encoded
    assert json.loads(encoded) == {"name": name}


@pytest.mark.parametrize("name", HOSTILE_NAMES)
def test_hostile_names_never_reach_the_page_raw(taxonomy, name):
    page = build_map(frame([name]), taxonomy).get_root().render()
    assert name not in page
    assert json_for_script(name) in page


def test_payload_is_one_short_row_per_located_organisation(taxonomy):
    f = frame(["A", "B", "C"], sector="education")
    f.loc[1, ["latitude", "longitude"]] = None
    payload = map_payload(f, taxonomy, lang="fr")
    assert payload["rows"] == [[1, 48.85, 2.35, 0, "A", "Paris"], [3, 48.87, 2.35, 0, "C", "Paris"]]
    assert payload["sectors"][0] == ["education", "Éducation et compétences", "#332288"]


def test_no_folium_object_per_organisation(taxonomy):
    page = build_map(frame([f"Org {i}" for i in range(200)]), taxonomy).get_root().render()
    # the page only passes data: one call of the map script, no marker per organisation
    assert page.count("AtlasMap.organisations(") == 1 and "L.circleMarker(" not in page
    assert page.count('"Org 1"') == 1 and 'src="../../app/static/atlas/layer.js"' in page
    script = (STATIC / "atlas" / "layer.js").read_text()
    assert script.count("L.circleMarker(") == 2  # the dots, and the selection's ring
    assert "bindTooltip(escapeHtml(" in script and "textContent" in script


def test_base_map_is_the_same_whatever_the_data(taxonomy):
    from streamlit_folium import _get_map_string, generate_js_hash

    a = generate_js_hash(_get_map_string(build_base_map()), "k")
    b = generate_js_hash(_get_map_string(build_base_map()), "k")
    assert a == b


def test_unsafe_urls_never_become_links():
    assert safe_url("javascript:alert(1)") is None
    assert safe_url('https://x.org/"onmouseover="a') is None
    assert safe_url("https://x.org/a?b=1&c=2") == "https://x.org/a?b=1&amp;c=2"


def test_no_tile_server_means_outlines_and_no_tile_layer(taxonomy):
    page = build_map(frame(["A"]), taxonomy, tile_url="").get_root().render()
    assert "L.tileLayer(" not in page and "basemap/countries.json" in page
    page = build_map(frame(["A"]), taxonomy, tile_url="http://127.0.0.1:9/{z}/{x}/{y}.png",
                     tile_attribution="local").get_root().render()
    assert "http://127.0.0.1:9/{z}/{x}/{y}.png" in page


def test_assets_come_from_the_app_and_exist(taxonomy):
    page = build_map(frame(["A"]), taxonomy, asset_base="../../app/static").get_root().render()
    links = re.findall(r'<(?:script|link)[^>]+(?:src|href)="([^"]+)"', page)
    assert len(links) == 7
    for link in links:
        assert link.startswith("../../app/static/")
        assert (STATIC / link.removeprefix("../../app/static/")).is_file()
    assert "Natural Earth" in page and "GeoNames" in page


def test_credits_follow_the_language(taxonomy):
    page = build_base_map(lang="fr").get_root().render()
    assert "Contours des pays : Natural Earth" in page and "Lieux : \\u00a9 GeoNames" in page
