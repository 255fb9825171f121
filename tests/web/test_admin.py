"""The admin pages: only global admins reach them, every change is audited, the CSV import is all or nothing."""

from __future__ import annotations

import io
import shutil
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlmodel import select
from tests.web.conftest import PASSWORD, csrf_token, login
from werkzeug.datastructures import FileStorage, MultiDict
from werkzeug.test import encode_multipart

from competency.models import AuditEvent, Membership, QuestionnaireVersion, Team, User
from competency.services import snapshots
from competency.web.requests import catalog, db

HEADER = "email,name,team,team_role,global_role,level\n"

#: Every admin URL with its method; test_every_admin_endpoint_is_covered keeps this list complete.
ADMIN_URLS = [
    ("GET", "admin.index", "/admin/"),
    ("GET", "admin.users", "/admin/users"),
    ("POST", "admin.users", "/admin/users"),
    ("GET", "admin.user", "/admin/users/{user}"),
    ("POST", "admin.user", "/admin/users/{user}"),
    ("POST", "admin.user_password", "/admin/users/{user}/password"),
    ("POST", "admin.user_two_factor_reset", "/admin/users/{user}/two-factor/reset"),
    ("GET", "admin.teams", "/admin/teams"),
    ("POST", "admin.teams", "/admin/teams"),
    ("POST", "admin.team_add_member", "/admin/teams/{team}/members"),
    ("GET", "admin.team_confirm_remove", "/admin/teams/{team}/members/{user}/remove"),
    ("POST", "admin.team_remove_member", "/admin/teams/{team}/members/{user}/remove"),
    ("GET", "admin.import_org", "/admin/import"),
    ("POST", "admin.import_org", "/admin/import"),
    ("GET", "admin.questionnaires", "/admin/questionnaires"),
    ("GET", "admin.jobs", "/admin/jobs"),
    ("POST", "admin.job_retry", "/admin/jobs/1/retry"),
    ("POST", "admin.mail_retry", "/admin/jobs/mail/1/retry"),
]


@pytest.fixture
def admin(make_user):  # type: ignore[no-untyped-def]
    return make_user("ada@example.org", "Ada Admin", role="admin")


@pytest.fixture
def as_admin(admin, login_as) -> FlaskClient:  # type: ignore[no-untyped-def]
    return login_as(admin)


def token(client: FlaskClient) -> str:
    return csrf_token(client, "/")


def rows(app: Flask, model, *where):  # type: ignore[no-untyped-def]
    with app.app_context():
        return db().exec(select(model).where(*where)).all()


def audit(app: Flask, action: str) -> list[AuditEvent]:
    return rows(app, AuditEvent, AuditEvent.action == action)


def upload(client: FlaskClient, content: bytes | str, name: str = "org.csv", **extra: str):  # type: ignore[no-untyped-def]
    """POST a CSV file. The body is encoded here: the test client would spool a large one to a
    temporary file that it never closes (a ResourceWarning, an error under filterwarnings)."""
    data = content.encode("utf-8") if isinstance(content, str) else content
    fields = MultiDict({"csrf_token": token(client), **extra})
    fields.add("file", FileStorage(io.BytesIO(data), filename=name, content_type="text/csv"))
    boundary, body = encode_multipart(fields)
    return client.post("/admin/import", data=body, content_type=f"multipart/form-data; boundary={boundary}")


# -- who gets in --------------------------------------------------------------------------------


def test_every_admin_endpoint_is_covered(app: Flask) -> None:
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules() if rule.endpoint.startswith("admin.")}
    assert endpoints == {endpoint for _, endpoint, _ in ADMIN_URLS}


@pytest.mark.parametrize("role", ["member", "manager", "hr"])
def test_everyone_but_admins_gets_404_on_every_admin_url(role: str, make_user, make_team, login_as) -> None:  # type: ignore[no-untyped-def]
    person = make_user("pat@example.org", "Pat", role="hr" if role == "hr" else "member")
    other = make_user("sam@example.org", "Sam")
    team_id = make_team("Vision", members=[other], managers=[person] if role == "manager" else [])
    client = login_as(person)
    for method, _, pattern in ADMIN_URLS:
        url = pattern.format(user=other.id, team=team_id)
        response = client.open(
            url, method=method, data={"csrf_token": token(client)} if method == "POST" else None
        )
        assert response.status_code == 404, (method, url, response.status_code)


def test_anonymous_visitors_are_sent_to_log_in(client: FlaskClient, admin) -> None:  # type: ignore[no-untyped-def]
    for method, _, pattern in ADMIN_URLS:
        if method == "GET":
            response = client.get(pattern.format(user=admin.id, team=1))
            assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_admin_sees_every_page_and_the_nav_link(as_admin: FlaskClient, admin, make_team) -> None:  # type: ignore[no-untyped-def]
    team_id = make_team("Vision", members=[admin])
    home = as_admin.get("/").get_data(as_text=True)
    assert 'href="/admin/"' in home
    for method, _, pattern in ADMIN_URLS:
        if method == "GET":
            response = as_admin.get(pattern.format(user=admin.id, team=team_id))
            assert response.status_code == 200, pattern


def test_nav_hides_admin_from_others(make_user, login_as) -> None:  # type: ignore[no-untyped-def]
    client = login_as(make_user("hana@example.org", role="hr"))
    assert 'href="/admin/"' not in client.get("/").get_data(as_text=True)


def test_a_post_without_csrf_token_is_refused_and_changes_nothing(app: Flask, as_admin: FlaskClient) -> None:
    response = as_admin.post("/admin/teams", data={"name": "Sneaky"})
    assert response.status_code == 400
    assert "expired or was not sent from this site" in response.get_data(as_text=True)
    assert rows(app, Team) == []


# -- users --------------------------------------------------------------------------------------


def test_admin_creates_a_user_and_the_change_is_audited(app: Flask, as_admin: FlaskClient, admin) -> None:  # type: ignore[no-untyped-def]
    response = as_admin.post(
        "/admin/users",
        data={
            "email": "New@Example.org",
            "name": "Nia New",
            "role": "hr",
            "default_level": "mid",
            "password": "",
            "csrf_token": token(as_admin),
        },
    )
    assert response.status_code == 302
    (user,) = rows(app, User, User.email == "new@example.org")
    assert (user.name, user.role, user.default_level, user.password_hash) == ("Nia New", "hr", "mid", "")
    (event,) = audit(app, "user.create")
    assert (event.actor_id, event.object, event.remote_addr) == (admin.id, f"user:{user.id}", "127.0.0.1")
    assert event.details["with_password"] is False
    page = as_admin.get(response.headers["Location"]).get_data(as_text=True)
    assert "cannot log in until you set a password" in page


def test_creating_an_existing_email_is_refused_and_keeps_what_was_typed(
    app: Flask, as_admin: FlaskClient, admin
) -> None:  # type: ignore[no-untyped-def]
    response = as_admin.post(
        "/admin/users",
        data={
            "email": "ADA@example.org",
            "name": "Someone Typed This",
            "role": "member",
            "default_level": "",
            "csrf_token": token(as_admin),
        },
    )
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "An account with this email exists" in html and 'value="Someone Typed This"' in html
    assert len(rows(app, User)) == 1


def test_admin_changes_role_level_and_active_flag(app: Flask, as_admin: FlaskClient, make_user) -> None:  # type: ignore[no-untyped-def]
    kim = make_user("kim@example.org", "Kim")
    kims_client = app.test_client()
    login(kims_client, "kim@example.org")
    response = as_admin.post(
        f"/admin/users/{kim.id}",
        data={"name": "Kim Lee", "role": "hr", "default_level": "senior", "csrf_token": token(as_admin)},
    )
    assert response.status_code == 302
    (user,) = rows(app, User, User.id == kim.id)
    assert (user.name, user.role, user.default_level, user.active) == ("Kim Lee", "hr", "senior", False)
    (event,) = audit(app, "user.update")
    assert event.details["changes"]["active"] == [True, False]
    assert event.details["changes"]["role"] == ["member", "hr"]
    # Deactivated: logged out at once and cannot log in again.
    assert kims_client.get("/").status_code == 302
    token_ = csrf_token(kims_client, "/login")
    again = kims_client.post(
        "/login", data={"email": "kim@example.org", "password": PASSWORD, "csrf_token": token_}
    )
    assert again.status_code == 401


def test_an_unknown_level_or_role_is_refused(app: Flask, as_admin: FlaskClient, make_user) -> None:  # type: ignore[no-untyped-def]
    kim = make_user("kim@example.org", "Kim")
    response = as_admin.post(
        f"/admin/users/{kim.id}",
        data={
            "name": "Kim",
            "role": "boss",
            "default_level": "wizard",
            "active": "y",
            "csrf_token": token(as_admin),
        },
    )
    assert response.status_code == 400
    assert rows(app, User, User.id == kim.id)[0].role == "member"
    assert audit(app, "user.update") == []


def test_the_last_active_admin_cannot_demote_or_deactivate_themselves(
    app: Flask, as_admin: FlaskClient, admin
) -> None:  # type: ignore[no-untyped-def]
    response = as_admin.post(
        f"/admin/users/{admin.id}",
        data={
            "name": "Ada Admin",
            "role": "member",
            "default_level": "mid",
            "active": "y",
            "csrf_token": token(as_admin),
        },
    )
    assert response.status_code == 400
    assert "only active admin" in response.get_data(as_text=True)
    assert rows(app, User, User.id == admin.id)[0].role == "admin"


def test_admin_sets_a_password_that_works_and_ends_other_sessions(
    app: Flask, as_admin: FlaskClient, make_user
) -> None:  # type: ignore[no-untyped-def]
    kim = make_user("kim@example.org", "Kim")
    kims_client = app.test_client()
    login(kims_client, "kim@example.org")
    response = as_admin.post(
        f"/admin/users/{kim.id}/password",
        data={
            "password": "a brand new secret",
            "repeat": "a brand new secret",
            "csrf_token": token(as_admin),
        },
    )
    assert response.status_code == 302
    assert kims_client.get("/").status_code == 302  # the old session ended
    login(app.test_client(), "kim@example.org", "a brand new secret")
    (event,) = audit(app, "user.set_password")
    assert "a brand new secret" not in str(event.details)


def test_a_short_or_mistyped_password_is_refused(app: Flask, as_admin: FlaskClient, make_user) -> None:  # type: ignore[no-untyped-def]
    kim = make_user("kim@example.org", "Kim")
    short = as_admin.post(
        f"/admin/users/{kim.id}/password",
        data={"password": "short", "repeat": "short", "csrf_token": token(as_admin)},
    )
    mistyped = as_admin.post(
        f"/admin/users/{kim.id}/password",
        data={"password": "long enough one", "repeat": "long enough two", "csrf_token": token(as_admin)},
    )
    assert short.status_code == mistyped.status_code == 400
    assert "The two differ." in mistyped.get_data(as_text=True)
    assert audit(app, "user.set_password") == []


def test_an_admin_changing_their_own_password_stays_logged_in(as_admin: FlaskClient, admin) -> None:  # type: ignore[no-untyped-def]
    response = as_admin.post(
        f"/admin/users/{admin.id}/password",
        data={"password": "my new admin pass", "repeat": "my new admin pass", "csrf_token": token(as_admin)},
    )
    assert response.status_code == 302
    assert as_admin.get("/admin/").status_code == 200


# -- teams --------------------------------------------------------------------------------------


def test_admin_creates_a_team_adds_changes_and_removes_a_member(
    app: Flask, as_admin: FlaskClient, make_user
) -> None:  # type: ignore[no-untyped-def]
    kim = make_user("kim@example.org", "Kim")
    assert (
        as_admin.post("/admin/teams", data={"name": " Vision ", "csrf_token": token(as_admin)}).status_code
        == 302
    )
    (team,) = rows(app, Team)
    assert team.name == "Vision"
    prefix = f"t{team.id}-"
    add = {prefix + "email": "KIM@example.org", prefix + "role": "manager", "csrf_token": token(as_admin)}
    assert as_admin.post(f"/admin/teams/{team.id}/members", data=add).status_code == 302
    assert [m.role for m in rows(app, Membership)] == ["manager"]
    add[prefix + "role"] = "member"
    as_admin.post(f"/admin/teams/{team.id}/members", data=add)
    assert [m.role for m in rows(app, Membership)] == ["member"]
    page = as_admin.get("/admin/teams").get_data(as_text=True)
    assert "Kim" in page and "kim@example.org" in page
    removed = as_admin.post(
        f"/admin/teams/{team.id}/members/{kim.id}/remove", data={"csrf_token": token(as_admin)}
    )
    assert removed.status_code == 302
    assert rows(app, Membership) == []
    assert [len(audit(app, a)) for a in ("team.create", "team.add_member", "team.remove_member")] == [1, 2, 1]
    assert audit(app, "team.add_member")[1].details["previous_role"] == "manager"


def test_adding_an_unknown_email_keeps_what_was_typed(app: Flask, as_admin: FlaskClient, make_team) -> None:  # type: ignore[no-untyped-def]
    team_id = make_team("Vision")
    response = as_admin.post(
        f"/admin/teams/{team_id}/members",
        data={
            f"t{team_id}-email": "ghost@example.org",
            f"t{team_id}-role": "member",
            "csrf_token": token(as_admin),
        },
    )
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "No account has this email" in html and 'value="ghost@example.org"' in html
    assert rows(app, Membership) == []


def test_a_team_name_that_exists_is_not_created_twice(app: Flask, as_admin: FlaskClient, make_team) -> None:  # type: ignore[no-untyped-def]
    make_team("Vision")
    as_admin.post("/admin/teams", data={"name": "Vision", "csrf_token": token(as_admin)})
    assert len(rows(app, Team)) == 1
    assert audit(app, "team.create") == []


# -- CSV import ---------------------------------------------------------------------------------

GOOD = (
    "zoe@example.org,Zoë Müller,Vision,member,member,senior\n"
    "ingrid@example.org,Ingrid Halvorsen,Vision,manager,member,mid\n"
    "ingrid@example.org,Ingrid Halvorsen,ML Platform,member,member,mid\n"
)


def test_import_creates_everything_once_and_says_who_cannot_log_in(app: Flask, as_admin: FlaskClient) -> None:
    first = upload(as_admin, HEADER + GOOD)
    assert first.status_code == 200
    html = first.get_data(as_text=True)
    assert "Imported org.csv" in html and "2 accounts created" in html and "cannot log in yet" in html
    assert sorted(t.name for t in rows(app, Team)) == ["ML Platform", "Vision"]
    assert len(rows(app, Membership)) == 3
    again = upload(as_admin, HEADER + GOOD).get_data(as_text=True)
    assert "org.csv: nothing to change" in again
    assert len(rows(app, User)) == 3 and len(rows(app, Membership)) == 3
    (event,) = audit(app, "org.import")
    assert event.details["users_created"] == 2 and event.details["file"] == "org.csv"


def test_import_with_a_bad_row_in_the_middle_imports_nothing(app: Flask, as_admin: FlaskClient) -> None:
    body = (
        HEADER
        + "ok1@example.org,One,Vision,member,member,mid\nbad@example.org,Bad,Vision,boss,member,mid\nok2@example.org,Two,,,member,\n"
    )
    response = upload(as_admin, body, "people.csv")
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "Nothing was imported" in html
    assert "people.csv:3: team_role: unknown team role &#39;boss&#39;; use one of member, manager" in html
    assert len(rows(app, User)) == 1 and rows(app, Team) == []
    assert audit(app, "org.import") == []


def test_import_shows_every_bad_row_including_duplicates_and_unknown_roles(
    app: Flask, as_admin: FlaskClient
) -> None:
    body = HEADER + (
        "kim@example.org,Kim,Vision,member,member,mid\n"
        "kim@example.org,Kim,Vision,manager,member,mid\n"
        "lee@example.org,Lee,,,superuser,\n"
        "kim@example.org,Kimberly,Forecasting,member,member,mid\n"
    )
    html = upload(as_admin, body).get_data(as_text=True)
    assert (
        "org.csv:3: email: kim@example.org is listed twice with team &#39;Vision&#39; (rows 2 and 3)" in html
    )
    assert "org.csv:4: global_role: unknown role &#39;superuser&#39;" in html
    assert "org.csv:5: name: &#39;Kimberly&#39; differs from row 2" in html
    assert len(rows(app, User)) == 1


def test_import_check_only_changes_nothing(app: Flask, as_admin: FlaskClient) -> None:
    html = upload(as_admin, HEADER + GOOD, check_only="y").get_data(as_text=True)
    assert "All 3 rows passed the checks" in html
    assert len(rows(app, User)) == 1


def test_import_of_a_file_over_the_limit_says_so(app: Flask, as_admin: FlaskClient) -> None:
    response = upload(as_admin, HEADER + "x" * (2 * 1024 * 1024 + 10))
    assert response.status_code == 413
    html = response.get_data(as_text=True)
    assert "larger than 2 MiB" in html and 'enctype="multipart/form-data"' in html
    assert len(rows(app, User)) == 1


def test_import_of_a_file_that_is_not_utf8_says_so(as_admin: FlaskClient) -> None:
    response = upload(as_admin, (HEADER + "zoe@example.org,Zoë,,,member,\n").encode("latin-1"))
    assert response.status_code == 400
    assert "org.csv:2: not UTF-8 text" in response.get_data(as_text=True)


def test_import_without_a_file_asks_for_one(as_admin: FlaskClient) -> None:
    response = as_admin.post(
        "/admin/import", data={"csrf_token": token(as_admin)}, content_type="multipart/form-data"
    )
    assert response.status_code == 400
    assert "Choose a CSV file." in response.get_data(as_text=True)


def test_import_that_would_leave_no_admin_is_refused(app: Flask, as_admin: FlaskClient) -> None:
    html = upload(as_admin, HEADER + "ada@example.org,Ada Admin,,,member,\n").get_data(as_text=True)
    assert "no active admin" in html
    assert rows(app, User)[0].role == "admin"


# -- questionnaires -----------------------------------------------------------------------------


def test_questionnaire_status_shows_counts_snapshots_and_every_problem(
    make_app, make_user, login_as, tmp_path: Path, repo_root: Path
) -> None:  # type: ignore[no-untyped-def]
    folder = tmp_path / "frameworks"
    folder.mkdir()
    engineer = folder / "ml-engineer.yaml"
    shutil.copy(repo_root / "questionnaires" / "ml-engineer.yaml", engineer)
    (folder / "broken.yaml").write_text(
        "id: broken\nversion: 1\ntitle: Broken\nsurprise: true\n", encoding="utf-8"
    )
    app = make_app(folder)
    with app.app_context():
        questionnaire = catalog().get("ml-engineer")
        assert questionnaire is not None
        snapshots.ensure_snapshot(db(), questionnaire)
        db().commit()
        admin = make_user("ada@example.org", "Ada Admin", role="admin")
    client = app.test_client()
    login(client, admin.email)
    html = client.get("/admin/questionnaires").get_data(as_text=True)
    items = sum(len(area.items) for area in questionnaire.areas)
    assert "Machine Learning Engineer" in html
    assert (
        f'<td class="num">{len(questionnaire.areas)}</td>' in html and f'<td class="num">{items}</td>' in html
    )
    assert "stored" in html
    assert f"{folder / 'broken.yaml'}:4:1: surprise:" in html

    # The engineer file breaks: its problems show, and the version stored last keeps serving.
    engineer.write_text(
        engineer.read_text(encoding="utf-8").replace("version: 3", "version: two", 1), encoding="utf-8"
    )
    app.extensions["competency.catalog"].refresh(force=True)
    html = client.get("/admin/questionnaires").get_data(as_text=True)
    assert f"{engineer}:2:1: version: must be a whole number" in html
    assert "The last good version (ml-engineer v3) keeps serving" in html
    with app.app_context():
        assert catalog().get("ml-engineer") is not None
        assert len(db().exec(select(QuestionnaireVersion)).all()) == 1


def test_overview_lists_recent_changes(as_admin: FlaskClient) -> None:
    as_admin.post("/admin/teams", data={"name": "Vision", "csrf_token": token(as_admin)})
    html = as_admin.get("/admin/").get_data(as_text=True)
    assert "team.create" in html and "Ada Admin" in html


def test_an_admin_who_hands_over_and_steps_down_lands_on_the_home_page(
    app: Flask, as_admin: FlaskClient, admin, make_user
) -> None:  # type: ignore[no-untyped-def]
    make_user("bo@example.org", "Bo Admin", role="admin")
    response = as_admin.post(
        f"/admin/users/{admin.id}",
        data={
            "name": "Ada Admin",
            "role": "hr",
            "default_level": "mid",
            "active": "y",
            "csrf_token": token(as_admin),
        },
    )
    assert response.status_code == 302 and response.headers["Location"] == "/"
    assert as_admin.get("/admin/").status_code == 404
