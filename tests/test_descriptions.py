"""Descriptions in any number of languages (issue 17): migration 0013 on both databases,
export → import in three languages, the store's map, the visitor's fallback, the search."""

from __future__ import annotations

import uuid

import numpy as np
import pandas as pd
import pytest
import sqlalchemy as sa

from atlas_app.intake.pipeline import ImportOptions, import_bytes
from atlas_app.public.detail import organisation_detail, pick_description
from atlas_app.public.filters import Filters, apply_filters
from atlas_app.public.index import RegistryIndex
from atlas_app.registry.schema import DESCRIPTION_FIELDS, FIELD_BY_NAME, FIELD_NAMES
from atlas_app.registry.store import Store
from atlas_app.research.exports import datapackage_descriptor, export_bytes
from atlas_app.settings import PACKAGE_DATA
from atlas_app.staff.edits import update_organisation
from atlas_app.text import fold
from tests.support.factories import make_organisation, make_registry, to_csv

LEGACY = [  # (description_en, description_fr) as migration 0012 left them
    ("Helps associations go digital.", "Aide les associations à passer au numérique."),
    (None, "Seulement en français : « guillemets », \"quotes\", \\ et\nune ligne."),
    ("English only — ✓ emoji 🚲", None),
    (None, None),
    ("", "Vide en anglais"),
]


def _other_store(store, tmp_path, request) -> Store:
    """A second, empty registry on the same kind of database as ``store``."""
    if store.dialect == "sqlite":
        fresh = Store(f"sqlite:///{tmp_path / f'fresh-{uuid.uuid4().hex[:6]}.db'}")
    else:
        import psycopg

        admin = request.getfixturevalue("postgres_server")
        name = f"atlas_test_{uuid.uuid4().hex[:12]}"
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        request.addfinalizer(lambda: _drop(admin, name))
        fresh = Store(sa.make_url(admin).set(database=name).render_as_string(
            hide_password=False))
    fresh.upgrade()
    request.addfinalizer(fresh.dispose)
    return fresh


def _drop(admin: str, name: str) -> None:
    import psycopg

    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_migration_moves_both_columns_without_loss_and_back(tmp_path, request, backend):
    from alembic import command

    url = f"sqlite:///{tmp_path / 'old.db'}" if backend == "sqlite" else \
        request.getfixturevalue("postgres_url")
    old = Store(url)
    command.upgrade(old._alembic_config(), "0012")
    with old.engine.begin() as conn:
        for i, (en, fr) in enumerate(LEGACY, start=1):
            conn.execute(sa.text(
                "INSERT INTO organisations (id, name, kind, sector, tags, country, city, "
                "description_en, description_fr, location_precision, location_source, status, "
                "created_at, updated_at) VALUES (:id, :name, 'support', 'health', '[]', 'FR', "
                "'Lyon', :en, :fr, 'none', 'none', 'published', CURRENT_TIMESTAMP, "
                "CURRENT_TIMESTAMP)"), {"id": i, "name": f"Org {i}", "en": en, "fr": fr})
    old.upgrade()
    assert old.schema_is_current()
    frame = old.frame()
    assert list(zip(frame["description_en"], frame["description_fr"])) == \
        [(en, fr) for en, fr in LEGACY]
    assert old.get_organisation(4)["descriptions"] == {}
    assert old.get_organisation(5)["descriptions"] == {"en": "", "fr": "Vide en anglais"}
    # The public index searches the moved texts (JSON escapes decoded by the database).
    index = RegistryIndex.load(old)
    found = index.frame["id"][index.mask(Filters(q="guillemets ligne"))].tolist()
    assert found == [2]
    assert index.frame["id"][index.mask(Filters(q="emoji"))].tolist() == [3]
    # A new language lives beside them; the downgrade gives English and French back.
    old.add_organisations([{**old.get_organisation(1), "id": 6, "description_de": "Hilft."}])
    command.downgrade(old._alembic_config(), "0012")
    with old.engine.connect() as conn:
        back = conn.execute(sa.text("SELECT description_en, description_fr FROM organisations "
                                    "ORDER BY id")).all()
    assert [tuple(r) for r in back] == [*LEGACY, LEGACY[0]]
    old.upgrade()
    assert old.frame()["description_fr"].tolist()[:2] == [LEGACY[0][1], LEGACY[1][1]]
    old.dispose()


def _three_languages(n: int = 30) -> list[dict]:
    rows = make_registry(n)
    for i, row in enumerate(rows):
        row.pop("description_fr")
        row["description_en"] = "" if i % 4 == 3 else f"Helps group {i}."
        row["description_de"] = "" if i % 3 == 2 else f"Hilft Gruppe {i} — Größe: «ü»."
        row["description_pl"] = "" if i % 5 == 4 else f"Pomaga grupie {i}: zażółć gęślą jaźń."
    rows[0]["description_pl"] = "Dwie linie:\npierwsza i \"druga\"."
    return rows


def _registry(store) -> list[dict]:
    frame = store.frame(statuses=None)
    return [{k: (None if isinstance(v, float) and pd.isna(v) else v) for k, v in r.items()}
            for r in frame[list(FIELD_NAMES)].to_dict("records")]


@pytest.mark.parametrize("fmt, name", [("csv", "export.csv"), ("geojson", "export.geojson"),
                                       ("xlsx", "export.xlsx")])
def test_three_languages_export_and_import_back_unchanged(store, taxonomy, settings, tmp_path,
                                                          request, fmt, name):
    report = import_bytes(to_csv(_three_languages()), "three.csv", store, taxonomy, settings,
                          ImportOptions(status="pending"))
    assert report.rejected == 0
    before = _registry(store)
    assert {lang for row in before for lang in ("en", "de", "pl")
            if row[f"description_{lang}"]} == {"en", "de", "pl"}
    assert all(row["description_fr"] is None for row in before)
    data = export_bytes(store.frame(statuses=None), fmt, taxonomy, PACKAGE_DATA)
    fresh = _other_store(store, tmp_path, request)
    report = import_bytes(data, name, fresh, taxonomy, settings)
    assert report.rejected == 0, [p.describe() for p in report.errors]
    assert _registry(fresh) == before


def test_every_language_is_a_column_of_files_and_of_the_data_package(taxonomy):
    assert DESCRIPTION_FIELDS == tuple(f"description_{lang}" for lang in
                                       ("en", "de", "es", "fr", "it", "pl", "pt"))
    fields = {f["name"]: f for f in
              datapackage_descriptor(taxonomy)["resources"][0]["schema"]["fields"]}
    assert fields["description_pl"]["description"] == \
        "What the organisation does, in Polish."
    assert FIELD_BY_NAME["description_de"].max_length == 5000


@pytest.mark.parametrize("header, field", [("description:de", "description_de"),
                                           ("Description (PL)", "description_pl"),
                                           ("Beschreibung", "description_de"),
                                           ("description_it", "description_it"),
                                           ("Spanish description", "description_es"),
                                           ("description", "description_en")])
def test_description_headers_are_recognised(header, field):
    from atlas_app.intake.columns import suggest_field

    assert suggest_field(header) == field


def test_an_edit_keeps_the_languages_it_does_not_name(store, taxonomy, settings):
    import_bytes(to_csv([make_organisation(description_de="Hilft.")]), "a.csv", store, taxonomy,
                 settings, ImportOptions())
    [org_id] = store.frame()["id"].tolist()
    with store.write() as conn:  # a language no catalogue has (yet): kept as it is
        conn.execute(sa.text("UPDATE organisations SET descriptions = :d WHERE id = :id"),
                     {"d": '{"en": "Helps.", "de": "Hilft.", "nl": "Helpt."}', "id": org_id})
    org = store.get_organisation(org_id)
    update_organisation(store, org_id, {**org, "description_de": None,
                                        "description_pt": "Ajuda."}, "ana@example.org")
    assert store.get_organisation(org_id)["descriptions"] == \
        {"en": "Helps.", "nl": "Helpt.", "pt": "Ajuda."}


@pytest.mark.parametrize("texts, lang, expected", [
    ({"de": "Hilft.", "en": "Helps."}, "de", ("Hilft.", "de")),
    ({"fr": "Aide.", "en": "Helps.", "pl": "Pomaga."}, "de", ("Helps.", "en")),
    ({"fr": "Aide.", "pl": "Pomaga."}, "it", ("Aide.", "fr")),
    ({"pl": "Pomaga."}, "es", ("Pomaga.", "pl")),
    ({"nl": "Helpt."}, "en", ("Helpt.", "nl")),
    ({}, "fr", ("", None)),
])
def test_a_visitor_reads_their_language_else_english_then_french_then_any(texts, lang,
                                                                         expected):
    org = {f"description_{k}": v for k, v in texts.items() if k != "nl"}
    org["descriptions"] = texts
    assert pick_description(org, lang) == expected


def test_the_card_marks_a_description_in_another_language(taxonomy):
    org = {"id": 1, "name": "Lab", "sector": "health", "kind": "support",
           "description_pl": "Pomaga.", "tags": []}
    detail = organisation_detail(org, taxonomy, "de")
    assert (detail.description, detail.description_lang) == ("Pomaga.", "pl")
    assert organisation_detail({**org, "description_de": "Hilft."}, taxonomy,
                               "de").description_lang is None


def test_search_covers_every_language_in_frames_and_in_the_index(store, taxonomy, settings):
    import_bytes(to_csv(_three_languages(12)), "three.csv", store, taxonomy, settings,
                 ImportOptions())
    frame = store.frame()
    for word, language in (("größe", "de"), ("gesla", "pl"), ("group", "en")):
        texts = frame[f"description_{language}"].map(lambda t: fold(t or ""))
        expected = sorted(frame.loc[texts.str.contains(fold(word)), "id"])
        assert 3 < len(expected) < len(frame)
        assert sorted(apply_filters(frame, Filters(q=word))["id"]) == expected
        for index in (RegistryIndex.load(store), RegistryIndex.from_frame(frame)):
            ids = index.frame["id"].to_numpy()[index.mask(Filters(q=word))]
            assert sorted(np.asarray(ids).tolist()) == expected, (word, type(index))
