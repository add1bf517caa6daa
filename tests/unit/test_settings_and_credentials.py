"""Settings parsing and the credential store."""

from __future__ import annotations

import json
import os
import stat

from simkl_ratings.core.config import Settings, parse_settings
from simkl_ratings.core.media import ANIME, MOVIES
from simkl_ratings.core.simkl.credentials import Credentials, CredentialStore


def test_kodi_text_values_become_typed_settings():
    settings, problems = parse_settings(
        {
            "sync_movies": "true",
            "sync_shows": "false",
            "startup_delay": "45",
            "batch_size": "250",
            "api_url": " http://127.0.0.1:9/ ",
            "client_id": "abc",
            "debug": "true",
        }
    )
    assert problems == []
    assert settings.sync_shows is False
    assert settings.startup_delay == 45
    assert settings.batch_size == 250
    assert settings.api_url == "http://127.0.0.1:9/"
    assert settings.enabled_types() == (MOVIES, ANIME)


def test_bad_values_keep_their_defaults_and_are_named():
    settings, problems = parse_settings(
        {"sync_movies": "yes", "startup_delay": "-5", "batch_size": "0", "sync_interval": "x"}
    )
    assert settings == Settings()
    assert sorted(problems) == ["batch_size", "startup_delay", "sync_interval", "sync_movies"]


def test_an_empty_api_url_means_the_default():
    settings, problems = parse_settings({"api_url": ""})
    assert settings.api_url == "https://api.simkl.com"
    assert problems == []


def test_the_client_id_setting_overrides_the_packaged_one():
    assert Settings(client_id="mine").effective_client_id("packaged") == "mine"
    assert Settings(client_id=" ").effective_client_id("packaged") == "packaged"


def test_credentials_are_saved_private_and_never_shown(tmp_path):
    store = CredentialStore(str(tmp_path))
    creds = Credentials(access_token="t" * 64, client_id="c", account_id=7, account_name="me")
    store.save(creds)
    assert stat.S_IMODE(os.stat(store.path).st_mode) == 0o600
    assert store.load() == creds
    assert "t" * 64 not in repr(creds)
    with open(store.path) as stream:
        assert json.load(stream)["schema_version"] == 1
    assert store.clear() is True
    assert store.load() is None
    assert store.clear() is False


def test_a_corrupt_credentials_file_means_signed_out(tmp_path):
    store = CredentialStore(str(tmp_path))
    for content in ("{not json", "[]", '{"access_token": ""}', '{"access_token": 5}'):
        with open(store.path, "w") as stream:
            stream.write(content)
        assert store.load() is None
