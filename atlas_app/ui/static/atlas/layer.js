// The atlas's map behaviour: the offline country outlines and the organisation layer
// (dots coloured by sector, clusters), built in the browser from the JSON payload that
// atlas_app/maps/elements.py passes. Names are put in the DOM as text, never as markup.
// Loaded as a plain script in the map's page (window.AtlasMap); the pure functions are
// also a CommonJS module for `node --test` (assets/test/).
(function (root, factory) {
  var api = factory();
  if (typeof module === "object" && module.exports) { module.exports = api; }
  else { root.AtlasMap = api; }
})(this, function () {
  "use strict";

  var ESCAPES = {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;"};

  /** Text made safe for Leaflet's tooltips (which take HTML). */
  function escapeHtml(text) {
    return String(text).replace(/[&<>"']/g, function (c) { return ESCAPES[c]; });
  }

  /** A cluster's count, short: 999, 1.2k, 35k, 1.2M. */
  function abbreviate(n) {
    return n >= 1e6 ? Math.round(n / 1e5) / 10 + "M" : n >= 1e4 ?
      Math.round(n / 1e3) + "k" : n >= 1e3 ? Math.round(n / 100) / 10 + "k" : String(n);
  }

  /** The cluster icon's size class for a count. */
  function clusterSize(count) {
    return count < 10 ? "small" : count < 100 ? "medium" : "large";
  }

  /** A cluster's ring: a conic gradient with one arc per sector, as wide as its share of
   * the cluster (``mix``: sector index → count; ``sectors``: [id, label, colour]). */
  function ringGradient(mix, sectors) {
    var keys = Object.keys(mix || {}).filter(function (k) { return sectors[k]; });
    var total = keys.reduce(function (sum, k) { return sum + mix[k]; }, 0);
    if (!total) { return ""; }
    var at = 0, stops = keys.sort(function (a, b) { return a - b; }).map(function (k) {
      var from = at;
      at += mix[k] / total * 100;
      return sectors[k][2] + " " + +from.toFixed(2) + "% " + +at.toFixed(2) + "%";
    });
    return "conic-gradient(" + stops.join(", ") + ")";
  }

  /** What a cluster holds, in words: "12 organisations: Health & care 5, Culture 3…". */
  function clusterTitle(count, mix, sectors) {
    var keys = Object.keys(mix || {}).filter(function (k) { return sectors[k]; })
      .sort(function (a, b) { return mix[b] - mix[a]; });
    return String(count) + (keys.length ? ": " + keys.map(function (k) {
      return sectors[k][1] + " " + mix[k];
    }).join(", ") : "");
  }

  /** The line under the name in a popup: "Sector · City". */
  function popupLine(row, sectors) {
    var sector = sectors[row[3]];
    return (sector ? sector[1] : "") + (row[5] ? " · " + row[5] : "");
  }

  /** A popup's content as DOM nodes (the name is text, never markup). */
  function popup(row, sectors, doc) {
    var box = doc.createElement("div");
    var name = doc.createElement("strong");
    name.textContent = row[4];
    var about = doc.createElement("div");
    about.textContent = popupLine(row, sectors);
    box.appendChild(name);
    box.appendChild(about);
    return box;
  }

  // The offline basemap's look: pale land and sea, so that every sector colour (chosen
  // in data/sectors.csv for >= 3:1 against both) stands out; dark place names.
  var LAND = "#f7f5f0", SEA = "#dfe9f0", BORDER = "#8a9aa8";
  var DETAILED_FROM_ZOOM = 6;

  /** The smallest population whose places are named at ``zoom``. */
  function minPopulation(zoom) {
    return zoom <= 4 ? 1000000 : zoom === 5 ? 400000 : zoom === 6 ? 150000 :
      zoom === 7 ? 60000 : zoom === 8 ? 25000 : zoom === 9 ? 12000 : 5000;
  }

  /** Which places to name: the most populous first, big enough for the zoom, inside
   * ``bounds`` ([west, south, east, north]) and not overlapping a label already placed.
   * ``project([lat, lon])`` gives pixels; ``places`` are [name, lat, lon, population],
   * most populous first. Returns indexes into ``places``. */
  function placesToShow(places, bounds, zoom, project, limit) {
    var floor = minPopulation(zoom), boxes = [], chosen = [];
    for (var i = 0; i < places.length && chosen.length < (limit || 120); i++) {
      var p = places[i];
      if (p[3] < floor) { break; }
      if (p[2] < bounds[0] || p[1] < bounds[1] || p[2] > bounds[2] || p[1] > bounds[3]) {
        continue;
      }
      var xy = project([p[1], p[2]]), w = p[0].length * 7 + 10, h = 16;
      var box = [xy[0] - w / 2, xy[1] - h, xy[0] + w / 2, xy[1] + 4];
      var free = boxes.every(function (b) {
        return box[2] < b[0] || box[0] > b[2] || box[3] < b[1] || box[1] > b[3];
      });
      if (free) { boxes.push(box); chosen.push(i); }
    }
    return chosen;
  }

  /** A basemap place's name in the page's language: ``names`` (GeoNames name → name)
   * has it, else GeoNames' own. */
  function placeName(place, names) {
    return (names && Object.prototype.hasOwnProperty.call(names, place[0]) &&
            names[place[0]]) || place[0];
  }

  /** The offline basemap, from the app's own static files: Natural Earth countries at
   * 1:50m, at 1:10m from zoom DETAILED_FROM_ZOOM on, and GeoNames place names:
   * ``placesUrls`` are [the large places, the others]; the others are fetched once the
   * map is zoomed in far enough to need them (a first visit does not). The names are
   * put in the page's language where ``namesUrl`` (``{GeoNames name: name}``) says so. */
  function outlines(map, url, detailedUrl, placesUrls, namesUrl) {
    map.createPane("outlines");
    map.getPane("outlines").style.zIndex = 200;
    map.createPane("places");
    map.getPane("places").style.zIndex = 350;
    map.getPane("places").style.pointerEvents = "none";
    // The names are the basemap's, not content: screen readers skip them.
    map.getPane("places").setAttribute("aria-hidden", "true");
    map.getContainer().style.background = SEA;
    var style = {color: BORDER, weight: 0.8, fillColor: LAND, fillOpacity: 1};
    var layers = {}, places = null, labels = L.layerGroup().addTo(map);
    var parts = (placesUrls || []).map(function () { return null; });
    var fetchPlaces = function (k) {
      if (k >= parts.length || parts[k]) { return; }
      parts[k] = "loading";
      fetch(placesUrls[k]).then(function (r) { return r.json(); }).then(function (data) {
        parts[k] = data;
        // Most populous first across the parts, as placesToShow expects: a part is
        // used once the parts before it are there.
        places = [];
        for (var i = 0; i < parts.length && Array.isArray(parts[i]); i++) {
          places = places.concat(parts[i]);
        }
        name();
      });
    };
    // The names in the page's language: no label is drawn before they are known (so
    // that "Warsaw" never flashes before "Varsovie"); without them, GeoNames' names.
    var names = namesUrl ? null : {};
    var load = function (which, address) {
      if (layers[which] || !address) { return; }
      layers[which] = "loading";
      fetch(address).then(function (r) { return r.json(); }).then(function (data) {
        layers[which] = L.geoJSON(data, {pane: "outlines", interactive: false, style: style});
        show();
      });
    };
    var show = function () {
      var detailed = map.getZoom() >= DETAILED_FROM_ZOOM && layers.detailed &&
        layers.detailed !== "loading";
      ["overview", "detailed"].forEach(function (which) {
        var layer = layers[which];
        if (!layer || layer === "loading") { return; }
        var wanted = which === "detailed" ? detailed : !detailed;
        if (wanted && !map.hasLayer(layer)) { map.addLayer(layer); }
        if (!wanted && map.hasLayer(layer)) { map.removeLayer(layer); }
      });
      if (map.getZoom() >= DETAILED_FROM_ZOOM) {
        load("detailed", detailedUrl);
        fetchPlaces(1);  // needed from the next zoom level on
      }
      name();
    };
    var name = function () {
      labels.clearLayers();
      if (!places || names === null) { return; }
      var b = map.getBounds();
      placesToShow(places, [b.getWest(), b.getSouth(), b.getEast(), b.getNorth()],
        Math.round(map.getZoom()), function (ll) {
          var pt = map.latLngToContainerPoint(ll);
          return [pt.x, pt.y];
        }).forEach(function (i) {
        var p = places[i], text = document.createElement("span");
        text.textContent = placeName(p, names);
        labels.addLayer(L.marker([p[1], p[2]], {pane: "places", interactive: false,
          keyboard: false, icon: L.divIcon({className: "atlas-place", html: text,
            iconSize: null})}));
      });
    };
    load("overview", url);
    fetchPlaces(0);
    if (map.getZoom() >= DETAILED_FROM_ZOOM) { fetchPlaces(1); }
    if (namesUrl) {
      fetch(namesUrl).then(function (r) { return r.json(); })
        .catch(function () { return {}; })
        .then(function (data) { names = data || {}; name(); });
    }
    map.on("zoomend moveend", show);
  }

  /** The map's frame made kind to phones, keyboards and screen readers: pinch-zoom
   * allowed (folium's page forbids it), a name for the map, Escape reported to the page
   * (which closes the card). */
  function setup(map, label, nearMe, words) {
    var meta = document.querySelector("meta[name=viewport]");
    if (meta) { meta.setAttribute("content", "width=device-width, initial-scale=1"); }
    var box = map.getContainer();
    box.setAttribute("role", "region");
    box.setAttribute("aria-label", label);
    // Leaflet writes its controls' words in English: the page's language instead.
    words = words || {};
    var zoom = map.zoomControl;
    [[zoom && zoom._zoomInButton, words.zoomIn], [zoom && zoom._zoomOutButton, words.zoomOut]]
      .forEach(function (pair) {
        if (pair[0] && pair[1]) {
          pair[0].title = pair[1];
          pair[0].setAttribute("aria-label", pair[1]);
        }
      });
    // Its credit link's English tooltip ("A JavaScript library for interactive maps")
    // goes; the name stays.
    if (map.attributionControl) {
      map.attributionControl.setPrefix('<a href="https://leafletjs.com">Leaflet</a>');
    }
    // "Near me": the browser asks the visitor before it tells where they are; nothing is
    // asked until the button is pressed, and the position goes nowhere but the map.
    if (nearMe && navigator.geolocation) {
      var control = L.control({position: "topleft"});
      control.onAdd = function () {
        var bar = L.DomUtil.create("div", "leaflet-bar atlas-near-me");
        var button = L.DomUtil.create("button", "", bar);
        button.type = "button";
        button.textContent = nearMe;
        L.DomEvent.disableClickPropagation(bar);
        L.DomEvent.on(button, "click", function () {
          navigator.geolocation.getCurrentPosition(function (position) {
            map.setView([position.coords.latitude, position.coords.longitude], 11);
          }, function () { button.disabled = true; }, {timeout: 15000, maximumAge: 600000});
        });
        return bar;
      };
      control.addTo(map);
    }
    // The page sizes the frame to the window (app.css): follow it, so that the basemap's
    // canvas covers the whole map.
    if (window.ResizeObserver) {
      new ResizeObserver(function () { map.invalidateSize({debounceMoveend: false}); })
        .observe(box);
    }
    document.addEventListener("keydown", function (event) {
      if (event.key === "Escape" && window.parent !== window) {
        window.parent.postMessage("atlas:escape", window.location.origin);
      }
    });
  }

  /** The order the keyboard visits the map's dots and clusters in: top to bottom, then
   * left to right (``items`` have ``lat`` and ``lng``); returns their indexes. */
  function readingOrder(items) {
    return items.map(function (item, i) { return i; }).sort(function (a, b) {
      return (items[b].lat - items[a].lat) || (items[a].lng - items[b].lng);
    });
  }

  /** The keyboard on the map (its frame focused): the arrow keys go from dot to dot (and
   * cluster), a live region names each, Enter opens it as a click would; Shift+arrows
   * pan and +/- zoom, as Leaflet does. */
  function keyboardVisits(map, layer) {
    var box = map.getContainer();
    if (box.atlasKeys) { box.atlasKeys.layer = layer; return; }
    var live = document.createElement("div");
    live.setAttribute("role", "status");
    live.setAttribute("aria-live", "polite");
    live.className = "atlas-live";
    box.appendChild(live);
    var state = box.atlasKeys = {layer: layer, at: -1};
    box.addEventListener("keydown", function (event) {
      if (event.shiftKey || event.altKey || event.ctrlKey || event.metaKey) { return; }
      var step = {ArrowRight: 1, ArrowDown: 1, ArrowLeft: -1, ArrowUp: -1}[event.key];
      if (!step && event.key !== "Enter") { return; }
      var bounds = map.getBounds(), items = state.layer.getLayers().filter(function (m) {
        return bounds.contains(m.getLatLng());
      });
      var order = readingOrder(items.map(function (m) { return m.getLatLng(); }));
      if (!order.length) { return; }
      event.preventDefault();
      event.stopPropagation();
      if (step) {
        state.at = ((state.at + step) % order.length + order.length) % order.length;
        var marker = items[order[state.at]];
        state.current = marker;
        highlight(map, marker.getLatLng());
        live.textContent = (marker.options.label || marker.options.title) + " (" +
          (state.at + 1) + "/" + order.length + ")";
      } else if (state.current && state.layer.hasLayer(state.current)) {
        state.current.fire("click", {latlng: state.current.getLatLng()}, true);
      }
    }, true);
  }

  /** A ring around the selected organisation's dot. */
  function highlight(map, latlng) {
    if (window.atlasHighlight) { window.atlasHighlight.remove(); }
    window.atlasHighlight = latlng ? L.circleMarker(latlng, {radius: 13, color: "#111827",
      weight: 3, fill: false, interactive: false, pane: "markerPane"}).addTo(map) : null;
  }

  /** Dots and clusters for ``data`` in the feature group ``group``. Small selections
   * arrive whole and are clustered here with Supercluster; large ones arrive already
   * aggregated by the server for the view. Only what the viewport shows exists as
   * Leaflet layers. */
  function organisations(group, data, selected, focus) {
    var pointMarker = function (i) {
      var row = data.rows[i], sector = data.sectors[row[3]];
      var marker = L.circleMarker([row[1], row[2]], {radius: 7, color: "#ffffff",
        weight: 1.5, fillColor: sector ? sector[2] : "#777777", fillOpacity: 0.92,
        orgId: row[0], label: row[4] + " · " + popupLine(row, data.sectors)});
      marker.bindTooltip(escapeHtml(row[4]));
      marker.bindPopup(function () { return popup(row, data.sectors, document); });
      marker.on("click", function () {
        window.atlasClickedOrg = row[0];
        highlight(group._map, [row[1], row[2]]);
      });
      return marker;
    };
    var clusterMarker = function (latlng, count, zoomTo, mix) {
      var label = document.createElement("span");
      label.textContent = abbreviate(count);
      var inner = document.createElement("div");
      inner.appendChild(label);
      // The sector mix as a ring around the count (its colours set as a style, never
      // as markup).
      var ring = document.createElement("div");
      ring.className = "atlas-ring";
      ring.style.background = ringGradient(mix, data.sectors);
      ring.appendChild(inner);
      var marker = L.marker(latlng, {icon: L.divIcon({html: mix ? ring : inner.outerHTML,
        className: "marker-cluster marker-cluster-" + clusterSize(count) +
          (mix ? " atlas-mixed" : ""),
        iconSize: L.point(40, 40)}), keyboard: false,
        title: clusterTitle(count, mix, data.sectors)});
      marker.on("click", function () {
        var map = group._map;
        map.setView(latlng, Math.min(zoomTo(map), map.getMaxZoom()));
      });
      return marker;
    };
    var index = data.clusters ? null : new Supercluster({radius: 50, maxZoom: 16,
      // Each cluster counts its organisations per sector (for its ring).
      map: function (props) { var mix = {}; mix[props.s] = 1; return {mix: mix}; },
      reduce: function (acc, props) {
        Object.keys(props.mix).forEach(function (k) {
          acc.mix[k] = (acc.mix[k] || 0) + props.mix[k];
        });
      }}).load(
      data.rows.map(function (row, i) {
        return {type: "Feature", properties: {i: i, s: row[3]},
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
                                     Math.min(85, b.getNorth())], Math.round(map.getZoom()));
      items.forEach(function (item) {
        var p = item.properties;
        layer.addLayer(p.cluster ? clusterMarker(
          [item.geometry.coordinates[1], item.geometry.coordinates[0]],
          p.point_count, function () { return index.getClusterExpansionZoom(p.cluster_id); },
          p.mix)
          : pointMarker(p.i));
      });
    };
    var onAdd = function () {
      var map = group._map;
      group.addLayer(layer);
      keyboardVisits(map, layer);
      if (data.fit) {
        map.fitBounds(L.latLngBounds(data.fit).pad(0.1), {maxZoom: 9, animate: false});
      }
      // The selected organisation: ringed; brought into view when it was chosen
      // elsewhere than on the map (the list, a link).
      if (selected) {
        var at = L.latLng(selected[1], selected[2]);
        if (selected[0] !== window.atlasClickedOrg &&
            (!map.getBounds().contains(at) || map.getZoom() < 11)) {
          map.setView(at, Math.max(map.getZoom(), 12), {animate: false});
        }
        window.atlasClickedOrg = selected[0];
        highlight(map, at);
      } else {
        window.atlasClickedOrg = null;
        highlight(map, null);
      }
      // A town the visitor asked for: once per request.
      if (focus && focus[2] !== window.atlasFocusToken) {
        window.atlasFocusToken = focus[2];
        map.setView([focus[0], focus[1]], 11, {animate: false});
      }
      if (index) {
        map.on("moveend", draw);
        group.once("remove", function () { map.off("moveend", draw); });
      }
      draw();
    };
    // A handle for tests and debugging; the newest data layer wins.
    window.atlasLayer = {data: data, layer: layer, pointMarker: pointMarker, redraw: draw,
                         selected: selected || null};
    if (group._map) { onAdd(); } else { group.once("add", onAdd); }
  }

  return {escapeHtml: escapeHtml, abbreviate: abbreviate, clusterSize: clusterSize,
          popupLine: popupLine, popup: popup, ringGradient: ringGradient,
          readingOrder: readingOrder,
          clusterTitle: clusterTitle, outlines: outlines, setup: setup,
          minPopulation: minPopulation, placesToShow: placesToShow, placeName: placeName,
          organisations: organisations};
});
