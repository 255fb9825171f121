"""Constraints of the domain model, enforced by the database itself on every backend."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError, StatementError
from sqlmodel import Session, select

from competency.models import (
    Answer,
    AreaNote,
    AreaScore,
    Assessment,
    AuditEvent,
    Cycle,
    Membership,
    QuestionnaireVersion,
    Team,
    User,
)

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


def add(session: Session, *rows: object) -> None:
    for row in rows:
        session.add(row)
    session.commit()


def refused(session: Session, *rows: object) -> None:
    """The database refuses these rows with an IntegrityError; the session is usable afterwards."""
    for row in rows:
        session.add(row)
    with pytest.raises(IntegrityError):
        session.commit()
    session.rollback()


def user(email: str = "ann@example.org", **fields: object) -> User:
    return User(email=email, name=fields.pop("name", "Ann"), **fields)


def snapshot(key: str = "demo", version: int = 1) -> QuestionnaireVersion:
    return QuestionnaireVersion(
        key=key, version=version, content_hash="0" * 64, title="Demo", definition={"id": key}
    )


@pytest.fixture
def people(session: Session) -> tuple[User, User, QuestionnaireVersion]:
    ann, bob = user("ann@example.org"), user("bob@example.org", name="Bob")
    qv = snapshot()
    add(session, ann, bob, qv)
    return ann, bob, qv


def assessment(subject: User, qv: QuestionnaireVersion, **fields: object) -> Assessment:
    return Assessment(
        subject_id=subject.id,
        assessor_id=fields.pop("assessor_id", subject.id),
        questionnaire_version_id=qv.id,
        target_level="mid",
        **fields,
    )


@pytest.fixture
def draft(session: Session, people: tuple[User, User, QuestionnaireVersion]) -> Assessment:
    ann, _, qv = people
    row = assessment(ann, qv)
    add(session, row)
    return row


# -- uniqueness ---------------------------------------------------------------------------------------------


def test_one_answer_per_assessment_and_item(session: Session, draft: Assessment) -> None:
    add(session, Answer(assessment_id=draft.id, item_id="x", value=1))
    refused(session, Answer(assessment_id=draft.id, item_id="x", value=2))
    add(session, Answer(assessment_id=draft.id, item_id="y", value=2))
    assert len(session.exec(select(Answer)).all()) == 2


def test_one_note_and_one_stored_score_per_assessment_and_area(session: Session, draft: Assessment) -> None:
    add(session, AreaNote(assessment_id=draft.id, area_id="a", text="evidence"))
    refused(session, AreaNote(assessment_id=draft.id, area_id="a", text="again"))
    add(session, AreaScore(assessment_id=draft.id, area_id="a", score=2, target=3, gap=1, attainment=0.5))
    refused(session, AreaScore(assessment_id=draft.id, area_id="a", score=2, target=3, gap=1, attainment=0.5))


def test_email_is_unique(session: Session) -> None:
    add(session, user("ann@example.org"))
    refused(session, user("ann@example.org", name="Another Ann"))


def test_email_is_unique_regardless_of_case(session: Session) -> None:
    add(session, user("ann@example.org"))
    # DESIGN.md: email unique, case-insensitive; the database must not hold both spellings.
    refused(session, user("Ann@Example.org", name="Another Ann"))


def test_questionnaire_version_is_unique_per_key(session: Session) -> None:
    add(session, snapshot("demo", 1), snapshot("demo", 2), snapshot("other", 1))
    refused(session, snapshot("demo", 1))


def test_version_must_be_positive(session: Session) -> None:
    refused(session, snapshot("demo", 0))


def test_membership_is_unique_per_team_and_user(
    session: Session, people: tuple[User, User, QuestionnaireVersion]
) -> None:
    ann, _, _ = people
    team = Team(name="ML")
    add(session, team)
    add(session, Membership(team_id=team.id, user_id=ann.id))
    refused(session, Membership(team_id=team.id, user_id=ann.id, role="manager"))


# -- CHECK constraints -------------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["peer", "SELF", ""])
def test_assessment_kind_is_self_or_manager(
    session: Session, people: tuple[User, User, QuestionnaireVersion], kind: str
) -> None:
    ann, _, qv = people
    refused(session, assessment(ann, qv, kind=kind))


def test_assessment_status_is_draft_or_submitted(
    session: Session, people: tuple[User, User, QuestionnaireVersion]
) -> None:
    ann, _, qv = people
    refused(session, assessment(ann, qv, status="archived"))


def test_submitted_assessment_needs_a_submission_time(
    session: Session, people: tuple[User, User, QuestionnaireVersion]
) -> None:
    ann, _, qv = people
    refused(session, assessment(ann, qv, status="submitted"))
    add(session, assessment(ann, qv, status="submitted", submitted_at=NOW))


def test_draft_has_no_submission_time(
    session: Session, people: tuple[User, User, QuestionnaireVersion]
) -> None:
    ann, _, qv = people
    refused(session, assessment(ann, qv, status="draft", submitted_at=NOW))


def test_self_assessment_is_by_its_subject(
    session: Session, people: tuple[User, User, QuestionnaireVersion]
) -> None:
    ann, bob, qv = people
    refused(session, assessment(ann, qv, kind="self", assessor_id=bob.id))
    add(session, assessment(ann, qv, kind="manager", assessor_id=bob.id))


@pytest.mark.parametrize("readiness", [-0.1, 100.01])
def test_readiness_is_a_percentage(
    session: Session, people: tuple[User, User, QuestionnaireVersion], readiness: float
) -> None:
    ann, _, qv = people
    refused(session, assessment(ann, qv, readiness=readiness))


def test_readiness_bounds_are_allowed(
    session: Session, people: tuple[User, User, QuestionnaireVersion]
) -> None:
    ann, _, qv = people
    add(session, assessment(ann, qv, readiness=0.0), assessment(ann, qv, readiness=100.0))


def test_stored_attainment_lies_between_zero_and_one(session: Session, draft: Assessment) -> None:
    refused(
        session, AreaScore(assessment_id=draft.id, area_id="a", score=2, target=1, gap=-1, attainment=1.5)
    )


def test_stored_score_and_gap_are_null_together(session: Session, draft: Assessment) -> None:
    refused(session, AreaScore(assessment_id=draft.id, area_id="a", score=None, target=1, gap=0.5))
    add(session, AreaScore(assessment_id=draft.id, area_id="b", score=None, target=1, gap=None))


@pytest.mark.parametrize("role", ["owner", "Admin", ""])
def test_user_role_is_member_hr_or_admin(session: Session, role: str) -> None:
    refused(session, user(role=role))


def test_every_global_role_is_accepted(session: Session) -> None:
    add(session, *(user(f"{role}@example.org", role=role) for role in ("member", "hr", "admin")))


def test_membership_role_is_member_or_manager(
    session: Session, people: tuple[User, User, QuestionnaireVersion]
) -> None:
    ann, _, _ = people
    team = Team(name="ML")
    add(session, team)
    refused(session, Membership(team_id=team.id, user_id=ann.id, role="owner"))


def test_cycle_is_due_after_it_opens(session: Session) -> None:
    refused(
        session, Cycle(name="Spring", questionnaire_key="demo", opens_at=NOW, due_at=NOW - timedelta(days=1))
    )


# -- foreign keys ----------------------------------------------------------------------------------------


def test_answer_needs_an_existing_assessment(session: Session) -> None:
    refused(session, Answer(assessment_id=999_999, item_id="x", value=1))


def test_assessment_needs_an_existing_subject(
    session: Session, people: tuple[User, User, QuestionnaireVersion]
) -> None:
    _, _, qv = people
    refused(
        session,
        Assessment(
            subject_id=999_999, assessor_id=999_999, questionnaire_version_id=qv.id, target_level="mid"
        ),
    )


def test_deleting_an_assessment_cascades_to_its_answers(session: Session, draft: Assessment) -> None:
    add(session, Answer(assessment_id=draft.id, item_id="x", value=1))
    session.execute(sa.delete(Assessment).where(Assessment.id == draft.id))
    session.commit()
    assert session.exec(select(Answer)).all() == []


def test_stored_questionnaire_version_in_use_cannot_be_deleted(
    session: Session, draft: Assessment, people: tuple[User, User, QuestionnaireVersion]
) -> None:
    _, _, qv = people
    with pytest.raises(IntegrityError):
        session.execute(sa.delete(QuestionnaireVersion).where(QuestionnaireVersion.id == qv.id))
        session.commit()
    session.rollback()


def test_deleting_a_user_keeps_their_audit_trail_without_the_actor(session: Session) -> None:
    ann = user()
    add(session, ann)
    add(session, AuditEvent(actor_id=ann.id, action="user.create", object=f"user:{ann.id}"))
    session.execute(sa.delete(User).where(User.id == ann.id))
    session.commit()
    session.expire_all()
    (event,) = session.exec(select(AuditEvent)).all()
    assert event.actor_id is None


# -- timestamps --------------------------------------------------------------------------------------------


def test_timestamps_come_back_timezone_aware_utc(engine: sa.Engine) -> None:
    taken = datetime(2026, 3, 1, 14, 30, tzinfo=timezone(timedelta(hours=2)))
    with Session(engine) as writing:
        ann = user(last_login_at=taken)
        add(writing, ann)
        ann_id = ann.id
    with Session(engine) as reading:
        stored = reading.get(User, ann_id)
        assert stored is not None
        for value in (stored.created_at, stored.last_login_at):
            assert value is not None
            assert value.utcoffset() == timedelta(0)
        assert stored.last_login_at == datetime(2026, 3, 1, 12, 30, tzinfo=UTC)
        assert abs(stored.created_at - datetime.now(UTC)) < timedelta(hours=1)


def test_naive_datetime_is_refused(session: Session) -> None:
    session.add(user(last_login_at=datetime(2026, 3, 1, 12, 30)))
    with pytest.raises(StatementError, match="naive datetime"):
        session.commit()
    session.rollback()
    assert session.exec(select(User)).all() == []


def test_json_columns_round_trip(session: Session) -> None:
    add(session, AuditEvent(action="export.scores", details={"rows": 3, "note": "Ökonomie – Grundlagen"}))
    session.expire_all()
    (event,) = session.exec(select(AuditEvent)).all()
    assert event.details == {"rows": 3, "note": "Ökonomie – Grundlagen"}
