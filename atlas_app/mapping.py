"""Build the folium map of organisations: one dot per organisation, one colour per sector.

Every text that reaches the map goes through :func:`safe_text`. folium writes popup and
tooltip HTML into JavaScript template literals, so HTML escaping alone is not enough:
backticks, ``${`` and backslashes are also turned into entities.
"""

from __future__ import annotations

import html
import math

import folium
import pandas as pd
from branca.element import MacroElement
from folium.plugins import MarkerCluster
from jinja2 import Template

from .countries import country_name
from .schema import KIND_LABELS, Taxonomy

EUROPE_CENTRE = (50.0, 10.0)
EUROPE_ZOOM = 4
FALLBACK_COLOUR = "#777777"

# What the map needs from the browser, served by the app itself (atlas_app/ui/static,
# filled by assets/vendor.mjs) instead of folium's CDNs.
MAP_JS = (("leaflet", "vendor/leaflet/leaflet.js"), ("jquery", "vendor/jquery/jquery.min.js"))
MAP_CSS = (("leaflet_css", "vendor/leaflet/leaflet.css"),)
CLUSTER_JS = (("markerclusterjs", "vendor/markercluster/leaflet.markercluster.js"),)
CLUSTER_CSS = (("markerclustercss", "vendor/markercluster/MarkerCluster.css"),
               ("markerclusterdefaultcss", "vendor/markercluster/MarkerCluster.Default.css"))
BASEMAP = "basemap/countries.json"
PLACES_CREDIT = "Places: © GeoNames (CC BY 4.0)"


def _local(assets: tuple[tuple[str, str], ...], base: str) -> list[tuple[str, str]]:
    return [(name, f"{base.rstrip('/')}/{path}") for name, path in assets]


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


def safe_text(value: object) -> str:
    """Text made inert for HTML *and* for a JavaScript template literal."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    escaped = html.escape(str(value), quote=True)
    return escaped.replace("`", "&#96;").replace("$", "&#36;").replace("\\", "&#92;")


def safe_url(url: object) -> str | None:
    """An http(s) URL fit for an href, or None. Registry URLs are validated on the way
    in; this is the last line of defence for anything else."""
    if not isinstance(url, str):
        return None
    lowered = url.strip().lower()
    if not (lowered.startswith("https://") or lowered.startswith("http://")):
        return None
    if any(ch.isspace() or ch in "\"'<>`\\" for ch in url):
        return None
    return safe_text(url.strip())


def popup_html(org: dict, taxonomy: Taxonomy, lang: str = "en") -> str:
    """The HTML shown when a dot is clicked."""
    sector = taxonomy.get(org.get("sector") or "")
    kind = KIND_LABELS.get(org.get("kind") or "", ("", ""))[1 if lang == "fr" else 0]
    first, second = ("description_fr", "description_en") if lang == "fr" \
        else ("description_en", "description_fr")
    description = org.get(first) or org.get(second) or ""
    place = ", ".join(p for p in (org.get("city"), country_name(org.get("country") or "", lang))
                      if p)
    parts = [f"<strong>{safe_text(org.get('name'))}</strong>",
             f"<div>{safe_text(sector.label(lang) if sector else org.get('sector'))}"
             f" · {safe_text(kind)}</div>",
             f"<div>{safe_text(place)}</div>"]
    if description:
        parts.append(f"<p>{safe_text(description)}</p>")
    url = safe_url(org.get("website"))
    if url:
        parts.append(f'<a href="{url}" target="_blank" rel="noopener noreferrer nofollow">'
                     f"{url}</a>")
    return "".join(parts)


def build_map(frame: pd.DataFrame, taxonomy: Taxonomy, *, lang: str = "en",
              tile_url: str = "", tile_attribution: str = "",
              cluster: bool = True, asset_base: str | None = None) -> folium.Map:
    """A folium map of the located rows of ``frame``, coloured by sector.

    ``asset_base`` is the (relative) URL of the app's static folder: Leaflet and its
    plugins then load from there instead of from CDNs, and with no ``tile_url`` the
    offline country outlines are drawn instead of tiles.
    """
    fmap = folium.Map(location=EUROPE_CENTRE, zoom_start=EUROPE_ZOOM, tiles=None,
                      control_scale=True, prefer_canvas=True)
    # MarkerCluster needs the map's maxZoom, which is otherwise taken from a tile layer
    # (folium passes its own min/max zoom arguments to the tiles only).
    fmap.options.update(minZoom=2, maxZoom=18)
    if asset_base is not None:
        fmap.default_js = _local(MAP_JS, asset_base)
        fmap.default_css = _local(MAP_CSS, asset_base)
    if tile_url:
        folium.TileLayer(tiles=tile_url, attr=tile_attribution or " ", name="basemap",
                         max_zoom=19).add_to(fmap)
    elif asset_base is not None:
        CountryOutlines(f"{asset_base.rstrip('/')}/{BASEMAP}").add_to(fmap)
        Attribution("Country outlines: Natural Earth").add_to(fmap)
    Attribution(PLACES_CREDIT).add_to(fmap)
    layer = MarkerCluster(name="organisations", options={"showCoverageOnHover": False}) \
        if cluster else folium.FeatureGroup(name="organisations")
    if cluster and asset_base is not None:
        layer.default_js = _local(CLUSTER_JS, asset_base)
        layer.default_css = _local(CLUSTER_CSS, asset_base)
    layer.add_to(fmap)
    located = frame[frame["latitude"].notna() & frame["longitude"].notna()]
    colours = {s.id: s.colour for s in taxonomy.sectors}
    for org in located.to_dict("records"):
        colour = colours.get(org["sector"], FALLBACK_COLOUR)
        folium.CircleMarker(
            location=(float(org["latitude"]), float(org["longitude"])),
            radius=7, color="#ffffff", weight=1.5, fill=True, fill_color=colour,
            fill_opacity=0.9,
            popup=folium.Popup(popup_html(org, taxonomy, lang), max_width=320),
            tooltip=folium.Tooltip(safe_text(org["name"])),
        ).add_to(layer)
    if len(located):
        south, west = located["latitude"].min(), located["longitude"].min()
        north, east = located["latitude"].max(), located["longitude"].max()
        if north - south > 0.01 or east - west > 0.01:
            fmap.fit_bounds([(south, west), (north, east)], padding=(20, 20), max_zoom=12)
    return fmap
