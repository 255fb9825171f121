"""Round 2, lows of "forgot password" and the lockout: an unknown address costs the same work as a known one,
requests are limited per address, reset links end with any password change and their token never sits in a
URL a server logs; failures elsewhere hold an unknown browser back for a bounded time only, and the owner's
browser is let in by the mailed link."""

from __future__ import annotations

import re
from collections import Counter
from datetime import timedelta
from typing import Any

import pytest
from flask import Flask
from itsdangerous import URLSafeTimedSerializer
from tests.security.support import post_login, waiting_mails
from tests.web.conftest import PASSWORD, csrf_token, login

from competency.models import User, utcnow
from competency.services import account_links, notifications, throttle
from competency.web.auth.routes import WAIT_COOKIE, _email_tag
from competency.web.requests import db

NEW = "a brand new passphrase here"


def spy(monkeypatch: pytest.MonkeyPatch, calls: Counter[str], module: Any, name: str) -> None:
    """Count the calls of a real function (it still runs)."""
    real = getattr(module, name)

    def counted(*args: Any, **kwargs: Any) -> Any:
        calls[name] += 1
        return real(*args, **kwargs)

    monkeypatch.setattr(module, name, counted)


def work_of(app: Flask, monkeypatch: pytest.MonkeyPatch, email: str, client_addr: str) -> Counter[str]:
    calls: Counter[str] = Counter()
    for name in ("_new_token", "_hash", "user_by_email", "_recent_requests"):
        spy(monkeypatch, calls, account_links, name)
    spy(monkeypatch, calls, notifications, "render")
    with app.app_context():
        account_links.request_reset(db(), app.config["COMPETENCY_SETTINGS"], email, remote_addr=client_addr)
    monkeypatch.undo()
    return calls


def test_an_unknown_address_costs_the_same_work_as_a_known_one(app: Flask, make_user, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    make_user("known@example.org")
    known = work_of(app, monkeypatch, "known@example.org", "192.0.2.1")
    unknown = work_of(app, monkeypatch, "nobody@example.org", "192.0.2.2")
    assert known == unknown and known["_hash"] == 1 and known["render"] == 1


def pending_mails(app: Flask) -> list[dict[str, str]]:
    return waiting_mails(app)


def test_forgot_password_is_limited_per_client_address(app: Flask, make_user) -> None:  # type: ignore[no-untyped-def]
    make_user("victim@example.org")
    settings = app.config["COMPETENCY_SETTINGS"]
    with app.app_context():
        for n in range(account_links.RESETS_PER_CLIENT_PER_HOUR):
            account_links.request_reset(db(), settings, f"probe{n}@example.org", remote_addr="203.0.113.9")
        # The same client now names a real account: answered the same, nothing sent.
        assert not account_links.request_reset(
            db(), settings, "victim@example.org", remote_addr="203.0.113.9"
        )
        assert account_links.request_reset(db(), settings, "victim@example.org", remote_addr="203.0.113.10")
    assert [m["to"] for m in pending_mails(app)] == ["victim@example.org"]


def reset_token(app: Flask, email: str) -> str:
    with app.app_context():
        account_links.request_reset(
            db(), app.config["COMPETENCY_SETTINGS"], email, remote_addr="198.51.100.1"
        )
    (mail,) = [m for m in pending_mails(app) if m["to"] == email]
    match = re.search(r"https?://[^\s#]+/account/set-password#([A-Za-z0-9_\-]+)", mail["text"])
    assert match, mail["text"]
    # The token is only in the fragment: no path or query of the link holds it.
    assert match.group(1) not in match.group(0).split("#")[0]
    return match.group(1)


def use_link(client: Any, token: str, password: str = NEW) -> Any:
    page = client.get("/account/set-password")
    assert page.status_code == 200 and "js/reset-link.js" in page.get_data(as_text=True)
    form = csrf_token(client, "/account/set-password")
    data = {"csrf_token": form, "token": token, "password": password, "repeat": password}
    return client.post("/account/set-password", data=data)


def test_a_reset_link_ends_when_the_password_changes_another_way(app: Flask, make_user, login_as) -> None:  # type: ignore[no-untyped-def]
    user = make_user("changer@example.org")
    token = reset_token(app, user.email)
    client = login_as(user)
    form = csrf_token(client, "/account/password")
    changed = client.post(
        "/account/password", data={"current": PASSWORD, "new": NEW, "repeat": NEW, "csrf_token": form}
    )
    assert changed.status_code == 302
    assert use_link(app.test_client(), token, "someone else's password").status_code == 410


def test_a_reset_link_ends_when_an_admin_sets_the_password(app: Flask, make_user, login_as) -> None:  # type: ignore[no-untyped-def]
    user = make_user("reset.by.admin@example.org")
    admin = login_as(make_user("boss@example.org", role="admin"))
    token = reset_token(app, user.email)
    form = csrf_token(admin, f"/admin/users/{user.id}")
    assert (
        admin.post(
            f"/admin/users/{user.id}/password", data={"csrf_token": form, "password": NEW, "repeat": NEW}
        ).status_code
        == 302
    )
    assert use_link(app.test_client(), token, "someone else's password").status_code == 410


def fail_from_elsewhere(app: Flask, email: str, times: int) -> None:
    with app.app_context():
        for n in range(times):
            throttle.record_failure(db(), email, f"192.0.2.{n}", None)
        db().commit()


def wait_cookie(app: Flask, email: str, since_minutes: int) -> str:
    serializer = URLSafeTimedSerializer(app.secret_key or "", salt="competency.wait")
    since = utcnow() - timedelta(minutes=since_minutes)
    return serializer.dumps({"e": _email_tag(email), "s": int(since.timestamp())})


def test_failures_elsewhere_hold_an_unknown_browser_back_for_a_bounded_time(app: Flask, make_user) -> None:  # type: ignore[no-untyped-def]
    owner = make_user("owner@example.org")
    fail_from_elsewhere(app, owner.email, 20)  # the account key: a 5-minute wait
    new_browser = app.test_client()
    held = post_login(new_browser, owner.email, PASSWORD, REMOTE_ADDR="198.51.100.50")
    assert held.status_code == 429 and WAIT_COOKIE in held.headers.get("Set-Cookie", "")
    # Not long ago: still held back.
    new_browser.set_cookie(WAIT_COOKIE, wait_cookie(app, owner.email, 5), path="/login")
    assert post_login(new_browser, owner.email, PASSWORD, REMOTE_ADDR="198.51.100.50").status_code == 429
    # The attacker keeps failing; yet past the bound this browser's own keys alone decide.
    fail_from_elsewhere(app, owner.email, 3)
    new_browser.set_cookie(
        WAIT_COOKIE,
        wait_cookie(app, owner.email, int(throttle.ACCOUNT_HOLD.total_seconds() // 60) + 1),
        path="/login",
    )
    assert post_login(new_browser, owner.email, PASSWORD, REMOTE_ADDR="198.51.100.50").status_code == 302


def test_the_owner_gets_in_at_once_through_the_reset_mail(app: Flask, make_user) -> None:  # type: ignore[no-untyped-def]
    owner = make_user("locked@example.org")
    fail_from_elsewhere(app, owner.email, 20)  # the account key: a 5-minute wait
    browser = app.test_client()
    assert post_login(browser, owner.email, PASSWORD, REMOTE_ADDR="198.51.100.60").status_code == 429
    token = reset_token(app, owner.email)
    assert use_link(browser, token).status_code == 302
    login(browser, owner.email, NEW)
    with app.app_context():
        assert db().get(User, owner.id) is not None
