"""Filters over the registry and the sentence that describes them."""

from __future__ import annotations

import pandas as pd
import pytest

from atlas_app.public.filters import Filters, apply_filters, describe_filters

ROWS = pd.DataFrame([
    {"id": 1, "name": "Framasoft", "description_en": "Free software", "description_fr": None,
     "city": "Lyon", "tags": ["libre"], "country": "FR", "sector": "open-tech", "kind": "solution"},
    {"id": 2, "name": "Emmaüs Connect", "description_en": "Digital inclusion",
     "description_fr": "Inclusion numérique", "city": "Paris", "tags": [], "country": "FR",
     "sector": "digital-inclusion", "kind": "support"},
    {"id": 3, "name": "Decidim", "description_en": "Participatory democracy",
     "description_fr": None, "city": "Barcelona", "tags": ["civic tech"], "country": "ES",
     "sector": "democracy", "kind": "solution"},
])


@pytest.mark.parametrize("filters, ids", [
    (Filters(), [1, 2, 3]),
    (Filters(countries=("FR",)), [1, 2]),
    (Filters(countries=("FR", "ES"), kinds=("solution",)), [1, 3]),
    (Filters(sectors=("democracy",)), [3]),
    (Filters(q="emmaus"), [2]),
    (Filters(q="NUMERIQUE"), [2]),
    (Filters(q="civic barcelona"), [3]),
    (Filters(q="libre"), [1]),
    (Filters(q="nothing-like-this"), []),
    (Filters(countries=("DE",)), []),
])
def test_apply_filters(filters, ids):
    assert list(apply_filters(ROWS, filters)["id"]) == ids


def test_sentence_in_english_and_french(taxonomy):
    f = Filters(countries=("FR",), sectors=("health",), q="lab")
    assert describe_filters(f, 42, 1203, taxonomy) == \
        "42 of 1,203 organisations · country is France · sector is Health & care · " \
        "text contains “lab”"
    fr = describe_filters(f, 42, 1203, taxonomy, lang="fr")
    assert fr.startswith("42 sur 1\u202f203 organisations · pays : France · secteur : Santé")


def test_sentence_without_filters(taxonomy):
    assert describe_filters(Filters(), 3, 3, taxonomy) == "3 of 3 organisations"
