"""Importing people and teams from a CSV file."""

from __future__ import annotations

from typing import Any

from flask import current_app, render_template, request
from werkzeug.exceptions import RequestEntityTooLarge

from competency.services import ServiceError, org_import
from competency.web.admin import bp
from competency.web.admin.forms import (
    ImportForm,
)
from competency.web.audit import audit_request
from competency.web.requests import db


@bp.route("/import", methods=["GET", "POST"])
def import_org() -> Any:
    form = ImportForm()
    context: dict[str, Any] = {}
    if form.validate_on_submit():
        upload = form.file.data
        filename = (upload.filename or "upload.csv").replace("\\", "/").rsplit("/", 1)[-1]
        data = upload.read(org_import.MAX_BYTES + 1)
        session = db()
        try:
            rows = org_import.parse(data, filename)
            if form.check_only.data:
                context["checked"] = len(rows)
            else:
                summary = org_import.apply(session, rows)
                if summary.changed:
                    audit_request("org.import", "org", file=filename, **summary.as_dict())
                session.commit()
                context["summary"] = summary
        except org_import.OrgImportError as exc:
            session.rollback()
            context["errors"] = exc.lines()
        except ServiceError as exc:
            session.rollback()
            context["errors"] = [f"{filename}: {exc}"]
        context["filename"] = filename
    status = 400 if form.is_submitted() and (form.errors or context.get("errors")) else 200
    return render_template("admin/import.html", form=form, **_import_context(), **context), status


def _import_context() -> dict[str, Any]:
    return {"columns": org_import.COLUMNS, "max_mib": org_import.MAX_BYTES // (1024 * 1024)}


@bp.errorhandler(RequestEntityTooLarge)
def _too_large(_exc: RequestEntityTooLarge) -> tuple[str, int]:
    limit = current_app.config.get("MAX_CONTENT_LENGTH") or org_import.MAX_BYTES
    message = (
        f"The file is larger than {limit / (1024 * 1024):g} MiB. Split it into smaller files and import each."
    )
    if request.endpoint == "admin.import_org":
        form = ImportForm(formdata=None)  # the body was refused: reading it again would fail again
        return render_template("admin/import.html", form=form, errors=[message], **_import_context()), 413
    return render_template("error.html", code=413, title="Too large", message=message), 413
