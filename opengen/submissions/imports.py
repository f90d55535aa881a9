"""Bulk import of sessions from CSV, for networks with many campuses: a row is imported whole or not at all.

Each row is one session. It goes through the same form as a school typing it, so the same rules
and the same French messages apply; rows of one school and one contact e-mail share one edit link.
"""
from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import click
from flask import Flask, current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from werkzeug.datastructures import MultiDict
from wtforms import FieldList, FormField

from ..checks import FieldError
from ..db import begin_write, db
from ..events import queries
from ..events.labels import AUDIENCE_LABELS, FORMAT_LABELS, KIND_LABELS
from ..mail import send_edit_link
from ..models import CareerFamily, Edition
from ..places import venues
from ..places.lookup import get_geocoder
from ..places.venues import normalise
from . import windows
from .forms import SlotForm, SubmissionForm, all_errors
from .import_writes import ImportReport, Ready, RejectedRow, save_rows

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


class RowForm(SubmissionForm):
    """The submission form as one CSV row fills it: the same fields and rules, one slot (the
    school's page shows three empty ones). One instance checks every row of a file in turn."""

    slots = FieldList(FormField(SlotForm), min_entries=1, max_entries=1)

    def check(self, formdata: MultiDict) -> bool:
        """Take one row's data, as if newly posted, and validate it."""
        self.process(formdata)
        return self.validate()


def _venue_query(row: dict[str, str]) -> str:
    """The text a row's venue is geocoded by (as VenueDraft.query builds it)."""
    return venues.VenueDraft("", *((row.get(column) or "").strip()
                                   for column in ("adresse", "code_postal", "ville"))).query


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
    save_rows(ready, edition, {family.slug: family for family in family_rows}, client_key, report)
    report.rejected.sort(key=lambda rejected: rejected.line)
    return report


def _checked(rows: list[dict[str, str]], edition, family_rows: list[CareerFamily],
             report: ImportReport) -> list[Ready]:
    families = {f.slug: f.label_fr for f in family_rows}
    located: dict[str, venues.Location | FieldError] = {}
    ready: list[Ready] = []
    # The venues' cached geocoding read at once, not row by row.
    get_geocoder().prefetch([_venue_query(row) for row in rows])
    # Built once: binding the form's fields costs more than checking a row.
    form = RowForm(formdata=None, meta={"csrf": False}, edition=edition, families=family_rows)
    for number, row in enumerate(rows, start=2):
        if not any((value or "").strip() for value in row.values() if isinstance(value, str)):
            continue
        if not form.check(row_formdata(row, families)):
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
