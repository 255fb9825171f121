"""Administration: users, teams, CSV import, questionnaire status (admins only)."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("admin", __name__, url_prefix="/admin")
