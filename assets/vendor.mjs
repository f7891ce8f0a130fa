// Copy the front-end libraries the atlas serves itself into atlas_app/ui/static, and
// convert Natural Earth country outlines (world-atlas, public domain) into the offline
// basemap. Run with `npm install && npm run vendor` after changing package.json.
import { copyFileSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { feature } from "topojson-client";

const here = dirname(fileURLToPath(import.meta.url));
const modules = join(here, "node_modules");
const out = join(here, "..", "atlas_app", "ui", "static");

const copies = {
  "leaflet/dist/leaflet.js": "vendor/leaflet/leaflet.js",
  "leaflet/dist/leaflet.css": "vendor/leaflet/leaflet.css",
  "leaflet/LICENSE": "vendor/leaflet/LICENSE.txt",
  "supercluster/dist/supercluster.min.js": "vendor/supercluster/supercluster.min.js",
  "supercluster/LICENSE": "vendor/supercluster/LICENSE.txt",
  "leaflet.markercluster/dist/MarkerCluster.css": "vendor/markercluster/MarkerCluster.css",
  "leaflet.markercluster/dist/MarkerCluster.Default.css": "vendor/markercluster/MarkerCluster.Default.css",
  "leaflet.markercluster/MIT-LICENCE.txt": "vendor/markercluster/LICENSE.txt",
  "world-atlas/LICENSE": "basemap/LICENSE-world-atlas.txt",
  "axe-core/axe.min.js": "vendor/axe-core/axe.min.js",
  "axe-core/LICENSE": "vendor/axe-core/LICENSE.txt",
};
for (const [from, to] of Object.entries(copies)) {
  mkdirSync(dirname(join(out, to)), { recursive: true });
  copyFileSync(join(modules, from), join(out, to));
}
for (const image of readdirSync(join(modules, "leaflet/dist/images"))) {
  mkdirSync(join(out, "vendor/leaflet/images"), { recursive: true });
  copyFileSync(join(modules, "leaflet/dist/images", image), join(out, "vendor/leaflet/images", image));
}

// Basemap: countries of Europe and around it, from Natural Earth at 1:50m (the first
// view, and the research choropleth) and at 1:10m (drawn from zoom 6 on: it holds at city
// zoom). Coordinates are rounded (~1 km at 1:50m, ~100 m at 1:10m), and each ring is made
// continuous in longitude: world-atlas stitches rings across the date line (Russia's
// Chukotka), which Leaflet would draw as a band across the whole map.
const unwrap = (ring) => {
  let previous = ring[0][0];
  return ring.map(([x, y]) => {
    while (x - previous > 180) { x -= 360; }
    while (previous - x > 180) { x += 360; }
    previous = x;
    return [x, y];
  });
};
const unwrapped = (geometry) => geometry.type === "Polygon" ? geometry.coordinates.map(unwrap)
  : geometry.coordinates.map((polygon) => polygon.map(unwrap));
const inView = (geometry) => JSON.stringify(geometry.coordinates).match(/-?\d+\.?\d*,-?\d+\.?\d*/g)
  .some((pair) => { const [x, y] = pair.split(",").map(Number); return x > -35 && x < 65 && y > 25 && y < 75; });
const basemaps = { "countries.json": ["countries-50m.json", 100], "countries-10m.json": ["countries-10m.json", 1000] };
let counted = 0;
for (const [name, [source, scale]] of Object.entries(basemaps)) {
  const topology = JSON.parse(readFileSync(join(modules, "world-atlas", source), "utf8"));
  const countries = feature(topology, topology.objects.countries);
  const round = (value) => Array.isArray(value) ? value.map(round) : Math.round(value * scale) / scale;
  const features = countries.features
    .filter((f) => f.geometry && inView(f.geometry))
    .map((f) => ({ type: "Feature", id: f.id, properties: { name: f.properties.name, isonumeric: Number(f.id) },
                   geometry: { type: f.geometry.type, coordinates: round(unwrapped(f.geometry)) } }));
  writeFileSync(join(out, "basemap", name), JSON.stringify({ type: "FeatureCollection", features }));
  counted = features.length;
}
// What was vendored, at which version: CI compares a fresh `npm ci && npm run vendor`
// with the committed files.
const packages = [...new Set(Object.keys(copies).map((path) => path.split("/")[0]))].sort();
const manifest = Object.fromEntries(packages.map((name) => [name,
  JSON.parse(readFileSync(join(modules, name, "package.json"), "utf8")).version]));
manifest["topojson-client"] = JSON.parse(readFileSync(join(modules, "topojson-client", "package.json"), "utf8")).version;
writeFileSync(join(out, "vendor", "MANIFEST.json"), JSON.stringify(manifest, null, 2) + "\n");
console.log(`vendored ${Object.keys(copies).length} files; basemap has ${counted} countries`);
