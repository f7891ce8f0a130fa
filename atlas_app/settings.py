"""One frozen Settings object built from the environment; nothing is read at import time."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from atlas_app.errors import ConfigError

PROJECT_ROOT = Path(__file__).resolve().parent.parent
PACKAGE_DATA = PROJECT_ROOT / "data"

DEFAULT_DATABASE_URL = "sqlite:///var/atlas.db"


@dataclass(frozen=True)
class Settings:
    """Everything configurable about the atlas.

    Attributes
    ----------
    database_url:
        SQLAlchemy URL. ``sqlite:///relative/path.db`` is resolved against the project
        root so the CLI and the app agree whatever the working directory.
    data_dir:
        Where the taxonomy (``sectors.csv``), the seed registry and ``datapackage.json`` live.
    max_upload_bytes, max_rows:
        Files above either limit are refused before parsing.
    tile_url, tile_attribution:
        Basemap tiles (e.g. your own tile server). Empty ``tile_url`` (the default) means
        no tile server at all: the map draws the offline country outlines.
    cache_dir:
        Where the offline gazetteer's index is cached.
    geocoder_url, geocoder_user_agent, geocoder_timeout, geocoder_min_interval:
        The optional online geocoder (Nominatim API). Empty URL: offline only. The
        public Nominatim allows one request per second: keep the interval at 1 there.
    """

    database_url: str = DEFAULT_DATABASE_URL
    data_dir: Path = PACKAGE_DATA
    max_upload_bytes: int = 20 * 1024 * 1024
    max_rows: int = 200_000
    tile_url: str = ""
    tile_attribution: str = ""
    cache_dir: Path = PROJECT_ROOT / "var" / "cache"
    geocoder_url: str = ""
    geocoder_user_agent: str = "social-tech-atlas/0.1 (https://socialgoodaccelerator.eu)"
    geocoder_timeout: int = 10
    geocoder_min_interval: float = 1.0

    @property
    def resolved_database_url(self) -> str:
        """The database URL with a relative SQLite path made absolute."""
        prefix = "sqlite:///"
        if self.database_url.startswith(prefix):
            path = self.database_url[len(prefix):]
            if path and path != ":memory:" and not path.startswith("/"):
                return prefix + str(PROJECT_ROOT / path)
        return self.database_url


def _number_env(env: dict[str, str], name: str, default, kind=int, minimum=1):
    """A numeric setting: ``kind`` (int or float) at least ``minimum``, else ConfigError."""
    raw = env.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = kind(raw)
    except ValueError:
        expected = "a whole number" if kind is int else "a number"
        raise ConfigError(f"{name} must be {expected}, instead got: {raw!r}") from None
    if value < minimum:
        raise ConfigError(f"{name} must be at least {minimum}, instead got: {value}")
    return value


def load_settings(env: dict[str, str] | None = None) -> Settings:
    """Build Settings from environment variables (``ATLAS_*``)."""
    env = dict(os.environ if env is None else env)
    defaults = Settings()
    return Settings(
        database_url=env.get("ATLAS_DATABASE_URL") or defaults.database_url,
        data_dir=Path(env["ATLAS_DATA_DIR"]) if env.get("ATLAS_DATA_DIR") else defaults.data_dir,
        max_upload_bytes=_number_env(env, "ATLAS_MAX_UPLOAD_BYTES", defaults.max_upload_bytes),
        max_rows=_number_env(env, "ATLAS_MAX_ROWS", defaults.max_rows),
        tile_url=env.get("ATLAS_TILE_URL", defaults.tile_url),
        tile_attribution=env.get("ATLAS_TILE_ATTRIBUTION", defaults.tile_attribution),
        cache_dir=Path(env["ATLAS_CACHE_DIR"]) if env.get("ATLAS_CACHE_DIR") else defaults.cache_dir,
        geocoder_url=env.get("ATLAS_GEOCODER_URL", "").strip(),
        geocoder_user_agent=env.get("ATLAS_GEOCODER_USER_AGENT") or defaults.geocoder_user_agent,
        geocoder_timeout=_number_env(env, "ATLAS_GEOCODER_TIMEOUT", defaults.geocoder_timeout),
        geocoder_min_interval=_number_env(env, "ATLAS_GEOCODER_MIN_INTERVAL",
                                           defaults.geocoder_min_interval, float, 0),
    )
