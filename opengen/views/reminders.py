"""Reminders by e-mail: leave an address on a session's page, confirm it, unsubscribe; the privacy notice."""
from __future__ import annotations

from flask import Blueprint, Response, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from ..checks import FieldError
from ..db import db
from ..limits import limiter
from ..loaders import public_event_or_404
from ..reminders import subscriptions
from ..reminders.forms import ConfirmForm, SubscribeForm, UnsubscribeForm
from ..security import csrf, private_pages

bp = Blueprint("reminders", __name__)
# Every POST here goes through a FlaskForm, which checks the CSRF token itself (a missing token is
# shown next to the form, input kept), except the RFC 8058 one-click unsubscribe that mail
# providers send without any page.
csrf.exempt(bp)

ONE_CLICK = ("List-Unsubscribe", "One-Click")


@bp.app_context_processor
def _reminder_form():
    # What the session page's partial needs: no query, the form only.
    return {"reminder_form": SubscribeForm, "reminders_offered": subscriptions.offered}


private_pages(bp)  # forms, secret links and addresses: never cached, never referred


def _rate_limited(request_limit) -> Response:
    event = public_event_or_404(request.view_args["event_id"])
    form = SubscribeForm()
    form.email.errors = [_("Trop de demandes depuis votre connexion en peu de temps : réessayez dans une heure.")]
    return Response(render_template("reminders/subscribe.html", form=form, event=event), status=429)


@bp.get("/reminders/events/<int:event_id>")
def ask(event_id: int):
    """Show the form that asks for reminders of one session."""
    return render_template("reminders/subscribe.html", form=SubscribeForm(), event=public_event_or_404(event_id))


@bp.post("/reminders/events/<int:event_id>")
@limiter.limit(lambda: current_app.config["REMINDER_RATE_LIMIT"], on_breach=_rate_limited)
def subscribe(event_id: int):
    """Record an address to remind and queue its confirmation mail."""
    event = public_event_or_404(event_id)
    form = SubscribeForm()
    if form.validate():
        try:
            subscriptions.subscribe(event, form.email.data)
        except FieldError as error:
            form.email.errors = [error.message]
        else:
            db.session.commit()
            return redirect(url_for(".sent", event_id=event_id), 303)
    return render_template("reminders/subscribe.html", form=form, event=event), 422


@bp.get("/reminders/events/<int:event_id>/envoye")
def sent(event_id: int):
    """Say that a confirmation mail is on its way (the same whether the address was known or not)."""
    return render_template("reminders/sent.html", event=public_event_or_404(event_id))


def _invalid(message: str) -> Response:
    return Response(render_template("reminders/link_invalid.html", message=message), status=404)


@bp.route("/reminders/confirm/<token>", methods=["GET", "POST"])
def confirm(token: str):
    """Ask for the confirming click, then confirm the address."""
    form = ConfirmForm()
    if form.validate_on_submit():
        try:
            subscription = subscriptions.confirm(token)
        except FieldError as error:
            return _invalid(error.message)
        db.session.commit()
        flash(_("C’est confirmé : vous recevrez un rappel la veille, et un message si la session change "
                "d’horaire ou de lieu, ou si elle est annulée."), "success")
        return redirect(url_for("events.show", event_id=subscription.event_id), 303)
    subscription = subscriptions.awaiting_confirmation(token)
    if subscription is None:
        return _invalid(_("Ce lien de confirmation n’est plus valide : il a déjà servi, ou un lien plus "
                          "récent l’a remplacé."))
    return render_template("reminders/confirm.html", form=form, event=subscription.event), \
        422 if request.method == "POST" else 200


@bp.route("/reminders/unsubscribe/<token>", methods=["GET", "POST"])
def unsubscribe(token: str):
    """Ask for the unsubscribing click (or take a mail provider's one-click POST), then unsubscribe."""
    if request.method == "POST" and request.form.get(ONE_CLICK[0]) == ONE_CLICK[1]:
        event = subscriptions.unsubscribe(token)
        db.session.commit()
        text = _("Désinscription faite.") if event else _("Ce lien de désinscription n’est plus valide.")
        return Response(text, status=200 if event else 404, mimetype="text/plain")
    form = UnsubscribeForm()
    if form.validate_on_submit():
        event = subscriptions.unsubscribe(token)
        db.session.commit()
        if event is None:
            return _invalid(_("Ce lien de désinscription n’est plus valide : vous êtes sans doute déjà désinscrit."))
        return render_template("reminders/unsubscribed.html", event=event)
    subscription = subscriptions.of_unsubscribe_token(token)
    if subscription is None:
        return _invalid(_("Ce lien de désinscription n’est plus valide : vous êtes sans doute déjà désinscrit."))
    return render_template("reminders/unsubscribe.html", form=form, event=subscription.event), \
        422 if request.method == "POST" else 200


@bp.get("/confidentialite")
def privacy():
    """Show what the site stores about visitors, why, for how long, and how to be forgotten."""
    config = current_app.config
    return render_template("reminders/privacy.html", contact=config.get("PRIVACY_CONTACT") or config["MAIL_FROM"])
