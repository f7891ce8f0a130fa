"""One frozen Settings object built from the environment; nothing is read at import time."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

from atlas_app.errors import ConfigError

# The package's own files (taxonomy, seed registry, mappings) ship inside it and are found
# wherever it is installed; a source checkout links them as the top-level ``data/``.
PACKAGE_DATA = Path(str(resources.files("atlas_app") / "data"))
PROJECT_ROOT = Path(__file__).resolve().parent.parent
IN_CHECKOUT = (PROJECT_ROOT / "pyproject.toml").is_file() and \
    (PROJECT_ROOT / "atlas_app" / "settings.py").is_file()


def default_home(env: dict[str, str] | None = None) -> Path:
    """Where writable state lives (database, caches, logs) unless ``ATLAS_HOME`` says:
    ``var/`` in a source checkout, else the user's data folder (XDG), never beside the
    installed package."""
    env = os.environ if env is None else env
    if env.get("ATLAS_HOME"):
        return Path(env["ATLAS_HOME"]).expanduser().resolve()
    if IN_CHECKOUT:
        return PROJECT_ROOT / "var"
    base = Path(env.get("XDG_DATA_HOME") or Path.home() / ".local" / "share")
    return base / "social-tech-atlas"


@dataclass(frozen=True)
class Settings:
    """Everything configurable about the atlas.

    Attributes
    ----------
    home:
        Writable state: ``atlas.db`` (the default database), ``cache/``, ``log/``
        (``ATLAS_HOME``; see :func:`default_home`).
    database_url:
        SQLAlchemy URL; empty means SQLite at ``home/atlas.db``. A relative
        ``sqlite:///path.db`` is resolved against ``home``'s parent in a checkout (so
        ``sqlite:///var/atlas.db`` is the default file), else against the current
        directory, so the CLI and the app agree.
    data_dir:
        Where the taxonomy (``sectors.csv``), the seed registry and ``datapackage.json`` live.
    max_upload_bytes, max_rows:
        Files above either limit are refused before parsing.
    tile_url, tile_attribution:
        Basemap tiles (e.g. your own tile server). Empty ``tile_url`` (the default) means
        no tile server at all: the map draws the offline country outlines.
    cache_dir:
        Where the offline gazetteer's index is cached (default ``home/cache``).
    geocoder_url, geocoder_user_agent, geocoder_timeout, geocoder_min_interval:
        The optional online geocoder (Nominatim API). Empty URL: offline only. The
        public Nominatim allows one request per second: keep the interval at 1 there.
    client_ip_header:
        Behind a reverse proxy, the request header that carries the visitor's address
        (e.g. ``X-Forwarded-For``; its first address is used). Empty (the default): the
        address the app sees. Throttles (sign-in, suggestions) count per client. Set it
        only when the proxy overwrites that header, or anyone could pick their own.
    drafts_dir:
        Where uploads in progress are kept so that a reload can resume them (default
        ``home/drafts``; ``ATLAS_DRAFTS_DIR``), one owner-only folder per staff member.
    session_hours, session_idle_minutes:
        A staff session ends this many hours after sign-in, or after this many minutes
        without use, whichever comes first (``ATLAS_SESSION_HOURS``,
        ``ATLAS_SESSION_IDLE_MINUTES``). It survives a reload until then (SECURITY.md).
    """

    database_url: str = ""
    home: Path = field(default_factory=default_home)
    data_dir: Path = PACKAGE_DATA
    max_upload_bytes: int = 20 * 1024 * 1024
    max_rows: int = 200_000
    tile_url: str = ""
    tile_attribution: str = ""
    cache_dir: Path | None = None
    geocoder_url: str = ""
    geocoder_user_agent: str = "social-tech-atlas/0.1 (https://socialgoodaccelerator.eu)"
    geocoder_timeout: int = 10
    geocoder_min_interval: float = 1.0
    client_ip_header: str = ""
    session_hours: int = 12
    session_idle_minutes: int = 120
    drafts_dir: Path | None = None

    def __post_init__(self) -> None:
        if self.cache_dir is None:
            object.__setattr__(self, "cache_dir", self.home / "cache")
        if self.drafts_dir is None:
            object.__setattr__(self, "drafts_dir", self.home / "drafts")

    @property
    def log_path(self) -> Path:
        return self.home / "log" / "atlas.log"

    @property
    def resolved_database_url(self) -> str:
        """The database URL with a relative SQLite path made absolute."""
        if not self.database_url:
            return f"sqlite:///{self.home / 'atlas.db'}"
        prefix = "sqlite:///"
        if self.database_url.startswith(prefix):
            path = self.database_url[len(prefix):]
            if path and path != ":memory:" and not path.startswith("/"):
                base = PROJECT_ROOT if IN_CHECKOUT else Path.cwd()
                return prefix + str(base / path)
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
    home = default_home(env)
    defaults = Settings(home=home)
    return Settings(
        home=home,
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
        client_ip_header=env.get("ATLAS_CLIENT_IP_HEADER", "").strip(),
        drafts_dir=Path(env["ATLAS_DRAFTS_DIR"]) if env.get("ATLAS_DRAFTS_DIR") else None,
        session_hours=_number_env(env, "ATLAS_SESSION_HOURS", defaults.session_hours),
        session_idle_minutes=_number_env(env, "ATLAS_SESSION_IDLE_MINUTES",
                                         defaults.session_idle_minutes),
    )
