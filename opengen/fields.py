"""Building blocks of every form: cleaned text, French messages for typed values, the one URL rule.

Every POST goes through a FlaskForm (CSRF applies); `ActionForm` is the one-button POST.
"""
from __future__ import annotations

import re
import unicodedata

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    DateField,
    IntegerField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TimeField,
)
from wtforms.validators import InputRequired, Length, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from . import checks

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u2028\u2029]")


def clean_text(value):
    """Strip spaces, unify line ends and drop control characters (NUL breaks PostgreSQL)."""
    if not isinstance(value, str):
        return value
    value = unicodedata.normalize("NFC", value.replace("\r\n", "\n").replace("\r", "\n"))
    return _CONTROL.sub("", value).strip()


def one_line(value):
    """Collapse a single-line field's whitespace, newlines included."""
    return " ".join(value.split()) if isinstance(value, str) else value


class BaseForm(FlaskForm):
    """Every text field of every form is cleaned the same way."""

    class Meta:
        def bind_field(self, form, unbound_field, options):
            if issubclass(unbound_field.field_class, StringField):
                filters = list(unbound_field.kwargs.get("filters", ()))
                options["filters"] = [clean_text, *filters]
            return unbound_field.bind(form=form, **options)


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class _FrenchParseError:
    """A typed field whose parse error reads as our French `parse_error`, not WTForms' English one."""

    parse_error = ""

    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError:
            raise ValueError(str(self.parse_error)) from None


class DayField(_FrenchParseError, DateField):
    parse_error = _l("Date invalide : choisissez un jour (format AAAA-MM-JJ).")


class HourField(_FrenchParseError, TimeField):
    parse_error = _l("Heure invalide : utilisez le format HH:MM, par exemple 14:00.")


class NumberField(_FrenchParseError, IntegerField):
    parse_error = _l("Indiquez un nombre entier, par exemple 12.")


def http_url(form, field) -> None:
    """Accept only http(s) links with a host: no javascript:, no typo'd scheme."""
    if not field.data:
        return
    if checks.web_url(field.data) is None:
        raise ValidationError(_("Indiquez une adresse web complète, commençant par https://"))


def required(message):
    """An InputRequired validator with our message (WTForms' own is in English)."""
    return InputRequired(message=message)


def length(maximum: int, minimum: int = -1):
    """A Length validator with a French message."""
    return Length(min=minimum, max=maximum, message=_l(
        "Entre %(min)d et %(max)d caractères.") if minimum > 0 else _l("%(max)d caractères au plus."))


class ActionForm(BaseForm):
    """A one-button POST (logout, revoke a link, issue a new one): CSRF still applies."""

    go = SubmitField(_l("Confirmer"))
