"""Issue 15: each step of the staff journey for a 2,000-row partner spreadsheet (French
Excel: cp1252, ';', own headers, postcodes in the city, country aliases, bad e-mails,
one site shared by many rows), in a fresh SQLite registry that already holds the real
SSEDAS file — the core each page calls, timed; the goal is under 2 s a step.

Run: .venv/bin/python benchmarks/bench_staff_journey.py [--cold]
(--cold: the gazetteer is not prepared for imports before the first check, as in a
server whose first request is that check.)
"""

from __future__ import annotations

import random
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from atlas_app.intake.columns import ColumnMapping  # noqa: E402
from atlas_app.intake.duplicates import group_duplicates  # noqa: E402
from atlas_app.intake.pipeline import ImportOptions, prepare_import  # noqa: E402
from atlas_app.intake.reader import read_bytes  # noqa: E402
from atlas_app.places.gazetteer import Gazetteer  # noqa: E402
from atlas_app.places.geocoding import Locator  # noqa: E402
from atlas_app.registry.review import ReviewFilter, review_facets, review_page  # noqa: E402
from atlas_app.registry.schema import load_taxonomy  # noqa: E402
from atlas_app.registry.store import Store  # noqa: E402
from atlas_app.settings import Settings  # noqa: E402
from atlas_app.staff.review import act_on_review  # noqa: E402
from atlas_app.staff.uploads import commit_upload  # noqa: E402
from tests.support.apptest import SUSY  # noqa: E402

CITIES = [("75011 Paris", "France"), ("1010 Wien", "Österreich"), ("Lyon", "FR"),
          ("Bruxelles", "Belgique"), ("Istanbul", "Turkey"), ("Chisinau", "Moldova, Republic of"),
          ("Moskva", "Russian Federation"), ("00-950 Warszawa", "Pologne"), ("Gent", "BE"),
          ("Lisboa", "Portugal")]


def partner_file(rows: int, seed: int = 15) -> bytes:
    rng = random.Random(seed)
    lines = ["Structure;Localité;Pays;Mél;Type d'acteur;Thème;Site"]
    for i in range(rows):
        city, country = rng.choice(CITIES)
        mail = f"contact{i}@org{i}.example" if rng.random() > 0.1 else f"contact{i}(at)org"
        site = (f"https://www.facebook.com/org{i}" if rng.random() < 0.2
                else f"https://org{i}.example")
        lines.append(f"Organisation {i};{city};{country};{mail};accompagnement;"
                     f"Santé et soin;{site}")
    return ("\r\n".join(lines) + "\r\n").encode("cp1252")


def timed(label: str, func):
    """Run ``func``; print its wall time and this process's CPU time (on a machine shared
    with other work, the CPU time moves less from run to run)."""
    start, cpu = time.perf_counter(), time.process_time()
    result = func()
    print(f"{label:<58} {time.perf_counter() - start:6.2f} s  "
          f"(cpu {time.process_time() - cpu:5.2f} s)")
    return result


def main() -> None:
    folder = Path(tempfile.mkdtemp())
    settings = Settings(database_url=f"sqlite:///{folder / 'atlas.db'}")
    store = Store(settings.resolved_database_url)
    store.upgrade()
    taxonomy = load_taxonomy(settings.data_dir)
    locator = Locator(Gazetteer.load(settings.cache_dir, settings.data_dir), store)
    ssedas = ImportOptions(mapping=ColumnMapping(constants={"kind": "support",
                                                            "sector": "ess-networks"}),
                           status="pending", skip_invalid=True, created_by="bench")
    check = (lambda: prepare_import(SUSY.read_bytes(), SUSY.name, store, taxonomy,
                                    settings, ssedas, locator=locator))
    if "--cold" not in sys.argv:
        # What the server does in the background while the person chooses the file
        # (ui/resources.warm_gazetteer); --cold leaves it to the first check.
        timed("server: gazetteer prepared for imports (background)",
              locator.gazetteer.prepare_for_imports)
    prepared = timed("SSEDAS (1,794 features): read, check, locate, duplicates", check)
    timed("SSEDAS: the same check again", check)
    timed("SSEDAS: commit", lambda: commit_upload(store, prepared, ssedas, "bench"))

    data = partner_file(2_000)
    options = ImportOptions(mapping=ColumnMapping({"Mél": "email"}, {}), status="pending",
                            created_by="bench")
    timed("partner 2,000 rows: read (cp1252, ';')",
          lambda: read_bytes(data, "partner.csv", max_bytes=settings.max_upload_bytes,
                             max_rows=settings.max_rows))
    prepared = timed("partner 2,000 rows: check, locate, duplicates",
                     lambda: prepare_import(data, "partner.csv", store, taxonomy, settings,
                                            options, locator=locator))
    report = prepared.report
    print(f"    {report.accepted:,} accepted, {report.rejected:,} rejected, "
          f"{sum(p.severity == 'warning' for p in report.problems):,} warnings")
    groups = timed("partner: group the duplicates",
                   lambda: group_duplicates(prepared.report.problems))
    print(f"    {len(groups):,} duplicate group(s)")
    timed("partner: commit", lambda: commit_upload(store, prepared, options, "bench"))
    timed("review: filters offered", lambda: review_facets(store))
    timed("review: first page of all pending", lambda: review_page(store, ReviewFilter()))
    timed("review: classify the SSEDAS upload (all that match)",
          lambda: act_on_review(store, "classify", "bench", matching=ReviewFilter(batch=1),
                                sector="solidarity", taxonomy=taxonomy))
    changed = timed("review: publish everything pending",
                    lambda: act_on_review(store, "publish", "bench",
                                          matching=ReviewFilter()))
    print(f"    {len(changed):,} published")
    store.dispose()


if __name__ == "__main__":
    main()
