"""Mail over a real SMTP conversation (aiosmtpd on loopback): cycle invitations, reminders and the overdue
notice on schedule (time passed in, not waited for), manager notices, digests and preferences."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from sqlmodel import select
from tests.jobs.conftest import BASE_URL, html_of, text_of
from tests.web.world import answers_for

from competency.models import Membership, SentNotification, User
from competency.services import assessments, cycle_mail, cycles, manager_mail, notifications
from competency.web.requests import catalog, db


def people(app, make_user, make_team):  # type: ignore[no-untyped-def]
    hr = make_user("hana@example.org", "Hana HR", role="hr")
    ada = make_user("ada@example.org", "Ada Engineer")
    bo = make_user("bo@example.org", "Bo Engineer")
    mia = make_user("mia@example.org", "Mia Manager")
    outsider = make_user("otto@example.org", "Otto Outsider")
    team_id = make_team("Vision", members=[ada, bo], managers=[mia])
    return hr, ada, bo, mia, outsider, team_id


def open_cycle(app, hr, team_id, now, due_in_days=14):  # type: ignore[no-untyped-def]
    with app.app_context():
        cycle = cycles.open_cycle(
            db(),
            db().get(User, hr.id),
            name="Spring review",
            questionnaire_key="ml-engineer",
            team_id=team_id,
            due_at=now + timedelta(days=due_in_days),
            audience="members",
            now=now,
            reminder_days="7, 1",
        )
        return cycle.id


def submit(app, user_id, cycle_id=None):  # type: ignore[no-untyped-def]
    with app.app_context():
        questionnaire = catalog().get("ml-engineer")
        person = db().get(User, user_id)
        assessments.record(
            db(),
            questionnaire,
            subject=person,
            assessor=person,
            kind="self",
            level="mid",
            answers=answers_for(questionnaire, 2),
            cycle_id=cycle_id,
        )
        db().commit()


def test_opening_a_cycle_invites_each_person_it_covers_once(
    app, make_user, make_team, run_jobs, mailbox
) -> None:  # type: ignore[no-untyped-def]
    hr, _ada, bo, _mia, _outsider, team_id = people(app, make_user, make_team)
    with app.app_context():
        notifications.save_preferences(db(), bo.id, cycles=False)
    open_cycle(app, hr, team_id, datetime.now(UTC))
    run_jobs()
    assert [m["To"] for m in mailbox.messages] == [
        "ada@example.org"
    ]  # not Bo (opted out), managers, outsiders
    (mail,) = mailbox.messages
    assert mail["Subject"] == "Please rate yourself: Spring review"
    assert mail["From"] == "competency <competency@example.org>"
    text, html = text_of(mail), html_of(mail)
    link = f"{BASE_URL}/assessments/new?questionnaire=ml-engineer#q-ml-engineer"
    assert link in text and f'href="{link}"' in html
    for body in (text, html):
        assert "Who sees your answers: you, the managers of your team(s), and HR" in body
        assert "Hello Ada Engineer" in body
    with app.app_context():
        cycle_id = db().exec(select(SentNotification.object)).one()
        assert cycle_mail.invite(db(), app.config["COMPETENCY_SETTINGS"], int(cycle_id.split(":")[1])) == 0


def test_reminders_and_the_overdue_notice_go_out_on_schedule_at_most_once(
    app, make_user, make_team, run_jobs, mailbox
) -> None:  # type: ignore[no-untyped-def]
    hr, _ada, bo, _mia, _outsider, team_id = people(app, make_user, make_team)
    opened = datetime.now(UTC)
    cycle_id = open_cycle(app, hr, team_id, opened, due_in_days=14)
    run_jobs()
    mailbox.clear()
    settings = app.config["COMPETENCY_SETTINGS"]
    due = opened + timedelta(days=14)

    def remind(at: datetime) -> list[tuple[str, str]]:
        with app.app_context():
            cycle_mail.remind(db(), settings, at)
        run_jobs()
        sent = [(m["To"], m["Subject"]) for m in mailbox.messages]
        mailbox.clear()
        return sorted(sent)

    assert remind(opened + timedelta(days=1)) == []  # nothing due yet
    week = remind(due - timedelta(days=6, hours=12))
    assert week == [
        ("ada@example.org", "Spring review: due in 6 days"),
        ("bo@example.org", "Spring review: due in 6 days"),
    ]
    assert remind(due - timedelta(days=6)) == []  # at most once
    submit(app, bo.id, cycle_id)  # Bo is done: no more mail for Bo
    assert remind(due - timedelta(hours=20)) == [("ada@example.org", "Spring review: due today")]
    assert remind(due - timedelta(hours=10)) == []
    overdue = remind(due + timedelta(hours=1))
    assert overdue == [("ada@example.org", "Overdue: Spring review")]
    assert remind(due + timedelta(days=3)) == []


def test_a_late_first_run_sends_only_the_nearest_reminder(
    app, make_user, make_team, run_jobs, mailbox
) -> None:  # type: ignore[no-untyped-def]
    hr, _ada, _bo, _mia, _outsider, team_id = people(app, make_user, make_team)
    opened = datetime.now(UTC)
    open_cycle(app, hr, team_id, opened, due_in_days=14)
    due = opened + timedelta(days=14)
    with app.app_context():
        settings = app.config["COMPETENCY_SETTINGS"]
        assert cycle_mail.remind(db(), settings, due - timedelta(hours=12)) == 2
        assert cycle_mail.remind(db(), settings, due - timedelta(hours=11)) == 0
        kinds = sorted(set(db().exec(select(SentNotification.kind)).all()))
    assert kinds == ["reminder-1", "reminder-7"]  # the 7-day one is marked, never sent after the 1-day one


def test_managers_hear_that_a_member_submitted_without_any_score(
    app, make_user, make_team, run_jobs, mailbox
) -> None:  # type: ignore[no-untyped-def]
    _hr, ada, _bo, _mia, _outsider, _team_id = people(app, make_user, make_team)
    with app.app_context():
        questionnaire = catalog().get("ml-engineer")
        person = db().get(User, ada.id)
        draft, _ = assessments.start(db(), questionnaire, subject=person, assessor=person, level="mid")
        from competency.models import Answer

        for item_id, value in answers_for(questionnaire, 3).items():
            db().add(Answer(assessment_id=draft.id, item_id=item_id, value=value))
        db().commit()
        profile = assessments.submit(db(), assessments.load(db(), draft.id))
    run_jobs()
    (mail,) = [m for m in mailbox.messages if m["To"] == "mia@example.org"]
    assert mail["Subject"] == "Ada Engineer submitted their self-assessment"
    text = text_of(mail)
    assert f"{BASE_URL}/people/{ada.id}?questionnaire=ml-engineer" in text
    assert "This mail carries no scores" in text
    assert f"{profile.readiness:.1f}" not in text and "readiness" not in text.lower()
    assert [m["To"] for m in mailbox.messages] == ["mia@example.org"]  # not the member, not their peers


def test_weekly_digest_lists_who_is_waiting_once_a_week_unless_turned_off(
    app, make_user, make_team, run_jobs, mailbox
) -> None:  # type: ignore[no-untyped-def]
    hr, ada, _bo, mia, _outsider, team_id = people(app, make_user, make_team)
    now = datetime.now(UTC)
    cycle_id = open_cycle(app, hr, team_id, now)
    submit(app, ada.id, cycle_id)
    run_jobs()
    mailbox.clear()
    settings = app.config["COMPETENCY_SETTINGS"]
    with app.app_context():
        assert manager_mail.weekly_digest(db(), settings, now) == 1
        assert manager_mail.weekly_digest(db(), settings, now + timedelta(hours=1)) == 0
    run_jobs()
    (mail,) = mailbox.messages
    text = text_of(mail)
    assert mail["To"] == "mia@example.org" and "Vision - Spring review" in text
    assert "1 of 2 submitted" in text and "Bo Engineer: not started" in text and "Ada Engineer:" not in text
    with app.app_context():
        notifications.save_preferences(db(), mia.id, weekly_digest=False)
        assert manager_mail.weekly_digest(db(), settings, now + timedelta(days=7)) == 0


def test_preferences_page_turns_cycle_mail_off(app, make_user, login_as) -> None:  # type: ignore[no-untyped-def]
    ada = make_user("ada@example.org", "Ada Engineer")
    client = login_as(ada)
    page = client.get("/account/notifications").get_data(as_text=True)
    assert "always comes" in page and '<input checked id="cycles"' in page
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)  # type: ignore[union-attr]
    response = client.post("/account/notifications", data={"csrf_token": token, "weekly_digest": "y"})
    assert response.status_code == 302
    with app.app_context():
        pref = notifications.preferences(db(), ada.id)
        assert (pref.cycles, pref.manager_notices, pref.weekly_digest) == (False, False, True)


def test_without_smtp_mail_is_written_to_the_log(caplog) -> None:  # type: ignore[no-untyped-def]
    from competency.config import Settings

    settings = Settings(env="development", smtp_url="")
    mail = notifications.render(
        "password_reset",
        settings,
        to="x@example.org",
        subject="Reset",
        name="X",
        email="x@example.org",
        url="U",
        minutes=5,
    )
    with caplog.at_level("WARNING", logger="competency.services.notifications"):
        notifications.deliver(settings, mail)
    assert "x@example.org" in caplog.text and "Reset" in caplog.text


def test_membership_roles_are_what_the_tests_assume(app, make_user, make_team) -> None:  # type: ignore[no-untyped-def]
    _hr, ada, bo, mia, _outsider, _team_id = people(app, make_user, make_team)
    with app.app_context():
        roles = {m.user_id: m.role for m in db().exec(select(Membership))}
    assert roles == {ada.id: "member", bo.id: "member", mia.id: "manager"}
