"""Blind spots: areas where a manager's rating and the person's own differ by a scale step or more, and
which of them a manager has marked as talked through."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Session, col, select

from competency import scoring
from competency.models import AreaScore, Assessment, BlindSpotDiscussion, User, utcnow
from competency.questionnaire import Questionnaire


@dataclass(frozen=True)
class BlindSpot:
    user_id: int
    name: str
    questionnaire_key: str
    area_id: str
    area_title: str
    delta: float


def open_blind_spots(
    session: Session,
    latest: Mapping[tuple[int, str], Mapping[str, tuple[int, datetime]]],
    manager_ids: list[int],
    names: Mapping[int, str],
    frameworks: Callable[[str], Questionnaire | None],
) -> list[BlindSpot]:
    """Blind spots between each member's latest self-assessment and latest manager rating, not yet
    marked discussed. Two statements."""
    if not manager_ids:
        return []
    pairs = {
        (by_kind["self"][0], by_kind["manager"][0]): (subject_id, key)
        for (subject_id, key), by_kind in latest.items()
        if "self" in by_kind and "manager" in by_kind
    }
    ids = [i for pair in pairs for i in pair]
    scores: dict[int, dict[str, float | None]] = defaultdict(dict)
    for assessment_id, area_id, score in session.exec(
        select(AreaScore.assessment_id, AreaScore.area_id, AreaScore.score).where(
            col(AreaScore.assessment_id).in_(ids)
        )
    ).all():
        scores[assessment_id][area_id] = score
    discussed = set(
        session.exec(
            select(
                BlindSpotDiscussion.self_rating_id,
                BlindSpotDiscussion.manager_rating_id,
                BlindSpotDiscussion.area_id,
            ).where(col(BlindSpotDiscussion.manager_rating_id).in_(manager_ids))
        ).all()
    )
    out = []
    for (self_id, manager_id), (subject_id, key) in sorted(
        pairs.items(), key=lambda kv: names.get(kv[1][0], "")
    ):
        questionnaire = frameworks(key)
        for area_id, own in scores[self_id].items():
            compared = scoring.Comparison(area_id, own, scores[manager_id].get(area_id))
            if not compared.blind_spot or compared.delta is None:
                continue
            if (self_id, manager_id, area_id) in discussed:
                continue
            area = next((a for a in questionnaire.areas if a.id == area_id), None) if questionnaire else None
            out.append(
                BlindSpot(
                    subject_id,
                    names.get(subject_id, "?"),
                    key,
                    area_id,
                    area.title if area else area_id,
                    compared.delta,
                )
            )
    return out


def discussed_areas(session: Session, self_id: int, manager_id: int) -> dict[str, datetime]:
    """Areas of a self/manager pair whose blind spot was marked discussed, with when."""
    rows = session.exec(
        select(BlindSpotDiscussion.area_id, BlindSpotDiscussion.at).where(
            BlindSpotDiscussion.self_rating_id == self_id, BlindSpotDiscussion.manager_rating_id == manager_id
        )
    ).all()
    return {area_id: at for area_id, at in rows}


def mark_discussed(
    session: Session,
    actor: User,
    *,
    subject_id: int,
    self_id: int,
    manager_id: int,
    area_id: str,
    now: datetime | None = None,
) -> None:
    """A manager of the person's team notes that a blind spot was talked through (committed; idempotent)."""
    from competency.services import NotFound, access

    if not access.can_manager_assess(session, actor, subject_id):
        raise NotFound("not a manager of this person")
    pair = session.exec(
        select(Assessment).where(
            col(Assessment.id).in_([self_id, manager_id]),
            col(Assessment.subject_id) == subject_id,
            col(Assessment.status) == "submitted",
        )
    ).all()
    kinds = {a.id: a.kind for a in pair}
    if kinds.get(self_id) != "self" or kinds.get(manager_id) != "manager":
        raise NotFound("no such pair of assessments")
    if area_id in discussed_areas(session, self_id, manager_id):
        return
    session.add(
        BlindSpotDiscussion(
            self_rating_id=self_id,
            manager_rating_id=manager_id,
            area_id=area_id[:80],
            by_id=actor.id,
            at=now or utcnow(),
        )
    )
    try:
        session.commit()
    except sa.exc.IntegrityError:  # marked at the same moment in another tab: already done
        session.rollback()
