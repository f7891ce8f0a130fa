"""The public map rendered once (ui/map_component.py) sends exactly what st_folium sends."""

from __future__ import annotations

import pytest
import streamlit_folium
from streamlit_folium import st_folium

from atlas_app.maps.elements import build_base_map, build_data_layer, json_for_script
from atlas_app.ui.map_component import prepared_public_map, show_map
from tests.test_mapping import HOSTILE_NAMES, frame

REPORTS = ("last_object_clicked", "last_object_clicked_tooltip", "last_object_clicked_count",
           "bounds", "zoom")


@pytest.fixture
def sent(monkeypatch):
    """What the map component was asked to draw, call by call."""
    calls = []
    monkeypatch.setattr(streamlit_folium, "_component_func",
                        lambda **arguments: calls.append(arguments) or {"zoom": 4})
    return calls


@pytest.mark.parametrize(("lang", "tile_url"), [("en", ""), ("fr", ""),
                                                 ("de", "https://tiles.example/{z}/{x}/{y}.png")])
@pytest.mark.parametrize(("selected", "focus"), [(None, None), ((7, 48.8, 2.3), (45.7, 4.8, 99))])
def test_prepared_map_sends_what_st_folium_sends(sent, taxonomy, lang, tile_url, selected,
                                                 focus):
    from atlas_app.maps.elements import map_payload

    payload = json_for_script(map_payload(frame(HOSTILE_NAMES), taxonomy, lang))
    st_folium(build_base_map(tile_url=tile_url, tile_attribution="© tiles", lang=lang),
              feature_group_to_add=build_data_layer(None, taxonomy, lang=lang,
                                                    payload_json=payload, selected=selected,
                                                    focus=focus),
              key="atlas-map", height=480, use_container_width=True,
              returned_objects=list(REPORTS))
    prepared = prepared_public_map(lang, tile_url, "© tiles", "../../app/static", "atlas-map",
                                   REPORTS)
    value = show_map(prepared, payload, selected=selected, focus=focus, key="atlas-map",
                     height=480)
    expected, got = ({k: v for k, v in call.items() if k != "on_change"} for call in sent)
    assert got == expected
    assert value == {"zoom": 4}
    for name in HOSTILE_NAMES:  # the payload went in escaped, never raw
        assert name not in got["feature_group"]


def test_a_new_view_changes_only_the_data_layer(sent, taxonomy):
    prepared = prepared_public_map("en", "", "", "../../app/static", "atlas-map", REPORTS)
    show_map(prepared, '{"a":1}', key="atlas-map", height=480)
    show_map(prepared, '{"a":2}', selected=(1, 50.0, 4.0), key="atlas-map", height=480)
    first, second = sent
    assert {k for k in first if first[k] != second[k] and k != "on_change"} == {"feature_group"}
    assert '{"a":2}' in second["feature_group"] and "[1,50.0,4.0]" in second["feature_group"]
