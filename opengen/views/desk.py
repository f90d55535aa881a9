"""The GEN team's broadcast desk: the morning broadcasts' lineup, proposed, edited and deleted."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ..auth import staff_only
from ..broadcasts import desk, showings
from ..broadcasts.forms import BroadcastForm, add_blank_rows, form_data
from ..broadcasts.operations import BroadcastError
from ..broadcasts.planner import ScheduleError
from ..db import db
from ..editions import current_edition
from ..i18n import family_name
from ..fields import ActionForm
from ..loaders import broadcast_or_404, current_edition_or_404

bp = Blueprint("desk", __name__, url_prefix="/admin/broadcasts")
staff_only(bp)



def _lineup_page(error: str | None = None, status: int = 200):
    edition = current_edition()
    shows = showings.lineup(edition) if edition is not None else []
    return render_template("admin/broadcasts.html", edition=edition, shows=shows, error=error,
                           propose_form=ActionForm(), logout_form=ActionForm(),
                           family_label=family_name), status


@bp.get("")
@login_required
def index():
    """List the current edition's broadcasts, to edit them or propose a lineup."""
    return _lineup_page()


@bp.post("/propose")
@login_required
def propose():
    """Propose and store a lineup presenting every family, keeping the fixed slots."""
    if not ActionForm().validate_on_submit():
        return _lineup_page(_("Le formulaire a expiré : rechargez la page et recommencez."), 400)
    edition = current_edition_or_404()
    try:
        desk.schedule(edition, current_user)
    except (ScheduleError, BroadcastError) as error:
        db.session.rollback()
        return _lineup_page(str(error), 422)
    db.session.commit()
    flash(_("Programme proposé et enregistré ; les créneaux fixés sont conservés."), "success")
    return redirect(url_for(".index"), 303)


def _broadcast_form_page(form: BroadcastForm, broadcast=None, error: str | None = None, status: int = 200):
    return render_template("admin/broadcast_form.html", form=form, broadcast=broadcast, error=error,
                           logout_form=ActionForm()), status


@bp.route("/new", methods=["GET", "POST"])
@login_required
def add():
    """Add a broadcast to the lineup (fixed by default)."""
    edition = current_edition_or_404()
    initial = None if request.method == "POST" else {"day": edition.starts_on, "is_fixed": True}
    form = BroadcastForm(data=initial, edition=edition)
    if form.validate_on_submit():
        try:
            broadcast = desk.add(edition, current_user, **form.fields_for_update())
        except BroadcastError as error:
            db.session.rollback()
            return _broadcast_form_page(form, error=str(error), status=422)
        db.session.commit()
        flash(_("Émission ajoutée : %(title)s", title=broadcast.title), "success")
        return redirect(url_for(".index"), 303)
    add_blank_rows(form)
    return _broadcast_form_page(form, status=422 if request.method == "POST" else 200)


@bp.route("/<int:broadcast_id>", methods=["GET", "POST"])
@login_required
def edit(broadcast_id: int):
    """Edit one broadcast: title, Paris times, families, links, replay, guests, fixed or not."""
    broadcast = broadcast_or_404(broadcast_id)
    form = BroadcastForm(data=None if request.method == "POST" else form_data(broadcast),
                         edition=broadcast.edition)
    if form.validate_on_submit():
        try:
            changed = desk.edit(broadcast, current_user, **form.fields_for_update())
        except BroadcastError as error:
            db.session.rollback()
            return _broadcast_form_page(form, broadcast_or_404(broadcast_id), str(error), 422)
        db.session.commit()
        flash(_("Émission enregistrée : %(title)s", title=broadcast.title) if changed
              else _("Rien n’a changé."), "success")
        return redirect(url_for(".index"), 303)
    add_blank_rows(form)
    return _broadcast_form_page(form, broadcast, status=422 if request.method == "POST" else 200)


@bp.route("/<int:broadcast_id>/delete", methods=["GET", "POST"])
@login_required
def delete(broadcast_id: int):
    """Ask whether to remove a broadcast from the lineup, then remove it once confirmed."""
    broadcast = broadcast_or_404(broadcast_id)
    form = ActionForm()
    if request.method == "GET":
        return render_template("admin/broadcast_delete.html", broadcast=broadcast, form=form,
                               logout_form=ActionForm(), family_label=family_name)
    if not form.validate_on_submit():
        return _lineup_page(_("Le formulaire a expiré : rechargez la page et recommencez."), 400)
    title = broadcast.title
    desk.delete(broadcast, current_user)
    db.session.commit()
    flash(_("Émission supprimée : %(title)s", title=title), "success")
    return redirect(url_for(".index"), 303)
