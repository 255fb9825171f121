"""Email: `templates/emails/NAME.txt` and `NAME.html` rendered into one message, sent over SMTP.

Services build messages with `render()` and hand them to `send()`, which queues them; the mail task calls
`deliver()`. Without COMPETENCY_SMTP_URL the message is written to the log instead (development).
Every template names who can see what the mail links to and carries no one's scores.
"""

from __future__ import annotations

import email.policy
import logging
import re
import smtplib
import ssl
from dataclasses import asdict, dataclass
from email.message import EmailMessage
from email.utils import formataddr, make_msgid
from functools import cache
from typing import Any
from urllib.parse import unquote, urlsplit

import jinja2
import sqlalchemy as sa
from sqlmodel import Session, col, select

from competency.config import ConfigError, Settings
from competency.models import MailPreference, SentNotification
from competency.resources import resource_path
from competency.services import outbox
from competency.services.names import has_breaking

log = logging.getLogger(__name__)

#: Preference columns a person may turn off; account mail (set-password links) has none and always goes.
PREFERENCES = ("cycles", "manager_notices", "weekly_digest")
SMTP_TIMEOUT = 30
#: Attempts 30 s apart, doubling: the last about half an hour after the first.
MAIL_ATTEMPTS = 7


@dataclass(frozen=True)
class Mail:
    to: str
    subject: str
    text: str
    html: str
    #: What kind of notice this is (for the log and the tests).
    kind: str = ""


@cache
def _environment() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(resource_path("templates") / "emails")),
        autoescape=jinja2.select_autoescape(enabled_extensions=("html",), default_for_string=False),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


def link(settings: Settings, path: str) -> str:
    """An absolute link for an email, from COMPETENCY_BASE_URL."""
    return settings.base_url.rstrip("/") + path


def render(template: str, settings: Settings, /, *, to: str, subject: str, **context: Any) -> Mail:
    """`emails/TEMPLATE.txt` and `.html` with `context` (and the preferences link every mail offers)."""
    env = _environment()
    values = {
        "subject": subject,
        "base_url": settings.base_url,
        "preferences_url": link(settings, "/account/notifications"),
        **context,
    }
    text = env.get_template(f"{template}.txt").render(values)
    html = env.get_template(f"{template}.html").render(values)
    return Mail(to=to, subject=subject, text=text, html=html, kind=template)


class HeaderRefused(ValueError):
    """A header value would end its line (raw or RFC 2047-encoded CR, LF or other line break)."""


#: A line end not followed by folding white space: the start of another header (CPython's own check).
_NEWLINE_WITHOUT_FWSP = re.compile(r"\r\n[^ \t]|\r[^ \n\t]|\n[^ \t]")


def _header(msg: EmailMessage, name: str, value: str) -> None:
    """Set a header, refusing any value that could start another header.

    The SMTP policy raises on a raw CR or LF. An encoded word ("=?utf-8?q?=0D=0A?=") passes that check,
    and this Python's folding decodes it and writes the CR LF out raw (CPython gh-121650, fixed in later
    releases by verify_generated_headers): so the header is also folded here as it will be sent, and
    refused when a line of it does not start with folding white space, or when it reads back holding a
    control character or line separator.
    """
    if has_breaking(value):
        raise HeaderRefused(f"{name} holds a line break or control character: {value!r}")
    msg[name] = value
    folded = msg.policy.fold(name, msg[name]).removesuffix("\r\n")
    if _NEWLINE_WITHOUT_FWSP.search(folded) or has_breaking(str(msg[name])):
        del msg[name]
        raise HeaderRefused(f"{name} decodes to a line break or control character: {value!r}")


def message(settings: Settings, mail: Mail, message_id: str | None = None) -> EmailMessage:
    """The mail as sent; `message_id`: the outbox row's stable id, so every attempt carries the same
    Message-ID and a receiving server can drop a copy."""
    # email.policy.SMTP: the header registry, CR LF line ends, and a ValueError on a raw newline.
    msg = EmailMessage(policy=email.policy.SMTP)
    _header(msg, "From", formataddr(("competency", settings.mail_from)))
    _header(msg, "To", mail.to)
    _header(msg, "Subject", mail.subject)
    domain = settings.mail_from.rpartition("@")[2] or "localhost"
    _header(msg, "Message-ID", f"<{message_id}@{domain}>" if message_id else make_msgid(domain=domain))
    # Tells out-of-office responders not to answer.
    _header(msg, "Auto-Submitted", "auto-generated")
    msg.set_content(mail.text)
    msg.add_alternative(mail.html, subtype="html")
    return msg


def deliver(settings: Settings, mail: Mail, message_id: str | None = None) -> None:
    """Send one message now: an SMTP conversation, or the log when no SMTP server is configured.

    `message_id`: the same for every attempt of one outbox row, so a receiver can drop the copy that a
    worker killed between the server's "250 OK" and its own record of it would send again."""
    if not settings.smtp_url:
        if settings.development:
            # Only in development (no SMTP server configured): this is how a developer reads the links.
            log.warning(
                "mail not sent (COMPETENCY_SMTP_URL is unset) to %s: %s\n%s", mail.to, mail.subject, mail.text
            )
            return
        # Elsewhere the mail waits (retried, then listed for an admin) rather than vanish into a log line,
        # which would also have held its link.
        raise ConfigError(f"mail {mail.kind!r} cannot be sent: COMPETENCY_SMTP_URL is unset")
    parts = urlsplit(settings.smtp_url)
    scheme = parts.scheme.lower()
    if scheme not in ("smtp", "smtps", "smtp+starttls"):
        raise ConfigError("COMPETENCY_SMTP_URL must start with smtp://, smtps:// or smtp+starttls://")
    host = parts.hostname or "localhost"
    if scheme == "smtps":
        client: smtplib.SMTP = smtplib.SMTP_SSL(
            host, parts.port or 465, timeout=SMTP_TIMEOUT, context=ssl.create_default_context()
        )
    else:
        client = smtplib.SMTP(
            host, parts.port or (587 if scheme == "smtp+starttls" else 25), timeout=SMTP_TIMEOUT
        )
    with client:
        if scheme == "smtp+starttls":
            client.starttls(context=ssl.create_default_context())
        if parts.username:
            client.login(unquote(parts.username), unquote(parts.password or ""))
        client.send_message(message(settings, mail, message_id))


def send(session: Session, mail: Mail, *, key: str | None = None) -> int | None:
    """Record a message in the caller's transaction (the outbox); a worker sends it after the commit and
    retries for about half an hour while the SMTP server refuses or is unreachable. `key`: sent once."""
    return outbox.record(session, "mail", asdict(mail), key=key, max_attempts=MAIL_ATTEMPTS)


# -- who wants what, and at most once ----------------------------------------------------------------


def preferences(session: Session, user_id: int) -> MailPreference:
    return session.get(MailPreference, user_id) or MailPreference(user_id=user_id)


def opted_out(session: Session, user_ids: list[int], preference: str) -> set[int]:
    """Of `user_ids`, those who turned `preference` off."""
    if preference not in PREFERENCES:
        raise ValueError(preference)
    if not user_ids:
        return set()
    column = getattr(MailPreference, preference)
    return set(
        session.exec(
            select(MailPreference.user_id).where(col(MailPreference.user_id).in_(user_ids), column == False)  # noqa: E712
        ).all()
    )


def save_preferences(session: Session, user_id: int, **choices: bool) -> MailPreference:
    pref = preferences(session, user_id)
    for name, value in choices.items():
        if name not in PREFERENCES:
            raise ValueError(name)
        setattr(pref, name, bool(value))
    session.add(pref)
    session.commit()
    return pref


def claim(session: Session, kind: str, user_id: int, obj: str) -> bool:
    """Record that `kind` about `obj` goes to `user_id`; False when it was claimed before (flushed only)."""
    table = sa.inspect(SentNotification).local_table
    if session.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert  # type: ignore[assignment]
    from competency.models import utcnow

    result = session.execute(
        insert(table)
        .values(kind=kind, user_id=user_id, object=obj, sent_at=utcnow())
        .on_conflict_do_nothing(index_elements=["kind", "user_id", "object"])
        .returning(table.c.id)
    )
    # RETURNING, not rowcount: psycopg does not report a row count for INSERT ... ON CONFLICT here.
    return result.first() is not None
