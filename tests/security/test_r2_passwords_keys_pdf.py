"""Round 2, partly fixed before: the breached-password list is the top 100,000 and catches look-alike,
repeated and product-name passwords; a production SECRET_KEY must look random; fresh PDF renders are
limited per person and in total by token buckets; team dashboard views are audited."""

from __future__ import annotations

import secrets

import pytest
from flask import Flask
from sqlmodel import select
from tests.security.support import ML, submit

from competency.config import ConfigError, Settings
from competency.models import AuditEvent
from competency.resources import package_data
from competency.services.passwords import check_password_policy, common_passwords
from competency.web.limits import RenderRefused, TokenBucket, pdf_render_slot
from competency.web.requests import db


@pytest.mark.parametrize(
    "password",
    [
        "competency2024",
        "Competency-2025!",
        "C0mp3tency!!2024",
        "P@ssw0rd2024",
        "passwordpassword",
        "Password!Password!",
        # Beyond the 10,000 most common, within the 100,000.
        "finalfantasy",
        "Unbelievable2024",
        "chickenwing101",
    ],
)
def test_breached_lookalike_repeated_and_product_passwords_are_refused(password: str) -> None:
    assert check_password_policy(password) is not None


@pytest.mark.parametrize(
    "password", ["correct horse battery", "Zebra-Violin-Mango-42", "moss on the north side"]
)
def test_passphrases_still_pass(password: str) -> None:
    assert check_password_policy(password) is None


def test_the_list_is_the_top_100000() -> None:
    lines = package_data("common-passwords.txt").read_text(encoding="utf-8").splitlines()
    assert len(lines) == 100_000 and lines[:3] == ["123456", "password", "12345678"]
    # Lower-cased, "Password" and "password" are one entry.
    assert len(common_passwords()) >= 95_000


@pytest.mark.parametrize(
    "key",
    [
        "change-me-change-me-change-me-12",
        "0123456789abcdef0123456789abcdef",
        "my-Secret-Key-for-prod-2024-xyz!",
    ],
)
def test_low_entropy_production_keys_are_refused(key: str, tmp_path) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ConfigError, match="SECRET_KEY is too weak"):
        Settings(env="production", secret_key=key, instance_dir=tmp_path).resolve_secret_key()


def test_generated_keys_are_accepted(tmp_path) -> None:  # type: ignore[no-untyped-def]
    for key in (secrets.token_hex(32), secrets.token_urlsafe(32)):
        assert Settings(env="production", secret_key=key, instance_dir=tmp_path).resolve_secret_key() == key


def render_once(person_id: int) -> None:
    with pdf_render_slot(person_id):
        pass


def test_fresh_renders_are_limited_per_person_and_in_total(make_app, questionnaire_dir) -> None:  # type: ignore[no-untyped-def]
    app = make_app(questionnaire_dir, PDF_PERSON_BURST=3, PDF_TOTAL_BURST=7)
    with app.test_request_context():
        for _ in range(3):
            render_once(1)
        with pytest.raises(RenderRefused) as mine:
            render_once(1)
        assert mine.value.status == 429 and mine.value.retry_after > 0
        # Someone else is not held back by person 1's bucket ...
        for _ in range(3):
            render_once(2)
        render_once(3)
        # ... until the process's own bucket is spent: then everyone waits a little.
        with pytest.raises(RenderRefused) as busy:
            render_once(4)
        assert busy.value.status == 503 and busy.value.retry_after > 0


def test_a_token_bucket_refills_with_time() -> None:
    now = [0.0]
    bucket = TokenBucket(2, 10.0, clock=lambda: now[0])
    bucket.take()
    bucket.take()
    assert bucket.wait() == 10
    now[0] = 4.0
    assert bucket.wait() == 6
    now[0] = 10.0
    assert bucket.wait() == 0
    now[0] = 1000.0
    bucket.take()
    bucket.take()
    assert bucket.wait() > 0  # never more than the burst, however long it waited


def test_team_dashboard_views_are_audited(app: Flask, make_user, make_team, login_as) -> None:  # type: ignore[no-untyped-def]
    boss = make_user("viewer.boss@example.org")
    member = make_user("viewed@example.org")
    team_id = make_team("Audited", members=[member], managers=[boss])
    submit(app, member, 2)
    assert login_as(boss).get(f"/teams/{team_id}?questionnaire={ML}").status_code == 200
    assert login_as(member).get(f"/api/teams/{team_id}/summary?questionnaire={ML}").status_code == 200
    with app.app_context():
        events = db().exec(select(AuditEvent).where(AuditEvent.action == "team.view")).all()
    seen = {(e.actor_id, e.object, e.details["individuals"]) for e in events}
    assert seen == {(boss.id, f"team:{team_id}", True), (member.id, f"team:{team_id}", False)}
