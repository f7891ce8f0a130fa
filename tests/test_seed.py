"""The seed registry and the taxonomy are valid, varied and complete."""

from __future__ import annotations

import csv
from collections import Counter

from atlas_app.intake.columns import resolve_columns
from atlas_app.intake.reader import read_bytes
from atlas_app.intake.validation import validate_record
from atlas_app.places.countries import EUROPE
from atlas_app.settings import PACKAGE_DATA


def seed_records(taxonomy):
    data = (PACKAGE_DATA / "organisations.csv").read_bytes()
    table = read_bytes(data, "organisations.csv", max_bytes=10**8, max_rows=10**6)
    resolved = resolve_columns(table)
    out = []
    for row in table.rows:
        record, problems = validate_record(resolved.cells(row), taxonomy, line=row.line)
        assert record is not None and not problems, [p.describe() for p in problems]
        out.append(record)
    return out


def test_seed_is_valid_real_and_covers_the_field(taxonomy):
    records = seed_records(taxonomy)
    assert len(records) >= 150
    assert len({r["country"] for r in records}) >= 15
    assert {r["country"] for r in records} <= EUROPE
    assert {r["sector"] for r in records} == set(taxonomy.ids)
    assert {r["kind"] for r in records} == {"support", "solution"}
    assert all(r["website"] and r["city"] for r in records)
    assert all(r["description_en"] and r["description_fr"] for r in records)
    websites = Counter(r["website"] for r in records)
    assert websites.most_common(1)[0][1] == 1


def test_seed_names_the_organisations_of_the_background_articles(taxonomy):
    names = {r["name"] for r in seed_records(taxonomy)}
    assert {"Social Good Accelerator", "ALL DIGITAL", "La MedNum", "ProBonoLab",
            "Emmaüs Connect", "Fing"} <= names


def test_sector_colours_are_distinct(taxonomy):
    colours = [s.colour.lower() for s in taxonomy.sectors]
    assert len(set(colours)) == len(colours)
    with open(PACKAGE_DATA / "sectors.csv", encoding="utf-8") as fh:
        assert len(list(csv.DictReader(fh))) == len(taxonomy.sectors)
