"""The GEN team's editions: list them, create the next one, change one's dates and publication."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import login_required

from .. import editions, editions_board
from ..auth import staff_only
from ..checks import FieldError
from ..db import begin_write, db
from ..editions_forms import EditionForm, form_data
from ..fields import ActionForm
from ..loaders import edition_or_404
from ..models import Edition

bp = Blueprint("editions_admin", __name__, url_prefix="/admin/editions")
staff_only(bp)


def _form_page(form: EditionForm, edition: Edition | None = None, status: int = 200):
    return render_template("admin/edition_form.html", form=form, edition=edition,
                           logout_form=ActionForm()), status


def _save(form: EditionForm, write) -> Edition | None:
    # Write inside the write transaction; the rules are checked again there (two staff at once).
    begin_write()
    try:
        edition = write(form.draft())
    except FieldError as error:
        db.session.rollback()
        getattr(form, error.field).errors.append(error.message)
        return None
    db.session.commit()
    return edition


@bp.get("")
@login_required
def index():
    """List every edition, newest first, with its state, submission window and sessions."""
    return render_template("admin/editions.html", rows=editions_board.board(), logout_form=ActionForm())


@bp.route("/nouvelle", methods=["GET", "POST"])
@login_required
def add():
    """Create an edition; the form proposes the next Open Gen week."""
    form = EditionForm(data=None if request.method == "POST" else form_data(editions_board.proposal()))
    if form.validate_on_submit():
        edition = _save(form, editions.create)
        if edition is not None:
            flash(_("Édition créée : %(name)s", name=edition.name), "success")
            return redirect(url_for(".index"), 303)
    return _form_page(form, status=422 if request.method == "POST" else 200)


@bp.route("/<int:year>/modifier", methods=["GET", "POST"])
@login_required
def edit(year: int):
    """Change an edition's name, dates, submission window or publication day."""
    edition = edition_or_404(year)
    form = EditionForm(data=None if request.method == "POST" else form_data(edition), editing=edition)
    if form.validate_on_submit():
        saved = _save(form, lambda draft: editions.update(edition_or_404(year), draft))
        if saved is not None:
            flash(_("Édition enregistrée : %(name)s", name=saved.name), "success")
            return redirect(url_for(".index"), 303)
    return _form_page(form, edition, status=422 if request.method == "POST" else 200)
