"""The organisation commands: users, teams, CSV import, assessment import and the demo organisation."""

from __future__ import annotations

import json
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from argon2 import PasswordHasher
from click.testing import CliRunner, Result
from sqlmodel import Session, col, select

from competency import scoring
from competency.cli import main
from competency.models import (
    Answer,
    AreaScore,
    Assessment,
    AuditEvent,
    Cycle,
    Membership,
    QuestionnaireVersion,
    Team,
    User,
)
from competency.questionnaire import load_file
from competency.services import passwords
from competency.services.passwords import verify_password

REPO = Path(__file__).resolve().parents[2]
QUESTIONNAIRES = REPO / "questionnaires"
ENGINEER = load_file(QUESTIONNAIRES / "ml-engineer.yaml")
HEADER = "email,name,team,team_role,global_role,level\n"


@pytest.fixture(autouse=True)
def cli_env(monkeypatch: pytest.MonkeyPatch, db_url: str, engine: sa.Engine) -> None:
    """Commands run on the test database (emptied after each test) and the shipped frameworks."""
    monkeypatch.setenv("DATABASE_URL", db_url)
    monkeypatch.setenv("COMPETENCY_QUESTIONNAIRE_DIR", str(QUESTIONNAIRES))
    fast = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
    monkeypatch.setattr(passwords, "_hasher", fast)
    monkeypatch.setattr(passwords, "_DUMMY_HASH", fast.hash("dummy"))


def run(*args: str, input: str | None = None) -> Result:
    return CliRunner().invoke(main, [str(a) for a in args], input=input)


def ok(*args: str) -> Result:
    result = run(*args)
    assert result.exit_code == 0, result.output
    return result


def counts(engine: sa.Engine) -> dict[str, int]:
    with Session(engine) as session:
        return {
            model.__name__: session.exec(select(sa.func.count()).select_from(model)).one()
            for model in (User, Team, Membership, Cycle, Assessment, Answer, AreaScore, QuestionnaireVersion)
        }


def csv_file(tmp_path: Path, body: str, name: str = "org.csv") -> Path:
    path = tmp_path / name
    path.write_text(HEADER + body, encoding="utf-8")
    return path


# -- users and teams ----------------------------------------------------------------------------


def test_users_create_then_rerun_updates_the_same_account(engine: sa.Engine) -> None:
    first = ok(
        "users",
        "create",
        "--email",
        "Kim@Example.org",
        "--name",
        "Kim",
        "--password",
        "long enough pw",
        "--role",
        "hr",
        "--level",
        "mid",
    )
    assert "created kim@example.org (hr)" in first.output
    second = ok("users", "create", "--email", "kim@example.org", "--name", "Kim Lee", "--role", "admin")
    assert "updated kim@example.org (admin)" in second.output
    with Session(engine) as session:
        (user,) = session.exec(select(User)).all()
        assert (user.name, user.role, user.default_level) == ("Kim Lee", "admin", "mid")
        assert verify_password(user.password_hash, "long enough pw")


def test_users_create_with_the_same_password_keeps_other_sessions(engine: sa.Engine) -> None:
    args = ("users", "create", "--email", "kim@example.org", "--name", "Kim", "--password", "long enough pw")
    ok(*args)
    with Session(engine) as session:
        before = session.exec(select(User)).one()
    ok(*args)
    with Session(engine) as session:
        after = session.exec(select(User)).one()
    assert (after.password_hash, after.session_version) == (before.password_hash, before.session_version)


def test_users_create_refuses_a_short_password_and_creates_nothing(engine: sa.Engine) -> None:
    result = run("users", "create", "--email", "kim@example.org", "--name", "Kim", "--password", "short")
    assert result.exit_code == 1
    assert "password refused" in result.output
    assert counts(engine)["User"] == 0


def test_users_create_refuses_an_unknown_role(engine: sa.Engine) -> None:
    result = run("users", "create", "--email", "kim@example.org", "--name", "Kim", "--role", "boss")
    assert result.exit_code == 2
    assert "'boss' is not one of" in result.output
    assert counts(engine)["User"] == 0


def test_users_create_needs_a_name_for_a_new_account(engine: sa.Engine) -> None:
    result = run("users", "create", "--email", "kim@example.org", "--password", "long enough pw")
    assert result.exit_code == 1
    assert "--name is required" in result.output


def test_teams_create_and_add_member_are_idempotent(engine: sa.Engine) -> None:
    ok("users", "create", "--email", "mia@example.org", "--name", "Mia")
    assert "created: team Vision" in ok("teams", "create", "Vision").output
    assert "exists: team Vision" in ok("teams", "create", "Vision").output
    assert (
        "set: mia@example.org is manager"
        in ok("teams", "add-member", "Vision", "mia@example.org", "--role", "manager").output
    )
    assert "unchanged" in ok("teams", "add-member", "Vision", "mia@example.org", "--role", "manager").output
    assert "set: mia@example.org is member" in ok("teams", "add-member", "Vision", "MIA@example.org").output
    assert counts(engine)["Team"] == counts(engine)["Membership"] == 1


def test_teams_add_member_names_what_is_missing(engine: sa.Engine) -> None:
    result = run("teams", "add-member", "Nowhere", "mia@example.org")
    assert result.exit_code == 1 and "no team 'Nowhere'" in result.output
    ok("teams", "create", "Vision")
    result = run("teams", "add-member", "Vision", "ghost@example.org")
    assert result.exit_code == 1 and "no account 'ghost@example.org'" in result.output
    assert counts(engine)["Membership"] == 0


# -- import-org ---------------------------------------------------------------------------------

GOOD = (
    "zoe@example.org,Zoë Müller,Vision,member,member,senior\n"
    "ingrid@example.org,Ingrid Halvorsen,Vision,manager,member,mid\n"
    "ingrid@example.org,Ingrid Halvorsen,ML Platform,member,member,mid\n"
    "sofia@example.org,Sofia Martins,,,hr,\n"
)


def test_import_org_creates_people_teams_and_memberships_and_a_rerun_changes_nothing(
    tmp_path: Path, engine: sa.Engine
) -> None:
    path = csv_file(tmp_path, GOOD)
    first = ok("import-org", path)
    assert "3 people created" in first.output and "2 teams created" in first.output
    assert "cannot log in yet" in first.output and "competency users create" in first.output
    after_first = counts(engine)
    assert (after_first["User"], after_first["Team"], after_first["Membership"]) == (3, 2, 3)
    second = ok("import-org", path)
    assert "nothing to change" in second.output
    assert counts(engine) == after_first
    with Session(engine) as session:
        zoe = session.exec(select(User).where(User.email == "zoe@example.org")).one()
        assert (zoe.name, zoe.default_level, zoe.password_hash) == ("Zoë Müller", "senior", "")
        events = session.exec(select(AuditEvent).where(AuditEvent.action == "org.import")).all()
        assert len(events) == 1  # the rerun changed nothing, so logged nothing


def test_import_org_updates_roles_and_levels(tmp_path: Path, engine: sa.Engine) -> None:
    ok("import-org", csv_file(tmp_path, GOOD))
    changed = GOOD.replace("Vision,member,member,senior", "Vision,manager,admin,mid")
    result = ok("import-org", csv_file(tmp_path, changed, "changed.csv"))
    assert "1 updated" in result.output and "1 changed" in result.output
    with Session(engine) as session:
        zoe = session.exec(select(User).where(User.email == "zoe@example.org")).one()
        assert (zoe.role, zoe.default_level) == ("admin", "mid")
        assert session.exec(select(Membership.role).where(Membership.user_id == zoe.id)).one() == "manager"


def test_import_org_with_a_bad_row_in_the_middle_imports_nothing(tmp_path: Path, engine: sa.Engine) -> None:
    path = csv_file(
        tmp_path,
        "ok1@example.org,One,Vision,member,member,mid\n"
        "bad@example.org,Bad,Vision,member,boss,mid\n"
        "ok2@example.org,Two,Vision,member,member,mid\n",
    )
    result = run("import-org", path)
    assert result.exit_code == 1
    assert f"{path}:3: global_role: unknown role 'boss'; use one of member, hr, admin" in result.output
    assert "nothing was imported" in result.output
    assert counts(engine)["User"] == counts(engine)["Team"] == 0


def test_import_org_reports_every_bad_row(tmp_path: Path, engine: sa.Engine) -> None:
    path = csv_file(
        tmp_path,
        "not-an-email,One,Vision,member,member,mid\n"
        "two@example.org,,Vision,chief,member,mid\n"
        "three@example.org,Three,Vision,member,member\n"
        "four@example.org,Four,Vision,,member,\n",
    )
    result = run("import-org", path)
    assert result.exit_code == 1
    for expected in (
        f"{path}:2: email: 'not-an-email' is not an email address",
        f"{path}:3: name: is empty",
        f"{path}:3: team_role: unknown team role 'chief'",
        f"{path}:4: row: has 5 fields, expected 6",
        f"{path}:5: team_role: is empty",
    ):
        assert expected in result.output
    assert counts(engine)["User"] == 0


def test_import_org_refuses_the_same_email_twice_for_one_team(tmp_path: Path, engine: sa.Engine) -> None:
    path = csv_file(
        tmp_path,
        "kim@example.org,Kim,Vision,member,member,mid\n"
        "lee@example.org,Lee,Vision,member,member,mid\n"
        "KIM@example.org,Kim,vision,manager,member,mid\n",
    )
    result = run("import-org", path)
    assert result.exit_code == 1
    assert (
        f"{path}:4: email: kim@example.org is listed twice with team 'vision' (rows 2 and 4)" in result.output
    )
    assert counts(engine)["User"] == 0


def test_import_org_refuses_two_rows_that_disagree_about_a_person(tmp_path: Path, engine: sa.Engine) -> None:
    path = csv_file(
        tmp_path,
        "kim@example.org,Kim,Vision,member,member,mid\nkim@example.org,Kim,Forecasting,member,admin,mid\n",
    )
    result = run("import-org", path)
    assert result.exit_code == 1
    assert f"{path}:3: global_role: 'admin' differs from row 2 ('member')" in result.output


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", ":1: header: the file is empty"),
        (b"email;name;team;team_role;global_role;level\n", "separated by commas, not semicolons"),
        (
            b"email,name,team,global_role,level\n",
            ":1: header: expected exactly email,name,team,team_role,global_role,level",
        ),
        (HEADER.encode() + "kim@example.org,Zo\u00eb,,,member,\n".encode("latin-1"), ":2: not UTF-8 text"),
    ],
)
def test_import_org_refuses_files_it_cannot_read(
    tmp_path: Path, engine: sa.Engine, content: bytes, message: str
) -> None:
    path = tmp_path / "org.csv"
    path.write_bytes(content)
    result = run("import-org", path)
    assert result.exit_code == 1
    assert message in result.output
    assert counts(engine)["User"] == 0


def test_import_org_refuses_a_huge_file(tmp_path: Path, engine: sa.Engine) -> None:
    path = tmp_path / "huge.csv"
    path.write_text(HEADER + "x" * (2 * 1024 * 1024), encoding="utf-8")
    result = run("import-org", path)
    assert result.exit_code == 1
    assert "larger than 2 MiB" in result.output


def test_import_org_accepts_a_byte_order_mark_and_windows_line_ends(
    tmp_path: Path, engine: sa.Engine
) -> None:
    path = tmp_path / "excel.csv"
    path.write_bytes(("\ufeff" + HEADER + GOOD).replace("\n", "\r\n").encode("utf-8"))
    ok("import-org", path)
    assert counts(engine)["User"] == 3


def test_import_org_check_changes_nothing(tmp_path: Path, engine: sa.Engine) -> None:
    result = ok("import-org", csv_file(tmp_path, GOOD), "--check")
    assert "4 rows are fine" in result.output
    assert counts(engine)["User"] == 0


def test_import_org_refuses_to_leave_no_admin(tmp_path: Path, engine: sa.Engine) -> None:
    ok("users", "create", "--email", "ada@example.org", "--name", "Ada", "--role", "admin")
    result = run(
        "import-org", csv_file(tmp_path, "ada@example.org,Ada,,,member,\nnew@example.org,New,,,member,\n")
    )
    assert result.exit_code == 1
    assert "no active admin" in result.output
    with Session(engine) as session:
        assert [u.role for u in session.exec(select(User)).all()] == ["admin"]


# -- assessments import -------------------------------------------------------------------------


def answers_file(tmp_path: Path, answers: dict[str, object], name: str = "answers.json") -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(answers), encoding="utf-8")
    return path


def every_item(value: int, level: str = "mid") -> dict[str, object]:
    """An answer to every item asked at `level` (a staff behaviour is not asked of a mid-level engineer)."""
    return {
        item.id: value
        for area in ENGINEER.areas_in_play(level)
        for item in ENGINEER.items_in_play(area, level)
    }


@pytest.fixture
def team_of_two() -> None:
    ok("users", "create", "--email", "sam@example.org", "--name", "Sam", "--level", "mid")
    ok("users", "create", "--email", "mia@example.org", "--name", "Mia")
    ok("users", "create", "--email", "max@example.org", "--name", "Max")
    ok("teams", "create", "Vision")
    ok("teams", "add-member", "Vision", "sam@example.org")
    ok("teams", "add-member", "Vision", "mia@example.org", "--role", "manager")


def import_args(answers: Path, *extra: str) -> list[str]:
    return [
        "assessments", "import", "--email", "sam@example.org", "--questionnaire", "ml-engineer",
        "--level", "mid", "--answers", str(answers), *extra,
    ]  # fmt: skip


@pytest.mark.usefixtures("team_of_two")
def test_assessments_import_stores_a_scored_submitted_assessment_once(
    tmp_path: Path, engine: sa.Engine
) -> None:
    path = answers_file(tmp_path, every_item(3))
    result = ok(*import_args(path, "--submitted-at", "2026-03-01T10:00:00Z"))
    assert "created: assessment" in result.output and "readiness" in result.output
    again = ok(*import_args(path, "--submitted-at", "2026-03-01T10:00:00Z"))
    assert "unchanged" in again.output
    with Session(engine) as session:
        (assessment,) = session.exec(select(Assessment)).all()
        assert (assessment.kind, assessment.status, assessment.target_level) == ("self", "submitted", "mid")
        expected = scoring.score(ENGINEER, every_item(3), "mid")  # type: ignore[arg-type]
        assert assessment.readiness == pytest.approx(expected.readiness)
        assert len(session.exec(select(AreaScore)).all()) == len(ENGINEER.areas_in_play("mid"))


@pytest.mark.usefixtures("team_of_two")
def test_assessments_import_names_the_bad_item_and_stores_nothing(tmp_path: Path, engine: sa.Engine) -> None:
    answers = every_item(2)
    asked = next(iter(answers))
    answers[asked] = 9
    answers["no-such-item"] = 1
    path = answers_file(tmp_path, answers)
    result = run(*import_args(path))
    assert result.exit_code == 1
    assert f"{path}: {asked}: 9 is not on the scale (0, 1, 2, 3, 4)" in result.output
    assert f"{path}: no-such-item: unknown item" in result.output
    assert counts(engine)["Assessment"] == 0


@pytest.mark.usefixtures("team_of_two")
@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (("--questionnaire", "nope"), "--questionnaire: no framework 'nope'"),
        (("--level", "wizard"), "--level: unknown level 'wizard'"),
        (("--email", "ghost@example.org"), "--email: no account 'ghost@example.org'"),
        (("--kind", "manager"), "--assessor: a manager assessment needs the manager's email"),
        (
            ("--kind", "manager", "--assessor", "max@example.org"),
            "max@example.org does not manage a team that sam@example.org is in",
        ),
        (("--assessor", "mia@example.org"), "a self-assessment is made by its subject"),
        (("--submitted-at", "last tuesday"), "--submitted-at: 'last tuesday' is not an ISO 8601 date"),
        (("--submitted-at", "2999-01-01"), "--submitted-at: '2999-01-01' is in the future"),
    ],
)
def test_assessments_import_refuses_bad_options(
    tmp_path: Path, engine: sa.Engine, extra: tuple[str, ...], message: str
) -> None:
    args = import_args(answers_file(tmp_path, every_item(2)))
    for option, value in zip(extra[::2], extra[1::2], strict=True):
        if option in args:
            args[args.index(option) + 1] = value
        else:
            args += [option, value]
    result = run(*args)
    assert result.exit_code == 1, result.output
    assert message in result.output
    assert counts(engine)["Assessment"] == 0


@pytest.mark.usefixtures("team_of_two")
def test_assessments_import_records_a_manager_rating(tmp_path: Path, engine: sa.Engine) -> None:
    ok(
        *import_args(
            answers_file(tmp_path, every_item(1)), "--kind", "manager", "--assessor", "mia@example.org"
        )
    )
    with Session(engine) as session:
        assessment = session.exec(select(Assessment)).one()
        assessor = session.get(User, assessment.assessor_id)
        assert assessment.kind == "manager" and assessor is not None and assessor.email == "mia@example.org"


@pytest.mark.usefixtures("team_of_two")
@pytest.mark.parametrize(
    ("given", "stored"),
    [
        ("2026-03-01T10:00:00", datetime(2026, 3, 1, 10, 0, tzinfo=UTC)),
        ("2026-03-01T10:00:00+02:00", datetime(2026, 3, 1, 8, 0, tzinfo=UTC)),
        ("2026-03-01T10:00:00Z", datetime(2026, 3, 1, 10, 0, tzinfo=UTC)),
        ("2026-03-01", datetime(2026, 3, 1, 0, 0, tzinfo=UTC)),
    ],
)
def test_assessments_import_takes_naive_times_as_utc(
    tmp_path: Path, engine: sa.Engine, given: str, stored: datetime
) -> None:
    ok(*import_args(answers_file(tmp_path, every_item(2)), "--submitted-at", given))
    with Session(engine) as session:
        assessment = session.exec(select(Assessment)).one()
        assert assessment.submitted_at == stored
        assert assessment.submitted_at.utcoffset() == timedelta(0)


# -- demo ---------------------------------------------------------------------------------------


def demo_facts(engine: sa.Engine) -> dict[str, object]:
    with Session(engine) as session:
        rows = session.exec(
            select(Assessment, QuestionnaireVersion.key).join(
                QuestionnaireVersion, col(QuestionnaireVersion.id) == Assessment.questionnaire_version_id
            )
        ).all()
        return {
            "counts": counts(engine),
            "kinds": Counter((a.kind, a.status, key) for a, key in rows),
            "subjects": {a.subject_id for a, _ in rows},
            "people": {u.email: u for u in session.exec(select(User)).all()},
            "teams": sorted(t.name for t in session.exec(select(Team)).all()),
            "cycles": session.exec(select(Cycle)).all(),
        }


def test_demo_loads_a_believable_organisation_and_a_second_run_changes_nothing(engine: sa.Engine) -> None:
    first = ok("demo")
    facts = demo_facts(engine)
    second = ok("demo")
    assert "nothing changed" in second.output
    assert demo_facts(engine)["counts"] == facts["counts"]
    assert first.output.split("Log in with")[1] == second.output.split("Log in with")[1]

    assert facts["teams"] == ["Forecasting", "ML Platform", "Vision"]
    people = facts["people"]
    assert isinstance(people, dict) and 18 <= len(people) <= 24
    assert any(not u.name.isascii() for u in people.values())
    assert sorted(u.role for u in people.values() if u.role != "member") == ["admin", "hr"]
    for email in people:
        assert email in first.output
    kinds = facts["kinds"]
    assert isinstance(kinds, Counter)
    assert kinds[("self", "submitted", "ml-engineer")] >= 30
    assert kinds[("self", "submitted", "ml-team-manager")] >= 3
    assert kinds[("manager", "submitted", "ml-engineer")] >= 5
    assert sum(n for (kind, status, _), n in kinds.items() if status == "draft") >= 2
    cycles = facts["cycles"]
    assert isinstance(cycles, list) and len(cycles) >= 9
    assert any(c.closed_at is None for c in cycles) and any(c.closed_at is not None for c in cycles)
    fresh = people["aiko.tanaka@example.com"]
    assert (
        fresh.id not in facts["subjects"] and "aiko.tanaka@example.com has no assessment yet" in first.output
    )
    assert all(verify_password(u.password_hash, "demo-password") for u in people.values())


def test_demo_history_spans_a_year_and_improves(engine: sa.Engine) -> None:
    ok("demo")
    now = datetime.now(UTC)
    with Session(engine) as session:
        zoe = session.exec(select(User).where(User.email == "zoe.muller@example.com")).one()
        history = session.exec(
            select(Assessment)
            .where(
                Assessment.subject_id == zoe.id, Assessment.kind == "self", Assessment.status == "submitted"
            )
            .order_by(col(Assessment.submitted_at))
        ).all()
    assert len(history) == 3
    assert all(a.submitted_at is not None and a.submitted_at < now for a in history)
    assert history[-1].submitted_at - history[0].submitted_at > timedelta(days=250)  # type: ignore[operator]
    assert history[-1].readiness > history[0].readiness  # type: ignore[operator]


def demo_self_assessments(engine: sa.Engine) -> list[tuple[Assessment, QuestionnaireVersion, Cycle]]:
    with Session(engine) as session:
        return list(
            session.exec(
                select(Assessment, QuestionnaireVersion, Cycle)
                .join(
                    QuestionnaireVersion, col(QuestionnaireVersion.id) == Assessment.questionnaire_version_id
                )
                .join(Cycle, col(Cycle.id) == Assessment.cycle_id)
                .where(Assessment.kind == "self", Assessment.status == "submitted")
                .order_by(col(Assessment.submitted_at))
            ).all()
        )


def test_demo_takes_its_cycles_on_versions_1_2_and_3_at_every_level_and_specialism(engine: sa.Engine) -> None:
    ok("demo")
    rows = demo_self_assessments(engine)
    current = [(a, v) for a, v, c in rows if c.closed_at is None]
    earlier = [(a, v) for a, v, c in rows if c.closed_at is not None]
    assert current and earlier
    assert {v.version for _, v in current} == {3} and {v.version for _, v in earlier} == {1, 2}
    levels = {(v.key, a.target_level) for a, v in current}
    assert {lv for key, lv in levels if key == "ml-engineer"} == {"junior", "mid", "senior", "staff"}
    assert {lv for key, lv in levels if key == "ml-team-manager"} == {
        "team-manager",
        "multi-team-manager",
        "leads-managers",
    }
    # People of each specialism, and generalists, in the current cycle.
    assert {a.specialism for a, v in current if v.key == "ml-engineer"} == {
        None,
        "research",
        "platform",
        "llm-apps",
    }
    # Version 1 had three levels with other names, version 2 named the manager levels by time in role:
    # people were assessed at what their level was then.
    assert {a.target_level for a, v in earlier if v.version == 1} <= {"junior", "mid", "senior"}
    assert {a.target_level for a, v in earlier if v.version == 2 and v.key == "ml-team-manager"} <= {
        "new-to-ml",
        "established",
        "leads-managers",
    }
    assert all(a.specialism is None for a, v in earlier)
    # Version 3 asks nobody a behaviour of a level above their own, nor of another specialism.
    with Session(engine) as session:
        for assessment, version in current:
            if version.key != "ml-engineer":
                continue
            answers = session.exec(select(Answer.item_id).where(Answer.assessment_id == assessment.id)).all()
            level, specialism = assessment.target_level, assessment.specialism
            assert set(answers) <= {
                i.id for a in ENGINEER.areas for i in ENGINEER.items_in_play(a, level, specialism)
            }


def test_demo_in_a_database_that_already_holds_version_3_takes_every_cycle_on_it(engine: sa.Engine) -> None:
    from competency.services.snapshots import ensure_snapshot

    with Session(engine) as session:
        ensure_snapshot(session, ENGINEER)
        session.commit()
    ok("demo")
    versions = {(v.key, v.version) for _, v, _ in demo_self_assessments(engine)}
    assert ("ml-engineer", 1) not in versions and ("ml-engineer", 2) not in versions
    assert ("ml-engineer", 3) in versions
    assert {("ml-team-manager", 1), ("ml-team-manager", 2), ("ml-team-manager", 3)} <= versions


def test_demo_teams_have_experts_gaps_a_single_expert_and_an_area_without_one(engine: sa.Engine) -> None:
    ok("demo")
    with Session(engine) as session:
        for team in session.exec(select(Team)).all():
            members = session.exec(select(Membership.user_id).where(Membership.team_id == team.id)).all()
            latest: dict[int, Assessment] = {}
            for assessment in session.exec(
                select(Assessment)
                .join(
                    QuestionnaireVersion, col(QuestionnaireVersion.id) == Assessment.questionnaire_version_id
                )
                .where(
                    col(Assessment.subject_id).in_(members),
                    Assessment.kind == "self",
                    Assessment.status == "submitted",
                    QuestionnaireVersion.key == "ml-engineer",
                )
                .order_by(col(Assessment.submitted_at))
            ).all():
                latest[assessment.subject_id] = assessment
            assert len(latest) >= 5, team.name
            experts = []
            gaps = False
            for area in ENGINEER.areas:
                scored = session.exec(
                    select(AreaScore.score, AreaScore.target).where(
                        col(AreaScore.assessment_id).in_([a.id for a in latest.values()]),
                        AreaScore.area_id == area.id,
                    )
                ).all()
                stats = scoring.team_area_stats(
                    area.id, [(s, t) for s, t in scored if s is not None], ENGINEER.expert_level
                )
                experts.append(stats.experts)
                if stats.coverage < stats.n:
                    gaps = True
            assert 0 in experts and 1 in experts and max(experts) >= 2, (team.name, experts)
            assert gaps


def test_demo_manager_ratings_show_blind_spots(engine: sa.Engine) -> None:
    ok("demo")
    blind_spots = 0
    with Session(engine) as session:
        for rating in session.exec(
            select(Assessment).where(Assessment.kind == "manager", Assessment.status == "submitted")
        ).all():
            own = session.exec(
                select(Assessment).where(
                    Assessment.subject_id == rating.subject_id,
                    Assessment.kind == "self",
                    Assessment.status == "submitted",
                    Assessment.cycle_id == rating.cycle_id,
                )
            ).first()
            if own is None:
                continue
            scores = {
                aid: {
                    row.area_id: row.score
                    for row in session.exec(select(AreaScore).where(AreaScore.assessment_id == aid))
                }
                for aid in (own.id, rating.id)
            }
            comparison = scoring.compare(ENGINEER, scores[own.id], scores[rating.id])
            blind_spots += sum(1 for c in comparison if c.blind_spot)
            assert sum(1 for c in comparison if c.blind_spot) <= 3
    assert blind_spots >= 5


def test_demo_refuses_a_database_with_other_people_unless_forced(engine: sa.Engine) -> None:
    ok("users", "create", "--email", "real@example.org", "--name", "Real Person")
    result = run("demo")
    assert result.exit_code == 1 and "1 people who are not part of the demo" in result.output
    assert counts(engine)["User"] == 1
    ok("demo", "--force")
    assert counts(engine)["User"] > 1


def test_demo_with_another_password_changes_only_the_passwords(engine: sa.Engine) -> None:
    ok("demo")
    before = counts(engine)
    result = ok("demo", "--password", "another-long-password")
    assert "Created or updated now:" in result.output and "people" in result.output
    assert counts(engine) == before
    with Session(engine) as session:
        assert all(
            verify_password(u.password_hash, "another-long-password") for u in session.exec(select(User))
        )
