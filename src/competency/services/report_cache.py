"""Cached PDFs: a report is rendered once for the results it shows and the template version, kept in
storage, and served from there until new results arrive (which change its key).

A person's key: who they are (id, name, email), the framework, the ids and times of the assessments the
report shows (its history and the manager rating beside it) and the template version. A team's key: the
summary the report draws (members, their profiles, the statistics). Downloads are audited by the caller.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext
from datetime import timedelta
from functools import cache
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, select

from competency.config import Settings
from competency.models import StoredFile, Team, User, utcnow
from competency.questionnaire import Questionnaire
from competency.resources import resource_path
from competency.services import NotFound, profiles, storage
from competency.services import reports as reports_service


@cache
def template_version() -> str:
    """A hash of everything a report is drawn from besides the data: its templates, stylesheet and code."""
    from competency.reports import context, pdf, render, svg

    digest = hashlib.sha256()
    sources = sorted(resource_path("templates").joinpath("reports").glob("*.html"))
    sources += [pdf.STATIC_DIR / name for name in pdf.REPORT_STYLESHEETS]
    sources += [Path(m.__file__ or "") for m in (context, pdf, render, svg)]
    for path in sources:
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def _key(*parts: Any) -> str:
    return hashlib.sha256(json.dumps([template_version(), *parts], default=str).encode()).hexdigest()


def person_key(profile: profiles.PersonProfile, as_of: int | None, steps: Any = ()) -> str:
    """`steps`: the person's plan step states, which the report prints beside each step."""
    subject = profile.subject
    manager = profile.manager.assessment if profile.manager else None
    return _key(
        sorted((step_id, state.status, state.done_at) for step_id, state in dict(steps).items()),
        "person",
        subject.id,
        subject.name,
        subject.email,
        profile.questionnaire_key,
        as_of,
        [(r.assessment.id, r.assessment.submitted_at) for r in profile.history],
        None
        if manager is None
        else (manager.id, manager.submitted_at, getattr(manager, "released_at", None), profile.manager_name),
    )


def _cached(session: Session, settings: Settings, cache_key: str) -> StoredFile | None:
    found = session.exec(select(StoredFile).where(StoredFile.cache_key == cache_key)).first()
    if found is None:
        return None
    if not storage.exists(settings, found):
        # The file went (a cleaned volume): forget the row, render again. Committed now: a write left
        # open across the render would hold the database's write lock (all of SQLite) for its length,
        # and every other worker would wait on it.
        session.delete(found)
        session.commit()
        return None
    found.expires_at = utcnow() + timedelta(days=settings.pdf_cache_days)
    session.add(found)
    return found


def _store(
    session: Session, settings: Settings, data: bytes, *, kind: str, filename: str, cache_key: str
) -> StoredFile:
    """Keep a fresh render; when another worker stored the same key meanwhile, theirs wins and ours goes."""
    try:
        stored = storage.save_bytes(
            session,
            settings,
            data,
            kind=kind,
            filename=filename,
            cache_key=cache_key,
            expires_at=utcnow() + timedelta(days=settings.pdf_cache_days),
        )
    except sa.exc.IntegrityError:  # seen at once (a savepoint): ours was never kept
        return session.exec(select(StoredFile).where(StoredFile.cache_key == cache_key)).one()
    try:
        session.commit()
    except sa.exc.IntegrityError:  # seen only at commit (another transaction won meanwhile)
        session.rollback()
        storage.path_of(settings, stored).unlink(missing_ok=True)
        return session.exec(select(StoredFile).where(StoredFile.cache_key == cache_key)).one()
    return stored


def person_pdf(
    session: Session,
    settings: Settings,
    subject: User,
    key: str,
    *,
    as_of: int | None = None,
    viewer: User | None = None,
    guard: Callable[[], AbstractContextManager[Any]] = nullcontext,
) -> StoredFile:
    """The stored PDF of `subject`'s report (as of a self-assessment), rendered only when none matches."""
    from competency.reports.render import person_pdf as render
    from competency.services.plans import states_of

    # The subject's own copy leaves out a manager rating not released to them; that changes the key.
    profile = profiles.person_profile(session, subject, key, as_of=as_of, viewer=viewer)
    if profile.current is None:
        raise NotFound(f"{subject.email} has no submitted self-assessment of {key}")
    steps = states_of(session, subject.id or 0, key)
    cache_key = person_key(profile, as_of, steps)
    found = _cached(session, settings, cache_key)
    if found is not None:
        session.commit()
        return found
    context = reports_service.person_context(session, subject, key, as_of=as_of, profile=profile, steps=steps)
    with guard():  # only a render takes a slot (web/limits): a stored file is served without one
        data = render(context, timeout=reports_service.RENDER_TIMEOUT)
    filename = reports_service.person_filename(subject, key)
    return _store(session, settings, data, kind="person_pdf", filename=filename, cache_key=cache_key)


def team_pdf(
    session: Session,
    settings: Settings,
    team: Team,
    key: str,
    current: Questionnaire | None,
    *,
    level: str | None = None,
    guard: Callable[[], AbstractContextManager[Any]] = nullcontext,
) -> StoredFile:
    from competency.reports.render import team_pdf as render

    context, parts = reports_service.team_report(session, team, key, current, level=level)
    cache_key = _key("team", *parts)
    found = _cached(session, settings, cache_key)
    if found is not None:
        session.commit()
        return found
    with guard():  # only a render takes a slot (web/limits): a stored file is served without one
        data = render(context, timeout=reports_service.RENDER_TIMEOUT)
    filename = f"team-{reports_service.slug(team.name)}-{key}.pdf"
    return _store(session, settings, data, kind="team_pdf", filename=filename, cache_key=cache_key)
