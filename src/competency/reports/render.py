"""Report contexts to HTML (Jinja2, autoescaped) and to PDF (WeasyPrint, see reports.pdf)."""

from __future__ import annotations

from functools import cache
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined

from competency.reports.pdf import render_pdf
from competency.reports.text import paragraphs
from competency.resources import resource_path

PERSON_TEMPLATE = "reports/person.html"
TEAM_TEMPLATE = "reports/team.html"


@cache
def environment() -> Environment:
    """Its own environment, not Flask's: reports render the same in the CLI, in workers and in tests."""
    env = Environment(
        loader=FileSystemLoader(resource_path("templates")),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["paragraphs"] = paragraphs
    return env


def render_person_html(ctx: dict[str, Any]) -> str:
    return environment().get_template(PERSON_TEMPLATE).render(ctx)


def render_team_html(ctx: dict[str, Any]) -> str:
    return environment().get_template(TEAM_TEMPLATE).render(ctx)


def person_pdf(ctx: dict[str, Any], *, timeout: float = 30) -> bytes:
    return render_pdf(render_person_html(ctx), timeout=timeout)


def team_pdf(ctx: dict[str, Any], *, timeout: float = 30) -> bytes:
    return render_pdf(render_team_html(ctx), timeout=timeout)
