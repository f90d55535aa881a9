"""Bulk import of sessions from CSV, for networks with many campuses: a row is imported whole or not at all.

Each row is one session. It goes through the same form as a school typing it, so the same rules
and the same French messages apply; rows of one school and one contact e-mail share one edit link.
"""
from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from pathlib import Path

import click
from flask import Flask, current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.exc import SQLAlchemyError
from werkzeug.datastructures import MultiDict

from ..checks import FieldError
from ..db import begin_write, db
from ..events import queries
from ..events.labels import AUDIENCE_LABELS, FORMAT_LABELS, KIND_LABELS
from ..mail import send_edit_link
from ..models import CareerFamily, Edition, School, Submission, Venue
from ..places import venues
from ..places.venues import normalise
from . import duplicates, operations, windows
from .forms import SubmissionForm, all_errors

MAX_ROWS = 2000

# (column, form field, what to write) in file order.
COLUMNS: tuple[tuple[str, str, object], ...] = (
    ("ecole", "school_name", _l("Nom de l’école (obligatoire).")),
    ("site_web", "school_website", _l("Site de l’école, https://… (facultatif).")),
    ("email_contact", "contact_email", _l("E-mail qui reçoit le lien de modification (obligatoire).")),
    ("titre", "title", _l("Titre de la session, 5 à 120 caractères (obligatoire).")),
    ("description", "description", _l("20 à 5000 caractères (obligatoire).")),
    ("type", "kind", _l("atelier, metier, temoignage, portes_ouvertes ou reunion (ou le code anglais).")),
    ("familles", "families", _l("Une à trois familles séparées par « | », par exemple data|cloud.")),
    ("publics", "audience", _l("Facultatif, séparés par « | », par exemple no-prerequisite|job-seekers.")),
    ("accessibilite", "accessibility", _l("Texte libre (facultatif).")),
    ("accessible_fauteuil", "wheelchair_accessible", _l("oui ou non.")),
    ("format", "format", _l("sur_place, en_ligne ou les_deux.")),
    ("lien_en_ligne", "online_url", _l("Obligatoire si en ligne ou les deux.")),
    ("places", "capacity", _l("Nombre de places (facultatif).")),
    ("lien_inscription", "registration_url", _l("https://… (facultatif).")),
    ("lieu", "venue_name", _l("Nom du lieu (obligatoire sur place).")),
    ("adresse", "address", _l("Numéro et rue (obligatoire sur place).")),
    ("code_postal", "postcode", _l("Cinq chiffres.")),
    ("ville", "city", _l("Ville.")),
    ("jour", "slots-0-day", _l("AAAA-MM-JJ ou JJ/MM/AAAA, un jour de la semaine Open Gen.")),
    ("debut", "slots-0-start", _l("HH:MM, par exemple 14:00.")),
    ("fin", "slots-0-end", _l("HH:MM (facultatif : une heure après le début).")),
)
COLUMN_OF_FIELD = {form_field.split("-")[-1] if form_field.startswith("slots") else form_field: column
                   for column, form_field, _help in COLUMNS}
COLUMN_OF_FIELD.update(grid="jour", pin="adresse")
REQUIRED = ("ecole", "email_contact", "titre", "description", "type", "familles", "format", "jour", "debut")

KIND_WORDS = {"atelier": "workshop", "metier": "career_talk", "temoignage": "testimony",
              "portes_ouvertes": "open_house", "reunion": "info_session"}
FORMAT_WORDS = {"sur_place": "onsite", "en_ligne": "online", "les_deux": "both",
                "sur_place_et_en_ligne": "both"}
YES = {"oui", "o", "yes", "y", "1", "true", "vrai", "x"}


@dataclass
class RejectedRow:
    line: int
    problems: list[tuple[str, str]]


@dataclass
class ImportReport:
    imported: int = 0
    rejected: list[RejectedRow] = field(default_factory=list)
    links: list[tuple[Submission, str]] = field(default_factory=list)
    pending_geocoding: int = 0
    file_error: str | None = None


def _decode(data: bytes) -> str:
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    return data.decode("latin-1")


def _key(word: str) -> str:
    return normalise(word).replace(" ", "_")


def _lookup(value: str, words: dict[str, str], labels: dict) -> str:
    key = _key(value)
    if key in words:
        return words[key]
    for code, label in labels.items():
        if key in (_key(code), _key(str(label))):
            return code
    return value.strip()


def _list(value: str, labels: dict) -> list[str]:
    items = [item for item in re.split(r"[|;,]", value or "") if item.strip()]
    return [_lookup(item, {}, labels) for item in items]


def _day(value: str) -> str:
    match = re.fullmatch(r"\s*(\d{1,2})/(\d{1,2})/(\d{4})\s*", value or "")
    return f"{match[3]}-{int(match[2]):02d}-{int(match[1]):02d}" if match else (value or "").strip()


def _hour(value: str) -> str:
    match = re.fullmatch(r"\s*(\d{1,2})\s*[h:Hh]\s*(\d{2})?\s*", value or "")
    return f"{int(match[1]):02d}:{match[2] or '00'}" if match else (value or "").strip()


def row_formdata(row: dict[str, str], families: dict) -> MultiDict:
    """Turn one CSV row into the form data a school would have posted."""
    data = MultiDict()
    for column, form_field, _help in COLUMNS:
        value = (row.get(column) or "").strip()
        if column == "type":
            data.add(form_field, _lookup(value, KIND_WORDS, KIND_LABELS))
        elif column == "format":
            data.add(form_field, _lookup(value, FORMAT_WORDS, FORMAT_LABELS) if value else "onsite")
        elif column == "familles":
            for slug in _list(value, families):
                data.add(form_field, slug)
        elif column == "publics":
            for slug in _list(value, AUDIENCE_LABELS):
                data.add(form_field, slug)
        elif column == "accessible_fauteuil":
            if _key(value) in YES:
                data.add(form_field, "y")
        elif column == "jour":
            data.add(form_field, _day(value))
        elif column in ("debut", "fin"):
            data.add(form_field, _hour(value))
        else:
            data.add(form_field, value)
    return data


def _problems(form: SubmissionForm) -> list[tuple[str, str]]:
    return [(COLUMN_OF_FIELD.get(name, name), str(message)) for name, message in all_errors(form)]


def _read(text: str) -> csv.DictReader:
    sample = text[:4096]
    delimiter = ";" if sample.count(";") >= sample.count(",") else ","
    reader = csv.DictReader(io.StringIO(text, newline=""), delimiter=delimiter)
    if reader.fieldnames:
        reader.fieldnames = [_key(name) for name in reader.fieldnames]
    return reader


def import_file(data: bytes, client_key: str | None = None) -> ImportReport:
    """Import every valid row of a CSV file as pending sessions of the edition taking proposals;
    report each rejected row and why (the whole file is refused when no edition takes proposals)."""
    report = ImportReport()
    edition = windows.open_edition()
    if edition is None:
        report.file_error = windows.closed_message()
        return report
    try:
        reader = _read(_decode(data))
        header = reader.fieldnames or []
    except csv.Error as error:
        report.file_error = _("Fichier illisible : %(error)s", error=str(error))
        return report
    missing = [column for column in REQUIRED if column not in header]
    if missing:
        report.file_error = _("Colonnes manquantes : %(columns)s. Téléchargez le modèle pour voir la "
                              "disposition attendue.", columns=", ".join(missing))
        return report
    try:
        rows = list(reader)
    except csv.Error as error:
        report.file_error = _("Fichier illisible : %(error)s", error=str(error))
        return report
    if len(rows) > MAX_ROWS:
        report.file_error = _("%(count)s lignes : %(max)s au plus par fichier.", count=len(rows), max=MAX_ROWS)
        return report
    # First check every row and locate its venue (the address service is called here, with no
    # write lock held), then write the good rows, each whole or not at all.
    family_rows = queries.families()
    ready = _checked(rows, edition, family_rows, report)
    begin_write()
    _save(ready, edition, {family.slug: family for family in family_rows}, client_key, report)
    report.rejected.sort(key=lambda rejected: rejected.line)
    return report


Ready = tuple[int, operations.SubmissionDraft, venues.Location | None]


def _checked(rows: list[dict[str, str]], edition, family_rows: list[CareerFamily],
             report: ImportReport) -> list[Ready]:
    families = {f.slug: f.label_fr for f in family_rows}
    located: dict[str, venues.Location | FieldError] = {}
    ready: list[Ready] = []
    for number, row in enumerate(rows, start=2):
        if not any((value or "").strip() for value in row.values() if isinstance(value, str)):
            continue
        form = SubmissionForm(formdata=row_formdata(row, families), meta={"csrf": False},
                              edition=edition, families=family_rows)
        if not form.validate():
            report.rejected.append(RejectedRow(number, _problems(form)))
            continue
        draft = form.draft()
        location = None
        if draft.venue is not None:
            query = normalise(draft.venue.query)
            if query not in located:
                try:
                    located[query] = venues.locate_draft(draft.venue)
                except FieldError as error:
                    located[query] = error
            location = located[query]
            if isinstance(location, FieldError):
                report.rejected.append(RejectedRow(number, [(COLUMN_OF_FIELD.get(location.field, "adresse"),
                                                             location.message)]))
                continue
        ready.append((number, draft, location))
    return ready


def _school_key(name: str) -> str:
    return " ".join(name.split()).lower()  # as schools.find_school compares names


def _known_schools(names: set[str]) -> dict[str, int]:
    """The id of each school named in the file that already exists, in one query (the lowest id
    per name, as find_school picks)."""
    lowered = func.lower(School.name)
    found: dict[str, int] = {}
    for school_id, key in db.session.execute(
            select(School.id, lowered).where(lowered.in_(names)).order_by(School.id)):
        found.setdefault(key, school_id)
    return found


def _save(ready: list[Ready], edition, families: dict[str, CareerFamily], client_key: str | None,
          report: ImportReport) -> None:
    groups: dict[tuple[str, str], operations.Submitted] = {}
    venues_made: dict[tuple, Venue] = {}
    school_ids = _known_schools({_school_key(draft.school_name) for _number, draft, _location in ready})
    for number, draft, location in ready:
        school_id = school_ids.get(_school_key(draft.school_name))
        if school_id is not None and duplicates.is_duplicate(draft, school_id):
            report.rejected.append(RejectedRow(number, [("titre", _(
                "Cette session existe déjà (même école, même titre, même lieu, même heure)."))]))
            continue
        group_key = (normalise(draft.school_name), draft.contact_email)
        new_group = group_key not in groups
        try:
            with db.session.begin_nested():
                if new_group:
                    groups[group_key] = operations.start_submission(
                        draft.school_name, draft.contact_email, draft.school_website, client_key=client_key)
                submitted = groups[group_key]
                venue = None
                if draft.venue is not None:
                    venue_key = (group_key, draft.venue.key, draft.venue.name)
                    venue = venues_made.get(venue_key)
                    if venue is None:
                        venue = venues.create_venue(submitted.submission.school, draft.venue, location)
                        venues_made[venue_key] = venue
                for event in operations.add_sessions(submitted, draft, venue, edition, families):
                    operations.log("imported", draft.contact_email, event=event, submission=submitted.submission)
                db.session.flush()
        except SQLAlchemyError as error:
            current_app.logger.exception("CSV row %s could not be saved", number, exc_info=error)
            if new_group:
                groups.pop(group_key, None)
            venues_made = {k: v for k, v in venues_made.items() if v in db.session}
            report.rejected.append(RejectedRow(number, [("", _("Ligne non enregistrée (erreur de base de "
                                                               "données) : réessayez."))]))
            continue
        school_ids.setdefault(_school_key(draft.school_name), submitted.submission.school_id)
        report.imported += 1
        if draft.venue is not None and (location is None or location.pending):
            report.pending_geocoding += 1
    report.links = [(submitted.submission, submitted.token) for submitted in groups.values()]


def example_csv(edition: Edition | None = None) -> str:
    """Return a small CSV file showing the expected columns, for schools to fill in (dated on the
    first day of the edition taking proposals, if any)."""
    day = edition.starts_on.strftime("%d/%m/%Y") if edition is not None else "29/11/2021"
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow([column for column, _field, _help in COLUMNS])
    writer.writerow(["Simplon Montreuil", "https://simplon.co", "contact@example.org",
                     "Atelier : crée ta première page web", "Une heure pour écrire ta première page web, "
                     "sans prérequis.", "atelier", "web-development", "no-prerequisite",
                     "Rez-de-chaussée, ascenseur.", "oui", "sur_place", "", "12",
                     "https://example.org/inscription", "Campus Simplon", "55 rue de Vincennes", "93100",
                     "Montreuil", day, "14:00", "15:00"])
    return out.getvalue()


@click.command("import-events")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def import_events_command(path: Path) -> None:
    """Import sessions from a CSV file (see /submit/import for the columns)."""
    base = current_app.config.get("PUBLIC_BASE_URL") or "http://localhost:5000"
    with current_app.test_request_context(base_url=base):  # French messages and links, as on the web
        report = import_file(path.read_bytes(), client_key="cli")
        db.session.commit()
        if report.file_error:
            click.echo(report.file_error, err=True)
            raise SystemExit(2)
        click.echo(f"{report.imported} session(s) importée(s), {len(report.rejected)} ligne(s) rejetée(s).")
        for rejected in report.rejected:
            for column, message in rejected.problems:
                click.echo(f"ligne {rejected.line} [{column}] : {message}")
        for submission, token in report.links:
            link = send_edit_link(submission, token)
            click.echo(f"Lien de modification pour {submission.school.name} <{submission.contact_email}> : {link}")
    if report.rejected:
        raise SystemExit(1)


def init_app(app: Flask) -> None:
    """Register the import-events command."""
    app.cli.add_command(import_events_command)
