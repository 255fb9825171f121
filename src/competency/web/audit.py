"""Audit the signed-in person's action in this request (who, what, from where)."""

from __future__ import annotations

from typing import Any

from flask import request

from competency.services import audit
from competency.web.auth import me
from competency.web.requests import db


def audit_request(action: str, obj: str, **details: Any) -> None:
    """Add the event to the request's session; the caller's commit writes it with the change itself."""
    audit.log(
        db(), actor_id=me().id, action=action, object=obj, details=details, remote_addr=request.remote_addr
    )
