"""Offline geocoding accuracy, today's code next to an earlier commit's, in the same run.

Run: .venv/bin/python benchmarks/bench_geocoding.py [--before REF] [--misses FILE]

Two tables of real places with known coordinates, each geocoded from the city field and
the country alone (no postcode column), then, for SSEDAS, with its postcode column too:

- the SSEDAS partner file (``tests/data/ssedas-partners.geojson``: 1,794 real European
  initiatives carrying their own coordinates);
- ``benchmarks/data/messy_places.csv``: 79 spellings of the shapes real spreadsheets hold
  (postcodes in the city field, districts, CEDEX and capitals, regions, neighbourhoods,
  streets, suburbs, namesakes, transliterations), with the coordinates of the place meant.

The earlier code (``--before``, by default the commit before issue 19) runs from a
``git worktree`` in a subprocess with the same virtual environment. Shares are of all rows
that have a city and a recognisable country; "wrong" is located more than 30 km away.
"""

from __future__ import annotations

import argparse
import csv
import json
import math
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from atlas_app.places.countries import resolve_country  # noqa: E402
from atlas_app.places.gazetteer import Gazetteer  # noqa: E402
from atlas_app.settings import PACKAGE_DATA, load_settings  # noqa: E402

SUSY = ROOT / "tests" / "data" / "ssedas-partners.geojson"
MESSY = ROOT / "benchmarks" / "data" / "messy_places.csv"
# Written by each run: the SSEDAS rows whose own postcode and city contradict their point.
EVIDENCE = ROOT / "benchmarks" / "data" / "ssedas_reference_wrong.csv"
BEFORE = "e0ceba7"  # main before issue 19

# Runs inside the earlier commit's tree: rows on stdin, points (or null) on stdout.
OLD_RUNNER = """
import json, sys
sys.path.insert(0, sys.argv[1])
from atlas_app.places.gazetteer import Gazetteer
from atlas_app.settings import PACKAGE_DATA
g = Gazetteer.load(sys.argv[2], PACKAGE_DATA)
out = []
for city, country, postcode in json.load(sys.stdin):
    r = g.lookup(city, country, postcode)
    out.append([r.place.latitude, r.place.longitude, r.status, "locality"]
               if r.place else [None, None, r.status, "none"])
json.dump(out, sys.stdout)
"""


def km(lat1, lon1, lat2, lon2):
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 6371 * 2 * math.asin(math.sqrt(a))


def ssedas_rows() -> tuple[list[dict], int]:
    doc = json.loads(SUSY.read_text(encoding="utf-8"))
    rows, skipped = [], 0
    for feature in doc["features"]:
        props = feature["properties"]
        country = resolve_country(props.get("addr:country") or "")
        city = (props.get("addr:city") or "").strip()
        if not country or not city:
            skipped += 1
            continue
        lon, lat = feature["geometry"]["coordinates"][:2]
        rows.append({"id": props.get("_id"), "name": props.get("name"),
                     "city": city, "country": country, "lat": lat, "lon": lon,
                     "postcode": (props.get("addr:postcode") or "").strip() or None,
                     "shape": "ssedas"})
    return rows, skipped


def messy_rows() -> list[dict]:
    with open(MESSY, encoding="utf-8", newline="") as fh:
        return [{"city": r["city"], "country": r["country"], "lat": float(r["latitude"]),
                 "lon": float(r["longitude"]), "postcode": None, "shape": r["shape"]}
                for r in csv.DictReader(fh)]


def run_new(gazetteer: Gazetteer, queries: list[tuple]) -> list[list]:
    out = []
    for city, country, postcode in queries:
        r = gazetteer.lookup(city, country, postcode)
        out.append([r.place.latitude, r.place.longitude, r.status, r.precision] if r.place
                   else [None, None, r.status, "none"])
    return out


def run_old(tree: Path, queries: list[tuple]) -> list[list]:
    cache = tree / "var" / "cache"
    done = subprocess.run([sys.executable, "-c", OLD_RUNNER, str(tree), str(cache)],
                          input=json.dumps(queries), capture_output=True, text=True, check=True)
    return json.loads(done.stdout)


def worktree(ref: str) -> Path:
    tree = ROOT / "var" / "bench" / f"before-{ref}"
    if not (tree / "atlas_app").exists():
        tree.parent.mkdir(parents=True, exist_ok=True)
        subprocess.run(["git", "-C", str(ROOT), "worktree", "add", "--detach", str(tree), ref],
                       check=True, capture_output=True)
    return tree


def score(rows: list[dict], answers: list[list]) -> dict:
    s = {"rows": len(rows), "located": 0, "10": 0, "30": 0, "wrong": 0, "ambiguous": 0,
         "precision": {}, "misses": []}
    for row, (lat, lon, status, precision) in zip(rows, answers):
        if lat is None:
            s["ambiguous"] += status == "ambiguous"
            s["misses"].append((row, status, None))
            continue
        s["located"] += 1
        s["precision"][precision] = s["precision"].get(precision, 0) + 1
        d = km(row["lat"], row["lon"], lat, lon)
        s["10"] += d <= 10
        s["30"] += d <= 30
        if d > 30:
            s["wrong"] += 1
            s["misses"].append((row, f"{d:.0f} km away", (lat, lon)))
    return s


AGREE_KM = 20  # a row's postcode centre and its city's place this close agree


def check_reference(gazetteer: Gazetteer, row: dict) -> tuple[str, str] | None:
    """Whether the row's own fields contradict its coordinates, and the evidence; or None.

    - ``swapped``: the point lies outside the declared country's box, the point with
      latitude and longitude exchanged lies in it, within 30 km of the postcode's centre;
    - ``contradicted``: the postcode's centre (GeoNames postal codes, from the row's
      postcode column) and the place the city field names agree (within 20 km), and the
      row's coordinates are more than 30 km from both.

    Rows without a postcode are never judged: one field against the coordinates is a
    disagreement, not evidence."""
    code = row["postcode"]
    centre = gazetteer.postal.postcode(row["country"], code) if code else None
    if centre is None:
        return None
    lat, lon = row["lat"], row["lon"]
    to_centre = km(lat, lon, centre.latitude, centre.longitude)
    if not gazetteer.in_country(lat, lon, row["country"]) \
            and gazetteer.in_country(lon, lat, row["country"]) \
            and km(lon, lat, centre.latitude, centre.longitude) <= 30:
        return "swapped", (f"({lat}, {lon}) is outside {row['country']}; exchanged, it is "
                           f"{km(lon, lat, centre.latitude, centre.longitude):.0f} km from "
                           f"postcode {code}'s centre")
    named = gazetteer.lookup(row["city"], row["country"]).place
    if named is None or to_centre <= 30:
        return None
    apart = km(named.latitude, named.longitude, centre.latitude, centre.longitude)
    to_named = km(lat, lon, named.latitude, named.longitude)
    if apart <= AGREE_KM and to_named > 30:
        return "contradicted", (f"postcode {code}'s centre ({centre.latitude:.3f}, "
                                f"{centre.longitude:.3f}) and {row['city']!r} "
                                f"({named.name}) are {apart:.0f} km apart; the row's point "
                                f"is {to_centre:.0f} km from the postcode, {to_named:.0f} km "
                                "from the town")
    return None


def classify(gazetteer: Gazetteer, row: dict, status: str) -> str:
    """Why a row is not within 30 km, from its own fields (for the report, never for the
    score)."""
    if status == "unsupported":
        return "country outside the gazetteer (as declared)"
    checked = check_reference(gazetteer, row)
    if checked is not None:
        return "reference wrong"
    code = row["postcode"]
    centre = gazetteer.postal.postcode(row["country"], code) if code else None
    if centre is not None and km(row["lat"], row["lon"], centre.latitude,
                                 centre.longitude) <= 30 and status.endswith("km away"):
        return "namesake or province: the postcode agrees with the point, not the city"
    if status == "ambiguous":
        return "ambiguous (goes to review)"
    if status == "not_found":
        return "not found"
    return "wrong namesake or area (> 30 km)"


def line(label: str, s: dict) -> str:
    n = s["rows"]
    return (f"| {label} | {n} | {s['located']} ({s['located'] / n:.1%}) | "
            f"{s['10']} ({s['10'] / n:.1%}) | {s['30']} ({s['30'] / n:.1%}) | "
            f"{s['wrong']} | {s['ambiguous']} | {n - s['located'] - s['ambiguous']} |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--before", action="append", help="an earlier commit to compare "
                        f"with (repeat for several; default {BEFORE}, before issue 19)")
    parser.add_argument("--misses", type=Path, help="write today's misses here (JSON)")
    args = parser.parse_args()
    refs = args.before or [BEFORE]
    trees = {ref: worktree(ref) for ref in refs}
    gazetteer = Gazetteer.load(load_settings().cache_dir, PACKAGE_DATA)
    gazetteer.lookup("75002 Paris", "FR")  # the postal index, loaded on first use

    ssedas, skipped = ssedas_rows()
    messy = messy_rows()
    tables = [
        ("SSEDAS, city + country", ssedas, [(r["city"], r["country"], None) for r in ssedas]),
        ("SSEDAS, city + country + postcode", ssedas,
         [(r["city"], r["country"], r["postcode"]) for r in ssedas]),
        ("messy table, city field + country", messy,
         [(r["city"], r["country"], None) for r in messy]),
    ]
    print(f"SSEDAS: {len(ssedas)} features with a city and a recognisable country "
          f"({skipped} without); messy table: {len(messy)} rows\n")
    print("| table, code | rows | located | within 10 km | within 30 km | wrong (> 30 km) "
          "| ambiguous | not found |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    misses = {}
    for label, rows, queries in tables:
        t_old = []
        for ref, tree in trees.items():
            t = time.perf_counter()
            print(line(f"{label}, {ref}", score(rows, run_old(tree, queries))))
            t_old.append(f"{time.perf_counter() - t:.2f} s at {ref}")
        t = time.perf_counter()
        now = score(rows, run_new(gazetteer, queries))
        t_new = time.perf_counter() - t
        print(line(f"{label}, **now**", now))
        misses[label] = now["misses"]
        if label == "SSEDAS, city + country":
            ssedas_now = now
        print(f"<!-- {label}: now by precision {now['precision']}; "
              f"{t_new:.2f} s now, {', '.join(t_old)} (with its process start) -->")
    by_shape: dict[str, list[int]] = {}
    old = run_old(trees[refs[-1]], [(r["city"], r["country"], None) for r in messy])
    new = run_new(gazetteer, [(r["city"], r["country"], None) for r in messy])
    for row, o, n in zip(messy, old, new):
        counts = by_shape.setdefault(row["shape"], [0, 0, 0])
        counts[0] += 1
        counts[1] += o[0] is not None and km(row["lat"], row["lon"], o[0], o[1]) <= 30
        counts[2] += n[0] is not None and km(row["lat"], row["lon"], n[0], n[1]) <= 30
    print(f"\nmessy table by shape, within 30 km, {refs[-1]} → now: " + "; ".join(
        f"{shape} {b}→{a} of {n}" for shape, (n, b, a) in by_shape.items()))
    # Every SSEDAS row not within 30 km, by cause; rows whose own postcode and city
    # contradict their coordinates are written out with the evidence.
    causes: dict[str, int] = {}
    evidence = []
    for row, status, _point in misses["SSEDAS, city + country"]:
        cause = classify(gazetteer, row, status)
        causes[cause] = causes.get(cause, 0) + 1
        checked = check_reference(gazetteer, row)
        if checked is not None:
            evidence.append({"id": row["id"], "name": row["name"], "city": row["city"],
                             "country": row["country"], "postcode": row["postcode"],
                             "latitude": row["lat"], "longitude": row["lon"],
                             "check": checked[0], "evidence": checked[1]})
    print("\nSSEDAS rows not within 30 km, city + country, by cause: " + "; ".join(
        f"{cause} {n}" for cause, n in sorted(causes.items(), key=lambda c: -c[1])))
    good = ssedas_now["30"]
    kept = len(ssedas) - len(evidence)
    print(f"within 30 km, leaving out the {len(evidence)} rows whose coordinates their own "
          f"postcode and city contradict ({EVIDENCE.relative_to(ROOT)}): {good} of {kept} "
          f"({good / kept:.1%})")
    with open(EVIDENCE, "w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=["id", "name", "city", "country", "postcode",
                                                "latitude", "longitude", "check", "evidence"])
        writer.writeheader()
        writer.writerows(evidence)
    if args.misses:
        args.misses.write_text(json.dumps(misses, ensure_ascii=False, indent=1, default=str),
                               encoding="utf-8")


if __name__ == "__main__":
    main()
