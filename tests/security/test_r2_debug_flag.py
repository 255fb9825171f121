"""Round 2: FLASK_DEBUG is read as Flask reads it. FLASK_DEBUG=0 (debug off) leaves production as it is:
Secure cookies, HSTS, a SECRET_KEY required; and it does not stop the embedded worker's process choice."""

from __future__ import annotations

import secrets
from pathlib import Path

import pytest

from competency import app as app_module
from competency.app import create_app
from competency.config import ConfigError, Settings

OFF = ["0", "false", "False", "no"]


@pytest.fixture
def clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> pytest.MonkeyPatch:
    for name in ("COMPETENCY_ENV", "FLASK_DEBUG", "SECRET_KEY", "WERKZEUG_RUN_MAIN", "DATABASE_URL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("COMPETENCY_INSTANCE_DIR", str(tmp_path / "instance"))
    return monkeypatch


@pytest.mark.parametrize("value", OFF)
def test_debug_off_is_production(clean_env: pytest.MonkeyPatch, value: str) -> None:
    clean_env.setenv("FLASK_DEBUG", value)
    settings = Settings.from_env()
    assert settings.env == "production" and not settings.development
    # Production refuses to make up a key.
    with pytest.raises(ConfigError, match="SECRET_KEY is not set"):
        settings.resolve_secret_key()


@pytest.mark.parametrize("value", ["1", "true", "yes"])
def test_debug_on_is_development(clean_env: pytest.MonkeyPatch, value: str) -> None:
    clean_env.setenv("FLASK_DEBUG", value)
    assert Settings.from_env().development


@pytest.mark.parametrize("value", OFF)
def test_a_production_app_with_debug_off_keeps_secure_cookies_and_hsts(
    clean_env: pytest.MonkeyPatch,
    db_url: str,
    engine,
    value: str,  # type: ignore[no-untyped-def]
) -> None:
    clean_env.setenv("FLASK_DEBUG", value)
    clean_env.setenv("DATABASE_URL", db_url)
    clean_env.setenv("SECRET_KEY", secrets.token_hex(32))
    app = create_app({"TESTING": True})
    try:
        assert app.config["SESSION_COOKIE_SECURE"] and app.config["REMEMBER_COOKIE_SECURE"]
        response = app.test_client().get("/login")
        assert "Strict-Transport-Security" in response.headers
    finally:
        app.extensions["competency.engine"].dispose()


@pytest.mark.parametrize("value", OFF)
def test_with_debug_off_this_process_serves_and_runs_the_embedded_worker(
    clean_env: pytest.MonkeyPatch, value: str
) -> None:
    clean_env.setenv("FLASK_DEBUG", value)
    # No reloader runs with debug off: there is no child to leave the jobs to.
    assert app_module._serving_process()


def test_with_the_reloader_only_the_child_serves(clean_env: pytest.MonkeyPatch) -> None:
    clean_env.setenv("FLASK_DEBUG", "1")
    assert not app_module._serving_process()
    clean_env.setenv("WERKZEUG_RUN_MAIN", "true")
    assert app_module._serving_process()
