"""The GEN team's form for one morning broadcast: Paris day and hours, families, links, guests."""
from __future__ import annotations

from datetime import datetime

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel.speaklater import LazyString
from wtforms import (
    BooleanField,
    FieldList,
    Form,
    FormField,
    SelectChoice,
    StringField,
    SubmitField,
    TextAreaField,
    URLField,
)
from wtforms.validators import ValidationError

from ..events.families import FAMILIES
from ..fields import (
    BaseForm,
    DayField,
    HourField,
    MultiCheckboxField,
    clean_text,
    http_url,
    length,
    one_line,
    required,
)
from ..i18n import day_label, family_label
from ..models import Broadcast, Edition
from ..timezones import PARIS
from .operations import (
    NAME_MAX,
    PLATFORM_MAX,
    TITLE_MAX,
    URL_MAX,
    BroadcastError,
    paris_moment,
    problems,
)

DESCRIPTION_MAX = 5000
MAX_ROWS = 10
BLANK_ROWS = 2


class LinkRow(Form):
    """One platform where the broadcast streams."""

    platform = StringField(_l("Plateforme"), filters=[clean_text, one_line], validators=[length(PLATFORM_MAX)])
    url = URLField(_l("Adresse"), filters=[clean_text, one_line], validators=[length(URL_MAX), http_url])

    def validate_platform(self, field) -> None:
        if self.url.data and not field.data:
            raise ValidationError(_("Nommez la plateforme de ce lien, par exemple YouTube."))

    def validate_url(self, field) -> None:
        if self.platform.data and not field.data:
            raise ValidationError(_("Indiquez l’adresse de ce lien, commençant par https://"))


class GuestRow(Form):
    """One guest of the show."""

    name = StringField(_l("Nom"), filters=[clean_text, one_line], validators=[length(NAME_MAX)])
    role = StringField(_l("Rôle"), filters=[clean_text, one_line], validators=[length(TITLE_MAX)])

    def validate_name(self, field) -> None:
        if self.role.data and not field.data:
            raise ValidationError(_("Indiquez le nom de cet invité."))


class FamilyChoices(MultiCheckboxField):
    def pre_validate(self, form) -> None:
        # The default message is English and names the raw value; ours says what to do.
        known = {f.slug for f in FAMILIES}
        if any(value not in known for value in self.data or ()):
            raise ValidationError(_("Famille de métiers inconnue : choisissez dans la liste."))


class BroadcastForm(BaseForm):
    """Everything about a broadcast the team can change; times are Paris wall times."""

    title = StringField(_l("Titre"), filters=[one_line],
                        validators=[required(_l("Donnez un titre à l’émission.")), length(TITLE_MAX)])
    description = TextAreaField(_l("Description"), validators=[length(DESCRIPTION_MAX)])
    day = DayField(_l("Jour"), validators=[required(_l("Choisissez le jour de l’émission."))])
    start = HourField(_l("Début (heure de Paris)"), validators=[required(_l("Indiquez l’heure de début."))])
    end = HourField(_l("Fin (heure de Paris)"), validators=[required(_l("Indiquez l’heure de fin."))])
    families = FamilyChoices(_l("Familles de métiers présentées"),
                             choices=[SelectChoice(f.slug, LazyString(family_label, f)) for f in FAMILIES])
    links = FieldList(FormField(LinkRow), label=_l("Liens de diffusion"), max_entries=MAX_ROWS)
    replay_url = URLField(_l("Lien du replay (facultatif)"), filters=[one_line],
                          validators=[length(URL_MAX), http_url])
    guests = FieldList(FormField(GuestRow), label=_l("Invités"), max_entries=MAX_ROWS)
    is_fixed = BooleanField(_l("Créneau fixé (le planificateur ne le déplace pas)"))
    save = SubmitField(_l("Enregistrer"))

    start_at: datetime | None = None
    end_at: datetime | None = None

    def __init__(self, *args, edition: Edition | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.edition = edition

    def validate_day(self, field) -> None:
        edition = self.edition
        if edition is None or field.data is None:
            return
        if not edition.starts_on <= field.data <= edition.ends_on:
            raise ValidationError(_("Choisissez un jour de l’édition, du %(first)s au %(last)s.",
                                    first=day_label(edition.starts_on), last=day_label(edition.ends_on)))

    def validate_title(self, field) -> None:
        if not field.data:
            raise ValidationError(_("Donnez un titre à l’émission."))

    def validate_families(self, field) -> None:
        if not field.data:
            raise ValidationError(_("Choisissez au moins une famille de métiers."))

    def validate(self, extra_validators=None) -> bool:
        """Check every field, read the day and hours as Paris times, then apply the broadcast rules.

        The rules are the domain's (operations.problems); each of its errors is shown next to its
        field unless that field already has one of the form's own.
        """
        valid = super().validate(extra_validators)
        if self.day.errors or self.day.data is None or self.start.data is None or self.end.data is None:
            return False
        try:
            self.start_at = paris_moment(self.day.data, self.start.data, "start")
            self.end_at = paris_moment(self.day.data, self.end.data, "end")
        except BroadcastError as error:
            self._field(error.field).errors.append(error.message)
            return False
        values = self.fields_for_update()
        values["replay_url"] = values["replay_url"] or None  # "" asks update() to remove the replay
        for error in problems(values):
            field = self._field(error.field)
            if not field.errors:
                field.errors.append(error.message)
                valid = False
        return valid

    def _field(self, name: str):
        """The form field a domain error names: a top-level field, or links-0-url in a kept row."""
        kind, _sep, rest = name.partition("-")
        if not rest:
            return self[name]
        row, _sep, column = rest.partition("-")
        return self._kept_rows(kind)[int(row)][column]

    def _kept_rows(self, kind: str) -> list[Form]:
        """The link rows with an address, or the guest rows with a name: those that are saved."""
        if kind == "links":
            return [entry.form for entry in self.links if entry.form.url.data]
        return [entry.form for entry in self.guests if entry.form.name.data]

    def fields_for_update(self) -> dict:
        """Return the typed values as keyword arguments for broadcasts.update() or create()."""
        return {
            "title": self.title.data, "description": self.description.data or "",
            "start_at": self.start_at, "end_at": self.end_at, "families": list(self.families.data),
            "links": [{"platform": row.platform.data, "url": row.url.data}
                      for row in self._kept_rows("links")],
            "replay_url": self.replay_url.data or "",
            "guests": [{"name": row.name.data, "role": row.role.data or ""}
                       for row in self._kept_rows("guests")],
            "is_fixed": bool(self.is_fixed.data),
        }


def form_data(broadcast: Broadcast) -> dict:
    """Return a broadcast's values in the form's shape, in Paris time."""
    start, end = broadcast.start_at.astimezone(PARIS), broadcast.end_at.astimezone(PARIS)
    return {"title": broadcast.title, "description": broadcast.description or "", "day": start.date(),
            "start": start.time().replace(second=0, microsecond=0),
            "end": end.time().replace(second=0, microsecond=0),
            "families": [f.slug for f in broadcast.families], "links": list(broadcast.links or []),
            "replay_url": broadcast.replay_url or "", "guests": list(broadcast.guests or []),
            "is_fixed": broadcast.is_fixed}


def add_blank_rows(form: BroadcastForm) -> None:
    """Offer a couple of empty link and guest rows to fill, within the row limit."""
    for rows in (form.links, form.guests):
        for _i in range(BLANK_ROWS):
            if len(rows) < MAX_ROWS:
                rows.append_entry()
