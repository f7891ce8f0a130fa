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
};
for (const [from, to] of Object.entries(copies)) {
  mkdirSync(dirname(join(out, to)), { recursive: true });
  copyFileSync(join(modules, from), join(out, to));
}
for (const image of readdirSync(join(modules, "leaflet/dist/images"))) {
  mkdirSync(join(out, "vendor/leaflet/images"), { recursive: true });
  copyFileSync(join(modules, "leaflet/dist/images", image), join(out, "vendor/leaflet/images", image));
}

// Basemap: countries of Europe and around it, coordinates rounded to ~1 km.
const topology = JSON.parse(readFileSync(join(modules, "world-atlas/countries-50m.json"), "utf8"));
const countries = feature(topology, topology.objects.countries);
const round = (value) => Array.isArray(value) ? value.map(round) : Math.round(value * 100) / 100;
const inView = (geometry) => JSON.stringify(geometry.coordinates).match(/-?\d+\.?\d*,-?\d+\.?\d*/g)
  .some((pair) => { const [x, y] = pair.split(",").map(Number); return x > -35 && x < 65 && y > 25 && y < 75; });
const features = countries.features
  .filter((f) => f.geometry && inView(f.geometry))
  .map((f) => ({ type: "Feature", id: f.id, properties: { name: f.properties.name, isonumeric: Number(f.id) },
                 geometry: { type: f.geometry.type, coordinates: round(f.geometry.coordinates) } }));
writeFileSync(join(out, "basemap/countries.json"),
              JSON.stringify({ type: "FeatureCollection", features }));
// What was vendored, at which version: CI compares a fresh `npm ci && npm run vendor`
// with the committed files.
const packages = [...new Set(Object.keys(copies).map((path) => path.split("/")[0]))].sort();
const manifest = Object.fromEntries(packages.map((name) => [name,
  JSON.parse(readFileSync(join(modules, name, "package.json"), "utf8")).version]));
manifest["topojson-client"] = JSON.parse(readFileSync(join(modules, "topojson-client", "package.json"), "utf8")).version;
writeFileSync(join(out, "vendor", "MANIFEST.json"), JSON.stringify(manifest, null, 2) + "\n");
console.log(`vendored ${Object.keys(copies).length} files; basemap has ${features.length} countries`);
