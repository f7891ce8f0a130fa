"""Settings come from the environment, with clear errors for malformed values."""

from __future__ import annotations

import pytest

from atlas_app.errors import ConfigError
from atlas_app.settings import PROJECT_ROOT, load_settings


def test_defaults_and_relative_sqlite_path():
    settings = load_settings({})
    assert settings.resolved_database_url == f"sqlite:///{PROJECT_ROOT / 'var' / 'atlas.db'}"
    assert settings.tile_url == "" and settings.geocoder_url == ""
    assert settings.geocoder_min_interval == 1.0


def test_values_from_the_environment():
    settings = load_settings({"ATLAS_DATABASE_URL": "postgresql://u@h/db",
                              "ATLAS_MAX_ROWS": "10", "ATLAS_GEOCODER_MIN_INTERVAL": "0"})
    assert settings.resolved_database_url == "postgresql://u@h/db"
    assert settings.max_rows == 10 and settings.geocoder_min_interval == 0.0


@pytest.mark.parametrize("env, message", [
    ({"ATLAS_MAX_ROWS": "many"}, "ATLAS_MAX_ROWS must be a whole number, instead got: 'many'"),
    ({"ATLAS_MAX_ROWS": "0"}, "ATLAS_MAX_ROWS must be at least 1"),
    ({"ATLAS_GEOCODER_MIN_INTERVAL": "-1"}, "must be at least 0"),
])
def test_malformed_values_say_what_was_expected(env, message):
    with pytest.raises(ConfigError, match=message):
        load_settings(env)
