"""The team figures the database works out equal the ones worked out in Python from every member's
stored area scores, on a team that mixes target levels, framework versions, repeated and draft
submissions, unscored areas, manager ratings, a member who left and an outsider.

The reference is the way the summary was computed before the database did it: `team_area_stats`
over each listed member's (score, own target), experts sorted by score, then name, then id.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlmodel import select

from competency import scoring
from competency.models import Team, User
from competency.questionnaire import Questionnaire
from competency.services import assessments
from competency.services import teams as service
from competency.services.teams import aggregates
from competency.web.requests import catalog, db

ML = "ml-engineer"

#: Names whose order differs between code points and a locale ("Bea" < "Zed" < "bea" < "Ålf"), and a
#: name two people share: experts with equal scores are ordered by name as Python sorts, then by id.
NAMES = [
    "bea",
    "Bea",
    "Ålf",
    "Zed",
    "Sam",
    "Sam",
    "émile",
    "Olu",
    "Kai",
    "ann",
    "Ann",
    "Lu",
    "Mo",
    "Ny",
    "Pia",
]
LEVELS = ["junior", "mid", "senior", "staff"]


def _older(current: Questionnaire) -> Questionnaire:
    """Version 1 of the framework: another title for the first area and an area version 2 dropped."""
    data = current.model_dump(mode="json")
    data["version"] = current.version - 1
    data["areas"][0]["title"] = "Old title"
    extra = dict(data["areas"][2], id="legacy-area", title="Legacy area")
    extra["items"] = [dict(i, id=f"legacy-{i['id']}") for i in extra["items"]]
    extra["roadmap"] = [dict(s, id=f"legacy-{s['id']}") for s in extra["roadmap"]]
    data["areas"].append(extra)
    return Questionnaire.model_validate(data)


def _answers(q: Questionnaire, level: str, rng: random.Random, *, top: bool = False) -> dict[str, int | None]:
    """Random answers to what `level` asks; optional items now and then not applicable, and now and
    then an area left mostly unanswered (no score there); `top`: the highest value everywhere."""
    out: dict[str, int | None] = {}
    for area in q.areas_in_play(level):
        skip = not top and rng.random() < 0.08
        for index, item in enumerate(q.items_in_play(area, level)):
            if skip and index > 0:
                continue
            if item.optional and not top and rng.random() < 0.3:
                out[item.id] = None
            else:
                out[item.id] = q.hi if top else rng.randint(q.lo, q.hi)
    return out


@pytest.fixture
def mixed_team(
    app: Flask, make_user: Callable[..., User], make_team: Callable[..., int]
) -> tuple[int, Questionnaire]:
    with app.app_context():
        current = catalog().get(ML)
    assert current is not None
    older = _older(current)
    people = [make_user(f"p{i}@example.org", name) for i, name in enumerate(NAMES)]
    boss = make_user("boss@example.org", "Boss")
    left = make_user("left@example.org", "Left")
    outsider = make_user("out@example.org", "Outsider")
    team_id = make_team("Mixed", members=[*people, left], managers=[boss])
    make_team("Elsewhere", members=[outsider])
    rng = random.Random(20240611)
    now = datetime.now(UTC)
    with app.app_context():
        session = db()

        def submit(user: User, q: Questionnaire, level: str, *, days: int, top: bool = False) -> None:
            me = session.get(User, user.id)
            assert me is not None
            assessments.record(
                session,
                q,
                subject=me,
                assessor=me,
                kind="self",
                level=level,
                answers=_answers(q, level, rng, top=top),
                submitted_at=now - timedelta(days=days),
            )

        for index, person in enumerate(people):
            level = LEVELS[index % len(LEVELS)]
            if index == len(people) - 1:
                continue  # never submitted
            if index % 5 == 4:
                submit(person, older, level, days=40)  # only ever took version 1
                continue
            if index % 4 == 0:
                submit(person, older, "mid", days=90)  # an earlier submission: does not count
            # Four people at the top of the scale: experts everywhere, tied on score.
            submit(person, current, level, days=index + 1, top=index in (0, 1, 2, 3))
        boss_user = session.get(User, boss.id)
        assert boss_user is not None
        for person in people[:6]:
            subject = session.get(User, person.id)
            assert subject is not None
            assessments.record(
                session,
                current,
                subject=subject,
                assessor=boss_user,
                kind="manager",
                level="mid",
                answers=_answers(current, "mid", rng),
            )
        submit(left, current, "mid", days=3, top=True)
        submit(outsider, current, "mid", days=3, top=True)
        drafter = session.get(User, people[-1].id)
        assert drafter is not None
        assessments.start(session, current, subject=drafter, assessor=drafter, level="mid")
        gone = session.get(User, left.id)
        assert gone is not None
        gone.active = False
        session.commit()
    return team_id, current


def _reference_stats(full: service.TeamSummary) -> dict[str, scoring.TeamAreaStats]:
    current = full.current_area_ids
    order = current + sorted({a for m in full.members for a in m.areas} - set(current))
    return {
        area_id: scoring.team_area_stats(
            area_id,
            [
                (r.score, r.target)
                for m in full.members
                if (r := m.areas.get(area_id)) and r.score is not None
            ],
            full.expert_level,
        )
        for area_id in order
    }


def _reference_experts(full: service.TeamSummary, area_id: str) -> list[tuple[int, str, float]]:
    found = [
        (m.user_id, m.name, s)
        for m in full.members
        if (s := m.score(area_id)) is not None and s >= full.expert_level
    ]
    return sorted(found, key=lambda e: (-e[2], e[1], e[0]))


def test_the_database_figures_equal_the_python_ones_on_a_mixed_team(
    app: Flask, mixed_team: tuple[int, Questionnaire]
) -> None:
    team_id, current = mixed_team
    with app.app_context():
        session = db()
        team = session.get(Team, team_id)
        assert team is not None
        full = service.team_summary(session, team, ML, current)
        paged = service.team_summary(session, team, ML, current, page=2, page_size=4, roster=True)

    expected = _reference_stats(full)
    # Exact equality: the same mean (an exact sum), median, range, coverage and experts.
    assert paged.stats == expected
    assert full.stats == expected
    assert list(paged.stats) == list(expected)
    # The team is shaped as meant: both versions, every level, medians of odd and even counts, an
    # area some members could not be scored in.
    assert {m.version for m in full.submitted} == {current.version - 1, current.version}
    assert {m.level for m in full.submitted} == set(LEVELS)
    assert {st.n % 2 for st in expected.values() if st.n} == {0, 1}
    assert any(r.score is None for m in full.members for r in m.areas.values())
    assert expected["legacy-area"].n == sum(1 for m in full.submitted if m.version == current.version - 1)
    assert paged.area_titles["legacy-area"] == "Legacy area"
    assert paged.area_titles[current.areas[0].id] == current.areas[0].title
    # Juniors are left out of the areas not in play at their level.
    junior_only = [a.id for a in current.areas if not current.area_in_play(a, "junior")]
    assert junior_only
    juniors = [m for m in full.submitted if m.level == "junior" and m.version == current.version]
    assert juniors and all(a not in m.areas for m in juniors for a in junior_only)

    # Who left the team and who is in another one count nowhere; a draft is not a submission.
    names = [m.name for m in full.members]
    assert "Left" not in names and "Outsider" not in names
    submitted = full.submitted
    assert paged.member_count == len(full.members) == len(NAMES) + 1
    assert paged.submitted_count == len(submitted) == len(NAMES) - 1
    assert paged.levels == Counter(m.level for m in submitted)
    assert paged.common_level() == full.common_level()

    # The best experts per area, in order, and as many of them as the figures say.
    for area_id in expected:
        reference = _reference_experts(full, area_id)
        assert [(e.user_id, e.name, e.score) for e in paged.experts(area_id)] == reference[
            : service.EXPERTS_NAMED + 1
        ]
        assert paged.expert_count(area_id) == len(reference)
    tied = _reference_experts(full, current.areas[0].id)[:4]
    assert [name for _, name, _ in tied] == ["Bea", "Zed", "bea", "Ålf"]

    # The picker's roster: every submitted member in the members' order, scores in the current areas.
    assert paged.roster is not None
    assert [(e.user_id, e.name, e.level, e.scores) for e in paged.roster] == [
        (m.user_id, m.name, m.level, tuple(m.score(a) for a in full.current_area_ids)) for m in submitted
    ]

    # The page lists the members the whole list has in that place, with the same ratings.
    assert paged.pages == service.Pages(2, 4, len(full.members), 4)
    assert paged.members == full.members[4:8]
    assert [m.manager for m in paged.members] == [m.manager for m in full.members[4:8]]
    # Mentors on the page: the same as from the whole list, counted in full.
    for suggestion in paged.mentor_suggestions(paged.members):
        others = [
            e for e in _reference_experts(full, suggestion.area_id) if e[0] != suggestion.member.user_id
        ]
        assert [(e.user_id, e.name, e.score) for e in suggestion.mentors[: service.EXPERTS_NAMED]] == others[
            : service.EXPERTS_NAMED
        ]
        assert suggestion.count == len(others)


def test_top_gaps_without_the_plan_are_the_profiles_top_gaps(
    app: Flask, mixed_team: tuple[int, Questionnaire]
) -> None:
    team_id, current = mixed_team
    with app.app_context():
        session = db()
        team = session.get(Team, team_id)
        assert team is not None
        members = service.team_summary(session, team, ML, current).members
    gaps = [m.top_gaps for m in members]  # before any profile is built
    assert [list(m.profile.top_gaps) if m.profile else [] for m in members] == gaps
    assert sum(1 for g in gaps if g) >= 5


def test_a_page_past_the_end_lists_the_last_one(app: Flask, mixed_team: tuple[int, Questionnaire]) -> None:
    team_id, current = mixed_team
    with app.app_context():
        session = db()
        team = session.get(Team, team_id)
        assert team is not None
        full = service.team_summary(session, team, ML, current)
        last = service.team_summary(session, team, ML, current, page=99, page_size=4)
    assert last.pages == service.Pages(4, 4, 16, 4)
    assert [m.user_id for m in last.members] == [m.user_id for m in full.members[12:]]


def test_a_page_number_up_to_64_bits_shows_the_last_page(
    app: Flask, mixed_team: tuple[int, Questionnaire], login_as: Callable[[User], FlaskClient]
) -> None:
    team_id, _ = mixed_team
    with app.app_context():
        boss = db().exec(select(User).where(User.email == "boss@example.org")).one()
        db().expunge(boss)
    client = login_as(boss)
    first = client.get(f"/teams/{team_id}?questionnaire={ML}")
    # Larger numbers are refused everywhere (web/security.py); times the page size, this one is not
    # an offset SQL takes.
    huge = client.get(f"/teams/{team_id}?questionnaire={ML}&page={2**63 - 1}")
    assert first.status_code == huge.status_code == 200
    # Sixteen members fit on one page: the last page is the first.
    assert huge.get_data(as_text=True).count("data-member=") == first.get_data(as_text=True).count(
        "data-member="
    )


def test_a_plain_members_summary_reads_no_member(app: Flask, mixed_team: tuple[int, Questionnaire]) -> None:
    team_id, current = mixed_team
    with app.app_context():
        session = db()
        team = session.get(Team, team_id)
        assert team is not None
        full = service.team_summary(session, team, ML, current)
        counts_only = service.team_summary(session, team, ML, current, page=1, individuals=False)
    assert counts_only.members == [] and counts_only.roster is None
    assert counts_only.top_experts == {}
    assert counts_only.stats == full.stats
    assert (counts_only.member_count, counts_only.submitted_count) == (16, 14)


def test_figures_from_counts_per_score_equal_team_area_stats() -> None:
    rng = random.Random(5)
    for _ in range(300):
        # Scores as area scores are: weighted means of a few answers, often repeated.
        values = [
            round(rng.randint(0, 12) / rng.choice([1, 2, 3, 4, 6]), 6) for _ in range(rng.randint(1, 40))
        ]
        targets = [rng.choice([1.5, 2.0, 2.5, 3.0]) for _ in values]
        scored = list(zip(values, targets, strict=True))
        histogram: dict[float, list[int]] = {}
        for value, target in scored:
            entry = histogram.setdefault(value, [0, 0])
            entry[0] += 1
            entry[1] += value >= target
        rows = sorted((value, n, covered) for value, (n, covered) in histogram.items())
        assert aggregates._stats("a", rows, 3.0) == scoring.team_area_stats("a", scored, 3.0)
