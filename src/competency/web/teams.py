"""Team pages: the teams a person may open, the team dashboard and its JSON twin."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from flask import Blueprint, abort, current_app, render_template, request
from flask_login import login_required
from markupsafe import Markup, escape

from competency.models import Cycle, Team, utcnow
from competency.reports import heat
from competency.services import NotFound, access, plans, team_figures
from competency.services import cycles as cycle_service
from competency.services import teams as service
from competency.web import team_charts
from competency.web.audit import audit_now, deny
from competency.web.auth import me
from competency.web.main import step_title
from competency.web.requests import catalog, db

bp = Blueprint("teams", __name__)

INDIVIDUALS = service.INDIVIDUALS
AGGREGATE = service.AGGREGATE
HIDDEN = service.HIDDEN
#: Experts named per area and mentors per gap on the page (the best-scoring ones); the rest are counted.
MAX_MENTORS_SHOWN = service.EXPERTS_NAMED
#: Without an open cycle, plan steps done in this period are listed.
STEPS_SHOWN_FOR = timedelta(days=90)
#: Members per page of the member sections (heatmap, members, mentors, self and manager): a team of a
#: thousand renders as fast as one of fifty.
PAGE_SIZE = service.PAGE_SIZE


@dataclass(frozen=True)
class TeamView:
    """What the logged-in person may see of the team, with the numbers to show."""

    team: Team
    summary: service.TeamSummary
    visibility: str
    role: str | None
    threshold: int
    keys: list[tuple[str, str]]

    @property
    def individuals(self) -> bool:
        return self.visibility == INDIVIDUALS

    @property
    def shown(self) -> bool:
        return self.visibility != HIDDEN


def _visible_team(team_id: int) -> tuple[Team, bool, str | None]:
    """The team, whether individuals may be seen, and the viewer's role; 404 for anyone else."""
    session = db()
    team = session.get(Team, team_id)
    actor = me()
    if team is None:
        abort(404)
    role = access.team_role(session, actor.id or 0, team_id)
    if actor.is_hr or role == "manager":
        return team, True, role
    if role is None:
        deny(f"team:{team_id}")
    return team, False, role


def _team_view(team_id: int, *, page: int | None = None) -> TeamView:
    """`page`: list that page of the members (the dashboard), else every member (the JSON API)."""
    team, individuals, role = _visible_team(team_id)
    session = db()
    submitted = service.framework_keys(session, team_id)
    key = request.args.get("questionnaire") or (submitted[0][0] if submitted else None)
    frameworks = catalog().all()
    if key is None:
        if not frameworks:
            abort(404)
        key = frameworks[0].id
    try:
        summary = service.team_summary(
            session,
            team,
            key,
            catalog().get(key),
            page=page,
            page_size=PAGE_SIZE,
            individuals=individuals,
            roster=page is not None,
        )
    except NotFound:
        abort(404)
    threshold = service.aggregate_threshold(current_app.config.get("TEAM_AGGREGATE_MIN"))
    if individuals:
        visibility = INDIVIDUALS
    else:
        # Plain members see the published figures: republished here only once `threshold`
        # contributions changed, so no one person's submission, resubmission or departure moves them.
        published = team_figures.refresh(session, team_id, key, threshold)
        session.commit()
        summary = service.published_only(summary, published)
        visibility = AGGREGATE if published is not None else HIDDEN
    titles = {q.id: q.title for q in frameworks}
    keys = [(k, titles.get(k, k)) for k, _ in submitted]
    # Only the frameworks the team's members take; every framework while nobody has submitted any.
    if not keys:
        keys = [(q.id, q.title) for q in frameworks]
    elif key not in dict(keys):
        keys.append((key, titles.get(key, key)))
    # Who looked at a team's figures (and whether they saw individuals) is part of the audit trail.
    audit_now("team.view", f"team:{team_id}", path=request.path[:200], individuals=individuals, framework=key)
    return TeamView(team, summary, visibility, role, threshold, keys)


@bp.route("/teams")
@login_required
def index() -> str:
    return render_template("teams/index.html", teams=service.visible_teams(db(), me()))


@bp.route("/teams/<int:team_id>")
@login_required
def dashboard(team_id: int) -> str:
    asked = request.args.get("page")
    view = _team_view(team_id, page=int(asked) if asked and asked.isdigit() else 1)
    summary = view.summary
    session = db()
    level = request.args.get("level")
    if level not in summary.questionnaire.level_ids:
        level = summary.common_level()
    figures: dict[str, Any] = {}
    progress: list[cycle_service.CycleProgress] = []
    trend: list[cycle_service.TrendPoint] = []
    pages = summary.pages or service.Pages.of(summary.member_count, 1, PAGE_SIZE)
    members = summary.members if view.individuals else []
    if view.shown:
        progress = cycle_service.team_progress(session, team_id, summary.key)
        trend = cycle_service.team_trend(session, team_id, summary.key)
        if not view.individuals:
            progress = service.anonymous_progress(progress)
            # The figures each closed cycle recorded, not the live ones: a late submission moves nothing.
            trend = service.published_trend(
                [
                    (c, f)
                    for f in team_figures.trend(session, team_id, summary.key)
                    if (c := session.get(Cycle, f.cycle_id))
                ]
            )
        if summary.submitted_count:
            figures["radar"] = team_charts.team_radar(summary, level, band=view.individuals)
        if members:
            figures["heatmap"] = team_charts.heatmap(summary, members)
        if any(point.submitted for point in trend):
            figures["trend"] = team_charts.trend(summary, trend)
    rated = self_vs_manager(summary, members) if view.individuals else []
    suggestions = summary.mentor_suggestions(members) if members else []
    taken: dict[int, set[str]] = {}
    done_steps: list[plans.DoneStep] = []
    steps_since = None
    if view.individuals:
        taken = service.frameworks_taken(session, team_id, [m.user_id for m in members])
        opened = [p.cycle.opens_at for p in progress]
        steps_since = min(opened) if opened else utcnow() - STEPS_SHOWN_FOR
        done_steps = [
            step
            for step in plans.done_since(session, service.team_people(team_id), steps_since)
            if step.questionnaire_key == summary.key
        ]
    return render_template(
        "teams/dashboard.html",
        view=view,
        s=summary,
        q=summary.questionnaire,
        level=level,
        figures=figures,
        picker=team_charts.member_series(summary) if view.individuals and "radar" in figures else [],
        trend_choices=team_charts.trend_choices(summary) if "trend" in figures else [],
        progress=progress,
        trend=trend,
        can_rate=view.role == "manager",
        can_run_cycles=view.role == "manager" or me().is_hr,
        me_id=me().id,
        bins=gap_legend(summary.questionnaire.lo, summary.questionnaire.hi),
        members=members,
        pages=pages,
        heat_rows=heat_rows(summary, members),
        rated=rated,
        suggestions=suggestions,
        blind_spots={r.member.user_id: r.spots for r in rated},
        expert_names={a: expert_list(summary.experts(a), summary.expert_count(a)) for a in summary.area_ids},
        fmt=fmt,
        max_mentors=MAX_MENTORS_SHOWN,
        hidden_message="" if view.shown else hidden_message(view),
        taken=taken,
        titles={q.id: q.title for q in catalog().all()},
        done_steps=done_steps,
        steps_since=steps_since,
        step_title=step_title,
        reached_levels=[
            lv for lv in summary.questionnaire.levels if any(lv.id in c for c in summary.reached.values())
        ],
        reached_rows=[(a, summary.reached[a]) for a in summary.area_ids if a in summary.reached],
    )


@bp.route("/api/teams/<int:team_id>/summary")
@login_required
def summary_api(team_id: int) -> Any:
    view = _team_view(team_id)
    out = view.summary.as_dict(individuals=view.individuals)
    out["visibility"] = view.visibility
    if not view.shown:
        out["areas"] = {}
        out["message"] = hidden_message(view)
    return out


def hidden_message(view: TeamView) -> str:
    return (
        f"The team view of {view.summary.questionnaire.title} appears once at least {view.threshold} "
        f"members have submitted a self-assessment of it ({view.summary.submitted_count} so far), so that "
        f"nobody's ratings can be singled out. After that its figures move only when {view.threshold} or "
        "more submissions have changed."
    )


def gap_legend(lo: float, hi: float) -> list[tuple[str, str, str]]:
    """(background, ink, legend text) of each heatmap colour, far above target to far below it."""
    return [(band.colour, band.ink, band.label) for band in heat.gap_bands(lo, hi)]


def expert_list(experts: list[service.Expert], count: int) -> Markup:
    """The best experts by name and how many more of the `count` there are: a team of a thousand has
    hundreds in an area."""
    names = ", ".join(e.name for e in experts[:MAX_MENTORS_SHOWN])
    if count > MAX_MENTORS_SHOWN:
        return Markup(f'{escape(names)} <span class="muted">and {count - MAX_MENTORS_SHOWN} more</span>')
    return Markup(escape(names))


def fmt(value: float | None, digits: int = 2) -> Markup:
    """A number rounded for display; "n/a" when there is none (a plain function: cheap in big tables)."""
    if value is None:
        return Markup('<span class="muted">n/a</span>')
    return Markup(f"{value:.{digits}f}")


@dataclass(frozen=True)
class SelfVsManager:
    """A member's self and manager ratings side by side, as display text (never averaged)."""

    member: service.MemberSummary
    spots: int
    #: (area id, title, self, manager, manager - self, blind spot) per area.
    rows: list[tuple[str, str, Markup, Markup, Markup, bool]]


def self_vs_manager(
    summary: service.TeamSummary, members: list[service.MemberSummary]
) -> list[SelfVsManager]:
    out = []
    dash = Markup('<span class="muted">–</span>')
    for member in members:
        if member.manager is None:
            continue
        comparison = {c.area_id: c for c in member.comparison(summary.area_ids)}
        rows = []
        for area_id in summary.area_ids:
            c = comparison.get(area_id)
            delta = c.delta if c else None
            rows.append(
                (
                    area_id,
                    summary.area_titles[area_id],
                    fmt(member.score(area_id)),
                    fmt(member.manager.scores.get(area_id)),
                    dash if delta is None else Markup(f"{delta:+.2f}"),
                    bool(c and c.blind_spot),
                )
            )
        out.append(SelfVsManager(member, sum(1 for row in rows if row[5]), rows))
    return out


def heat_rows(
    summary: service.TeamSummary, members: list[service.MemberSummary]
) -> list[tuple[service.MemberSummary, list[tuple[str, str, str]]]]:
    """Per member, per area: (inline colours, score text, signed gap text) for the heatmap table."""
    q = summary.questionnaire
    none = f"background-color: {heat.NO_SCORE}; color: {heat.text_colour(heat.NO_SCORE)}"
    styles = [f"background-color: {b.colour}; color: {b.ink}" for b in heat.gap_bands(q.lo, q.hi)]
    rows = []
    for member in members:
        cells = []
        for area_id in summary.area_ids:
            rating = member.areas.get(area_id)
            if member.submitted and not member.in_play(area_id):
                cells.append((none, "not in play", ""))
            elif rating is None or rating.score is None or rating.gap is None:
                cells.append((none, "–", ""))
            else:
                style = styles[heat.band_index(rating.gap, q.lo, q.hi)]
                cells.append((style, f"{rating.score:.2f}", f"{rating.gap:+.2f}"))
        rows.append((member, cells))
    return rows
