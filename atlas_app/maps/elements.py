"""Build the folium map: a fixed base map, and a data layer built in the browser from JSON.

No folium object per organisation: the organisations travel as one compact JSON array,
and a few lines of JavaScript make the dots, clusters, tooltips and popups. Text is put
on the page with ``textContent`` (or escaped for Leaflet's tooltips), never as markup,
and the JSON is escaped for a ``<script>`` block, so a hostile name is only ever text.

The base map is deterministic, so streamlit-folium keeps it mounted; filters and (for
large selections, aggregated on the server) the viewport change only the data layer (a
FeatureGroup), which updates in place.
"""

from __future__ import annotations

import json

import folium
import numpy as np
import pandas as pd
from branca.element import MacroElement
from folium.elements import JSCSSMixin
from jinja2 import Template

from atlas_app.i18n import N_, translator
from atlas_app.maps.basemap import name_languages
from atlas_app.public.index import RegistryIndex
from atlas_app.registry.schema import Taxonomy

EUROPE_CENTRE = (50.0, 10.0)
EUROPE_ZOOM = 4
DEFAULT_ASSET_BASE = "../../app/static"

# What the map needs from the browser, served by the app itself (atlas_app/ui/static,
# filled by assets/vendor.mjs) instead of folium's CDNs.
MAP_JS = (("leaflet", "vendor/leaflet/leaflet.js"),)
MAP_CSS = (("leaflet_css", "vendor/leaflet/leaflet.css"),)
CLUSTER_JS = (("supercluster", "vendor/supercluster/supercluster.min.js"),)
CLUSTER_CSS = (("markerclustercss", "vendor/markercluster/MarkerCluster.css"),
               ("markerclusterdefaultcss", "vendor/markercluster/MarkerCluster.Default.css"),
               ("atlas_map_css", "atlas/map.css"))
# The atlas's own map code (a file, linted and unit-tested with node --test).
ATLAS_JS = (("atlas_map", "atlas/layer.js"),)
BASEMAP = "basemap/countries.json"
DETAILED_BASEMAP = "basemap/countries-10m.json"
PLACES = ("basemap/places-large.json", "basemap/places.json")  # see maps/basemap.py
PLACE_NAMES = "basemap/names-{lang}.json"
PLACES_CREDIT = N_("Places: © GeoNames (CC BY 4.0)")
OUTLINES_CREDIT = N_("Country outlines: Natural Earth")
MAP_LABEL = N_("Map of the organisations")
NEAR_ME = N_("Near me")
# Leaflet's own words, which it writes in English: given in the page's language.
CONTROL_WORDS = {"zoomIn": N_("Zoom in"), "zoomOut": N_("Zoom out")}


def _local(assets: tuple[tuple[str, str], ...], base: str) -> list[tuple[str, str]]:
    return [(name, f"{base.rstrip('/')}/{path}") for name, path in assets]


def json_for_script(value: object) -> str:
    """JSON that is safe inside a ``<script>`` block and a JavaScript string."""
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    for raw, escaped in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026"),
                         ("\u2028", "\\u2028"), ("\u2029", "\\u2029"), ("`", "\\u0060"),
                         ("$", "\\u0024")):
        text = text.replace(raw, escaped)
    return text


def map_payload(frame: pd.DataFrame, taxonomy: Taxonomy, lang: str = "en") -> dict:
    """The data layer's JSON for every organisation of ``frame``, fitted to them (see
    :meth:`atlas_app.public.index.RegistryIndex.payload`)."""
    index = RegistryIndex.from_frame(frame)
    return index.payload(np.ones(len(index), dtype=bool), None, taxonomy, lang, fit=True)


class Attribution(MacroElement):
    """A credit line in the map's attribution control."""

    _template = Template("""
        {% macro script(this, kwargs) %}
        {{ this._parent.get_name() }}.attributionControl.addAttribution({{ this.text|tojson }});
        {% endmacro %}
    """)

    def __init__(self, text: str) -> None:
        super().__init__()
        self._name = "Attribution"
        self.text = text


class CountryOutlines(JSCSSMixin, MacroElement):
    """An offline basemap: Natural Earth country outlines fetched from the app itself."""

    _template = Template("""
        {% macro script(this, kwargs) %}
        AtlasMap.outlines({{ this._parent.get_name() }}, {{ this.url|tojson }},
                          {{ this.detailed_url|tojson }}, {{ this.places_urls|tojson }},
                          {{ this.names_url|tojson }});
        {% endmacro %}
    """)

    def __init__(self, asset_base: str, *, places: bool = True, lang: str = "en") -> None:
        super().__init__()
        self._name = "CountryOutlines"
        base = asset_base.rstrip("/")
        self.url = f"{base}/{BASEMAP}"
        self.detailed_url = f"{base}/{DETAILED_BASEMAP}"
        self.places_urls = [f"{base}/{path}" for path in PLACES] if places else []
        # The places' names in the page's language (maps/basemap.py), where there is a file.
        self.names_url = f"{base}/{PLACE_NAMES.format(lang=lang)}" \
            if places and lang in name_languages() else ""
        self.default_js = _local(ATLAS_JS, asset_base)
        # map.css after the cluster styles it overrides (folium loads each name once).
        self.default_css = _local(CLUSTER_CSS, asset_base)


class MapSetup(JSCSSMixin, MacroElement):
    """Pinch-zoom, a name for the map, Escape reported to the page, a "Near me" button,
    Leaflet's controls in the page's language (``AtlasMap.setup``)."""

    _template = Template("""
        {% macro script(this, kwargs) %}
        AtlasMap.setup({{ this._parent.get_name() }}, {{ this.label|tojson }},
                       {{ this.near_me|tojson }}, {{ this.words|tojson }});
        {% endmacro %}
    """)

    def __init__(self, label: str, asset_base: str, near_me: str = "",
                 words: dict[str, str] | None = None) -> None:
        super().__init__()
        self._name = "MapSetup"
        self.label = label
        self.near_me = near_me
        self.words = words or {}
        self.default_js = _local(ATLAS_JS, asset_base)


class OrganisationLayer(JSCSSMixin, MacroElement):
    """Dots coloured by sector and clusters, drawn in the browser by ``AtlasMap``
    (``ui/static/atlas/layer.js``) from the payload of
    :meth:`atlas_app.public.index.RegistryIndex.payload`; the template only passes it."""

    _template = Template("""
        {% macro script(this, kwargs) %}
        AtlasMap.organisations({{ this._parent.get_name() }}, {{ this.payload }},
                               {{ this.selected }}, {{ this.focus }});
        {% endmacro %}
    """)

    def __init__(self, payload: dict | str, asset_base: str,
                 selected: tuple[int, float, float] | None = None,
                 focus: tuple[float, float, int] | None = None) -> None:
        super().__init__()
        self._name = "OrganisationLayer"
        self.payload = payload if isinstance(payload, str) else json_for_script(payload)
        self.selected = json_for_script(list(selected) if selected else None)
        self.focus = json_for_script(list(focus) if focus else None)
        self.default_js = _local(CLUSTER_JS + ATLAS_JS, asset_base)
        self.default_css = _local(CLUSTER_CSS, asset_base)


def build_base_map(*, tile_url: str = "", tile_attribution: str = "",
                   asset_base: str = DEFAULT_ASSET_BASE, lang: str = "en") -> folium.Map:
    """The map without data: same output for the same settings (so it stays mounted).

    ``asset_base`` is the relative URL of the app's static folder, where Leaflet and its
    plugins are served. Without ``tile_url`` the offline country outlines are drawn.
    """
    fmap = folium.Map(location=EUROPE_CENTRE, zoom_start=EUROPE_ZOOM, tiles=None,
                      prefer_canvas=True)
    # MarkerCluster needs the map's maxZoom, which is otherwise taken from a tile layer
    # (folium passes its own min/max zoom arguments to the tiles only).
    # The map stays over Europe and around it (what the basemap covers): dragged or
    # wheeled away, it comes back.
    fmap.options.update(minZoom=2, maxZoom=18, maxBounds=[[15.0, -60.0], [80.0, 90.0]],
                        maxBoundsViscosity=0.7)
    fmap.default_js = _local(MAP_JS, asset_base)
    fmap.default_css = _local(MAP_CSS, asset_base)
    _ = translator(lang)
    MapSetup(_(MAP_LABEL), asset_base, _(NEAR_ME),
             {key: _(word) for key, word in CONTROL_WORDS.items()}).add_to(fmap)
    if tile_url:
        folium.TileLayer(tiles=tile_url, attr=tile_attribution or " ", name="basemap",
                         max_zoom=19).add_to(fmap)
    else:
        CountryOutlines(asset_base, lang=lang).add_to(fmap)
        Attribution(translator(lang)(OUTLINES_CREDIT)).add_to(fmap)
    Attribution(translator(lang)(PLACES_CREDIT)).add_to(fmap)
    return fmap


def build_data_layer(frame: pd.DataFrame | None, taxonomy: Taxonomy, *, lang: str = "en",
                     asset_base: str = DEFAULT_ASSET_BASE,
                     payload_json: str | None = None,
                     selected: tuple[int, float, float] | None = None,
                     focus: tuple[float, float, int] | None = None) -> folium.FeatureGroup:
    """The organisations of ``frame`` as one FeatureGroup holding the data layer.

    ``payload_json`` (``json_for_script(map_payload(…))``, e.g. from a cache) replaces
    ``frame``; ``selected`` is the selected organisation's (id, latitude, longitude),
    ringed and brought into view; ``focus`` (latitude, longitude, token) is a town the
    visitor asked to see (the map moves there once per token).
    """
    group = folium.FeatureGroup(name="organisations")
    payload = payload_json if payload_json is not None else map_payload(frame, taxonomy, lang)
    OrganisationLayer(payload, asset_base, selected, focus).add_to(group)
    return group


def build_map(frame: pd.DataFrame, taxonomy: Taxonomy, *, lang: str = "en",
              tile_url: str = "", tile_attribution: str = "",
              asset_base: str = DEFAULT_ASSET_BASE) -> folium.Map:
    """Base map and data layer together: a complete map for a standalone HTML page."""
    fmap = build_base_map(tile_url=tile_url, tile_attribution=tile_attribution,
                          asset_base=asset_base, lang=lang)
    build_data_layer(frame, taxonomy, lang=lang, asset_base=asset_base).add_to(fmap)
    return fmap


CHOROPLETH_COLOURS = ("#e0f3f8", "#abd9e9", "#74add1", "#4575b4", "#313695")  # ColorBrewer


def choropleth_class(value: float | None, bounds: list[float]) -> int | None:
    """Index of the class a value falls in (None: no organisation or no data)."""
    if value is None or value != value or value <= 0 or not bounds:
        return None
    return next((i for i, bound in enumerate(bounds) if value <= bound), len(bounds) - 1)


def build_choropleth(outlines: dict, values: dict[str, float], labels: dict[str, str],
                     bounds: list[float], *, asset_base: str = DEFAULT_ASSET_BASE,
                     lang: str = "en") -> folium.Map:
    """Europe's countries coloured by ``values`` (ISO code → number), one class per bound.

    ``outlines`` is the basemap GeoJSON whose features carry ``properties.code``.
    """
    fmap = build_base_map(asset_base=asset_base, lang=lang, tile_url="")
    palette = CHOROPLETH_COLOURS[-len(bounds):] if bounds else ()
    features = []
    for feature in outlines["features"]:
        code = feature["properties"].get("code")
        value = values.get(code) if code else None
        cls = choropleth_class(value, list(bounds))
        features.append({**feature, "properties": {
            "code": code or "", "label": labels.get(code, feature["properties"]["name"]),
            "fill": palette[cls] if cls is not None else "#f7f5f0"}})
    folium.GeoJson(
        {"type": "FeatureCollection", "features": features}, name="choropleth",
        style_function=lambda f: {"fillColor": f["properties"]["fill"], "color": "#8a9aa8",
                                  "weight": 0.8, "fillOpacity": 0.9},
        highlight_function=lambda f: {"weight": 2.5, "color": "#332288"},
        tooltip=folium.GeoJsonTooltip(fields=["label"], labels=False),
    ).add_to(fmap)
    return fmap
