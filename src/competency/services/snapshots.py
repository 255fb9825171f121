"""Questionnaire snapshots: the exact definition every assessment was taken against, by version and revision."""

from __future__ import annotations

import json
from dataclasses import dataclass

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from competency.models import QuestionnaireVersion
from competency.questionnaire import Questionnaire
from competency.questionnaire.structure import first_structural_change, structure_hash
from competency.services import ServiceError

#: What an engineer reads when the framework they chose cannot be used right now.
PLAIN_CONFLICT = (
    "This framework is being updated and cannot be started right now. The administrators have been told; "
    "please try again later."
)


class SnapshotConflict(ServiceError):
    """A file that cannot be stored: `detail` says why, in an author's words; str() is for anyone."""

    def __init__(self, key: str, detail: str) -> None:
        super().__init__(PLAIN_CONFLICT)
        self.key = key
        self.detail = detail


@dataclass(frozen=True)
class SnapshotStatus:
    """How a file stands against the stored snapshots of its framework."""

    #: "stored" (matches a snapshot), "revision" (text-only change: stored as the next revision),
    #: "new" (a version not stored yet), "conflict" (refused; see `detail`).
    state: str
    version: int
    revision: int | None
    detail: str = ""
    row: QuestionnaireVersion | None = None

    @property
    def ok(self) -> bool:
        return self.state != "conflict"


def rows_of(session: Session, key: str) -> list[QuestionnaireVersion]:
    return list(
        session.exec(
            select(QuestionnaireVersion)
            .where(QuestionnaireVersion.key == key)
            .order_by(col(QuestionnaireVersion.version), col(QuestionnaireVersion.revision))
        )
    )


def status(session: Session, questionnaire: Questionnaire) -> SnapshotStatus:
    """Compare a file with the stored snapshots, without storing anything."""
    return _status(questionnaire, rows_of(session, questionnaire.id))


def _status(q: Questionnaire, rows: list[QuestionnaireVersion]) -> SnapshotStatus:
    digest = q.content_hash()
    same_version = [row for row in rows if row.version == q.version]
    for row in reversed(same_version):
        if row.content_hash == digest:
            return SnapshotStatus("stored", q.version, row.revision, row=row)
    newest = max((row.version for row in rows), default=None)
    if newest is not None and q.version < newest:
        return SnapshotStatus(
            "conflict",
            q.version,
            None,
            f"version {q.version} is older than the stored version {newest}, and matches none of "
            f"version {q.version}'s snapshots; set version: {newest + 1}",
        )
    if not same_version:
        return SnapshotStatus("new", q.version, 1)
    latest = same_version[-1]
    if _structure_hash(latest) != structure_hash(q):
        change = first_structural_change(snapshot_questionnaire(latest), q) or "the structure"
        return SnapshotStatus(
            "conflict",
            q.version,
            None,
            f"{change} changed the structure of version {q.version}; set version: {(newest or q.version) + 1}",
        )
    return SnapshotStatus("revision", q.version, latest.revision + 1)


def ensure_snapshot(session: Session, questionnaire: Questionnaire) -> QuestionnaireVersion:
    """The stored snapshot for this exact file, stored now (as a new version or revision) on first use.

    A structural change under a stored version, or a version older than the newest stored one, is
    refused: old results must keep rendering and scoring exactly as they were taken.
    """
    for _ in range(3):  # another request may store the same revision first; then compare with theirs
        found = status(session, questionnaire)
        if found.state == "conflict":
            raise SnapshotConflict(questionnaire.id, f"{questionnaire.id}: {found.detail}")
        if found.row is not None:
            return found.row
        row = QuestionnaireVersion(
            key=questionnaire.id,
            version=questionnaire.version,
            revision=found.revision or 1,
            content_hash=questionnaire.content_hash(),
            structure_hash=structure_hash(questionnaire),
            title=questionnaire.title,
            definition=json.loads(questionnaire.canonical_json()),
        )
        try:
            with session.begin_nested():
                session.add(row)
        except IntegrityError:
            continue
        return row
    raise SnapshotConflict(questionnaire.id, f"{questionnaire.id}: could not store a snapshot; try again")


def stored_keys(session: Session) -> set[str]:
    return set(session.exec(select(QuestionnaireVersion.key).distinct()).all())


def newest_snapshot(session: Session, key: str) -> QuestionnaireVersion | None:
    rows = rows_of(session, key)
    return rows[-1] if rows else None


def _structure_hash(row: QuestionnaireVersion) -> str:
    if row.structure_hash is None:
        # Stored before revisions existed: computed from the snapshot itself (not written back here,
        # so that reading status never writes).
        return structure_hash(snapshot_questionnaire(row))
    return row.structure_hash


_parsed: dict[str, Questionnaire] = {}


def snapshot_questionnaire(row: QuestionnaireVersion) -> Questionnaire:
    """The Questionnaire an assessment was taken against (parsed once per content hash)."""
    questionnaire = _parsed.get(row.content_hash)
    if questionnaire is None:
        questionnaire = _parsed[row.content_hash] = Questionnaire.model_validate(
            row.definition, context={"stored": True}
        )
    return questionnaire
