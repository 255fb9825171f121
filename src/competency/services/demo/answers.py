"""What each demo person answers: believable, seeded, and the same on every run."""

from __future__ import annotations

import random
from collections.abc import Mapping

from competency import scoring
from competency.questionnaire import Area, Item, Questionnaire
from competency.services.demo.cast import BASE, EARLIER_LEVELS, ENGINEER, SEED, Person, team_plan


def level_in(q: Questionnaire, level: str) -> str:
    """The person's level as `q` names it: earlier versions named some levels otherwise."""
    return level if level in q.level_ids else EARLIER_LEVELS.get(q.version, {}).get(level, level)


def specialism_in(q: Questionnaire, person: Person) -> str | None:
    """The person's specialism where `q` has it (versions before 3 had none)."""
    return person.specialism if person.specialism in q.specialism_ids else None


def in_play(q: Questionnaire, level: str, specialism: str | None = None) -> list[tuple[Area, list[Item]]]:
    """The areas asked at `level` (and specialism), each with its items in play."""
    return [(area, q.items_in_play(area, level, specialism)) for area in q.areas_in_play(level, specialism)]


def item_values(q: Questionnaire, person: Person, cycle: int) -> dict[str, int | None]:
    """What `person` would rate each item in play (as scored, before reverse items flip) in cycle `cycle`."""
    level = level_in(q, person.level)
    # Traits do not depend on the version, so a person looks the same across versions of a framework.
    traits = random.Random(f"{SEED}:{person.email}:{q.id}")
    growth = traits.uniform(0.15, 0.3)
    specialism = specialism_in(q, person)
    areas = in_play(q, level, specialism)
    offsets = {area.id: random.Random(f"{SEED}:{person.email}:{area.id}").gauss(0, 0.45) for area, _ in areas}
    rng = random.Random(f"{SEED}:{person.email}:{q.id}:{q.version}:{cycle}")
    plan = team_plan(person) if q.id == ENGINEER else None
    values: dict[str, int | None] = {}
    for area, items in areas:
        mu = BASE[person.level] + offsets[area.id] + growth * cycle
        if specialism is not None and area.specialism == specialism:
            mu += 0.6  # a specialist is strongest in what their specialism does
        if plan is not None:
            mu += 0.7 if area.id in plan.strong else -0.5 if area.id == plan.weak else 0
            if area.id == plan.single and person.email == plan.expert:
                mu += 1.0
        for item in items:
            if item.optional and rng.random() < 0.25:
                values[item.id] = None
                continue
            value = min(q.hi, max(q.lo, round(rng.gauss(mu, 0.6))))
            if plan is not None and area.id == plan.none:
                value = min(value, 2)
            elif plan is not None and area.id == plan.single:
                value = max(value, 3) if person.email == plan.expert else min(value, 2)
            values[item.id] = value
    return values


def manager_values(q: Questionnaire, manager: str, person: Person, cycle: int) -> dict[str, int | None]:
    """A manager's rating: close to the person's own, with one or two clear blind spots."""
    own = item_values(q, person, cycle)
    level = level_in(q, person.level)
    specialism = specialism_in(q, person)
    areas = in_play(q, level, specialism)
    rng = random.Random(f"{SEED}:{manager}:{person.email}:{cycle}")
    blind = {area.id for area, _ in rng.sample(areas, rng.choice((1, 2)))}
    scores = scoring.score(q, as_answers(q, own), level, specialism).areas
    values: dict[str, int | None] = {}
    for area, items in areas:
        # Rate clearly higher where the person is modest and there is room above, else lower.
        score = scores[area.id].score or 0
        direction = 1 if score <= (q.lo + q.hi) / 2 + 0.5 and rng.random() < 0.6 else -1
        for item in items:
            value = own[item.id]
            if value is None:
                values[item.id] = None
                continue
            # Blind-spot areas move one or two points one way; elsewhere a point either way now and then.
            shift = direction * rng.choice((1, 2, 2)) if area.id in blind else rng.choice((-1, 0, 0, 0, 0, 1))
            values[item.id] = min(q.hi, max(q.lo, value + shift))
    return values


def as_answers(q: Questionnaire, values: Mapping[str, int | None]) -> dict[str, int | None]:
    """Stored answers for intended values: a reverse item (version 1 had some) is answered flipped."""
    items = q.items_by_id()
    return {
        item_id: value if value is None or not items[item_id][1].reverse else q.lo + q.hi - value
        for item_id, value in values.items()
    }
