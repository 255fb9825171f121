"""Role frameworks: the YAML format, its loader and the folder of shipped frameworks."""

from competency.questionnaire.loader import (
    Problem,
    QuestionnaireError,
    load_file,
    load_text,
    questionnaire_files,
)
from competency.questionnaire.schema import Area, Item, Level, Phase, Questionnaire, RoadmapStep

__all__ = [
    "Area",
    "Item",
    "Level",
    "Phase",
    "Problem",
    "Questionnaire",
    "QuestionnaireError",
    "RoadmapStep",
    "load_file",
    "load_text",
    "questionnaire_files",
]
