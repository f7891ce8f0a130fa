"""The geocoding chain: given coordinates → cache → offline gazetteer → online → not found.

The online geocoder is geopy's Nominatim behind one adapter object; its failures are told
apart from "not found" (geopy's RateLimiter would return None for both): a 429, timeout,
5xx or HTML answer defers the row, a 403 pauses online geocoding, and only a real empty
answer is "not found" (and cached, so it is never asked again).
"""

from __future__ import annotations

import functools
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from urllib.parse import urlsplit

from geopy import exc as geopy_exc
from geopy.adapters import RequestsAdapter
from geopy.geocoders import Nominatim

from atlas_app.errors import ConfigError
from atlas_app.places.gazetteer import ATTRIBUTION as GEONAMES_ATTRIBUTION
from atlas_app.places.gazetteer import Gazetteer
from atlas_app.text import place_key

NOMINATIM_ATTRIBUTION = "Geocoding © OpenStreetMap contributors (ODbL), via Nominatim"
MAX_RETRY_AFTER = 30.0


@dataclass(frozen=True)
class Query:
    """What we know of where an organisation is."""

    city: str
    country: str
    postcode: str | None = None
    address: str | None = None

    def key(self) -> str:
        """The normalised query: two spellings of one place share one cache entry."""
        return "|".join(place_key(part or "") for part in
                        (self.country, self.city, self.postcode, self.address))[:700]


@dataclass(frozen=True)
class Outcome:
    """The result of locating one organisation.

    ``status``: located, offline_miss (offline chain failed; online not tried),
    ambiguous, not_found, deferred (temporary online failure; retried next run) or
    paused (online geocoding refused us: 403/401).
    """

    status: str
    latitude: float | None = None
    longitude: float | None = None
    precision: str = "none"
    source: str = "none"
    note: str = ""
    retry_after: float | None = None
    reason: str = ""  # why not located: a code of places.reasons.REASONS (note words it)

    @property
    def located(self) -> bool:
        return self.status == "located"


class OnlineGeocoder:
    """Nominatim (public or self-hosted) through geopy; network errors become Outcomes."""

    provider = "nominatim"

    def __init__(self, url: str, user_agent: str, timeout: float = 10.0,
                 adapter_factory=None) -> None:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise ConfigError(f"ATLAS_GEOCODER_URL must be an http(s) URL, instead got: {url!r}")
        if not user_agent.strip():
            raise ConfigError("ATLAS_GEOCODER_USER_AGENT must identify the application")
        # The adapter must not retry by itself: urllib3 would sleep for whatever
        # Retry-After a server sends (an hour, say) and block the caller. We retry once,
        # with a cap, in Locator.locate.
        factory = adapter_factory or functools.partial(RequestsAdapter, max_retries=0)
        self._nominatim = Nominatim(domain=parts.netloc + parts.path.rstrip("/"),
                                    scheme=parts.scheme, user_agent=user_agent,
                                    timeout=timeout, adapter_factory=factory)

    def geocode(self, query: Query) -> Outcome:
        structured = {"city": query.city, "country": query.country}
        if query.postcode:
            structured["postalcode"] = query.postcode
        if query.address:
            structured["street"] = query.address
        try:
            location = self._nominatim.geocode(structured, exactly_one=True,
                                               country_codes=query.country.lower())
        except geopy_exc.GeocoderRateLimited as exc:
            return Outcome("deferred", note="online geocoder: too many requests (429)",
                           retry_after=exc.retry_after)
        except (geopy_exc.GeocoderInsufficientPrivileges,
                geopy_exc.GeocoderAuthenticationFailure) as exc:
            return Outcome("paused", note=f"online geocoder refused access ({exc}) — check "
                           "its usage policy and ATLAS_GEOCODER_USER_AGENT")
        except geopy_exc.GeocoderTimedOut:
            return Outcome("deferred", note="online geocoder timed out")
        except geopy_exc.GeocoderParseError:
            return Outcome("deferred", note="online geocoder answered something that is not "
                           "JSON (an error page?)")
        except geopy_exc.GeopyError as exc:
            return Outcome("deferred", note=f"online geocoder failed: {exc}")
        if location is None:
            return Outcome("not_found", note="the online geocoder found nothing")
        return Outcome("located", location.latitude, location.longitude,
                       "address" if query.address else "locality", "online",
                       f"online geocoder: {location.address}"[:500])


class Locator:
    """Runs the chain for one query at a time. ``store`` gives the cache and the app-wide
    rate limit; without it (tests, imports) only the offline steps run."""

    def __init__(self, gazetteer: Gazetteer, store=None, online: OnlineGeocoder | None = None,
                 min_interval: float = 1.0, sleep: Callable[[float], None] = time.sleep):
        self.gazetteer, self.store, self.online = gazetteer, store, online
        self.min_interval, self.sleep = min_interval, sleep
        self._cached: dict[str, dict | None] = {}  # cache answers read by prefetch()

    def prefetch(self, queries: Iterable[Query]) -> None:
        """Read the cached online answers for many queries at once (an import asks for
        tens of thousands: one query per row would dominate its time)."""
        if self.store is None:
            return
        keys = list({q.key() for q in queries} - self._cached.keys())
        found = self.store.cached_answers(OnlineGeocoder.provider, keys)
        self._cached.update({k: found.get(k) for k in keys})

    def check_given(self, latitude: float, longitude: float, country: str
                    ) -> tuple[str, float, float, str]:
        """Given coordinates against the country: ("ok"|"swapped"|"outside", lat, lon, note)."""
        inside = self.gazetteer.in_country(latitude, longitude, country)
        if inside is None or inside:
            return "ok", latitude, longitude, ""
        if abs(longitude) <= 90 and self.gazetteer.in_country(longitude, latitude, country):
            return ("swapped", longitude, latitude,
                    "latitude and longitude were swapped; corrected")
        return ("outside", latitude, longitude,
                f"coordinates are outside {country} — check them")

    def offline(self, query: Query) -> Outcome:
        """The steps that need no network: cached answers, then the gazetteer."""
        key = query.key()
        if key in self._cached:
            cached = self._cached[key]
        else:
            cached = self.store.cached_answer(OnlineGeocoder.provider, key) \
                if self.store is not None else None
        if cached is not None:
            if cached["found"]:
                return Outcome("located", cached["latitude"], cached["longitude"],
                               cached["precision"], "online", f"cached: {cached['label']}")
            return Outcome("not_found", note="the online geocoder found nothing (cached)")
        result = self.gazetteer.lookup(query.city, query.country, query.postcode)
        if result.place is not None:
            p = result.place
            return Outcome("located", p.latitude, p.longitude, result.precision, "gazetteer",
                           result.note)
        status = "ambiguous" if result.status == "ambiguous" else "offline_miss"
        return Outcome(status, note=result.note, reason=result.reason)

    def locate(self, query: Query, *, use_online: bool) -> Outcome:
        """The whole chain. Online is asked only when offline fails and it is enabled."""
        first = self.offline(query)
        if first.located or first.note.endswith("(cached)") or not use_online \
                or self.online is None:
            return first
        delay = self.store.reserve_slot("online_geocoder_next_at", self.min_interval) \
            if self.store is not None else 0.0
        if delay > 0:
            self.sleep(delay)
        answer = self.online.geocode(query)
        if answer.status == "deferred" and answer.retry_after is not None \
                and answer.retry_after <= MAX_RETRY_AFTER:
            self.sleep(answer.retry_after)
            answer = self.online.geocode(query)
        if answer.status in ("located", "not_found") and self.store is not None:
            self.store.cache_answer(OnlineGeocoder.provider, query.key(), answer)
            self._cached.pop(query.key(), None)
        if answer.status == "not_found" and first.status == "ambiguous":
            return Outcome("ambiguous", note=first.note + "; the online geocoder found nothing")
        return answer


def attributions(online_configured: bool) -> list[str]:
    """Credits owed for the locations on the map."""
    return [GEONAMES_ATTRIBUTION] + ([NOMINATIM_ATTRIBUTION] if online_configured else [])


PAUSE_KEY = "online_geocoder_paused"
OFFLINE_PICKS = ("todo",)
ONLINE_PICKS = ("todo", "offline_miss", "deferred")
RETRY_PICKS = ("offline_miss", "not_found", "ambiguous")


MAX_CONSECUTIVE_FAILURES = 5
MAX_BACKOFF = 30.0


@dataclass
class RunReport:
    """What one ``atlas geocode`` run did."""

    considered: int = 0
    counts: dict[str, int] | None = None
    paused: str | None = None
    stopped_online: str | None = None

    def add(self, status: str) -> None:
        self.counts = self.counts or {}
        self.counts[status] = self.counts.get(status, 0) + 1


def locate_pending(store, locator: Locator, *, online: bool = False, retry_failed: bool = False,
                   limit: int | None = None, batch_size: int = 100,
                   progress: Callable[[int, int], None] | None = None) -> RunReport:
    """Locate unlocated organisations, committing as it goes (so a killed run resumes).

    Rows already committed are not asked again; answers are cached; coordinates set by
    hand are never touched. A 403 from the online service pauses online geocoding (kept
    in the database) and the run finishes offline.
    """
    report = RunReport()
    paused = store.get_meta(PAUSE_KEY)
    if online and paused:
        report.paused, online = paused, False
    picks = set(ONLINE_PICKS if online else OFFLINE_PICKS)
    if retry_failed:
        picks |= set(RETRY_PICKS)
    rows = store.unlocated(sorted(picks), limit)
    report.considered = len(rows)
    pending: list[tuple[int, Outcome]] = []
    step = 1 if online else batch_size
    failures = 0
    for done, row in enumerate(rows, start=1):
        query = Query(row["city"], row["country"], row["postcode"], row["address"])
        outcome = locator.locate(query, use_online=online)
        if outcome.status == "deferred":
            # Back off while the service struggles; give up on it for this run after a
            # few failures in a row (the rows stay deferred for the next run).
            failures += 1
            if failures >= MAX_CONSECUTIVE_FAILURES:
                report.stopped_online = (f"{failures} online failures in a row (last: "
                                         f"{outcome.note}); the rest of this run is offline")
                online = False
            else:
                locator.sleep(min(2.0 ** failures, MAX_BACKOFF))
        elif outcome.source == "online" or outcome.status == "not_found":
            failures = 0
        if outcome.status == "paused":
            stamp = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
            report.paused = f"{outcome.note} (since {stamp})"
            store.set_meta(PAUSE_KEY, report.paused)
            online = False
            outcome = locator.locate(query, use_online=False)
        report.add(outcome.status)
        pending.append((row["id"], outcome))
        if len(pending) >= step or done == len(rows):
            store.apply_locations(pending)
            pending = []
        if progress:
            progress(done, len(rows))
    return report
