"""Schools propose sessions, confirm the pin, then edit or cancel them through their secret link."""
from __future__ import annotations

import hashlib

from flask import (
    Blueprint,
    Response,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _

from .. import french, mail, maps
from ..checks import FieldError
from ..db import db
from ..events import queries
from ..events.labels import AUDIENCE_LABELS
from ..events.serialise import zone_of
from ..form_errors import error_links
from ..limits import limiter
from ..loaders import event_of, submission_of_link, venue_of
from ..security import csrf, private_pages
from ..submissions import archives, imports, operations, schools, windows
from ..submissions.forms import (
    CancelForm,
    EditEventForm,
    ImportForm,
    SubmissionForm,
    VenueForm,
)
from ..submissions.operations import Proposal
from ..submissions.slots import GRID_HOURS

bp = Blueprint("submit", __name__)
# Every POST here goes through a FlaskForm, which checks the CSRF token itself: a missing or
# expired token then comes back as an error on the form with the school's input kept, instead
# of the global handler's error page that would lose it.
csrf.exempt(bp)

# Fields of the submission form that are not replayed as hidden inputs on the confirmation page.
NOT_REPLAYED = {"csrf_token", "place_token", "once_token", "pin_lat", "pin_lon", "preview", "back", "confirm"}


private_pages(bp)  # forms, secret links and addresses: never cached, never referred
bp.add_app_template_global(error_links)  # every form's error summary (templates/submit/_error_summary.html)


def _submission_form(**kwargs) -> SubmissionForm:
    return SubmissionForm(edition=windows.open_edition(), families=queries.families(), **kwargs)


def _render_form(form: SubmissionForm, status: int = 200, copied_from=None):
    if form.edition is None:  # no edition takes proposals: say so, show no form
        return render_template("submit/form.html", form=form, edition=None,
                               closed=windows.closed_message()), status
    return render_template("submit/form.html", form=form, school_names=schools.school_names(),
                           edition=form.edition, grid_hours=GRID_HOURS, copied_from=copied_from), status


def _shell(lat: float, lon: float, element_id: str = "pinmap"):
    return maps.configured_shell(current_app.config, element_id, centre=(lat, lon), zoom=17)


def _render_confirm(form: SubmissionForm, proposal: Proposal):
    location = proposal.location
    shell = _shell(location.lat, location.lon) if location is not None and location.place is not None else None
    replay = [(k, v) for k, v in request.form.items(multi=True) if k not in NOT_REPLAYED]
    return render_template(
        "submit/confirm.html", form=form, draft=proposal.draft, location=location, shell=shell, replay=replay,
        place_token=proposal.place_token, once_token=proposal.once_token, warnings=proposal.warnings, pin_error=proposal.pin_error,
        coarse=proposal.coarse), 422 if proposal.pin_error else 200


def _client_key() -> str:
    raw = f"{current_app.config['SECRET_KEY']}:{request.remote_addr or ''}"
    return hashlib.sha256(raw.encode()).hexdigest()[:32]


def _rate_limited(request_limit) -> Response:
    # Keep what the school typed: the form comes back with the message on top.
    form = _submission_form()
    flash(_("Trop de propositions envoyées depuis votre connexion en peu de temps. Vos informations "
            "sont conservées ci-dessous : réessayez dans une heure, ou écrivez à l’équipe GEN."), "error")
    body, _status = _render_form(form, 429)
    return Response(body, status=429, mimetype="text/html")


@bp.get("/proposer")
@bp.get("/submit")
def start():
    """Show the empty submission form."""
    return _render_form(_submission_form())


@bp.post("/proposer")
@bp.post("/submit")
@limiter.limit(lambda: current_app.config["PREVIEW_RATE_LIMIT"], on_breach=_rate_limited)
@limiter.limit(lambda: current_app.config["SUBMIT_RATE_LIMIT"], on_breach=_rate_limited,
               deduct_when=lambda response: response.status_code == 303, scope="submit-save")
def send():
    """Check a submission, show its confirmation step, or save it once confirmed."""
    form = _submission_form()
    if form.edition is None:
        return _render_form(form, 403)
    if form.back.data:
        return _render_form(form)
    if not form.validate():
        return _render_form(form, 422)
    try:
        proposal = operations.propose(form.draft(), form.place_token.data, confirmed=bool(form.confirm.data),
                                      pin=form.pin(), client_key=_client_key(), edition=form.edition,
                                      once_token=form.once_token.data)
    except FieldError as error:
        getattr(form, error.field).errors.append(error.message)
        return _render_form(form, 422)
    if proposal.submitted is None:
        return _render_confirm(form, proposal)
    db.session.commit()
    submitted = proposal.submitted
    # A resent form shows the same confirmation; the e-mail went with the first save.
    session["edit_link"] = (mail.EditLinkDelivery(mail.edit_link(submitted.token), submitted.submission.contact_email,
                                                  sent=mail.configured(), printed=not mail.configured())
                            if proposal.resent else
                            mail.deliver_edit_link(submitted.submission, submitted.token)).as_dict()
    return redirect(url_for(".done"), 303)


@bp.get("/submit/merci")
def done():
    """Show the secret edit link once, right after saving."""
    delivery = session.pop("edit_link", None)
    if not isinstance(delivery, dict):
        return redirect(url_for(".start"))
    return render_template("submit/done.html", delivery=mail.EditLinkDelivery(**delivery))


# --- the secret edit link -------------------------------------------------------------------

@bp.get("/submit/edit/<token>")
def manage(token: str):
    """List a submission's sessions with their status and what can be changed."""
    submission = submission_of_link(token)
    sessions = archives.overview(submission)
    return render_template("submit/manage.html", submission=submission, token=token, events=sessions.events,
                           archives=sessions.archives, open_edition=sessions.open_edition,
                           venues=sessions.venues, can_edit=windows.may_edit, can_cancel=windows.may_cancel,
                           zone_of=zone_of, elided=french.elides(submission.school.name))


@bp.route("/submit/edit/<token>/events/<int:event_id>", methods=["GET", "POST"])
def edit_event(token: str, event_id: int):
    """Change one session's details or time."""
    submission = submission_of_link(token)
    event = event_of(submission, event_id)
    if not windows.may_edit(event):
        flash(windows.why_locked(event), "error")
        return redirect(url_for(".manage", token=token))
    form = EditEventForm.of(event, queries.families(), zone_of(event), filled=request.method != "POST")
    if request.method == "POST":
        if form.validate():
            try:
                changed = operations.edit_event(event_of(submission, event_id, for_write=True), form.details(),
                                                *form.times)
            except FieldError as error:  # its edition closed meanwhile
                db.session.rollback()
                flash(error.message, "error")
                return redirect(url_for(".manage", token=token), 303)
            db.session.commit()
            flash(_("Modifications enregistrées.") if changed else _("Aucune modification."), "success")
            return redirect(url_for(".manage", token=token), 303)
        return render_template("submit/edit_event.html", form=form, event=event, token=token), 422
    return render_template("submit/edit_event.html", form=form, event=event, token=token)


@bp.route("/submit/edit/<token>/events/<int:event_id>/cancel", methods=["GET", "POST"])
def cancel_event(token: str, event_id: int):
    """Ask for confirmation, then cancel one session."""
    submission = submission_of_link(token)
    event = event_of(submission, event_id)
    if request.method == "POST":
        csrf.protect()  # one button, nothing typed to keep: a bad token gets the site's 400 page
    form = CancelForm()
    if not windows.may_cancel(event):
        flash(_("Cette session est déjà annulée ou refusée.") if not operations.can_edit(event) else
              _("Cette session a déjà commencé : elle ne peut plus être annulée."), "error")
        return redirect(url_for(".manage", token=token))
    if form.validate_on_submit():
        try:
            operations.cancel_event(event_of(submission, event_id, for_write=True), submission.contact_email)
        except FieldError as error:  # it started meanwhile
            db.session.rollback()
            flash(error.message, "error")
            return redirect(url_for(".manage", token=token), 303)
        db.session.commit()
        flash(_("La session est annulée."), "success")
        return redirect(url_for(".manage", token=token), 303)
    return render_template("submit/cancel.html", form=form, event=event, token=token)


@bp.route("/submit/edit/<token>/venues/<int:venue_id>", methods=["GET", "POST"])
def edit_venue(token: str, venue_id: int):
    """Correct a venue's address or move its pin; every session held there follows."""
    submission = submission_of_link(token)
    venue = venue_of(submission, venue_id)
    if not operations.venue_editable(submission, venue):
        flash(_("Les sessions de ce lieu ne peuvent plus être modifiées : les propositions de leur édition "
                "sont closes."), "error")
        return redirect(url_for(".manage", token=token))
    form = VenueForm.of(venue, filled=request.method != "POST")
    status = 200
    if form.validate_on_submit():
        try:
            location = operations.relocate(venue, form.venue_draft(), form.pin())
        except FieldError as error:
            getattr(form, "address" if error.field == "pin" else error.field).errors.append(error.message)
            status = 422
        else:
            venue = venue_of(submission, venue_id, for_write=True)
            operations.edit_venue(submission, venue, form.venue_draft(), location)
            db.session.commit()
            flash(_("Lieu enregistré. Vérifiez que le repère est bien sur le bâtiment.")
                  if venue.lat is not None else
                  _("Lieu enregistré. Il sera placé sur la carte dès que le service d’adresses répondra."),
                  "success")
            return redirect(url_for(".edit_venue", token=token, venue_id=venue.id), 303)
    elif request.method == "POST":
        status = 422
    shell = _shell(venue.lat, venue.lon) if venue.lat is not None else None
    return render_template("submit/edit_venue.html", form=form, venue=venue, token=token, shell=shell), status


@bp.get("/submit/edit/<token>/events/<int:event_id>/reprendre")
def copy_event(token: str, event_id: int):
    """Open the proposal form filled from one of the school's sessions, to be re-dated."""
    event = event_of(submission_of_link(token), event_id)
    return _render_form(_submission_form(formdata=None, data=archives.draft_from(event)), copied_from=event)


# --- bulk import ----------------------------------------------------------------------------

def _render_import(form: ImportForm, report=None, links=(), status: int = 200):
    edition = windows.open_edition()
    return render_template("submit/import.html", form=form, layout=imports.COLUMNS, report=report,
                           edition=edition, closed=None if edition else windows.closed_message(),
                           links=links, families=queries.families(),
                           audiences=[(k, str(v)) for k, v in AUDIENCE_LABELS.items()]), status


def _import_rate_limited(request_limit) -> Response:
    flash(_("Trop d’envois depuis votre connexion en peu de temps : réessayez dans une heure."), "error")
    body, _status = _render_import(ImportForm(formdata=None), status=429)
    return Response(body, status=429, mimetype="text/html")


@bp.route("/submit/import", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["SUBMIT_RATE_LIMIT"], methods=["POST"], on_breach=_import_rate_limited,
               deduct_when=lambda response: response.status_code == 200, scope="submit-import")
def bulk_import():
    """Import many sessions from a CSV file and report every rejected row."""
    form = ImportForm()
    if not form.validate_on_submit():
        return _render_import(form, status=422 if request.method == "POST" else 200)
    report = imports.import_file(form.file.data.read(), client_key=_client_key())
    db.session.commit()
    links = [(submission, mail.send_edit_link(submission, token)) for submission, token in report.links]
    return _render_import(ImportForm(formdata=None), report, links, 422 if report.file_error else 200)


@bp.get("/submit/import/modele.csv")
def csv_template():
    """Download an example CSV file with the expected columns."""
    return Response(imports.example_csv(windows.open_edition()), mimetype="text/csv",
                    headers={"Content-Disposition": "attachment; filename=open-gen-modele.csv"})
