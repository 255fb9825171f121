"""F5: every save and submit re-checks who may act: a manager removed from the team can no longer
finish a rating started before."""

from __future__ import annotations

from tests.security.support import ML
from tests.web.conftest import csrf_token

from competency.models import Assessment, Team, User
from competency.services import users as users_service
from competency.web.requests import catalog, db


def test_a_removed_manager_can_no_longer_save_or_submit(app, make_user, make_team, login_as) -> None:  # type: ignore[no-untyped-def]
    member = make_user("mo@example.org", "Mo")
    manager = make_user("ma@example.org", "Ma")
    team_id = make_team("Vision", members=[member], managers=[manager])
    client = login_as(manager)
    token = csrf_token(client, f"/people/{member.id}/assess?questionnaire={ML}")
    started = client.post(
        f"/people/{member.id}/assess", data={"questionnaire": ML, "level": "mid", "csrf_token": token}
    )
    assert started.status_code == 302
    with app.app_context():
        assessment = db().exec(Assessment.__table__.select()).first()  # type: ignore[attr-defined]
        assessment_id = assessment.id
        q = catalog().get(ML)
        area = q.areas[0]
        users_service.remove_member(db(), db().get(Team, team_id), db().get(User, manager.id))
        db().commit()
    page = f"/assessments/{assessment_id}/areas/{area.id}"
    form = {f"item__{item.id}": "2" for item in q.items_in_play(area, "mid")}
    response = client.post(page, data={**form, "go": "next", "csrf_token": token})
    assert response.status_code == 404
    assert client.post(f"/assessments/{assessment_id}/submit", data={"csrf_token": token}).status_code == 404
    with app.app_context():
        stored = db().get(Assessment, assessment_id)
        assert stored.status == "draft"
        from competency.services import assessments

        assert assessments.answers_of(db(), assessment_id) == {}


def test_the_service_checks_again_under_the_lock(app, make_user, make_team) -> None:  # type: ignore[no-untyped-def]
    """A removal that lands between the page's check and the save is still caught by the save itself."""
    import pytest

    from competency.services import assessments

    member = make_user("mu@example.org", "Mu")
    manager = make_user("mb@example.org", "Mb")
    team_id = make_team("Vision", members=[member], managers=[manager])
    with app.app_context():
        session = db()
        q = catalog().get(ML)
        rater = session.get(User, manager.id)
        draft, _ = assessments.start(
            session, q, subject=session.get(User, member.id), assessor=rater, level="mid", kind="manager"
        )
        taken = assessments.load(session, draft.id)
        users_service.remove_member(session, session.get(Team, team_id), rater)
        session.commit()
        area = q.areas[0]
        with pytest.raises(assessments.NotAllowed):
            asked = q.items_in_play(area, "mid")[0]
            assessments.save_area(session, taken, area, {asked.id: 2}, None, actor=rater)
        with pytest.raises(assessments.NotAllowed):
            assessments.submit(session, taken, actor=rater)
