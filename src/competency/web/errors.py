"""Error pages that say what happened and what to do, in HTML or JSON as the client asked."""

from __future__ import annotations

from typing import Any

from flask import Flask, flash, g, redirect, render_template, request, url_for
from flask_login import current_user
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from competency.web.requests import wants_json

MESSAGES = {
    400: ("Bad request", "The request could not be understood. Go back, reload the page and try again."),
    403: ("Not allowed", "You do not have access to this page."),
    404: ("Not found", "There is nothing here, or you do not have access to it."),
    405: ("Not allowed", "This address does not accept that kind of request."),
    409: (
        "Already changed",
        "Someone (perhaps you, in another tab) changed this at the same time. Reload and check.",
    ),
    413: ("Too large", "What you sent is larger than this service accepts. Send something smaller."),
    429: ("Too many requests", "Wait a little before you try again."),
    503: ("Busy", "The service is busy right now. Try again in a minute."),
    500: ("Something went wrong", "The error has been logged. Try again in a moment."),
}


def _render(code: int, detail: str | None = None) -> tuple[object, int]:
    title, message = MESSAGES.get(code, ("Error", "Something went wrong."))
    if wants_json():
        return {"error": title, "message": detail or message}, code
    return render_template("error.html", code=code, title=title, message=detail or message), code


def init_app(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def _csrf_error(exc: CSRFError) -> Any:
        # A refused form must not lose what was typed. Signed in: show the page again, unsaved.
        # Signed out (the session ended mid-questionnaire): log in and come back; the page
        # restores the typed answers from the browser (static/js/keep.js).
        if request.endpoint == "assess.area" and request.view_args:
            if current_user.is_authenticated:
                from competency.web.assess import render_unsaved_area

                return render_unsaved_area(**request.view_args)
            flash(
                "Your session expired before this page was saved. Log in to continue; your answers are kept.",
                "info",
            )
            return redirect(url_for("auth.login", next=request.path))
        if request.endpoint == "auth.login":
            from competency.web.auth import LoginForm

            form = LoginForm()
            form.password.data = ""
            return render_template(
                "auth/login.html", form=form, error="The login form expired. Please try again."
            ), 400
        return _render(
            400, "Your form expired or was not sent from this site. Reload the page and send it again."
        )

    @app.errorhandler(HTTPException)
    def _http_error(exc: HTTPException) -> tuple[object, int]:
        return _render(exc.code or 500)

    if app.testing:
        return  # let tests see the traceback

    @app.errorhandler(Exception)
    def _unexpected(exc: Exception) -> tuple[object, int]:
        app.logger.exception("unhandled error on %s", request.path)
        return server_error()


def _discard_db() -> None:
    """Drop the request's database session: after a failed statement it refuses every further one."""
    session = g.pop("db", None)
    if session is None:
        return
    try:
        session.rollback()
        session.close()
    except Exception:  # the connection itself may be gone; nothing more to do with it
        pass


#: The 500 page when even the normal page cannot be drawn (the database is down): no template, no query.
BARE_500 = (
    "<!doctype html><html lang=en><meta charset=utf-8><title>Something went wrong</title>"
    "<link rel=stylesheet href=/static/css/app.css><main class=card><h1>Something went wrong</h1>"
    "<p>The error has been logged. Try again in a moment.</p><p><a href=/>Home</a></p></main></html>"
)


def server_error() -> tuple[object, int]:
    """The 500 answer: the normal page on a fresh database session, else a bare one."""
    _discard_db()
    try:
        return _render(500)
    except Exception:
        _discard_db()
        if wants_json():
            return {"error": "Something went wrong", "message": MESSAGES[500][1]}, 500
        return BARE_500, 500
