"""Outbound webhooks (optional): a signed JSON POST for "cycle opened", "assessment submitted" and
"cycle closed", so a team can post to its chat through a receiver of its own.

The body is signed with HMAC-SHA256 under COMPETENCY_WEBHOOK_SECRET, sent as
`X-Competency-Signature: sha256=<hex>`; the receiver recomputes it over the raw body. Payloads carry ids,
names and times, never scores. Delivery is a job, retried with a growing delay while the receiver fails.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import urllib.error
import urllib.request
import uuid
from datetime import datetime
from typing import Any

from sqlmodel import Session

from competency.config import Settings
from competency.models import utcnow
from competency.services import outbox

EVENTS = ("cycle.opened", "cycle.closed", "assessment.submitted")
TIMEOUT = 10
#: Attempts 30 s apart, doubling: about half an hour of a receiver that fails.
DELIVERY_ATTEMPTS = 7


class DeliveryFailed(RuntimeError):
    pass


def signature(secret: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def body(event: str, data: dict[str, Any], now: datetime | None = None) -> bytes:
    if event not in EVENTS:
        raise ValueError(f"unknown webhook event {event!r}")
    payload = {"id": uuid.uuid4().hex, "event": event, "sent_at": (now or utcnow()).isoformat(), "data": data}
    return json.dumps(payload, separators=(",", ":"), default=str).encode()


def emit(session: Session, settings: Settings, event: str, data: dict[str, Any], *, key: str) -> bool:
    """Record the event's delivery in the outbox (caller's transaction); False when no webhook is configured.

    `key` names the event once (e.g. "cycle.opened:12"), so a rerun of whatever emits it posts it once."""
    if not settings.webhook_url:
        return False
    outbox.record(
        session,
        "webhook",
        {"event": event, "body": body(event, data).decode()},
        key=f"webhook:{key}",
        max_attempts=DELIVERY_ATTEMPTS,
    )
    return True


def deliver(settings: Settings, event: str, payload: bytes) -> int:
    """POST one event now; DeliveryFailed (so the job retries) unless the receiver answers 2xx."""
    request = urllib.request.Request(
        settings.webhook_url,
        data=payload,
        method="POST",
        headers={
            "Content-Type": "application/json",
            "User-Agent": "competency-webhook/1",
            "X-Competency-Event": event,
            "X-Competency-Signature": signature(settings.webhook_secret, payload),
        },
    )
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT) as response:
            return int(response.status)
    except urllib.error.HTTPError as exc:
        exc.close()
        # Never the URL: a chat's incoming-webhook address is itself a secret, and this reaches the log.
        raise DeliveryFailed(f"the webhook receiver answered {exc.code}") from None
    except (urllib.error.URLError, OSError) as exc:
        why = getattr(exc, "reason", None) or getattr(exc, "strerror", None) or type(exc).__name__
        raise DeliveryFailed(f"the webhook receiver cannot be reached ({why})") from None


def cycle_data(cycle: Any, team_name: str | None) -> dict[str, Any]:
    return {
        "cycle": {
            "id": cycle.id,
            "name": cycle.name,
            "questionnaire": cycle.questionnaire_key,
            "team": team_name,
            "audience": cycle.audience,
            "opens_at": cycle.opens_at,
            "due_at": cycle.due_at,
            "closed_at": cycle.closed_at,
        }
    }
