"""The GEN team's moderation pages: login, the queue with pins, approve or reject, history, edit links."""
from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlsplit

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
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_login import current_user, login_required, login_user, logout_user

from .. import mail, maps
from ..auth import staff_only
from ..db import db
from ..events import comparison
from ..events.filters import page_number
from ..events.labels import (
    AUDIENCE_LABELS,
    FORMAT_LABELS,
    KIND_LABELS,
    STATUS_LABELS,
    labeller,
)
from ..fields import ActionForm
from ..i18n import family_name
from ..limits import limiter
from ..loaders import submission_or_404
from ..models import AdminUser, Submission
from ..submissions import moderation, operations
from ..submissions.forms import ApproveForm, LoginForm, RejectForm

bp = Blueprint("admin", __name__, url_prefix="/admin")

staff_only(bp, public={"admin.login"})


def _shell(element_id: str, centre=maps.FRANCE_CENTRE, zoom=maps.FRANCE_ZOOM):
    return maps.configured_shell(current_app.config, element_id, centre=centre, zoom=zoom)


def _safe_next(target: str | None) -> str:
    # Only our own admin pages: an open redirect would help phishing.
    if target and target.startswith("/admin") and not urlsplit(target).netloc and "\\" not in target:
        return target
    return url_for(".queue")


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["LOGIN_RATE_LIMIT"], methods=["POST"])
def login():
    """Log a GEN staff member in."""
    form = LoginForm()
    if form.validate_on_submit():
        admin = moderation.authenticate(form.email.data, form.password.data)
        if admin is not None:
            login_user(admin)
            return redirect(_safe_next(request.args.get("next")), 303)
        form.password.errors.append(_("E-mail ou mot de passe incorrect."))
    status = 422 if request.method == "POST" else 200
    return render_template("admin/login.html", form=form), status


@bp.post("/logout")
def logout():
    """Log the staff member out."""
    if ActionForm().validate_on_submit():
        logout_user()
    return redirect(url_for(".login"), 303)


@bp.get("/")
@login_required
def queue():
    """Show the submissions awaiting moderation, with their pins on a map."""
    items = moderation.queue()
    pins = moderation.queue_pins(items, lambda submission_id: url_for(".submission", submission_id=submission_id))
    return render_template("admin/queue.html", items=items, pins=pins,
                           shell=_shell("queuemap"), edited=moderation.recently_edited(),
                           logout_form=ActionForm())


def _render_submission(submission: Submission, reject_form: RejectForm | None = None, status: int = 200):
    events = operations.events_of(submission)
    venue = next((e.venue for e in events if e.venue is not None), None)
    shell = _shell("venue", (venue.lat, venue.lon), 16) if venue is not None and venue.lat is not None else None
    entries, _total = moderation.history(1, 100, submission=submission)
    return render_template(
        "admin/submission.html", submission=submission, events=events, venue=venue, shell=shell,
        history=entries, approve_form=ApproveForm(), reject_form=reject_form or RejectForm(),
        action_form=ActionForm(), logout_form=ActionForm(), new_link=session.pop("admin_new_link", None),
        action_label=moderation.action_label), status


@bp.get("/submissions/<int:submission_id>")
@login_required
def submission(submission_id: int):
    """Show one submission: its sessions, the pin, its history and the moderation buttons."""
    return _render_submission(submission_or_404(submission_id))


def _decide(submission_id: int, decide: Callable[[Submission, AdminUser], int], subject, template: str,
            done: Callable[[int], str], **context) -> Response:
    # Approve and reject alike: write on a fresh row, commit, tell the school, back to the queue.
    submission = submission_or_404(submission_id, for_write=True)
    count = decide(submission, current_user)
    db.session.commit()
    if count:
        mail.tell_school(submission, subject, template, count=count, **context)
    flash(done(count), "success" if count else "warning")
    return redirect(url_for(".queue"), 303)


@bp.post("/submissions/<int:submission_id>/approve")
@login_required
def approve(submission_id: int):
    """Publish the submission's pending sessions."""
    submission_or_404(submission_id)
    if not ApproveForm().validate_on_submit():
        return redirect(url_for(".queue"), 303)
    return _decide(submission_id, moderation.approve, _l("Open Gen : vos sessions sont publiées"),
                   "admin/approved_mail.txt", lambda count: ngettext(
                       "%(num)s session publiée.", "%(num)s sessions publiées.", count) if count else
                   _("Aucune session en attente dans cette proposition : rien n’a été publié."))


@bp.post("/submissions/<int:submission_id>/reject")
@login_required
def reject(submission_id: int):
    """Refuse the submission's sessions with a reason sent to the school."""
    submission = submission_or_404(submission_id)
    form = RejectForm()
    if not form.validate_on_submit():
        return _render_submission(submission, form, 422)
    reason = form.reason.data
    return _decide(submission_id, lambda submission, admin: moderation.reject(submission, admin, reason),
                   _l("Open Gen : votre proposition n’est pas retenue"), "admin/rejected_mail.txt",
                   lambda count: ngettext("%(num)s session refusée.", "%(num)s sessions refusées.", count)
                   if count else _("Aucune session en attente dans cette proposition : rien n’a été refusé."),
                   reason=reason)


@bp.post("/submissions/<int:submission_id>/revoke-link")
@login_required
def revoke_link(submission_id: int):
    """Stop the submission's edit link from working."""
    submission = submission_or_404(submission_id)
    if ActionForm().validate_on_submit():
        moderation.revoke_link(submission, current_user)
        db.session.commit()
        flash(_("Le lien de modification ne fonctionne plus."), "success")
    return redirect(url_for(".submission", submission_id=submission.id), 303)


@bp.post("/submissions/<int:submission_id>/new-link")
@login_required
def new_link(submission_id: int):
    """Give the school a new edit link, sent to its contact e-mail; the old one stops working."""
    submission = submission_or_404(submission_id)
    if ActionForm().validate_on_submit():
        token = moderation.reissue_link(submission, current_user)
        db.session.commit()
        delivery = mail.deliver_edit_link(submission, token)
        session["admin_new_link"] = delivery.link
        if delivery.sent:
            flash(_("Nouveau lien créé et envoyé à %(email)s.", email=delivery.to), "success")
        elif delivery.printed:
            flash(_("Nouveau lien créé. Aucun serveur d’e-mail n’est configuré : le message pour %(email)s a été "
                    "écrit dans la console du serveur, pas envoyé. Transmettez le lien ci-dessous à l’école.",
                    email=delivery.to), "warning")
        else:
            flash(_("Nouveau lien créé, mais l’envoi à %(email)s a échoué : transmettez le lien ci-dessous à "
                    "l’école.", email=delivery.to), "error")
    return redirect(url_for(".submission", submission_id=submission.id), 303)


@bp.get("/history")
@login_required
def history():
    """Show who did what, newest first."""
    page = max(1, page_number(request.args))
    entries, total = moderation.history(page, 50)
    return render_template("admin/history.html", entries=entries, total=total, page=page,
                           pages=max(1, -(-total // 50)), action_label=moderation.action_label,
                           logout_form=ActionForm())


# --- the numbers ------------------------------------------------------------------------------

@bp.get("/numbers")
@login_required
def numbers():
    """Show an edition's figures (edition=<year>, the current one by default) and every edition side by side."""
    board = comparison.numbers_board(request.args.get("edition"))
    return render_template("admin/numbers.html", board=board, edition=board.edition, numbers=board.numbers,
                           family_label=family_name, kind_label=labeller(KIND_LABELS),
                           format_label=labeller(FORMAT_LABELS), status_label=labeller(STATUS_LABELS),
                           audience_label=labeller(AUDIENCE_LABELS),
                           region_label=_region_label, logout_form=ActionForm()), 400 if board.error else 200


def _region_label(region: str | None) -> str:
    return region or _("Non renseignée (en ligne ou lieu sans région)")


@bp.get("/numbers/sessions.csv")
@login_required
def numbers_csv():
    """Download an edition's published sessions as CSV (edition=<year>, the current one by default)."""
    found = comparison.edition_csv(request.args.get("edition"))
    if found is None:
        abort(404)
    edition, body = found
    return Response("\ufeff" + body, mimetype="text/csv", headers={
        "Content-Disposition": f"attachment; filename=open-gen-{edition.year}-sessions.csv"})
