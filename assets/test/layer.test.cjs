// Unit tests of the map's pure functions (node --test; no browser, no dependencies).
const test = require("node:test");
const assert = require("node:assert/strict");
const AtlasMap = require("../../atlas_app/ui/static/atlas/layer.js");

test("escapeHtml makes markup literal for tooltips", () => {
  assert.equal(AtlasMap.escapeHtml('<img src=x onerror="a()">'),
               "&lt;img src=x onerror=&quot;a()&quot;&gt;");
  assert.equal(AtlasMap.escapeHtml("Café & Co's"), "Café &amp; Co&#39;s");
  assert.equal(AtlasMap.escapeHtml(42), "42");
});

test("abbreviate shortens large counts", () => {
  const cases = [[0, "0"], [999, "999"], [1000, "1k"], [1234, "1.2k"], [9999, "10k"],
                 [10000, "10k"], [35400, "35k"], [1000000, "1M"], [1250000, "1.3M"]];
  for (const [n, expected] of cases) { assert.equal(AtlasMap.abbreviate(n), expected, String(n)); }
});

test("clusterSize picks the icon class", () => {
  assert.deepEqual([1, 9, 10, 99, 100, 5000].map(AtlasMap.clusterSize),
                   ["small", "small", "medium", "medium", "large", "large"]);
});

test("popup puts the name as text, never as markup", () => {
  const created = [];
  const doc = {createElement: (tag) => {
    const node = {tag, children: [], textContent: "", appendChild(c) { this.children.push(c); }};
    created.push(node);
    return node;
  }};
  const sectors = {health: ["health", "Health & care", "#117733"]};
  const row = [7, 48.8, 2.3, "health", "<b>Lab</b>", "Paris"];
  const box = AtlasMap.popup(row, sectors, doc);
  assert.equal(box.children[0].tag, "strong");
  assert.equal(box.children[0].textContent, "<b>Lab</b>");
  assert.equal(box.children[1].textContent, "Health & care · Paris");
  assert.equal(AtlasMap.popupLine([1, 0, 0, "unknown", "X", ""], sectors), "");
});

test("placesToShow names the biggest places that fit, fewer when zoomed out", () => {
  const places = [["Paris", 48.85, 2.35, 2100000], ["Lyon", 45.75, 4.85, 520000],
                  ["Boulogne", 48.84, 2.24, 110000], ["Versailles", 48.8, 2.13, 85000]];
  const project = (zoom) => ([lat, lon]) => [lon * 2 ** zoom, -lat * 2 ** zoom];
  const all = [-10, 40, 10, 55];
  assert.deepEqual(AtlasMap.placesToShow(places, all, 4, project(4)), [0]);
  assert.deepEqual(AtlasMap.placesToShow(places, all, 12, project(12)), [0, 1, 2, 3]);
  // Out of the view: not named.
  assert.deepEqual(AtlasMap.placesToShow(places, [4, 45, 5, 46], 12, project(12)), [1]);
  // Labels that would overlap: only the bigger place is named.
  assert.deepEqual(AtlasMap.placesToShow(places, all, 7, project(1)), [0]);
  assert.ok(AtlasMap.minPopulation(5) > AtlasMap.minPopulation(9));
});

test("a cluster's ring has one arc per sector, as wide as its share", () => {
  const sectors = [["a", "Alpha", "#111111"], ["b", "Beta", "#222222"], ["c", "Gamma", "#333333"]];
  assert.equal(AtlasMap.ringGradient({0: 1, 2: 3}, sectors),
               "conic-gradient(#111111 0% 25%, #333333 25% 100%)");
  assert.equal(AtlasMap.ringGradient({}, sectors), "");
  assert.equal(AtlasMap.clusterTitle(4, {0: 1, 2: 3}, sectors), "4: Gamma 3, Alpha 1");
  assert.equal(AtlasMap.clusterTitle(9, undefined, sectors), "9");
});

test("the keyboard visits dots top to bottom, then left to right", () => {
  const items = [{lat: 45, lng: 5}, {lat: 50, lng: 2}, {lat: 45, lng: 1}];
  assert.deepEqual(AtlasMap.readingOrder(items), [1, 2, 0]);
});

test("placeName puts a place's name in the page's language where the names file has it", () => {
  const names = {Warsaw: "Varsovie", Moscow: "Moscou"};
  assert.equal(AtlasMap.placeName(["Warsaw", 52.2, 21.0, 1702139], names), "Varsovie");
  assert.equal(AtlasMap.placeName(["Lyon", 45.7, 4.8, 500000], names), "Lyon");
  assert.equal(AtlasMap.placeName(["constructor", 0, 0, 1], names), "constructor");
  assert.equal(AtlasMap.placeName(["Warsaw", 52.2, 21.0, 1], {}), "Warsaw");
});
