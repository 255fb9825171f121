"""Audit the signed-in person's action in this request (who, what, from where), and refuse an object
the person may not see: a 404 like a missing one, recorded as an access denial."""

from __future__ import annotations

from typing import Any, NoReturn

from flask import abort, request

from competency.services import audit
from competency.web.auth import me
from competency.web.requests import db


def audit_request(action: str, obj: str, **details: Any) -> None:
    """Add the event to the request's session; the caller's commit writes it with the change itself."""
    audit.log(
        db(), actor_id=me().id, action=action, object=obj, details=details, remote_addr=request.remote_addr
    )


def audit_now(action: str, obj: str, **details: Any) -> None:
    """Record an event of a request that changes nothing else (a view, a denial): committed at once."""
    audit_request(action, obj, **details)
    db().commit()


def deny(obj: str) -> NoReturn:
    """404 for an object that exists but is not the signed-in person's to see; the attempt is audited."""
    audit_now("access.denied", obj, path=request.path[:200], method=request.method)
    abort(404)
