"""The reminder forms: leave an address on a session's page; confirm it; unsubscribe with a button."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import EmailField, SubmitField
from wtforms.validators import Email

from ..fields import BaseForm, length, one_line, required


class SubscribeForm(BaseForm):
    """An address to remind of one session."""

    email = EmailField(_l("Votre adresse e-mail"), filters=[one_line], validators=[
        required(_l("Indiquez votre adresse e-mail.")), length(254),
        Email(message=_l("Cette adresse e-mail n’est pas valide (exemple : prenom.nom@exemple.fr)."))])
    go = SubmitField(_l("Me prévenir"))


class ConfirmForm(BaseForm):
    """The button that confirms an address (a link alone could be opened by a mail scanner)."""

    go = SubmitField(_l("Confirmer mon adresse"))


class UnsubscribeForm(BaseForm):
    """The button that stops the reminders of one session."""

    go = SubmitField(_l("Ne plus recevoir de message pour cette session"))
