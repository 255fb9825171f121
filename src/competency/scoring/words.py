"""The numbers of a profile in words: one wording of readiness and of "every area meets its target",
shared by pages, PDFs, mails and the command line so that none of them says it differently."""

from __future__ import annotations

from competency.questionnaire.schema import Questionnaire
from competency.scoring.profile import AreaResult, Profile


def percent(value: float | None) -> str:
    """Readiness as shown everywhere: one decimal (the JSON keeps full precision)."""
    return "–" if value is None else f"{value:.1f} %"


def readiness_explained(q: Questionnaire, profile: Profile) -> str | None:
    """'meets 96.0 % of everything Staff expects and 31.0 % of what Staff adds to Senior'."""
    if profile.readiness_all is None:
        return None
    level = q.level(profile.level).name if profile.level in q.level_ids else profile.level
    everything = f"meets {percent(profile.readiness_all)} of everything {level} expects"
    previous = profile.previous_level
    if previous is None or profile.readiness_new is None:
        return everything
    before = q.level(previous).name if previous in q.level_ids else previous
    return f"{everything} and {percent(profile.readiness_new)} of what {level} adds to {before}"


def readiness_limited_by(profile: Profile) -> str | None:
    """Which part sets the readiness shown: 'new' when what the level adds is lower, else 'all'."""
    if profile.readiness is None or profile.readiness_all is None or profile.readiness_new is None:
        return None
    return "new" if profile.readiness_new < profile.readiness_all else "all"


def shown_below(result: AreaResult) -> bool:
    """Below target as the page shows it: a gap that rounds to 0.00 is not "below"."""
    return result.gap is not None and round(result.gap, 2) > 0


def below_target(profile: Profile) -> list[str]:
    """Scored areas shown below their target, in the profile's order."""
    return [area_id for area_id, result in profile.areas.items() if shown_below(result)]


def every_scored_area_met(profile: Profile) -> bool:
    """True when at least one area is scored and none is shown below its target: the one rule behind
    "every scored area meets its target" on the page, in the PDF and on the command line."""
    scored = [r for r in profile.areas.values() if r.score is not None]
    return bool(scored) and not any(shown_below(r) for r in scored)
