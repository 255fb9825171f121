"""Round 2: names cannot inject mail headers. Cycle, person and team names holding a raw CR LF, a U+2028
or an RFC 2047-encoded CR LF are refused where they are stored, with a message saying what to do; and the
mail builder refuses any header that would end its line, so a name stored before cannot do it either."""

from __future__ import annotations

import email
import email.policy
from datetime import UTC, datetime, timedelta

import pytest
from flask import Flask

from competency.config import Settings
from competency.models import User
from competency.services import ServiceError, cycles, notifications, org_import
from competency.services import users as users_service
from competency.web.requests import db

PAYLOADS = {
    "raw CR LF": "Spring\r\nReply-To: thief@example.org",
    "bare LF": "Spring\nReply-To: thief@example.org",
    "U+2028": "Spring\u2028Reply-To: thief@example.org",
    "U+2029": "Spring\u2029Reply-To: thief@example.org",
    "encoded CR LF": "Spring =?utf-8?q?review=0D=0AReply-To:_thief@example.org?=",
    "encoded base64 LF": "Spring =?utf-8?b?eA1SZXBseS1UbzogdGhpZWZAZXhhbXBsZS5vcmc=?=",
}
ids = list(PAYLOADS)


@pytest.mark.parametrize("payload", PAYLOADS.values(), ids=ids)
def test_a_cycle_name_that_could_end_a_header_is_refused(app: Flask, make_user, payload: str) -> None:  # type: ignore[no-untyped-def]
    hr = make_user("hr@example.org", role="hr")
    with app.app_context(), pytest.raises(ServiceError) as refused:
        cycles.open_cycle(
            db(),
            db().get(User, hr.id),
            name=payload,
            questionnaire_key="ml-engineer",
            team_id=None,
            due_at=datetime.now(UTC) + timedelta(days=7),
        )
    message = str(refused.value)
    assert message.startswith("The name contains") and ("one line" in message or "plain text" in message)


@pytest.mark.parametrize("payload", PAYLOADS.values(), ids=ids)
def test_person_and_team_names_that_could_end_a_header_are_refused(app: Flask, payload: str) -> None:
    with app.app_context():
        with pytest.raises(ServiceError, match="name contains"):
            users_service.create_or_update_user(db(), email="x@example.org", name=payload, role="member")
        with pytest.raises(ServiceError, match="name contains"):
            users_service.create_team(db(), payload)


@pytest.mark.parametrize("column", ["name", "team"])
def test_the_org_import_refuses_a_line_separator_in_names(column: str) -> None:
    row = dict.fromkeys(org_import.COLUMNS, "")
    row.update(email="a@example.org", name="Ada Lovelace", team="Vision", team_role="member")
    row["global_role"] = "member"
    row[column] = "Ada\u2028Lovelace" if column == "name" else "Vi\u2028sion"
    data = (",".join(row) + "\n" + ",".join(row.values()) + "\n").encode()
    with pytest.raises(org_import.OrgImportError) as refused:
        org_import.parse(data)
    assert [p.column for p in refused.value.problems] == [column]


def test_names_with_ordinary_punctuation_and_accents_still_pass(app: Flask) -> None:
    with app.app_context():
        user, _ = users_service.create_or_update_user(
            db(), email="zoe@example.org", name="Zoë O'Brien-Núñez (=? team)", role="member"
        )
        assert user.name == "Zoë O'Brien-Núñez (=? team)"


def built(subject: str, to: str = "ada@example.org") -> bytes:
    mail = notifications.Mail(to=to, subject=subject, text="hello", html="<p>hello</p>")
    return notifications.message(Settings(env="test"), mail).as_bytes()


@pytest.mark.parametrize("payload", PAYLOADS.values(), ids=ids)
def test_the_mail_builder_refuses_a_header_that_would_end_its_line(payload: str) -> None:
    with pytest.raises(ValueError):
        built(f"Please rate yourself: {payload}")
    with pytest.raises(ValueError):
        built("A plain subject", to=f"ada@example.org{payload[6:]}")


def test_a_plain_mail_has_its_headers_and_no_others() -> None:
    raw = built("Please rate yourself: Spring review 2026 – Zoë's team")
    parsed = email.message_from_bytes(raw, policy=email.policy.default)
    assert parsed["Subject"] == "Please rate yourself: Spring review 2026 – Zoë's team"
    assert parsed["Reply-To"] is None and parsed["To"] == "ada@example.org"
    assert b"\r\n" in raw  # the SMTP policy's line ends
