"""The GEN team's form for an edition: its name, its week, the schools' submission window, its publication."""
from __future__ import annotations

from dataclasses import asdict

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import StringField, SubmitField
from wtforms.validators import Optional, ValidationError

from .checks import FieldError
from .editions import EditionDraft, check
from .fields import BaseForm, DayField, length, one_line, required
from .models import Edition
from .timezones import PARIS_NAME

NAME_MAX = 120  # models.Edition.name
DATES = ("starts_on", "ends_on", "submissions_open_on", "submissions_close_on", "published_on")


class EditionForm(BaseForm):
    """Everything staff set about an edition; the dates are checked by editions.check."""

    name = StringField(_l("Nom"), filters=[one_line], description=_l("Par exemple : Open Gen 2025."),
                       validators=[required(_l("Donnez un nom à l’édition.")), length(NAME_MAX)])
    starts_on = DayField(_l("Premier jour"), validators=[required(_l("Indiquez le premier jour de l’édition."))])
    ends_on = DayField(_l("Dernier jour"), validators=[required(_l("Indiquez le dernier jour de l’édition."))])
    submissions_open_on = DayField(
        _l("Ouverture des propositions des écoles"), validators=[Optional()],
        description=_l("Laissez vide pour les ouvrir dès l’enregistrement."))
    submissions_close_on = DayField(
        _l("Clôture des propositions des écoles"), validators=[Optional()],
        description=_l("Dernier jour où les écoles proposent ou modifient leurs sessions ; "
                       "laissez vide pour le dernier jour de l’édition."))
    published_on = DayField(
        _l("Publication sur le site"), validators=[Optional()],
        description=_l("Jusqu’à ce jour l’édition est un brouillon que seule l’équipe voit ; ensuite elle "
                       "devient l’édition affichée. Laissez vide pour la publier dès l’enregistrement."))
    save = SubmitField(_l("Enregistrer"))

    def __init__(self, *args, editing: Edition | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.editing = editing

    def validate_name(self, field) -> None:
        if not field.data:
            raise ValidationError(_("Donnez un nom à l’édition."))

    def validate_submissions_open_on(self, field) -> None:
        # With a closing day, editions.check compares the two; without one they close on the last day.
        last = self.ends_on.data
        if field.data and last and not self.submissions_close_on.data and field.data > last:
            raise ValidationError(_("Les propositions doivent ouvrir au plus tard le dernier jour de l’édition."))

    def validate(self, extra_validators=None) -> bool:
        """Check each field, then the edition's rules (editions.check), shown next to their field."""
        valid = super().validate(extra_validators)
        if any(getattr(self, name).errors for name in DATES) or None in (self.starts_on.data, self.ends_on.data):
            return False
        try:
            check(self.draft(), editing=self.editing)
        except FieldError as error:
            getattr(self, error.field).errors.append(error.message)
            return False
        return valid

    def draft(self) -> EditionDraft:
        """Return what was entered, as the editions module takes it."""
        return EditionDraft(name=self.name.data or "", starts_on=self.starts_on.data, ends_on=self.ends_on.data,
                            submissions_open_on=self.submissions_open_on.data,
                            submissions_close_on=self.submissions_close_on.data,
                            published_on=self.published_on.data,
                            timezone=self.editing.timezone if self.editing is not None else PARIS_NAME)


def form_data(source: Edition | EditionDraft) -> dict:
    """Return an edition's (or a proposal's) values as the form shows them."""
    if isinstance(source, EditionDraft):
        values = asdict(source)
    else:
        values = {name: getattr(source, name) for name in ("name", *DATES)}
    return {name: values[name] for name in ("name", *DATES)}
