"""F6-F8: saves and submits racing each other on both databases. First saves of the same area from two
tabs both succeed (upsert); a submitted assessment's answers never change after it was scored; a double
submit gives one submission and one friendly 409, never a 500."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from sqlmodel import Session, select
from tests.security.support import ML
from tests.web.conftest import csrf_token

from competency import scoring
from competency.models import AreaScore, User
from competency.services import ServiceError, assessments
from competency.web.requests import catalog, db

ROUNDS = 6


def run_together(*jobs: Callable[[], Any]) -> list[Any]:
    """Run the jobs in threads released at the same moment; returns each result or exception."""
    barrier = threading.Barrier(len(jobs))
    results: list[Any] = [None] * len(jobs)

    def runner(index: int, job: Callable[[], Any]) -> None:
        barrier.wait()
        try:
            results[index] = job()
        except Exception as exc:
            results[index] = exc

    threads = [threading.Thread(target=runner, args=(i, job)) for i, job in enumerate(jobs)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    return results


def new_draft(app, user: User) -> int:  # type: ignore[no-untyped-def]
    with app.app_context():
        session = db()
        me = session.get(User, user.id)
        draft, _ = assessments.start(session, catalog().get(ML), subject=me, assessor=me, level="mid")
        return draft.id or 0


def with_session(app, work: Callable[[Session], Any]) -> Callable[[], Any]:  # type: ignore[no-untyped-def]
    engine = app.extensions["competency.engine"]

    def job() -> Any:
        with Session(engine, expire_on_commit=False) as session:
            return work(session)

    return job


def save_all(app, assessment_id: int, value: int, actor: User, *, areas: int = 99) -> Callable[[], Any]:  # type: ignore[no-untyped-def]
    def work(session: Session) -> None:
        taken = assessments.load(session, assessment_id)
        me = session.get(User, actor.id)
        q = taken.questionnaire
        level = taken.assessment.target_level
        for area in q.areas_in_play(level)[:areas]:
            asked = {i.id: value for i in q.items_in_play(area, level)}
            assessments.save_area(session, taken, area, asked, f"v{value}", actor=me)

    return with_session(app, work)


def submit(app, assessment_id: int, actor: User) -> Callable[[], Any]:  # type: ignore[no-untyped-def]
    def work(session: Session) -> str:
        taken = assessments.load(session, assessment_id)
        assessments.submit(session, taken, actor=session.get(User, actor.id))
        return "submitted"

    return with_session(app, work)


def test_two_tabs_saving_an_area_for_the_first_time_both_succeed(app, make_user) -> None:  # type: ignore[no-untyped-def]
    user = make_user("tabs@example.org")
    for _ in range(ROUNDS):
        draft = new_draft(app, user)
        results = run_together(save_all(app, draft, 2, user, areas=1), save_all(app, draft, 3, user, areas=1))
        assert results == [None, None], results
        with app.app_context():
            stored = set(assessments.answers_of(db(), draft).values())
        assert stored in ({2}, {3}), stored
        with app.app_context():
            taken = assessments.load(db(), draft)
            assessments.submit(db(), taken)


def test_a_save_racing_a_submit_never_changes_a_scored_assessment(app, make_user) -> None:  # type: ignore[no-untyped-def]
    user = make_user("race@example.org")
    for _ in range(ROUNDS):
        draft = new_draft(app, user)
        run_together(save_all(app, draft, 1, user))
        results = run_together(submit(app, draft, user), save_all(app, draft, 4, user))
        assert results[0] == "submitted"
        assert results[1] is None or isinstance(results[1], assessments.Conflict), results[1]
        with app.app_context():
            session = db()
            taken = assessments.load(session, draft)
            answers = assessments.answers_of(session, draft)
            again = scoring.score(taken.questionnaire, answers, "mid")
            stored = {
                row.area_id: row.score
                for row in session.exec(select(AreaScore).where(AreaScore.assessment_id == draft)).all()
            }
        # The stored profile is the profile of the answers stored: a late save did not slip in after it.
        assert stored == {a: r.score for a, r in again.areas.items()}


def test_a_double_submit_gives_one_submission_and_one_conflict(app, make_user) -> None:  # type: ignore[no-untyped-def]
    user = make_user("double@example.org")
    for _ in range(ROUNDS):
        draft = new_draft(app, user)
        run_together(save_all(app, draft, 2, user))
        results = run_together(submit(app, draft, user), submit(app, draft, user))
        assert sorted(map(type, results), key=str) == sorted([str, assessments.Conflict], key=str), results
        assert all(r == "submitted" or isinstance(r, ServiceError) for r in results)


def test_a_double_submit_over_http_answers_409_not_500(app, make_user) -> None:  # type: ignore[no-untyped-def]
    user = make_user("click@example.org")
    draft = new_draft(app, user)
    run_together(save_all(app, draft, 2, user))
    from tests.web.conftest import login

    first, second = app.test_client(), app.test_client()
    login(first, user.email)
    login(second, user.email)
    tokens = [csrf_token(c, f"/assessments/{draft}/review") for c in (first, second)]
    statuses = run_together(
        lambda: first.post(f"/assessments/{draft}/submit", data={"csrf_token": tokens[0]}).status_code,
        lambda: second.post(f"/assessments/{draft}/submit", data={"csrf_token": tokens[1]}).status_code,
    )
    assert sorted(statuses) == [302, 409], statuses


def test_a_save_after_the_submit_answers_409_and_keeps_the_answers(app, make_user, login_as) -> None:  # type: ignore[no-untyped-def]
    user = make_user("late@example.org")
    draft = new_draft(app, user)
    run_together(save_all(app, draft, 2, user))
    client = login_as(user)
    with app.app_context():
        area = catalog().get(ML).areas[0]
        asked = catalog().get(ML).items_in_play(area, "mid")
    token = csrf_token(client, f"/assessments/{draft}/areas/{area.id}")
    run_together(submit(app, draft, user))
    response = client.post(
        f"/assessments/{draft}/areas/{area.id}",
        data={
            **{f"item__{i.id}": "4" for i in asked},
            "go": "next",
            "csrf_token": token,
        },
    )
    assert response.status_code == 409
    assert "Already submitted" in response.get_data(as_text=True)
    with app.app_context():
        assert set(assessments.answers_of(db(), draft).values()) == {2}


def test_an_expired_form_on_an_assessment_submitted_meanwhile_answers_409(app, make_user, login_as) -> None:  # type: ignore[no-untyped-def]
    user = make_user("stale@example.org")
    draft = new_draft(app, user)
    run_together(save_all(app, draft, 2, user))
    run_together(submit(app, draft, user))
    client = login_as(user)
    with app.app_context():
        area = catalog().get(ML).areas[0]
    response = client.post(
        f"/assessments/{draft}/areas/{area.id}",
        data={f"item__{area.items[0].id}": "4", "csrf_token": "stale"},
    )
    assert response.status_code == 409
