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
from atlas_app.public.index import RegistryIndex
from atlas_app.registry.schema import Taxonomy

EUROPE_CENTRE = (50.0, 10.0)
EUROPE_ZOOM = 4
DEFAULT_ASSET_BASE = "../../app/static"

# What the map needs from the browser, served by the app itself (atlas_app/ui/static,
# filled by assets/vendor.mjs) instead of folium's CDNs.
MAP_JS = (("leaflet", "vendor/leaflet/leaflet.js"), ("jquery", "vendor/jquery/jquery.min.js"))
MAP_CSS = (("leaflet_css", "vendor/leaflet/leaflet.css"),)
CLUSTER_JS = (("supercluster", "vendor/supercluster/supercluster.min.js"),)
CLUSTER_CSS = (("markerclustercss", "vendor/markercluster/MarkerCluster.css"),
               ("markerclusterdefaultcss", "vendor/markercluster/MarkerCluster.Default.css"))
BASEMAP = "basemap/countries.json"
PLACES_CREDIT = N_("Places: © GeoNames (CC BY 4.0)")
OUTLINES_CREDIT = N_("Country outlines: Natural Earth")


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


class CountryOutlines(MacroElement):
    """An offline basemap: Natural Earth country outlines fetched from the app itself."""

    _template = Template("""
        {% macro script(this, kwargs) %}
        (function (map) {
            map.createPane("outlines");
            map.getPane("outlines").style.zIndex = 200;
            map.getContainer().style.background = "#dfe9f0";
            fetch({{ this.url|tojson }})
                .then(function (response) { return response.json(); })
                .then(function (data) {
                    L.geoJSON(data, {pane: "outlines", interactive: false,
                        style: {color: "#8a9aa8", weight: 0.8, fillColor: "#f7f5f0",
                                fillOpacity: 1}}).addTo(map);
                });
        })({{ this._parent.get_name() }});
        {% endmacro %}
    """)

    def __init__(self, url: str) -> None:
        super().__init__()
        self._name = "CountryOutlines"
        self.url = url


class OrganisationLayer(JSCSSMixin, MacroElement):
    """Dots coloured by sector and clusters, built in the browser from the payload of
    :meth:`atlas_app.public.index.RegistryIndex.payload`: small selections arrive whole and
    are clustered here with Supercluster; large ones arrive aggregated for the view. Only
    what the viewport shows exists as Leaflet layers."""

    _template = Template("""
        {% macro script(this, kwargs) %}
        (function (group) {
            var data = {{ this.payload }};
            var escapeHtml = function (text) {
                return String(text).replace(/[&<>"']/g, function (c) {
                    return {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;",
                            "'": "&#39;"}[c];
                });
            };
            var popup = function (row) {
                var box = document.createElement("div");
                var name = document.createElement("strong");
                name.textContent = row[4];
                var about = document.createElement("div");
                var sector = data.sectors[row[3]];
                about.textContent = (sector ? sector[1] : "") + (row[5] ? " · " + row[5] : "");
                box.appendChild(name);
                box.appendChild(about);
                return box;
            };
            var pointMarker = function (i) {
                var row = data.rows[i], sector = data.sectors[row[3]];
                var marker = L.circleMarker([row[1], row[2]], {radius: 7, color: "#ffffff",
                    weight: 1.5, fillColor: sector ? sector[2] : "#777777", fillOpacity: 0.92,
                    orgId: row[0]});
                marker.bindTooltip(escapeHtml(row[4]));
                marker.bindPopup(function () { return popup(row); });
                return marker;
            };
            var abbreviate = function (n) {
                return n >= 1e6 ? Math.round(n / 1e5) / 10 + "M" : n >= 1e4 ?
                    Math.round(n / 1e3) + "k" : n >= 1e3 ? Math.round(n / 100) / 10 + "k" :
                    String(n);
            };
            var clusterMarker = function (latlng, count, zoomTo) {
                var size = count < 10 ? "small" : count < 100 ? "medium" : "large";
                var label = document.createElement("span");
                label.textContent = abbreviate(count);
                var inner = document.createElement("div");
                inner.appendChild(label);
                var marker = L.marker(latlng, {icon: L.divIcon({html: inner.outerHTML,
                    className: "marker-cluster marker-cluster-" + size,
                    iconSize: L.point(40, 40)}), keyboard: true, title: String(count)});
                marker.on("click", function () {
                    var map = group._map;
                    map.setView(latlng, Math.min(zoomTo(map), map.getMaxZoom()));
                });
                return marker;
            };
            // Up to a few thousand organisations come whole and are clustered here; a
            // larger selection comes already aggregated by the server for this view.
            var index = data.clusters ? null : new Supercluster({radius: 50, maxZoom: 16}).load(
                data.rows.map(function (row, i) {
                    return {type: "Feature", properties: {i: i},
                            geometry: {type: "Point", coordinates: [row[2], row[1]]}};
                }));
            var layer = L.featureGroup();
            var draw = function () {
                var map = group._map;
                if (!map) { return; }
                layer.clearLayers();
                if (!index) {
                    data.clusters.forEach(function (c) {
                        layer.addLayer(clusterMarker([c[0], c[1]], c[2],
                            function (m) { return m.getZoom() + 2; }));
                    });
                    data.rows.forEach(function (row, i) { layer.addLayer(pointMarker(i)); });
                    return;
                }
                var b = map.getBounds().pad(0.2);
                var west = Math.max(-180, b.getWest()), east = Math.min(180, b.getEast());
                var items = index.getClusters([west, Math.max(-85, b.getSouth()), east,
                                               Math.min(85, b.getNorth())],
                                              Math.round(map.getZoom()));
                items.forEach(function (item) {
                    var p = item.properties;
                    layer.addLayer(p.cluster ? clusterMarker(
                        [item.geometry.coordinates[1], item.geometry.coordinates[0]],
                        p.point_count, function () {
                            return index.getClusterExpansionZoom(p.cluster_id); })
                        : pointMarker(p.i));
                });
            };
            var onAdd = function () {
                var map = group._map;
                group.addLayer(layer);
                if (data.fit) {
                    map.fitBounds(L.latLngBounds(data.fit).pad(0.1), {maxZoom: 9,
                                                                     animate: false});
                }
                if (index) {
                    map.on("moveend", draw);
                    group.once("remove", function () { map.off("moveend", draw); });
                }
                draw();
            };
            // A handle for tests and debugging; the newest data layer wins.
            window.atlasLayer = {data: data, layer: layer, pointMarker: pointMarker, redraw: draw};
            if (group._map) { onAdd(); } else { group.once("add", onAdd); }
        })({{ this._parent.get_name() }});
        {% endmacro %}
    """)

    def __init__(self, payload: dict | str, asset_base: str) -> None:
        super().__init__()
        self._name = "OrganisationLayer"
        self.payload = payload if isinstance(payload, str) else json_for_script(payload)
        self.default_js = _local(CLUSTER_JS, asset_base)
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
    fmap.options.update(minZoom=2, maxZoom=18)
    fmap.default_js = _local(MAP_JS, asset_base)
    fmap.default_css = _local(MAP_CSS, asset_base)
    if tile_url:
        folium.TileLayer(tiles=tile_url, attr=tile_attribution or " ", name="basemap",
                         max_zoom=19).add_to(fmap)
    else:
        CountryOutlines(f"{asset_base.rstrip('/')}/{BASEMAP}").add_to(fmap)
        Attribution(translator(lang)(OUTLINES_CREDIT)).add_to(fmap)
    Attribution(translator(lang)(PLACES_CREDIT)).add_to(fmap)
    return fmap


def build_data_layer(frame: pd.DataFrame | None, taxonomy: Taxonomy, *, lang: str = "en",
                     asset_base: str = DEFAULT_ASSET_BASE,
                     payload_json: str | None = None) -> folium.FeatureGroup:
    """The organisations of ``frame`` as one FeatureGroup holding the data layer.

    ``payload_json`` (``json_for_script(map_payload(…))``, e.g. from a cache) replaces
    ``frame``.
    """
    group = folium.FeatureGroup(name="organisations")
    payload = payload_json if payload_json is not None else map_payload(frame, taxonomy, lang)
    OrganisationLayer(payload, asset_base).add_to(group)
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
