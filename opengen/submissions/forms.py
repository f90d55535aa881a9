"""Flask-WTF forms: a school's submission and edits, the CSV import, staff login and moderation.

The submission form holds the rules on a session's data; the CSV import feeds each row through it
too, so a rule is written once.
"""
from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import (
    BooleanField,
    EmailField,
    FieldList,
    Form,
    FormField,
    HiddenField,
    PasswordField,
    RadioField,
    SelectChoice,
    StringField,
    SubmitField,
    TextAreaField,
    URLField,
)
from wtforms.validators import (
    Email,
    NumberRange,
    Optional,
    ValidationError,
)

from ..events.labels import AUDIENCE_LABELS, FORMAT_LABELS, KIND_LABELS
from ..fields import (
    BaseForm,
    DayField,
    HourField,
    MultiCheckboxField,
    NumberField,
    http_url,
    length,
    one_line,
    required,
)
from ..i18n import family_label
from ..models import Event, EventFormat, EventKind, Venue
from ..places.venues import VenueDraft, postcode_problem
from ..timezones import PARIS_NAME, local
from .operations import EventDetails, SubmissionDraft
from .slots import GRID_HOURS, aware, check_slot, grid_cell, grid_value, overlap

MAX_SESSIONS = 30
EXTRA_SLOT_ROWS = 3
MAX_FAMILIES = 3


class SlotForm(Form):
    """One session at a day and hour of the school's choosing (end optional: one hour)."""

    day = DayField(_l("Jour"), validators=[Optional()])
    start = HourField(_l("Début"), validators=[Optional()])
    end = HourField(_l("Fin (facultatif)"), validators=[Optional()],
                    description=_l("Laissez vide pour une session d’une heure."))

    def is_empty(self) -> bool:
        """Tell whether the school left this row blank."""
        return not (self.day.raw_data and self.day.raw_data[0]) and \
            not (self.start.raw_data and self.start.raw_data[0]) and \
            not (self.end.raw_data and self.end.raw_data[0])


class EventFieldsMixin:
    """The fields describing a session, shared by the submission and the edit forms."""

    title = StringField(_l("Titre de la session"), filters=[one_line],
                        validators=[required(_l("Donnez un titre à la session.")), length(120, 5)],
                        description=_l("Court et concret, par exemple « Atelier : crée ton premier site web »."))
    description = TextAreaField(_l("Description"),
                                validators=[required(_l("Décrivez la session en quelques phrases.")),
                                            length(5000, 20)],
                                description=_l("Ce que les visiteurs vont faire et découvrir, en langage simple."))
    kind = RadioField(_l("Type de session"), choices=[SelectChoice(k, v) for k, v in KIND_LABELS.items()],
                      validators=[required(_l("Choisissez le type de session."))])
    families = MultiCheckboxField(_l("Familles de métiers"), choices=[],
                                  description=_l("Une à trois familles présentées pendant la session."))
    audience = MultiCheckboxField(_l("Publics visés (facultatif)"),
                                  choices=[SelectChoice(k, v) for k, v in AUDIENCE_LABELS.items()])
    accessibility = TextAreaField(_l("Accessibilité (facultatif)"), validators=[length(1000)],
                                  description=_l("Accès, ascenseur, boucle magnétique, aide sur place…"))
    wheelchair_accessible = BooleanField(_l("Lieu accessible en fauteuil roulant"))
    format = RadioField(_l("Format"), choices=[SelectChoice(k, v) for k, v in FORMAT_LABELS.items()],
                        default="onsite", validators=[required(_l("Choisissez un format."))])
    online_url = URLField(_l("Lien pour suivre en ligne"), filters=[one_line],
                          validators=[length(500), http_url],
                          description=_l("Obligatoire si la session a lieu en ligne."))
    capacity = NumberField(_l("Nombre de places (facultatif)"),
                            validators=[Optional(), NumberRange(1, 1000, message=_l(
                                "Indiquez un nombre de places entre 1 et 1000, ou laissez vide si "
                                "le nombre n’est pas limité."))])
    registration_url = URLField(_l("Lien d’inscription (facultatif)"), filters=[one_line],
                                validators=[length(500), http_url])

    def validate_families(self, field) -> None:
        if not field.data:
            raise ValidationError(_("Choisissez au moins une famille de métiers."))
        if len(field.data) > MAX_FAMILIES:
            raise ValidationError(_("Vous avez coché %(num)s familles : gardez-en trois au plus, celles que "
                                    "la session présente le plus.", num=len(field.data)))

    def validate_online_url(self, field) -> None:
        if self.format.data in ("online", "both") and not field.data:
            raise ValidationError(_("Indiquez le lien de la session en ligne."))

    def details(self) -> EventDetails:
        """Return the session's details as typed."""
        fmt = EventFormat(self.format.data)
        return EventDetails(
            title=self.title.data, description=self.description.data, kind=EventKind(self.kind.data),
            families=tuple(self.families.data), audience=tuple(self.audience.data or ()),
            accessibility=self.accessibility.data or "",
            wheelchair_accessible=bool(self.wheelchair_accessible.data), format=fmt,
            online_url=(self.online_url.data or None) if fmt != EventFormat.onsite else None,
            capacity=self.capacity.data, registration_url=self.registration_url.data or None)


class VenueFieldsMixin:
    """Where the session takes place; required unless it is online only."""

    venue_name = StringField(_l("Nom du lieu"), filters=[one_line], validators=[length(200)],
                             description=_l("Par exemple « Campus Simplon de Montreuil »."))
    address = StringField(_l("Adresse"), filters=[one_line], validators=[length(300)],
                          description=_l("Numéro et rue, par exemple « 55 rue de Vincennes »."))
    postcode = StringField(_l("Code postal"), filters=[one_line], validators=[length(10)])
    city = StringField(_l("Ville"), filters=[one_line], validators=[length(120)])
    pin_lat = HiddenField()
    pin_lon = HiddenField()

    def _needs_venue(self) -> bool:
        return getattr(self, "format", None) is None or self.format.data in ("onsite", "both")

    def validate_venue_name(self, field) -> None:
        if self._needs_venue() and not field.data:
            raise ValidationError(_("Indiquez le nom du lieu."))

    def validate_address(self, field) -> None:
        if self._needs_venue() and not field.data:
            raise ValidationError(_("Indiquez l’adresse du lieu."))

    def validate_postcode(self, field) -> None:
        if self._needs_venue() or field.data:
            if not field.data:
                raise ValidationError(_("Indiquez le code postal."))
            problem = postcode_problem(field.data)
            if problem:
                raise ValidationError(problem)

    def validate_city(self, field) -> None:
        if self._needs_venue() and not field.data:
            raise ValidationError(_("Indiquez la ville."))

    def venue_draft(self) -> VenueDraft | None:
        """Return the venue as typed, or None for an online-only session."""
        if not self._needs_venue():
            return None
        return VenueDraft(self.venue_name.data, self.address.data, self.postcode.data, self.city.data)

    def pin(self) -> tuple[float | None, float | None]:
        """Return where the school dropped the pin, if it did."""
        try:
            lat, lon = float(self.pin_lat.data), float(self.pin_lon.data)
        except (TypeError, ValueError):
            return None, None
        if lat != lat or lon != lon:  # NaN
            return None, None
        return lat, lon


class SubmissionForm(BaseForm, EventFieldsMixin, VenueFieldsMixin):
    """Everything a school types to propose one event, held at one or several times in the week."""

    page_order = ("school_name", "school_website", "contact_email")  # then the session, the venue, the times
    school_name = StringField(_l("Nom de l’école"), filters=[one_line],
                              validators=[required(_l("Indiquez le nom de votre école.")), length(200, 2)],
                              description=_l("Choisissez votre école dans la liste ou tapez son nom si elle "
                                             "n’y est pas encore."))
    school_website = URLField(_l("Site web de l’école (facultatif)"), filters=[one_line],
                              validators=[length(500), http_url])
    contact_email = EmailField(_l("E-mail de contact"), filters=[one_line],
                               validators=[required(_l("Indiquez une adresse e-mail.")), length(254),
                                           Email(message=_l("Cette adresse e-mail n’est pas valide : écrivez-la en entier, "
                                                             "par exemple prenom.nom@ecole.fr."))],
                               description=_l("Nous y envoyons le lien pour modifier ou annuler vos sessions. "
                                              "Elle n’est pas publiée."))
    grid = MultiCheckboxField(_l("Créneaux d’une heure"), choices=[])
    slots = FieldList(FormField(SlotForm), label=_l("Autre horaire"), min_entries=EXTRA_SLOT_ROWS,
                      max_entries=MAX_SESSIONS)
    place_token = HiddenField()
    once_token = HiddenField()
    preview = SubmitField(_l("Vérifier ma proposition"))
    back = SubmitField(_l("Modifier"))
    confirm = SubmitField(_l("Confirmer et envoyer"))

    def __init__(self, *args, edition=None, families=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.edition = edition
        self.families.choices = [SelectChoice(f.slug, family_label(f)) for f in families]
        days = edition.days() if edition else []
        self.grid.choices = [SelectChoice(grid_value(d, h)) for d in days for h in GRID_HOURS]
        self._slots: list[tuple[datetime, datetime]] = []

    def grid_days(self) -> list[date]:
        """The days shown as columns of the week grid."""
        return self.edition.days() if self.edition else []

    def validate_grid(self, field) -> None:
        # SelectMultipleField already rejects values that are not cells of this week's grid.
        pass

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        if self.edition is None:
            self.grid.errors = [*self.grid.errors, _("Aucune édition Open Gen n’est ouverte.")]
            return False
        slots = self._collect_slots()
        if slots is None:
            return False
        if not slots:
            self.grid.errors = [*self.grid.errors, _("Cochez au moins un créneau dans la grille ou "
                                                     "indiquez un autre horaire.")]
            return False
        if len(slots) > MAX_SESSIONS:
            self.grid.errors = [*self.grid.errors, _(
                "%(num)s créneaux choisis : trente au plus par proposition. Décochez-en, et proposez les "
                "autres dans une seconde proposition.", num=len(slots))]
            return False
        clash = overlap(slots)
        if clash is not None:
            self.grid.errors = [*self.grid.errors, _(
                "Deux créneaux se chevauchent le %(day)s à %(hour)s : décochez l’un des deux ou changez "
                "un autre horaire.",
                day=clash.strftime("%d/%m"), hour=clash.strftime("%H:%M"))]
            return False
        self._slots = sorted(slots)
        return valid

    def _collect_slots(self) -> list[tuple[datetime, datetime]] | None:
        venue = self.venue_draft()
        zone = ZoneInfo(venue.timezone if venue else PARIS_NAME)
        days = self.edition.days()
        slots = []
        cells = {choice.value for choice in self.grid.choices}
        for value in self.grid.data or ():
            if value in cells:  # others were refused by the field itself
                slots.append(aware(*grid_cell(value), None, zone))
        ok = not self.grid.errors
        for row in self.slots:
            # Field by field: a subform's .errors is computed once and cached, and errors are added below.
            if any(field.errors for field in row.form):
                ok = False
                continue
            if row.is_empty():
                continue
            if row.day.data is None:
                row.day.errors.append(_("Indiquez le jour."))
                ok = False
                continue
            if row.start.data is None:
                row.start.errors.append(_("Indiquez l’heure de début."))
                ok = False
                continue
            problem = check_slot(row.day.data, row.start.data, row.end.data, days)
            if problem:
                getattr(row, problem[0]).errors.append(problem[1])
                ok = False
                continue
            slots.append(aware(row.day.data, row.start.data, row.end.data, zone))
        return slots if ok else None

    def draft(self) -> SubmissionDraft:
        """Return the validated submission as plain values."""
        return SubmissionDraft(school_name=self.school_name.data, contact_email=self.contact_email.data.lower(),
                               details=self.details(), venue=self.venue_draft(), slots=tuple(self._slots),
                               school_website=self.school_website.data or None)



def all_errors(form) -> list[tuple[str, str]]:
    """Every error message with its field's short name, read from the fields themselves.

    A subform's .errors is computed once and cached, so errors added after validation (the
    slots' week and hour checks) only show up field by field.
    """
    found: list[tuple[str, str]] = []
    for field in form:
        if isinstance(field, FieldList):
            found += [(field.short_name, str(e)) for e in field.errors if not isinstance(e, (dict, list))]
            for entry in field:
                found += all_errors(entry.form)
        else:
            found += [(field.short_name, str(e)) for e in field.errors if not isinstance(e, (dict, list))]
    return found


def _event_data(event: Event, zone: str) -> dict:
    start, end = local(event.start_at, zone), local(event.end_at, zone)
    return dict(title=event.title, description=event.description, kind=event.kind.value,
                families=[f.slug for f in event.families], audience=list(event.audience or ()),
                accessibility=event.accessibility, wheelchair_accessible=event.wheelchair_accessible,
                format=event.format.value, online_url=event.online_url, capacity=event.capacity,
                registration_url=event.registration_url, day=start.date(), start=start.time(),
                end=end.time())


class EditEventForm(BaseForm, EventFieldsMixin):
    """A school's changes to one session: its details and its time."""

    page_order = ("day", "start", "end")  # then the session's details
    day = DayField(_l("Jour"), validators=[required(_l("Indiquez le jour."))])
    start = HourField(_l("Début"), validators=[required(_l("Indiquez l’heure de début."))])
    end = HourField(_l("Fin"), validators=[Optional()], description=_l("Laissez vide pour une session d’une heure."))
    save = SubmitField(_l("Enregistrer les modifications"))

    def __init__(self, *args, edition=None, families=(), zone=PARIS_NAME, has_venue=True, **kwargs):
        super().__init__(*args, **kwargs)
        self.edition = edition
        self.zone = ZoneInfo(zone)
        self.has_venue = has_venue
        self.families.choices = [SelectChoice(f.slug, family_label(f)) for f in families]
        self.times: tuple[datetime, datetime] | None = None

    @classmethod
    def of(cls, event: Event, families, zone: str, filled: bool) -> EditEventForm:
        """Return the form for one session: filled with its values, or reading the posted ones."""
        return cls(data=_event_data(event, zone) if filled else None, edition=event.edition, families=families,
                   zone=zone, has_venue=event.venue is not None)

    def validate_format(self, field) -> None:
        if not self.has_venue and field.data != "online":
            raise ValidationError(_("Cette session n’a pas de lieu : elle reste en ligne. Pour une session "
                                    "sur place, faites une nouvelle proposition."))

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        if not valid or self.edition is None:
            return False
        problem = check_slot(self.day.data, self.start.data, self.end.data, self.edition.days())
        if problem:
            getattr(self, problem[0]).errors.append(problem[1])
            return False
        self.times = aware(self.day.data, self.start.data, self.end.data, self.zone)
        return True


class VenueForm(BaseForm, VenueFieldsMixin):
    """A school's changes to a venue: its address or the pin on the building."""

    save = SubmitField(_l("Enregistrer le lieu"))

    @classmethod
    def of(cls, venue: Venue, filled: bool) -> VenueForm:
        """Return the form for one venue: filled with its values, or reading the posted ones."""
        return cls(data=dict(venue_name=venue.name, address=venue.address, postcode=venue.postcode,
                             city=venue.city, pin_lat=venue.lat, pin_lon=venue.lon) if filled else None)


class CancelForm(BaseForm):
    confirm = SubmitField(_l("Oui, annuler cette session"))


class ImportForm(BaseForm):
    file = FileField(_l("Fichier CSV"), validators=[
        FileRequired(_l("Choisissez un fichier CSV.")),
        FileAllowed(["csv", "txt"], _l("Le fichier doit être au format CSV (.csv)."))],
        description=_l("Encodage UTF-8 ou Windows ; séparateur point-virgule ou virgule."))
    send = SubmitField(_l("Importer les sessions"))


class LoginForm(BaseForm):
    email = EmailField(_l("E-mail"), filters=[one_line], validators=[required(_l("Indiquez votre e-mail.")),
                                                                      length(254)])
    password = PasswordField(_l("Mot de passe"), validators=[required(_l("Indiquez votre mot de passe.")),
                                                             length(200)])
    login = SubmitField(_l("Se connecter"))


class ApproveForm(BaseForm):
    approve = SubmitField(_l("Valider et publier"))


class RejectForm(BaseForm):
    reason = TextAreaField(_l("Motif du refus"), validators=[
        required(_l("Indiquez le motif : il est envoyé à l’école.")), length(2000, 3)])
    reject = SubmitField(_l("Refuser"))


__all__ = ["SubmissionForm", "EditEventForm", "VenueForm", "CancelForm", "ImportForm", "LoginForm",
           "ApproveForm", "RejectForm"]
