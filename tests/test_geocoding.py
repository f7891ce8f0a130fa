"""The geocoding chain against a real local Nominatim-speaking server (no mocks of geopy)."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from atlas_app.intake.pipeline import ImportOptions, import_bytes
from atlas_app.places.geocoding import (
    PAUSE_KEY,
    Locator,
    OnlineGeocoder,
    Outcome,
    Query,
    locate_pending,
)
from tests.support.factories import make_organisation, to_csv
from tests.support.nominatim_server import NominatimStub

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def stub():
    with NominatimStub() as server:
        yield server


def online_locator(gazetteer, store, stub, sleeps=None, timeout=1.0):
    geocoder = OnlineGeocoder(stub.url, "atlas-tests/1.0 (tests@example.org)", timeout=timeout)
    return Locator(gazetteer, store, geocoder, min_interval=0.0,
                   sleep=(sleeps.append if sleeps is not None else time.sleep))


@pytest.mark.parametrize("city, status, note", [
    ("Okcity", "located", "online geocoder: Okcity, France"),
    ("Nowhere", "not_found", "found nothing"),
    ("Ratelimitednoheader", "deferred", "too many requests (429)"),
    ("Broken", "deferred", "online geocoder failed"),
    ("Slow", "deferred", "timed out"),
    ("Htmlpage", "deferred", "not JSON"),
    ("Forbidden", "paused", "refused access"),
])
def test_online_answers_are_told_apart(gazetteer, sqlite_store, stub, city, status, note):
    outcome = online_locator(gazetteer, sqlite_store, stub).locate(
        Query(city, "FR"), use_online=True)
    assert outcome.status == status
    assert note in outcome.note
    assert stub.user_agents == {"atlas-tests/1.0 (tests@example.org)"}


def test_429_with_retry_after_waits_and_tries_once_more(gazetteer, sqlite_store, stub):
    sleeps = []
    outcome = online_locator(gazetteer, sqlite_store, stub, sleeps).locate(
        Query("Ratelimited", "FR"), use_online=True)
    assert outcome.status == "deferred" and sleeps == [1.0]
    assert stub.requests["Ratelimited"] == 2


def test_a_long_retry_after_defers_instead_of_blocking(gazetteer, sqlite_store, stub):
    sleeps = []
    started = time.monotonic()
    outcome = online_locator(gazetteer, sqlite_store, stub, sleeps).locate(
        Query("Ratelimitedlong", "FR"), use_online=True)
    assert outcome.status == "deferred" and outcome.retry_after == 3600
    assert sleeps == [] and stub.requests["Ratelimitedlong"] == 1
    assert time.monotonic() - started < 5


def test_answers_and_not_found_are_cached_so_never_asked_twice(gazetteer, sqlite_store, stub):
    locator = online_locator(gazetteer, sqlite_store, stub)
    for _ in range(3):
        assert locator.locate(Query("Okcity", "FR"), use_online=True).located
        assert locator.locate(Query("Nowhere", "FR"), use_online=True).status == "not_found"
    locator.locate(Query("okcity ", "fr"), use_online=True)
    assert stub.requests == {"Okcity": 1, "Nowhere": 1}


def test_temporary_failures_are_not_cached(gazetteer, sqlite_store, stub):
    locator = online_locator(gazetteer, sqlite_store, stub)
    locator.locate(Query("Broken", "FR"), use_online=True)
    locator.locate(Query("Broken", "FR"), use_online=True)
    assert stub.requests["Broken"] == 2


def test_gazetteer_answers_first_without_any_request(gazetteer, sqlite_store, stub):
    outcome = online_locator(gazetteer, sqlite_store, stub).locate(
        Query("Lisboa", "PT"), use_online=True)
    assert (outcome.source, outcome.precision) == ("gazetteer", "locality")
    assert sum(stub.requests.values()) == 0


def test_one_request_per_interval_for_the_whole_app(gazetteer, sqlite_store, stub):
    """Two locators (think: two processes) share the slot kept in the database."""
    sleeps: list[float] = []
    geocoder = OnlineGeocoder(stub.url, "atlas-tests/1.0", timeout=1)
    a = Locator(gazetteer, sqlite_store, geocoder, min_interval=1.0, sleep=sleeps.append)
    b = Locator(gazetteer, sqlite_store, geocoder, min_interval=1.0, sleep=sleeps.append)
    a.locate(Query("Okcity1", "FR"), use_online=True)
    b.locate(Query("Okcity2", "FR"), use_online=True)
    assert len(sleeps) == 1 and 0.8 < sleeps[0] <= 1.0


def seed_unlocated(store, taxonomy, settings, gazetteer, cities):
    rows = [make_organisation(name=f"Org {c}", city=c, website=f"https://{c.lower()}.example")
            for c in cities]
    import_bytes(to_csv(rows), "u.csv", store, taxonomy, settings, ImportOptions(),
                 locator=Locator(gazetteer))
    return {r["city"]: r for r in store.frame(statuses=None).to_dict("records")}


def test_run_never_loses_a_row_and_pauses_on_403(store, taxonomy, settings, gazetteer, stub):
    cities = ["Okcity", "Nowhere", "Broken", "Forbidden", "Okcity2", "Lyon"]
    seed_unlocated(store, taxonomy, settings, gazetteer, cities)
    report = locate_pending(store, online_locator(gazetteer, store, stub), online=True)
    assert "refused access" in report.paused and store.get_meta(PAUSE_KEY)
    rows = {r["city"]: r for r in store.frame(statuses=None).to_dict("records")}
    assert len(rows) == len(cities)
    assert rows["Lyon"]["location_source"] == "gazetteer"
    assert rows["Okcity"]["location_source"] == "online"
    assert rows["Okcity"]["location_precision"] == "locality"
    assert stub.requests["Okcity2"] == 0, "after a 403 nothing more is sent online"
    still = {r["city"]: r["geocode_status"] for r in store.unlocated(
        ("offline_miss", "deferred", "not_found"))}
    assert still == {"Nowhere": "not_found", "Broken": "deferred", "Forbidden": "offline_miss",
                     "Okcity2": "offline_miss"}
    again = locate_pending(store, online_locator(gazetteer, store, stub), online=True)
    assert again.paused and sum(stub.requests.values()) == 4


def test_a_failing_service_is_backed_off_then_left_for_the_next_run(
        sqlite_store, taxonomy, settings, gazetteer, stub):
    seed_unlocated(sqlite_store, taxonomy, settings, gazetteer, ["Broken"] * 8 + ["Okcity"])
    sleeps: list[float] = []
    report = locate_pending(sqlite_store, online_locator(gazetteer, sqlite_store, stub, sleeps),
                            online=True)
    assert sleeps == [2.0, 4.0, 8.0, 16.0]
    assert stub.requests["Broken"] == 5 and stub.requests["Okcity"] == 0
    assert "5 online failures in a row" in report.stopped_online
    assert len(sqlite_store.unlocated(("deferred", "offline_miss"))) == 9


def test_manual_coordinates_are_never_overwritten(store, taxonomy, settings, gazetteer, stub):
    seed_unlocated(store, taxonomy, settings, gazetteer, ["Okcity"])
    [row] = store.unlocated(("offline_miss",))
    # Staff set the location by hand after the run picked the row but before it wrote.
    from atlas_app.registry.tables import organisations
    with store.write() as conn:
        conn.execute(organisations.update().where(organisations.c.id == row["id"]).values(
            latitude=1.5, longitude=2.5, location_source="manual", location_precision="exact",
            geocode_status="located"))
    located = Outcome("located", 45.0, 3.0, "locality", "online", "late answer")
    assert store.apply_locations([(row["id"], located)]) == 0
    org = store.get_organisation(row["id"])
    assert (org["latitude"], org["longitude"], org["location_source"]) == (1.5, 2.5, "manual")
    locate_pending(store, online_locator(gazetteer, store, stub), online=True,
                   retry_failed=True)
    assert store.get_organisation(row["id"])["location_source"] == "manual"


def test_given_coordinates_are_checked_against_the_country(gazetteer):
    locator = Locator(gazetteer)
    assert locator.check_given(48.85, 2.35, "FR")[0] == "ok"
    verdict, lat, lon, _ = locator.check_given(2.35, 48.85, "FR")
    assert (verdict, lat, lon) == ("swapped", 48.85, 2.35)
    assert locator.check_given(-33.9, 18.4, "FR")[0] == "outside"


def test_import_locates_rows_and_reports_the_rest(sqlite_store, taxonomy, settings, gazetteer):
    rows = [make_organisation(name="A", city="München", country="Deutschland",
                              website="https://a.example"),
            make_organisation(name="B", city="Le Pin", website="https://b.example"),
            make_organisation(name="C", city="Lyon", latitude="4.83", longitude="45.76",
                              website="https://c.example"),
            make_organisation(name="D", city="Paris", latitude="-33.9", longitude="18.4",
                              website="https://d.example")]
    report = import_bytes(to_csv(rows), "g.csv", sqlite_store, taxonomy, settings,
                          locator=Locator(gazetteer))
    assert report.written == 4
    orgs = {o["name"]: o for o in sqlite_store.frame(statuses=None).to_dict("records")}
    assert orgs["A"]["location_source"] == "gazetteer" and 48 < orgs["A"]["latitude"] < 48.3
    assert orgs["B"]["location_source"] == "none" and "add the postcode" in orgs["B"]["location_note"]
    assert (orgs["C"]["latitude"], orgs["C"]["longitude"]) == (45.76, 4.83)
    assert orgs["D"]["location_source"] == "provided"
    warnings = {p.line: p.message for p in report.problems if p.severity == "warning"}
    assert "not located" in warnings[3] and "swapped" in warnings[4]
    assert "outside FR" in warnings[5]
    assert [r["name"] for r in sqlite_store.unlocated(("ambiguous",))] == ["B"]


@pytest.mark.slow
def test_killed_run_resumes_without_losing_or_repeating(tmp_path, taxonomy, gazetteer):
    """SIGKILL `atlas geocode --online` at seeded random points, three times; the next run
    finishes the job with every row located once."""
    from atlas_app.registry.store import Store
    from atlas_app.settings import Settings

    url = f"sqlite:///{tmp_path / 'kill.db'}"
    store = Store(url)
    store.upgrade()
    cities = [f"Place{i:02d}" for i in range(24)]
    seed_unlocated(store, taxonomy, Settings(database_url=url), gazetteer, cities)
    env = {**os.environ, "ATLAS_DATABASE_URL": url, "ATLAS_GEOCODER_MIN_INTERVAL": "0",
           "PYTHONUNBUFFERED": "1"}
    atlas = [sys.executable, "-m", "atlas_app.cli", "geocode", "--online"]
    rng = random.Random(7)
    kills = 3
    with NominatimStub(delay=0.1) as slow:
        env["ATLAS_GEOCODER_URL"] = slow.url
        for _ in range(kills):
            target = sum(slow.requests.values()) + rng.randint(3, 6)
            proc = subprocess.Popen(atlas, env=env, cwd=ROOT, stdout=subprocess.DEVNULL,
                                    stderr=subprocess.DEVNULL)
            deadline = time.time() + 60
            while sum(slow.requests.values()) < target and time.time() < deadline:
                time.sleep(0.02)
            proc.send_signal(signal.SIGKILL)
            proc.wait()
        left = len(store.unlocated(("offline_miss",)))
        assert 0 < left < len(cities)
        result = subprocess.run(atlas, env=env, cwd=ROOT, capture_output=True, text=True,
                                timeout=120)
        assert result.returncode == 0, result.stderr
    rows = store.frame(statuses=None)
    assert len(rows) == len(cities)
    assert set(rows["location_source"]) == {"online"}
    # Only a request in flight when a run was killed is ever asked again.
    assert sum(slow.requests.values()) <= len(cities) + kills
    assert max(slow.requests.values()) <= 1 + kills


def test_precision_says_what_was_found_and_is_stored(store, taxonomy, settings, gazetteer):
    """Issue 19: a postcode, a district, a town or a region — stored on both databases."""
    rows = [make_organisation(name="Code", city="69007 Lyon", website="https://p.example"),
            make_organisation(name="Quarter", city="Praha 7", country="CZ",
                              website="https://d.example"),
            make_organisation(name="Town", city="Lyon", website="https://l.example"),
            make_organisation(name="Dept", city="Hauts-de-Seine", website="https://r.example"),
            make_organisation(name="Lane", city="Foxglove Business Park", country="GB",
                              website="https://s.example")]
    report = import_bytes(to_csv(rows), "p.csv", store, taxonomy, settings,
                          locator=Locator(gazetteer))
    assert report.written == 5
    orgs = {o["name"]: o for o in store.frame(statuses=None).to_dict("records")}
    assert {n: orgs[n]["location_precision"] for n in ("Code", "Quarter", "Town", "Dept")} \
        == {"Code": "postcode", "Quarter": "district", "Town": "locality", "Dept": "region"}
    assert "approximate" in orgs["Dept"]["location_note"]
    assert orgs["Lane"]["location_source"] == "none"
    assert "put the town in the city column" in orgs["Lane"]["location_note"]
    warning = next(p for p in report.problems if p.code == "not_located")
    assert "looks like a street" in warning.message


@pytest.mark.parametrize("precision, lang, shown, approximate", [
    ("postcode", "en", "postcode area", False), ("district", "fr", "quartier d'une ville", False),
    ("region", "en", "region", True), ("region", "fr", "région", True),
])
def test_the_card_says_what_was_found_and_when_it_is_approximate(taxonomy, precision, lang,
                                                                 shown, approximate):
    from atlas_app.public.detail import organisation_detail

    org = make_organisation(name="X", location_precision=precision,
                            location_source="gazetteer")
    org["id"] = 1
    location = organisation_detail(org, taxonomy, lang).location
    assert shown in location
    marker = "approximate location" if lang == "en" else "emplacement approximatif"
    assert (marker in location) is approximate
