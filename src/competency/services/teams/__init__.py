"""A team's shape for one framework: each member's latest ratings, area statistics, coverage and mentors,
and who may see which of it.

- `summary`: the plain data the dashboard, the JSON API and the team PDF render (`TeamSummary`).
- `load`: `team_summary`, which reads it from the database in a fixed number of statements.
- `aggregates`: the per-area figures and experts, worked out by the database.
- `lookups`: members, frameworks taken, the teams a person may open, stored framework versions.
- `visibility`: the aggregate minimum a plain member's view obeys.
"""

from competency.services.teams.load import PAGE_SIZE, team_summary
from competency.services.teams.lookups import (
    framework_keys,
    frameworks_taken,
    members_of,
    team_people,
    visible_teams,
)
from competency.services.teams.summary import (
    EXPERTS_NAMED,
    MENTOR_GAPS,
    AreaRating,
    Expert,
    ManagerRating,
    MemberSummary,
    MentorSuggestion,
    Pages,
    RosterEntry,
    TeamSummary,
)
from competency.services.teams.visibility import (
    AGGREGATE,
    AGGREGATE_FLOOR,
    HIDDEN,
    INDIVIDUALS,
    aggregate_only,
    aggregate_threshold,
    aggregate_trend,
    anonymous_progress,
    published_only,
    published_trend,
    visibility,
)

__all__ = [
    "AGGREGATE",
    "AGGREGATE_FLOOR",
    "EXPERTS_NAMED",
    "HIDDEN",
    "INDIVIDUALS",
    "MENTOR_GAPS",
    "PAGE_SIZE",
    "AreaRating",
    "Expert",
    "ManagerRating",
    "MemberSummary",
    "MentorSuggestion",
    "Pages",
    "RosterEntry",
    "TeamSummary",
    "aggregate_only",
    "aggregate_threshold",
    "aggregate_trend",
    "anonymous_progress",
    "framework_keys",
    "frameworks_taken",
    "members_of",
    "published_only",
    "published_trend",
    "team_people",
    "team_summary",
    "visibility",
    "visible_teams",
]
