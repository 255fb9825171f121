"""The assessment flow: start, one page per area, review, submit. Self and manager alike."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, session, url_for
from flask_login import login_required
from werkzeug.wrappers import Response

from competency.models import User
from competency.services import NotFound, ServiceError, access, cycles
from competency.services import assessments as service
from competency.services.snapshots import SnapshotConflict
from competency.web.assess_forms import StartForm, SubmitForm, area_form, level_choices, specialism_choices
from competency.web.audit import audit_request, deny
from competency.web.auth import me
from competency.web.requests import catalog, db

bp = Blueprint("assess", __name__)


def _tell_admins(exc: SnapshotConflict) -> None:
    """A framework file that cannot be stored: the person sees a plain sentence, admins the reason
    (in the audit log, and on the questionnaires admin page, which compares every file itself)."""
    db().rollback()
    current_app.logger.error("questionnaire %s refused: %s", exc.key, exc.detail)
    audit_request("questionnaire.refused", f"questionnaire:{exc.key}", detail=exc.detail)
    db().commit()


def _taken(assessment_id: int) -> service.Taken:
    """The assessment if the logged-in person is its assessor; anyone else gets 404."""
    try:
        taken = service.load(db(), assessment_id)
    except NotFound:
        abort(404)
    if not service.may_act(db(), me(), taken.assessment):
        if taken.assessment.status == "submitted" and taken.assessment.assessor_id == me().id:
            return taken  # their own submitted rating: resume shows where it went
        deny(f"assessment:{assessment_id}")
    return taken


def _areas(taken: service.Taken) -> list[Any]:
    """The areas this assessment asks: those in play at its target level and specialism."""
    return taken.areas()


def _area_index(taken: service.Taken, area_id: str) -> int:
    for index, area in enumerate(_areas(taken)):
        if area.id == area_id:
            return index
    abort(404)


@bp.route("/assessments/new", methods=["GET", "POST"])
@login_required
def start() -> Any:
    """Choose a framework and target level; starts (or resumes) your self-assessment."""
    user = me()
    return _start(subject=user, kind="self")


@bp.route("/people/<int:person_id>/assess", methods=["GET", "POST"])
@login_required
def start_manager(person_id: int) -> Any:
    """A manager rates a member of their team with the same framework and flow."""
    subject = db().get(User, person_id)
    if subject is None or not access.can_manager_assess(db(), me(), person_id):
        abort(404)
    return _start(subject=subject, kind="manager")


def _start(*, subject: User, kind: str) -> Any:
    frameworks = catalog().all()
    own_levels: dict[str, tuple[str, str | None]] = {}
    if kind == "manager":
        # A manager rates the member with the framework(s) the member takes, at the member's own level,
        # so that both rate the same statements.
        own_levels = service.own_levels(db(), subject.id or 0)
        taken_keys = set(own_levels) | {c.questionnaire_key for c, _ in cycles.pending_for(db(), subject)}
        if taken_keys:
            frameworks = [q for q in frameworks if q.id in taken_keys]
    chosen_key = request.values.get("questionnaire")
    if request.method == "POST":
        questionnaire = catalog().get(chosen_key or "")
        if questionnaire is None or questionnaire.id not in {q.id for q in frameworks}:
            flash("Choose one of the frameworks listed.", "error")
            return redirect(request.path)
        form = StartForm()
        form.level.choices = level_choices(questionnaire)
        form.specialism.choices = specialism_choices(questionnaire)
        if form.validate_on_submit():
            level = form.level.data or ""
            specialism = form.specialism.data or None
            if questionnaire.id in own_levels and own_levels[questionnaire.id][0] in questionnaire.level_ids:
                # The manager rates what the member is asked: their level and their specialism.
                level, specialism = own_levels[questionnaire.id]
            # A self-assessment started while a cycle of this framework covers the person belongs to it.
            cycle_id = (
                cycles.open_cycle_for(db(), subject.id or 0, questionnaire.id) if kind == "self" else None
            )
            try:
                assessment, created = service.start(
                    db(),
                    questionnaire,
                    subject=subject,
                    assessor=me(),
                    level=level,
                    kind=kind,
                    cycle_id=cycle_id,
                    specialism=specialism,
                )
            except SnapshotConflict as exc:
                _tell_admins(exc)
                flash(str(exc), "error")
                return redirect(request.path)
            except ServiceError as exc:
                flash(str(exc), "error")
                return redirect(request.path)
            if not created:
                flash("You already had a draft of this framework; here it is.", "info")
            return redirect(url_for("assess.resume", assessment_id=assessment.id))
        flash("Choose a target level (and a specialism, or none) from the lists.", "error")
    # A cycle's link names its framework: show that one, the others one click away.
    others = chosen_key in {q.id for q in frameworks} and len(frameworks) > 1
    if others:
        frameworks = [q for q in frameworks if q.id == chosen_key]
    last = service.own_levels(db(), subject.id or 0) if kind == "self" else own_levels
    forms = []
    for questionnaire in frameworks:
        form = StartForm(formdata=None)
        form.level.choices = level_choices(questionnaire)
        form.specialism.choices = specialism_choices(questionnaire)
        # The level and specialism of the last assessment of this framework, else the account's level.
        default, specialism = last.get(questionnaire.id, (subject.default_level, None))
        form.level.data = default if default in questionnaire.level_ids else questionnaire.level_ids[0]
        form.specialism.data = specialism if specialism in questionnaire.specialism_ids else ""
        forms.append((questionnaire, form))
    return render_template(
        "assess/start.html",
        forms=forms,
        subject=subject,
        kind=kind,
        own_levels=own_levels,
        others=others,
        who_sees=access.who_sees_results(db(), subject.id or 0),
    )


@bp.route("/assessments/<int:assessment_id>")
@login_required
def resume(assessment_id: int) -> Response:
    taken = _taken(assessment_id)
    if taken.assessment.status == "submitted":
        return redirect(
            url_for(
                "people.profile", person_id=taken.assessment.subject_id, questionnaire=taken.questionnaire.id
            )
        )
    area_id = taken.assessment.current_area or _areas(taken)[0].id
    return redirect(url_for("assess.area", assessment_id=assessment_id, area_id=area_id))


@bp.route("/assessments/<int:assessment_id>/areas/<area_id>", methods=["GET", "POST"])
@login_required
def area(assessment_id: int, area_id: str) -> Any:
    taken = _taken(assessment_id)
    if taken.assessment.status != "draft" and request.method == "POST":
        return _conflict(taken, "This assessment was submitted and can no longer change.")
    if taken.assessment.status != "draft":
        flash("This assessment was submitted and can no longer change.", "info")
        return redirect(url_for("assess.resume", assessment_id=assessment_id))
    questionnaire = taken.questionnaire
    index = _area_index(taken, area_id)
    current = _areas(taken)[index]
    form = area_form(questionnaire, current, taken.assessment.target_level, taken.assessment.specialism)
    saved: dict[str, int | None] | None = None
    if request.method == "GET":
        saved = _fill(form, taken, current)
    elif form.validate_on_submit():
        try:
            service.save_area(db(), taken, current, form.answers(), form.note.data, actor=me())
        except service.NotAllowed:
            deny(f"assessment:{assessment_id}")
        except service.Conflict as exc:
            return _conflict(taken, str(exc))
        except ServiceError as exc:
            flash(f"Not saved: {exc}", "error")
        else:
            session["saved_keep"] = _keep_key(assessment_id, area_id)
            return redirect(_next_url(taken, index, request.form.get("go", "next")))
    else:
        flash("Not saved: check the marked questions below. What you chose is still selected.", "error")
    return _render_area(taken, index, form, saved=saved)


def _conflict(taken: service.Taken, message: str) -> Any:
    """409: it was submitted meanwhile (another tab, a double-click). Say where the result is."""
    profile = url_for(
        "people.profile", person_id=taken.assessment.subject_id, questionnaire=taken.questionnaire.id
    )
    return (
        render_template(
            "error.html",
            code=409,
            title="Already submitted",
            message=f"{message} It was submitted from another tab or window; what this page held was not saved.",
            link=(profile, "See the submitted result"),
        ),
        409,
    )


def _fill(form: Any, taken: service.Taken, area: Any) -> dict[str, int | None]:
    """Put the saved answers and note into the form; returns every saved answer of the assessment."""
    answers = service.answers_of(db(), taken.assessment.id or 0)
    for item, field in form.item_fields():
        if item.id in answers:
            value = answers[item.id]
            field.data = "na" if value is None else str(value)
    form.note.data = service.notes_of(db(), taken.assessment.id or 0).get(area.id, "")
    return answers


def _render_area(
    taken: service.Taken,
    index: int,
    form: Any,
    *,
    status: int = 200,
    saved: Mapping[str, int | None] | None = None,
) -> Any:
    """`saved`: the assessment's saved answers when the caller has read them already."""
    questionnaire = taken.questionnaire
    subject = db().get(User, taken.assessment.subject_id)
    areas = _areas(taken)
    return (
        render_template(
            "assess/area.html",
            their_answers=_their_answers(taken, saved),
            taken=taken,
            questionnaire=questionnaire,
            area=areas[index],
            areas=areas,
            index=index,
            total=len(areas),
            form=form,
            subject=subject,
            keep_key=_keep_key(taken.assessment.id or 0, areas[index].id),
            saved_keep=session.pop("saved_keep", None),
        ),
        status,
    )


def _their_answers(
    taken: service.Taken, saved: Mapping[str, int | None] | None = None
) -> dict[str, int | None]:
    """For a manager: the member's own answers to the items the manager has already rated (saved), so
    their self-rating never anchors the manager's first judgement. `saved`: the manager's saved answers,
    read here unless given."""
    if taken.assessment.kind != "manager":
        return {}
    rated = saved if saved is not None else service.answers_of(db(), taken.assessment.id or 0)
    if not rated:
        return {}
    own = service.latest_self_answers(db(), taken.assessment.subject_id, taken.questionnaire.id)
    return {item_id: value for item_id, value in own.items() if item_id in rated}


def render_unsaved_area(assessment_id: int, area_id: str) -> Any:
    """After a refused POST (expired CSRF token): show the page again with what was typed, unsaved."""
    taken = _taken(assessment_id)
    if taken.assessment.status != "draft":
        return _conflict(taken, "This assessment was submitted and can no longer change.")
    index = _area_index(taken, area_id)
    # Built from request.form, so every choice made is shown again; it renders a fresh token.
    form = area_form(
        taken.questionnaire, _areas(taken)[index], taken.assessment.target_level, taken.assessment.specialism
    )
    flash(
        "Your form had expired, so nothing was saved yet. Your answers are still selected below: "
        "press Save again.",
        "error",
    )
    return _render_area(taken, index, form, status=400)


def _keep_key(assessment_id: int, area_id: str) -> str:
    return f"competency:a{assessment_id}:{area_id}"


def _next_url(taken: service.Taken, index: int, go: str) -> str:
    areas = _areas(taken)
    assessment_id = taken.assessment.id
    if go == "previous" and index > 0:
        return url_for("assess.area", assessment_id=assessment_id, area_id=areas[index - 1].id)
    if go == "next" and index + 1 < len(areas):
        return url_for("assess.area", assessment_id=assessment_id, area_id=areas[index + 1].id)
    if go.startswith("area:"):
        # A jump from the list of areas: saved like any page change, to an area this assessment asks.
        wanted = go.removeprefix("area:")
        if any(a.id == wanted for a in areas):
            return url_for("assess.area", assessment_id=assessment_id, area_id=wanted)
    if go == "exit":
        flash("Saved. Resume any time from your home page.", "success")
        return url_for("main.home")
    return url_for("assess.review", assessment_id=assessment_id)


@bp.route("/assessments/<int:assessment_id>/review")
@login_required
def review(assessment_id: int) -> Any:
    taken = _taken(assessment_id)
    if taken.assessment.status != "draft":
        return redirect(url_for("assess.resume", assessment_id=assessment_id))
    answers = service.answers_of(db(), assessment_id)
    missing = service.unanswered(taken, answers)
    subject = db().get(User, taken.assessment.subject_id)
    return render_template(
        "assess/review.html",
        taken=taken,
        questionnaire=taken.questionnaire,
        answers=answers,
        missing=missing,
        answered=len(answers),
        areas=_areas(taken),
        total_items=sum(len(taken.items(a)) for a in _areas(taken)),
        form=SubmitForm(),
        subject=subject,
        saved_keep=session.pop("saved_keep", None),
        their_answers=_their_answers(taken, answers),
        managers=access.manager_names(db(), taken.assessment.subject_id),
    )


@bp.route("/assessments/<int:assessment_id>/submit", methods=["POST"])
@login_required
def submit(assessment_id: int) -> Response:
    taken = _taken(assessment_id)
    form = SubmitForm()
    if not form.validate_on_submit():
        flash("The form expired. Press Submit again.", "error")
        return redirect(url_for("assess.review", assessment_id=assessment_id))
    try:
        service.submit(db(), taken, actor=me())
    except service.NotAllowed:
        deny(f"assessment:{assessment_id}")
    except service.Conflict as exc:
        return _conflict(taken, str(exc))
    except ServiceError as exc:
        flash(str(exc), "error")
        return redirect(url_for("assess.review", assessment_id=assessment_id))
    if taken.assessment.kind == "manager":
        subject = db().get(User, taken.assessment.subject_id)
        name = subject.name if subject else "them"
        flash(
            f"Your rating of {name} is submitted. {name} does not see it until you release it "
            "(below, for example after your one-to-one).",
            "success",
        )
    else:
        flash("Submitted. Here is your profile.", "success")
    return redirect(
        url_for("people.profile", person_id=taken.assessment.subject_id, questionnaire=taken.questionnaire.id)
    )


@bp.route("/assessments/<int:assessment_id>/release", methods=["POST"])
@login_required
def release(assessment_id: int) -> Response:
    """A manager shows their submitted rating (and notes) to the person rated."""
    try:
        taken = service.load(db(), assessment_id)
    except NotFound:
        abort(404)
    assessment = taken.assessment
    if assessment.kind != "manager" or not access.can_manager_assess(db(), me(), assessment.subject_id):
        abort(404)
    back = url_for(
        "people.profile",
        person_id=assessment.subject_id,
        questionnaire=taken.questionnaire.id,
        _anchor="release",
    )
    if not SubmitForm().validate_on_submit():
        flash("The form expired. Press Release again.", "error")
        return redirect(back)
    try:
        released = service.release(db(), me(), assessment, remote_addr=request.remote_addr)
    except NotFound:
        abort(404)
    except ServiceError as exc:
        flash(str(exc), "error")
        return redirect(back)
    subject = db().get(User, assessment.subject_id)
    name = subject.name if subject else "They"
    if released:
        flash(f"Released. {name} now sees your rating and notes, and their home page says so.", "success")
    else:
        flash(f"{name} already sees this rating.", "info")
    return redirect(back)
