"""Every route x every role, as DESIGN.md's access matrix says. A new route without an entry fails here."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from flask import Flask
from tests.web.conftest import login
from tests.web.world import World, build_world

ROLES = ["anonymous", "other_member", "manager", "other_manager", "hr", "admin", "self"]
OK, LOGIN, NOT_FOUND = "ok", "login", "404"

PUBLIC = dict.fromkeys(ROLES, OK)
SIGNED_IN = {**dict.fromkeys(ROLES, OK), "anonymous": LOGIN}
ONLY_SELF = {**dict.fromkeys(ROLES, NOT_FOUND), "anonymous": LOGIN, "self": OK}
PROFILE = {**ONLY_SELF, "manager": OK, "hr": OK, "admin": OK}
ONLY_MANAGER = {**dict.fromkeys(ROLES, NOT_FOUND), "anonymous": LOGIN, "manager": OK}
ONLY_ADMIN = {**dict.fromkeys(ROLES, NOT_FOUND), "anonymous": LOGIN, "admin": OK}
HR_AND_ADMIN = {**ONLY_ADMIN, "hr": OK}
TEAM_INDIVIDUALS = {**HR_AND_ADMIN, "manager": OK}
TEAM_MEMBERS = {**TEAM_INDIVIDUALS, "self": OK}
RUNS_CYCLES = {**HR_AND_ADMIN, "manager": OK, "other_manager": OK}
#: Reached by everyone signed in, who is answered 400 for the wrong code or password sent.
SIGNED_IN_REFUSED = {**dict.fromkeys(ROLES, "400"), "anonymous": LOGIN}

Route = (
    tuple[str, Callable[[World], str], dict[str, str]]
    | tuple[str, Callable[[World], str], dict[str, str], Callable[[World], dict[str, str]]]
)

#: endpoint -> (method, path, expected outcome per role[, form data]). POSTs that change something
#: target people whose role was checked earlier in ROLES' order, so later logins still work.
MATRIX: dict[str, Route] = {
    "static": ("GET", lambda w: "/static/css/app.css", PUBLIC),
    "main.healthz": ("GET", lambda w: "/healthz", PUBLIC),
    # No worker runs beside the tests: not ready, for everyone alike (the checks themselves: tests/jobs).
    "main.readyz": ("GET", lambda w: "/readyz", dict.fromkeys(ROLES, "503")),
    # Only with COMPETENCY_METRICS_TOKEN as a bearer token (tests/jobs/test_observability.py); a session is not enough.
    "metrics.metrics": ("GET", lambda w: "/metrics", dict.fromkeys(ROLES, NOT_FOUND)),
    "main.plotly_js": ("HEAD", lambda w: "/vendor/plotly.min.js", PUBLIC),
    "main.home": ("GET", lambda w: "/", SIGNED_IN),
    "auth.login": ("GET", lambda w: "/login", PUBLIC),
    "auth.logout": ("POST", lambda w: "/logout", dict.fromkeys(ROLES, LOGIN)),
    "auth.change_password": ("GET", lambda w: "/account/password", SIGNED_IN),
    # Without a password checked first, the code step sends everyone back to the login form.
    "auth.login_code": ("GET", lambda w: "/login/code", dict.fromkeys(ROLES, LOGIN)),
    "auth.two_factor": ("GET", lambda w: "/account/two-factor", SIGNED_IN),
    "auth.two_factor_start": ("POST", lambda w: "/account/two-factor/start", SIGNED_IN),
    "auth.two_factor_confirm": (
        "POST",
        lambda w: "/account/two-factor/confirm",
        SIGNED_IN_REFUSED,
        lambda w: {"code": "000000"},
    ),
    "auth.two_factor_codes": (
        "POST",
        lambda w: "/account/two-factor/recovery-codes",
        SIGNED_IN_REFUSED,
        lambda w: {"password": "not the password"},
    ),
    "auth.two_factor_disable": (
        "POST",
        lambda w: "/account/two-factor/disable",
        SIGNED_IN_REFUSED,
        lambda w: {"password": "not the password"},
    ),
    "assess.start": ("GET", lambda w: "/assessments/new", SIGNED_IN),
    "assess.start_manager": ("GET", lambda w: f"/people/{w.subject.id}/assess", ONLY_MANAGER),
    "assess.resume": ("GET", lambda w: f"/assessments/{w.draft_id}", ONLY_SELF),
    "assess.area": ("GET", lambda w: f"/assessments/{w.draft_id}/areas/{w.area_id}", ONLY_SELF),
    "assess.review": ("GET", lambda w: f"/assessments/{w.draft_id}/review", ONLY_SELF),
    "assess.submit": ("POST", lambda w: f"/assessments/{w.draft_id}/submit", ONLY_SELF),
    "people.profile": ("GET", lambda w: f"/people/{w.subject.id}", PROFILE),
    "reports.index": ("GET", lambda w: "/reports", HR_AND_ADMIN),
    "reports.person_pdf": ("GET", lambda w: f"/reports/people/{w.subject.id}.pdf", PROFILE),
    "reports.team_pdf": ("GET", lambda w: f"/reports/teams/{w.team_id}.pdf", TEAM_INDIVIDUALS),
    "reports.cycle_zip": ("GET", lambda w: f"/reports/cycles/{w.cycle_id}.zip", HR_AND_ADMIN),
    "reports.scores_csv": ("GET", lambda w: "/exports/scores.csv", HR_AND_ADMIN),
    "reports.audit_log": ("GET", lambda w: "/audit", HR_AND_ADMIN),
    "reports.audit_csv": ("GET", lambda w: "/audit.csv", HR_AND_ADMIN),
    "teams.index": ("GET", lambda w: "/teams", SIGNED_IN),
    "teams.dashboard": ("GET", lambda w: f"/teams/{w.team_id}", TEAM_MEMBERS),
    "teams.summary_api": (
        "GET",
        lambda w: f"/api/teams/{w.team_id}/summary?questionnaire=ml-engineer",
        TEAM_MEMBERS,
    ),
    "cycles.index": ("GET", lambda w: "/cycles", SIGNED_IN),
    "cycles.new": ("GET", lambda w: "/cycles/new", RUNS_CYCLES),
    "cycles.detail": ("GET", lambda w: f"/cycles/{w.cycle_id}", TEAM_INDIVIDUALS),
    "cycles.statuses_csv": ("GET", lambda w: f"/cycles/{w.cycle_id}/statuses.csv", TEAM_INDIVIDUALS),
    "cycles.confirm_close": ("GET", lambda w: f"/cycles/{w.cycle_id}/close", TEAM_INDIVIDUALS),
    "cycles.close": ("POST", lambda w: f"/cycles/{w.cycle_id}/close", TEAM_INDIVIDUALS),
    "admin.index": ("GET", lambda w: "/admin/", ONLY_ADMIN),
    "admin.users": ("GET", lambda w: "/admin/users", ONLY_ADMIN),
    "admin.user": ("GET", lambda w: f"/admin/users/{w.subject.id}", ONLY_ADMIN),
    "admin.user_password": (
        "POST",
        lambda w: f"/admin/users/{w.other_member.id}/password",
        ONLY_ADMIN,
        lambda w: {"password": "a new password 1", "repeat": "a new password 1"},
    ),
    "admin.user_two_factor_reset": (
        "POST",
        lambda w: f"/admin/users/{w.other_member.id}/two-factor/reset",
        ONLY_ADMIN,
    ),
    "admin.teams": ("GET", lambda w: "/admin/teams", ONLY_ADMIN),
    "admin.team_add_member": (
        "POST",
        lambda w: f"/admin/teams/{w.other_team_id}/members",
        ONLY_ADMIN,
        lambda w: {f"t{w.other_team_id}-email": w.hr.email, f"t{w.other_team_id}-role": "member"},
    ),
    "admin.team_remove_member": (
        "POST",
        lambda w: f"/admin/teams/{w.other_team_id}/members/{w.other_member.id}/remove",
        ONLY_ADMIN,
    ),
    "admin.team_confirm_remove": (
        "GET",
        lambda w: f"/admin/teams/{w.other_team_id}/members/{w.other_member.id}/remove",
        ONLY_ADMIN,
    ),
    "admin.import_org": ("GET", lambda w: "/admin/import", ONLY_ADMIN),
    "admin.questionnaires": ("GET", lambda w: "/admin/questionnaires", ONLY_ADMIN),
    "admin.jobs": ("GET", lambda w: "/admin/jobs", ONLY_ADMIN),
    "admin.job_retry": ("POST", lambda w: f"/admin/jobs/{w.job_id}/retry", ONLY_ADMIN),
    "admin.mail_retry": ("POST", lambda w: "/admin/jobs/mail/1/retry", ONLY_ADMIN),
    "assess.release": ("POST", lambda w: f"/assessments/{w.manager_rating_id}/release", ONLY_MANAGER),
    "people.plan_step": (
        "POST",
        lambda w: f"/people/{w.subject.id}/plan/ml-engineer/steps/{w.plan_step_id}",
        ONLY_SELF,
        lambda w: {"status": "in progress"},
    ),
    "people.plan_focus": (
        "POST",
        lambda w: f"/people/{w.subject.id}/plan/ml-engineer/focus",
        ONLY_SELF,
        lambda w: {"area": w.area_id},
    ),
    "people.mark_discussed": (
        "POST",
        lambda w: f"/people/{w.subject.id}/blind-spots",
        ONLY_MANAGER,
        lambda w: {
            "questionnaire": "ml-engineer",
            "self_id": str(w.submitted_id),
            "manager_id": str(w.manager_rating_id),
            "area_id": w.area_id,
        },
    ),
    "jobs.start_cycle_zip": ("POST", lambda w: f"/cycles/{w.cycle_id}/zip", HR_AND_ADMIN),
    "jobs.start_team_zip": (
        "POST",
        lambda w: f"/teams/{w.team_id}/pdfs",
        TEAM_INDIVIDUALS,
        lambda w: {"questionnaire": "ml-engineer"},
    ),
    "jobs.detail": ("GET", lambda w: f"/jobs/{w.job_id}", HR_AND_ADMIN),
    "jobs.retry": ("POST", lambda w: f"/jobs/{w.job_id}/retry", HR_AND_ADMIN),
    "jobs.cancel": ("POST", lambda w: f"/jobs/{w.job_id}/cancel", HR_AND_ADMIN),
    "jobs.status": ("GET", lambda w: f"/jobs/{w.job_id}.json", HR_AND_ADMIN),
    # Still running: nobody downloads a ZIP that is not whole (the finished file: tests/jobs).
    "jobs.download": (
        "GET",
        lambda w: f"/jobs/{w.job_id}/file",
        {**dict.fromkeys(ROLES, NOT_FOUND), "anonymous": LOGIN},
    ),
    "account.forgot": ("GET", lambda w: "/account/forgot", PUBLIC),
    # An unknown link answers 410 Gone to everyone, signed in or not.
    "account.set_password": (
        "GET",
        lambda w: "/account/set-password/not-a-token",
        dict.fromkeys(ROLES, "410"),
    ),
    # The page of a link (its token in the fragment, posted in the body): the same for everyone.
    "account.set_password_form": ("GET", lambda w: "/account/set-password", PUBLIC),
    "account.preferences": ("GET", lambda w: "/account/notifications", SIGNED_IN),
    "account.invite": (
        "POST",
        lambda w: "/account/invitations",
        ONLY_ADMIN,
        lambda w: {"email": w.other_member.email, "back": "/admin/users"},
    ),
    "people.profile_api": (
        "GET",
        lambda w: f"/api/people/{w.subject.id}/profile?questionnaire=ml-engineer",
        PROFILE,
    ),
}


def outcome(response) -> str:  # type: ignore[no-untyped-def]
    if response.status_code == 404:
        return NOT_FOUND
    if response.status_code in (301, 302, 303) and "/login" in response.headers.get("Location", ""):
        return LOGIN
    if response.status_code == 401 and response.is_json:
        return LOGIN  # an API call without a session
    if response.status_code < 400:
        return OK
    return str(response.status_code)


@pytest.fixture
def matrix_app(make_app, questionnaire_dir) -> Flask:  # type: ignore[no-untyped-def]
    # CSRF is covered in test_security; here only who may reach what.
    return make_app(questionnaire_dir, WTF_CSRF_ENABLED=False)


def test_every_route_has_an_entry(matrix_app: Flask) -> None:
    missing = sorted(set(matrix_app.view_functions) - set(MATRIX))
    assert not missing, f"add these endpoints to the access matrix: {missing}"


@pytest.mark.parametrize("endpoint", sorted(MATRIX))
def test_route_obeys_the_access_matrix(endpoint: str, matrix_app: Flask, make_user) -> None:  # type: ignore[no-untyped-def]
    if endpoint not in matrix_app.view_functions:
        pytest.fail(f"{endpoint} is in the matrix but not in the app")
    method, path, expected, *rest = MATRIX[endpoint]
    data = rest[0] if rest else (lambda w: {})
    # make_user is bound to the default app; the matrix app shares its database.
    world = build_world(matrix_app, make_user)
    seen = {}
    for role in ROLES:
        client = matrix_app.test_client()
        user = world.role(role)
        if user is not None:
            login(client, user.email)
        response = client.open(path(world), method=method, data=data(world) if method == "POST" else None)
        seen[role] = outcome(response)
        response.close()
    assert seen == expected
