"""A believable demo organisation: teams, people at every level, cycles and a year of assessments.

`cast` says who is in it, `answers` what they answer (seeded, so always the same), and `load` writes
whatever part of it is missing. Earlier cycles were taken on version 1 of the frameworks, the current
one on the shipped version, so history across versions shows.
"""

from competency.services.demo.answers import item_values, manager_values
from competency.services.demo.cast import (
    ENGINEER,
    FORECASTING,
    FRAMEWORKS,
    FRESH,
    MANAGER,
    PEOPLE,
    PLATFORM,
    TEAMS,
    VISION,
    Person,
    TeamPlan,
)
from competency.services.demo.load import EARLIER_FOLDERS, DemoResult, load_demo, other_people

__all__ = [
    "EARLIER_FOLDERS",
    "ENGINEER",
    "FORECASTING",
    "FRAMEWORKS",
    "FRESH",
    "MANAGER",
    "PEOPLE",
    "PLATFORM",
    "TEAMS",
    "VISION",
    "DemoResult",
    "Person",
    "TeamPlan",
    "item_values",
    "load_demo",
    "manager_values",
    "other_people",
]
