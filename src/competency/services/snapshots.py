"""Questionnaire snapshots: the exact definition every assessment was taken against."""

from __future__ import annotations

import json

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from competency.models import QuestionnaireVersion
from competency.questionnaire import Questionnaire
from competency.services import ServiceError


class SnapshotConflict(ServiceError):
    pass


def ensure_snapshot(session: Session, questionnaire: Questionnaire) -> QuestionnaireVersion:
    """The stored snapshot for (id, version), stored now on first use.

    A file whose (id, version) is stored with other content is refused: old results must keep
    rendering and scoring exactly as they were taken.
    """
    digest = questionnaire.content_hash()
    row = _find(session, questionnaire.id, questionnaire.version)
    if row is None:
        row = QuestionnaireVersion(
            key=questionnaire.id,
            version=questionnaire.version,
            content_hash=digest,
            title=questionnaire.title,
            definition=json.loads(questionnaire.canonical_json()),
        )
        try:
            with session.begin_nested():
                session.add(row)
        except IntegrityError:
            # Another request stored it first; compare with theirs.
            row = _find(session, questionnaire.id, questionnaire.version)
            if row is None:
                raise
    if row.content_hash != digest:
        raise SnapshotConflict(
            f"{questionnaire.id} version {questionnaire.version}: content changed without a version bump. "
            f"Increase `version` in the file; results taken against version {questionnaire.version} "
            "keep their original definition."
        )
    return row


def _find(session: Session, key: str, version: int) -> QuestionnaireVersion | None:
    return session.exec(
        select(QuestionnaireVersion).where(
            QuestionnaireVersion.key == key, QuestionnaireVersion.version == version
        )
    ).first()


_parsed: dict[str, Questionnaire] = {}


def snapshot_questionnaire(row: QuestionnaireVersion) -> Questionnaire:
    """The Questionnaire an assessment was taken against (parsed once per content hash)."""
    questionnaire = _parsed.get(row.content_hash)
    if questionnaire is None:
        questionnaire = _parsed[row.content_hash] = Questionnaire.model_validate(row.definition)
    return questionnaire
