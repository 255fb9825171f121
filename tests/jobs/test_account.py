"""Set-password links: the invitation of an imported account and "forgot password", mailed for real."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from sqlmodel import select
from tests.jobs.conftest import BASE_URL, text_of
from tests.web.conftest import csrf_token, login

from competency.models import AuditEvent, PasswordToken, User
from competency.services import account_links, org_import
from competency.web.requests import db

NEW_PASSWORD = "a long new password"


def link_in(mail) -> str:  # type: ignore[no-untyped-def]
    """The token of the mail's set-password link (it travels in the fragment: /account/set-password#TOKEN)."""
    match = re.search(re.escape(BASE_URL) + r"/account/set-password#([A-Za-z0-9_\-]+)", text_of(mail))
    assert match, text_of(mail)
    return match.group(1)


def forgot(client, email: str) -> str:  # type: ignore[no-untyped-def]
    token = csrf_token(client, "/account/forgot")
    return client.post("/account/forgot", data={"csrf_token": token, "email": email}).get_data(as_text=True)


def set_password(client, link_token: str, password: str, repeat: str | None = None):  # type: ignore[no-untyped-def]
    """What the page does once its script has moved the fragment's token into the form."""
    token = csrf_token(client, "/account/set-password")
    data = {"csrf_token": token, "token": link_token, "password": password, "repeat": repeat or password}
    return client.post("/account/set-password", data=data)


def test_forgot_password_answers_the_same_for_unknown_addresses_and_mails_known_ones(
    app, make_user, run_jobs, mailbox
) -> None:  # type: ignore[no-untyped-def]
    make_user("ada@example.org", "Ada Engineer")
    client = app.test_client()
    unknown = forgot(client, "nobody@example.org")
    known = forgot(client, "Ada@Example.org")
    strip = lambda page, email: page.replace(email, "EMAIL")  # noqa: E731
    body = lambda page: page[page.index("<main") : page.index("</main>")]  # noqa: E731
    assert body(strip(unknown, "nobody@example.org")) == body(strip(known, "Ada@Example.org"))
    run_jobs()
    (mail,) = mailbox.messages
    assert mail["To"] == "ada@example.org" and mail["Subject"] == "Reset your competency password"
    assert "This link is for you alone" in text_of(mail)
    path = link_in(mail)

    # The existing password rules hold here too.
    refused = set_password(client, path, "short")
    assert refused.status_code == 200 and "at least 12 characters" in refused.get_data(as_text=True)
    assert set_password(client, path, NEW_PASSWORD).headers["Location"].endswith("/login")
    login(client, "ada@example.org", NEW_PASSWORD)
    # Single use.
    again = set_password(client, path, "yet another new password")
    assert again.status_code == 410 and "Ask for a new link" in again.get_data(as_text=True)
    with app.app_context():
        assert db().exec(select(AuditEvent).where(AuditEvent.action == "password.set_from_link")).one()


def test_reset_links_expire_and_are_limited_per_hour(app, make_user, run_jobs, mailbox) -> None:  # type: ignore[no-untyped-def]
    ada = make_user("ada@example.org", "Ada Engineer")
    settings = app.config["COMPETENCY_SETTINGS"]
    now = datetime.now(UTC)
    with app.app_context():
        for _ in range(5):
            account_links.request_reset(db(), settings, "ada@example.org", now)
        assert len(db().exec(select(PasswordToken)).all()) == account_links.RESETS_PER_HOUR
        user = db().get(User, ada.id)
        token = account_links.issue(db(), user, "reset", now)
        db().commit()
        account_links.check(db(), token, now + timedelta(minutes=119))
        try:
            account_links.check(db(), token, now + timedelta(minutes=121))
        except account_links.InvalidLink:
            pass
        else:
            raise AssertionError("an expired link was accepted")


def test_an_imported_person_gets_an_invitation_and_sets_their_password(
    app, make_user, login_as, run_jobs, mailbox
) -> None:  # type: ignore[no-untyped-def]
    admin = make_user("root@example.org", "Ada Admin", role="admin")
    with app.app_context():
        summary = org_import.import_csv(
            db(),
            b"email,name,team,team_role,global_role,level\nnew@example.org,Nia New,Vision,member,member,mid\n",
        )
        db().commit()
    assert summary.without_password == ["new@example.org"]
    with app.app_context():
        person = db().exec(select(User).where(User.email == "new@example.org")).one()
    admin_client = login_as(admin)
    page = admin_client.get(f"/admin/users/{person.id}").get_data(as_text=True)
    assert "Email a set-password link" in page
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)  # type: ignore[union-attr]
    response = admin_client.post(
        "/account/invitations",
        data={"csrf_token": token, "email": "new@example.org", "back": f"/admin/users/{person.id}"},
    )
    assert response.headers["Location"].endswith(f"/admin/users/{person.id}")
    run_jobs()
    (mail,) = mailbox.messages
    assert mail["To"] == "new@example.org" and "choose a password" in mail["Subject"]
    client = app.test_client()
    assert client.get("/account/set-password").status_code == 200
    set_password(client, link_in(mail), NEW_PASSWORD)
    login(client, "new@example.org", NEW_PASSWORD)


def test_only_admins_send_invitations(app, make_user, login_as) -> None:  # type: ignore[no-untyped-def]
    hr = make_user("hana@example.org", "Hana HR", role="hr")
    client = login_as(hr)
    token = csrf_token(client, "/")
    assert (
        client.post("/account/invitations", data={"csrf_token": token, "email": "x@example.org"}).status_code
        == 404
    )
