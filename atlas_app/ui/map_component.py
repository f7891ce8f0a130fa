"""The public map as streamlit-folium's component, without rendering folium on every rerun.

``st_folium`` renders the whole folium figure through Jinja on each call (about a fifth
of a public-map rerun's time under load, most of it compiling the same templates again).
Here the base map and the data layer are rendered once per language and settings, with
placeholders where the data goes; a rerun only puts the view's payload into the layer's
script and hands the same arguments to streamlit-folium's own component. The arguments
are exactly those ``st_folium`` would send (``tests/test_map_component.py`` compares
them), so the browser side is unchanged: the base map stays mounted and the data layer
updates in place.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass, field

import folium
import streamlit as st
import streamlit_folium as sf

from atlas_app.maps.elements import OrganisationLayer, build_base_map, json_for_script

# Unique words put where the view's values go (none can occur in folium's output).
_PAYLOAD, _SELECTED, _FOCUS = "__atlas_payload__", "__atlas_selected__", "__atlas_focus__"


@dataclass(frozen=True)
class PreparedMap:
    """What ``st_folium`` would pass to its component for the base map, and the data
    layer's script with placeholders."""

    arguments: dict = field(hash=False)
    layer: str = ""
    key: str = ""


def _prepare(fmap: folium.Map, layer: folium.FeatureGroup, key: str,
             returned_objects: tuple[str, ...]) -> PreparedMap:
    """``st_folium``'s preparation of its arguments (streamlit_folium 0.27), once."""
    fmap.get_root().render()
    fmap.render()
    html, header = sf._get_html(fmap), sf._get_header(fmap)
    leaflet = sf._get_map_string(fmap)
    bounds = fmap.get_bounds()
    defaults = {
        "last_clicked": None, "last_object_clicked": None,
        "last_object_clicked_count": None, "last_object_clicked_tooltip": None,
        "last_object_clicked_popup": None, "all_drawings": None,
        "last_active_drawing": None,
        "bounds": {"_southWest": {"lat": bounds[0][0], "lng": bounds[0][1]},
                   "_northEast": {"lat": bounds[1][0], "lng": bounds[1][1]}},
        "zoom": fmap.options.get("zoom"), "last_circle_radius": None,
        "last_circle_polygon": None, "selected_layers": None, "selected_tags": None,
        "last_geocoder_result": None,
    }
    layer_script = sf._get_feature_group_string(layer, map=fmap, idx=0)
    css_links: list[str] = []
    js_links: list[str] = []
    for element in _walk(fmap):
        css_links.extend(href for _, href in getattr(element, "default_css", []))
        js_links.extend(src for _, src in getattr(element, "default_js", []))
    arguments = {
        "script": leaflet, "header": header, "html": html, "id": sf.get_full_id(fmap),
        "returned_objects": list(returned_objects),
        "default": {k: v for k, v in defaults.items() if k in returned_objects},
        "zoom": None, "center": None, "return_on_hover": False, "layer_control": None,
        "pixelated": False, "css_links": list(dict.fromkeys(css_links)),
        "js_links": list(dict.fromkeys(js_links)), "wrap_longitude": False,
    }
    return PreparedMap(arguments, layer_script, sf.generate_js_hash(leaflet, key, False))


def _walk(element):
    if isinstance(element, folium.elements.JSCSSMixin):
        yield element
    for child in getattr(element, "_children", {}).values():
        yield from _walk(child)


@functools.lru_cache(maxsize=32)
def prepared_public_map(lang: str, tile_url: str, tile_attribution: str, asset_base: str,
                        key: str, returned_objects: tuple[str, ...]) -> PreparedMap:
    """The public map for one language and basemap setting, rendered once per process."""
    fmap = build_base_map(tile_url=tile_url, tile_attribution=tile_attribution,
                          asset_base=asset_base, lang=lang)
    group = folium.FeatureGroup(name="organisations")
    layer = OrganisationLayer("", asset_base)
    layer.payload, layer.selected, layer.focus = _PAYLOAD, _SELECTED, _FOCUS
    layer.add_to(group)
    return _prepare(fmap, group, key, returned_objects)


def layer_script(prepared: PreparedMap, payload_json: str,
                 selected: tuple[int, float, float] | None,
                 focus: tuple[float, float, int] | None) -> str:
    """The data layer's script for one view (``payload_json``: ``json_for_script`` of a
    payload; values safe in a script block)."""
    return (prepared.layer
            .replace(_SELECTED, json_for_script(list(selected) if selected else None))
            .replace(_FOCUS, json_for_script(list(focus) if focus else None))
            .replace(_PAYLOAD, payload_json))


def show_map(prepared: PreparedMap, payload_json: str, *,
             selected: tuple[int, float, float] | None = None,
             focus: tuple[float, float, int] | None = None, key: str, height: int,
             on_change: Callable[[], None] | None = None) -> dict:
    """Draw the prepared map with this view's data; returns what the browser reported
    (as ``st_folium`` does; the value is also in ``st.session_state[key]``)."""
    def _on_change() -> None:
        st.session_state[key] = st.session_state.get(prepared.key, {})
        if on_change is not None:
            on_change()

    return sf._component_func(
        **prepared.arguments, key=prepared.key, height=height, width=None,
        feature_group=layer_script(prepared, payload_json, selected, focus),
        on_change=_on_change)
