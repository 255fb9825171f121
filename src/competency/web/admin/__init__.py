"""Administration: users, teams, CSV import, questionnaire status (global admins only; others get 404).

The blueprint and the overview live here; each section is a module of its own.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask import Blueprint, abort, current_app, render_template
from flask_login import current_user
from sqlmodel import col, select

from competency.models import Assessment, AuditEvent, QuestionnaireVersion, Team, User
from competency.services import snapshots
from competency.web.requests import catalog, db

bp = Blueprint("admin", __name__, url_prefix="/admin")

ADMIN_ACTIONS = ("user.", "team.", "org.")


@bp.before_request
def _admins_only() -> Any:
    """Not logged in: the login page. Logged in but not an admin: 404, so the pages cannot be probed."""
    if not current_user.is_authenticated:
        return current_app.login_manager.unauthorized()  # type: ignore[attr-defined]
    if not current_user.is_admin:
        abort(404)
    return None


@bp.route("/")
def index() -> str:
    session = db()
    accounts = session.exec(select(User.role, User.active, User.password_hash)).all()
    problems = catalog().problems()
    events = session.exec(
        select(AuditEvent, User.name)
        .outerjoin(User, col(User.id) == AuditEvent.actor_id)
        .where(sa.or_(*(col(AuditEvent.action).startswith(prefix) for prefix in ADMIN_ACTIONS)))
        .order_by(col(AuditEvent.at).desc(), col(AuditEvent.id).desc())
        .limit(10)
    ).all()
    return render_template(
        "admin/index.html",
        people=len(accounts),
        inactive=sum(1 for _, active, _ in accounts if not active),
        admins=sum(1 for role, active, _ in accounts if role == "admin" and active),
        hr=sum(1 for role, active, _ in accounts if role == "hr" and active),
        no_password=sum(1 for _, active, hashed in accounts if active and not hashed),
        teams=session.exec(select(sa.func.count()).select_from(Team)).one(),
        frameworks=len(catalog().all()),
        broken=len(problems),
        events=[(event, actor, _describe(event.details)) for event, actor in events],
    )


def _describe(details: dict[str, Any]) -> str:
    """An audit event's details as one readable line: "role: member → hr; file: org.csv"."""
    parts = []
    for key, value in details.items():
        label = key.replace("_", " ")
        if key == "via":
            continue
        if key == "changes" and isinstance(value, dict):
            parts += [
                f"{name.replace('_', ' ')}: {_shown(old)} → {_shown(new)}"
                for name, (old, new) in value.items()
            ]
        elif isinstance(value, list):
            parts.append(f"{label}: {', '.join(map(str, value)) or '—'}")
        else:
            parts.append(f"{label}: {_shown(value)}")
    return "; ".join(parts)


def _shown(value: Any) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


@bp.route("/questionnaires")
def questionnaires() -> str:
    session = db()
    files = catalog().files()
    problems = catalog().problems()
    stored = session.exec(
        select(QuestionnaireVersion).order_by(
            QuestionnaireVersion.key, QuestionnaireVersion.version, QuestionnaireVersion.revision
        )
    ).all()
    used = dict(
        session.exec(
            select(Assessment.questionnaire_version_id, sa.func.count()).group_by(
                col(Assessment.questionnaire_version_id)
            )
        ).all()
    )
    entries = []
    for number, (path, questionnaire) in enumerate(files.items(), start=1):
        found = snapshots.status(session, questionnaire) if questionnaire else None
        entries.append(
            {
                "file": path.name,
                "anchor": f"problems-{number}",
                "questionnaire": questionnaire,
                "items": sum(len(a.items) for a in questionnaire.areas) if questionnaire else 0,
                "status": found,
                "problems": [str(p) for p in problems.get(path, ())],
            }
        )
    return render_template(
        "admin/questionnaires.html",
        folder=catalog().folder,
        entries=entries,
        stored=stored,
        used=used,
    )


# The sections register their routes on `bp` when imported.
from competency.web.admin import imports, jobs, people, teams  # noqa: E402

__all__ = ["bp", "imports", "jobs", "people", "teams"]
