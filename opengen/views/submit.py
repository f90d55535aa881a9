"""Schools propose sessions, confirm the pin, then edit or cancel them through their secret link."""
from __future__ import annotations

import hashlib

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _

from .. import mail, maps
from ..checks import FieldError
from ..db import begin_write, db
from ..editions import current_edition
from ..events import queries
from ..events.labels import AUDIENCE_LABELS, STATUS_LABELS
from ..events.serialise import zone_of
from ..limits import limiter
from ..models import Event, Submission, Venue
from ..places import venues
from ..places.geo import Place
from ..places.venues import Location
from ..security import csrf
from ..submissions import imports, operations
from ..submissions.forms import (
    GRID_HOURS,
    CancelForm,
    EditEventForm,
    ImportForm,
    SubmissionForm,
    VenueForm,
)
from ..timezones import local

bp = Blueprint("submit", __name__)
# Every POST here goes through a FlaskForm, which checks the CSRF token itself: a missing or
# expired token then comes back as an error on the form with the school's input kept, instead
# of the global handler's error page that would lose it.
csrf.exempt(bp)

# Fields of the submission form that are not replayed as hidden inputs on the confirmation page.
NOT_REPLAYED = {"csrf_token", "place_token", "pin_lat", "pin_lon", "preview", "back", "confirm"}


@bp.app_template_global()
def status_label(event: Event) -> str:
    """Return the French status of a session as a school or the staff should read it."""
    if event.status.value == "rejected" and event.cancelled_at is not None:
        return _("Retirée par l’école avant publication")
    return str(STATUS_LABELS[event.status.value])


@bp.after_request
def _private(response: Response) -> Response:
    # Forms and edit links are personal: never cached, never sent on as a referrer.
    response.headers["Cache-Control"] = "no-store"
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers["X-Robots-Tag"] = "noindex"
    return response


def _submission_form() -> SubmissionForm:
    return SubmissionForm(edition=current_edition(), families=queries.families())


def _render_form(form: SubmissionForm, status: int = 200):
    return render_template("submit/form.html", form=form, school_names=operations.school_names(),
                           edition=form.edition, grid_hours=GRID_HOURS), status


def _shell(lat: float, lon: float, element_id: str = "pinmap"):
    return maps.configured_shell(current_app.config, element_id, centre=(lat, lon), zoom=17)


def _render_confirm(form: SubmissionForm, location: Location | None, pin_error: str | None = None,
                    status: int = 200):
    draft = form.draft()
    place = location.place if location else None
    shell = _shell(location.lat, location.lon) if place is not None else None
    replay = [(k, v) for k, v in request.form.items(multi=True) if k not in NOT_REPLAYED]
    return render_template(
        "submit/confirm.html", form=form, draft=draft, location=location, shell=shell, replay=replay,
        place_token=venues.sign_location(draft.venue, location) if draft.venue else "",
        warnings=operations.warnings_for(draft), pin_error=pin_error,
        coarse=place is not None and venues.is_coarse(place)), status


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
    if form.back.data:
        return _render_form(form)
    if not form.validate():
        return _render_form(form, 422)
    draft = form.draft()
    location = None
    try:
        if draft.venue is not None:
            location = venues.locate_draft(draft.venue, form.place_token.data)
    except FieldError as error:
        getattr(form, error.field).errors.append(error.message)
        return _render_form(form, 422)
    if not form.confirm.data:
        return _render_confirm(form, location)
    try:
        if location is not None:
            location = venues.with_pin(location, *form.pin())
    except FieldError as error:
        return _render_confirm(form, location, pin_error=error.message, status=422)
    begin_write()
    result = operations.submit(draft, location, _client_key(), edition=current_edition())
    db.session.commit()
    link = url_for(".manage", token=result.token, _external=True)
    mail.send_edit_link(result.submission, link)
    session["edit_link"] = link
    return redirect(url_for(".done"), 303)


@bp.get("/submit/merci")
def done():
    """Show the secret edit link once, right after saving."""
    link = session.pop("edit_link", None)
    if link is None:
        return redirect(url_for(".start"))
    return render_template("submit/done.html", link=link,
                           mail_sent=bool(current_app.config.get("MAIL_SERVER")))


# --- the secret edit link -------------------------------------------------------------------

def _opened(token: str) -> Submission:
    submission = operations.find_by_token(token)
    if submission is None:
        abort(Response(render_template("submit/link_invalid.html"), status=404))
    return submission


def _own_event(submission: Submission, event_id: int) -> Event:
    event = db.session.get(Event, event_id)
    if event is None or event.submission_id != submission.id:
        abort(404)
    return event


@bp.get("/submit/edit/<token>")
def manage(token: str):
    """List a submission's sessions with their status and what can be changed."""
    submission = _opened(token)
    return render_template("submit/manage.html", submission=submission, token=token,
                           events=operations.events_of(submission), venues=operations.venues_of(submission),
                           can_edit=operations.can_edit)


def _event_data(event: Event) -> dict:
    zone = zone_of(event)
    start, end = local(event.start_at, zone), local(event.end_at, zone)
    return dict(title=event.title, description=event.description, kind=event.kind.value,
                families=[f.slug for f in event.families], audience=list(event.audience or ()),
                accessibility=event.accessibility, wheelchair_accessible=event.wheelchair_accessible,
                format=event.format.value, online_url=event.online_url, capacity=event.capacity,
                registration_url=event.registration_url, day=start.date(), start=start.time(),
                end=end.time())


@bp.route("/submit/edit/<token>/events/<int:event_id>", methods=["GET", "POST"])
def edit_event(token: str, event_id: int):
    """Change one session's details or time."""
    submission = _opened(token)
    event = _own_event(submission, event_id)
    if not operations.can_edit(event):
        flash(_("Cette session est annulée ou refusée : elle ne peut plus être modifiée."), "error")
        return redirect(url_for(".manage", token=token))
    form = EditEventForm(data=None if request.method == "POST" else _event_data(event),
                         edition=event.edition, families=queries.families(), zone=zone_of(event),
                         has_venue=event.venue is not None)
    if request.method == "POST":
        if form.validate():
            details, times = form.details(), form.times
            begin_write()
            event = _own_event(submission, event_id)
            changed = operations.edit_event(event, details, *times)
            db.session.commit()
            flash(_("Modifications enregistrées.") if changed else _("Aucune modification."), "success")
            return redirect(url_for(".manage", token=token), 303)
        return render_template("submit/edit_event.html", form=form, event=event, token=token), 422
    return render_template("submit/edit_event.html", form=form, event=event, token=token)


@bp.route("/submit/edit/<token>/events/<int:event_id>/cancel", methods=["GET", "POST"])
def cancel_event(token: str, event_id: int):
    """Ask for confirmation, then cancel one session."""
    submission = _opened(token)
    event = _own_event(submission, event_id)
    form = CancelForm()
    if not operations.can_edit(event):
        flash(_("Cette session est déjà annulée ou refusée."), "error")
        return redirect(url_for(".manage", token=token))
    if form.validate_on_submit():
        begin_write()
        operations.cancel_event(_own_event(submission, event_id), submission.contact_email)
        db.session.commit()
        flash(_("La session est annulée."), "success")
        return redirect(url_for(".manage", token=token), 303)
    return render_template("submit/cancel.html", form=form, event=event, token=token)


def _venue_location(venue: Venue, form: VenueForm) -> Location:
    draft = form.venue_draft()
    if draft.key == venues.draft_of(venue).key and draft.city == venue.city and venue.lat is not None:
        place = Place(lat=venue.lat, lon=venue.lon, label=venue.address, source=venue.geocode_source or "",
                      precision=venue.geocode_precision or "", insee=venue.insee_code,
                      postcode=venue.postcode, city=venue.city, department=venue.department,
                      region=venue.region)
        location = Location(place, venue.lat, venue.lon, corrected=venue.pin_corrected)
        moved = venues.with_pin(location, *form.pin())
        return moved if moved.corrected else location
    return venues.locate_draft(draft)


@bp.route("/submit/edit/<token>/venues/<int:venue_id>", methods=["GET", "POST"])
def edit_venue(token: str, venue_id: int):
    """Correct a venue's address or move its pin; every session held there follows."""
    submission = _opened(token)
    venue = db.session.get(Venue, venue_id)
    if venue is None or venue not in operations.venues_of(submission):
        abort(404)
    form = VenueForm(data=None if request.method == "POST" else dict(
        venue_name=venue.name, address=venue.address, postcode=venue.postcode, city=venue.city,
        pin_lat=venue.lat, pin_lon=venue.lon))
    status = 200
    if form.validate_on_submit():
        try:
            location = _venue_location(venue, form)
        except FieldError as error:
            getattr(form, "address" if error.field == "pin" else error.field).errors.append(error.message)
            status = 422
        else:
            begin_write()
            venue = db.session.get(Venue, venue_id)
            if venues.update_venue(venue, form.venue_draft(), location):
                operations.log("venue_edited", submission.contact_email, submission=submission)
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


# --- bulk import ----------------------------------------------------------------------------

def _render_import(form: ImportForm, report=None, links=(), status: int = 200):
    return render_template("submit/import.html", form=form, layout=imports.COLUMNS, report=report,
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
    links = [(s, url_for(".manage", token=t, _external=True)) for s, t in report.links]
    for submission, link in links:
        mail.send_edit_link(submission, link)
    return _render_import(ImportForm(formdata=None), report, links, 422 if report.file_error else 200)


@bp.get("/submit/import/modele.csv")
def csv_template():
    """Download an example CSV file with the expected columns."""
    return Response(imports.example_csv(), mimetype="text/csv",
                    headers={"Content-Disposition": "attachment; filename=open-gen-modele.csv"})
