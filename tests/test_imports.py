"""Bulk CSV import: the documented layout, a report of every rejected row, nothing half-imported."""
from __future__ import annotations

import csv
import io

import pytest

from sqlalchemy import func, select

from opengen.db import db
from opengen.models import Event, EventStatus, ModerationLog, School, Submission, Venue
from opengen.submissions.imports import COLUMNS, example_csv

from .conftest import csrf_token, paris

# The real clock is years past the test edition: freeze it while that edition takes proposals.
pytestmark = pytest.mark.usefixtures("submissions_open")

HEADER = [column for column, _field, _help in COLUMNS]
GOOD = {"ecole": "Simplon Montreuil", "site_web": "https://simplon.example.org",
        "email_contact": "reseau@simplon.example.org", "titre": "Atelier : crée ta première page web",
        "description": "Une heure pour écrire ta première page web, sans prérequis.", "type": "atelier",
        "familles": "web-development|data", "publics": "no-prerequisite", "accessibilite": "Rez-de-chaussée",
        "accessible_fauteuil": "oui", "format": "sur_place", "lien_en_ligne": "", "places": "12",
        "lien_inscription": "https://inscription.example.org/1", "lieu": "Campus Simplon",
        "adresse": "55 rue de Vincennes", "code_postal": "93100", "ville": "Montreuil", "jour": "29/11/2021",
        "debut": "14:00", "fin": ""}


def csv_bytes(rows: list[dict], delimiter: str = ";", encoding: str = "utf-8") -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=HEADER, delimiter=delimiter, lineterminator="\r\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({**GOOD, **row})
    return out.getvalue().encode(encoding)


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def upload(client, data: bytes, filename: str = "sessions.csv"):
    token = csrf_token(client.get("/submit/import").get_data(as_text=True))
    return client.post("/submit/import", data={"csrf_token": token, "file": (io.BytesIO(data), filename)},
                       content_type="multipart/form-data")


def test_the_import_page_documents_every_column_and_offers_a_template(client):
    page = client.get("/submit/import").get_data(as_text=True)
    for column in HEADER:
        assert f"<code>{column}</code>" in page
    template = client.get("/submit/import/modele.csv")
    assert template.status_code == 200 and template.mimetype == "text/csv"
    assert template.get_data(as_text=True).splitlines()[0] == ";".join(HEADER)


def test_the_example_file_itself_imports(client, fake_ban):
    response = upload(client, example_csv().encode())
    assert response.status_code == 200 and "1 session importée" in response.get_data(as_text=True)


def test_valid_rows_are_imported_pending_with_one_link_per_school_contact(ctx, client, fake_ban):
    rows = [{}, {"debut": "15:00", "fin": "16:30"}, {"jour": "2021-11-30", "debut": "9h"},
            {"ecole": "Simplon Lyon", "email_contact": "lyon@simplon.example.org", "adresse": "10 rue Victor Hugo",
             "code_postal": "69002", "ville": "Lyon", "type": "Portes ouvertes", "format": "les_deux",
             "lien_en_ligne": "https://visio.example.org/lyon"}]
    response = upload(client, csv_bytes(rows))
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "4 sessions importées" in page and "aucune ligne refusée" in page
    events = db.session.scalars(select(Event).order_by(Event.start_at, Event.id)).all()
    assert {e.status for e in events} == {EventStatus.pending}
    montreuil = [e for e in events if e.school.name == "Simplon Montreuil"]
    assert sorted((e.start_at, e.end_at) for e in montreuil) == [
        (paris(2021, 11, 29, 14), paris(2021, 11, 29, 15)), (paris(2021, 11, 29, 15), paris(2021, 11, 29, 16, 30)),
        (paris(2021, 11, 30, 9), paris(2021, 11, 30, 10))]
    assert [f.slug for f in montreuil[0].families] == ["web-development", "data"]
    assert montreuil[0].wheelchair_accessible and montreuil[0].capacity == 12
    assert len({e.venue_id for e in montreuil}) == 1 and montreuil[0].venue.lat == 48.85743
    assert count(Submission) == 2 and count(Venue) == 2 and count(School) == 2
    assert page.count("/submit/edit/") == 4  # two links, each as text and as href
    assert db.session.scalar(select(func.count()).select_from(ModerationLog).where(
        ModerationLog.action == "imported")) == 4


def test_every_rejected_row_is_reported_with_its_reason_and_nothing_of_it_is_saved(ctx, client, fake_ban):
    rows = [
        {},                                                       # line 2: fine
        {"titre": ""},                                            # 3
        {"jour": "06/12/2021"},                                   # 4: outside the week
        {"debut": "15:00", "fin": "14:00"},                       # 5: end before start
        {"adresse": "3 rue X", "code_postal": "96000", "ville": "Nullepart"},  # 6: no such postcode
        {"code_postal": "1000", "ville": "Bruxelles"},            # 7: abroad
        {"familles": "astrologie"},                               # 8
        {"type": "fête"},                                         # 9
        {"email_contact": "pas-un-email"},                        # 10
        {"description": "x" * 6000},                              # 11
        {"lien_inscription": "javascript:alert(1)"},              # 12
        {"format": "en_ligne", "lien_en_ligne": ""},              # 13
        {"debut": "15:00"},                                       # 14: fine
        {"code_postal": "69002"},                                 # 15: Lyon's postcode, Montreuil
        {},                                                       # 16: same as line 2: duplicate
    ]
    response = upload(client, csv_bytes(rows))
    page = response.get_data(as_text=True)
    assert "2 sessions importées" in page and "13 lignes refusées" in page
    expected = {3: "titre", 4: "jour", 5: "fin", 6: "code_postal", 7: "code_postal", 8: "familles", 9: "type",
                10: "email_contact", 11: "description", 12: "lien_inscription", 13: "lien_en_ligne", 15: "ville",
                16: "titre"}
    for line, column in expected.items():
        assert f"<tr><td>{line}</td><td>{column}</td>" in page, (line, column)
    assert "Cette session existe déjà" in page
    assert count(Event) == 2 and count(Venue) == 1 and count(Submission) == 1


def test_reimporting_the_same_file_adds_nothing(ctx, client, fake_ban):
    data = csv_bytes([{}, {"debut": "16:00"}])
    upload(client, data)
    page = upload(client, data).get_data(as_text=True)
    assert "Aucune session importée" in page and "2 lignes refusées" in page
    assert count(Event) == 2


def test_excel_style_files_are_read(ctx, client, fake_ban):
    data = csv_bytes([{"ville": "Montreuil", "accessibilite": "Accès par l’entrée côté cour"}],
                     delimiter=",", encoding="cp1252")
    assert "1 session importée" in upload(client, data).get_data(as_text=True)
    assert db.session.scalars(select(Event)).one().accessibility == "Accès par l’entrée côté cour"


def test_a_file_without_the_required_columns_is_refused_as_a_whole(ctx, client):
    response = upload(client, b"nom;date\nx;y\n")
    assert response.status_code == 422 and "Colonnes manquantes" in response.get_data(as_text=True)
    for garbage in (b"\x00\x01\x02\xff" * 100, b"", "é".encode("utf-16")):
        assert upload(client, garbage).status_code == 422
    assert count(Event) == 0


def test_upload_without_file_or_csrf_is_refused(ctx, client):
    token = csrf_token(client.get("/submit/import").get_data(as_text=True))
    response = client.post("/submit/import", data={"csrf_token": token})
    assert response.status_code == 422 and "Choisissez un fichier CSV." in response.get_data(as_text=True)
    response = client.post("/submit/import", data={"file": (io.BytesIO(csv_bytes([{}])), "s.csv")},
                           content_type="multipart/form-data")
    assert response.status_code == 422 and count(Event) == 0
    assert upload(client, csv_bytes([{}]), filename="sessions.exe").status_code == 422


def test_script_in_a_csv_stays_text(ctx, client, fake_ban):
    xss = "<script>alert(1)</script>"
    page = upload(client, csv_bytes([{"titre": "Atelier " + xss, "ecole": "École " + xss},
                                     {"titre": xss, "debut": "16:00"}])).get_data(as_text=True)
    assert "<script>alert(1)" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    titles = db.session.scalars(select(Event.title).order_by(Event.start_at)).all()
    assert titles == ["Atelier " + xss, xss]


def test_the_command_line_import_reports_and_prints_links(ctx, runner, fake_ban, tmp_path):
    path = tmp_path / "sessions.csv"
    path.write_bytes(csv_bytes([{}, {"jour": "2022-01-01"}]))
    result = runner.invoke(args=["import-events", str(path)])
    assert result.exit_code == 1
    assert "1 session(s) importée(s), 1 ligne(s) rejetée(s)." in result.output
    assert "ligne 3 [jour] : Choisissez un jour de la semaine Open Gen" in result.output
    assert "Lien de modification pour Simplon Montreuil <reseau@simplon.example.org> : http" in result.output
    assert count(Event) == 1
    path.write_bytes(csv_bytes([{"debut": "17:00"}]))
    assert runner.invoke(args=["import-events", str(path)]).exit_code == 0
    assert runner.invoke(args=["import-events", str(tmp_path / "missing.csv")]).exit_code == 2


def test_only_the_same_school_at_the_same_time_and_place_is_a_duplicate(ctx, client, fake_ban, make_event,
                                                                        make_school, make_venue):
    school = make_school(name="Simplon Montreuil")
    venue = make_venue(school=school, address="55, Rue de Vincennes", postcode="93100", city="Montreuil")
    make_event(school=school, venue=venue, title=GOOD["titre"], start=paris(2021, 11, 29, 14))
    make_event(school=school, venue=venue, title=GOOD["titre"], start=paris(2021, 11, 29, 16),
               status=EventStatus.cancelled)
    db.session.commit()
    rows = [{"ecole": "  SIMPLON   montreuil "},                 # 2: the same session: refused
            {"debut": "15:00"},                                  # 3: another time
            {"ecole": "Autre école"},                            # 4: another school
            {"debut": "16:00"},                                  # 5: the one there was cancelled
            {"titre": "Découvre le métier de développeur"}]      # 6: another title
    page = upload(client, csv_bytes(rows)).get_data(as_text=True)
    assert "4 sessions importées" in page
    assert "<tr><td>2</td><td>titre</td>" in page and "Cette session existe déjà" in page
    assert count(Event) == 6


def test_rows_are_written_in_batches_and_repeats_are_caught_across_them(ctx, client, fake_ban, monkeypatch):
    from opengen.submissions import import_writes

    monkeypatch.setattr(import_writes, "BATCH_ROWS", 2)
    rows = [{},                                                  # 2
            {"debut": "15:00"},                                  # 3
            {},                                                  # 4: repeats 2, from the previous batch
            {"ecole": "Simplon Lyon", "email_contact": "lyon@simplon.example.org"},  # 5: a new school
            {"ecole": "simplon  LYON", "email_contact": "lyon@simplon.example.org"},  # 6: repeats 5, same batch
            {"debut": "15:00", "titre": "Atelier : crée ta première page web !"}]    # 7: repeats 3 (title alike)
    page = upload(client, csv_bytes(rows)).get_data(as_text=True)
    assert "3 sessions importées" in page and "3 lignes refusées" in page
    for line in (4, 6, 7):
        assert f"<tr><td>{line}</td><td>titre</td>" in page
    assert count(Event) == 3 and count(School) == 2 and count(Submission) == 2 and count(Venue) == 2
    assert page.count("/submit/edit/") == 4  # one link per school and contact, as text and as href


def test_a_row_the_database_refuses_is_reported_and_the_rest_of_its_batch_is_saved(ctx, client, fake_ban,
                                                                                    monkeypatch):
    from opengen.submissions import operations

    real_log = operations.log

    def failing_log(action, actor, event=None, **kwargs):
        # A row whose write breaks a NOT NULL constraint, as a database error would.
        return real_log(None if event is not None and "PANNE" in event.title else action, actor,
                        event=event, **kwargs)

    monkeypatch.setattr(operations, "log", failing_log)
    rows = [{}, {"ecole": "École en panne", "titre": "Atelier PANNE de courant", "debut": "15:00"},
            {"debut": "16:00"}]
    page = upload(client, csv_bytes(rows)).get_data(as_text=True)
    assert "2 sessions importées" in page and "1 ligne refusée" in page
    assert "<tr><td>3</td><td></td>" in page and "erreur de base de données" in page
    titles = db.session.scalars(select(Event.title)).all()
    assert len(titles) == 2 and not any("PANNE" in title for title in titles)
    assert db.session.scalars(select(School.name)).all() == ["Simplon Montreuil"]  # nothing of row 3


def test_one_row_leaves_nothing_behind_for_the_next(ctx, client, fake_ban):
    # The import checks every row with one form: values of a row must not carry over to the next.
    rows = [{"places": "12", "accessible_fauteuil": "oui", "publics": "no-prerequisite"},
            {"places": "", "accessible_fauteuil": "non", "publics": "", "debut": "15:00", "fin": "17:00"},
            {"titre": "", "debut": "16:00"},
            {"debut": "17:00", "site_web": "", "lien_inscription": ""}]
    page = upload(client, csv_bytes(rows)).get_data(as_text=True)
    assert "3 sessions importées" in page and "<tr><td>4</td><td>titre</td>" in page
    first, second, fourth = db.session.scalars(select(Event).order_by(Event.start_at)).all()
    assert (first.capacity, first.wheelchair_accessible, first.audience) == (12, True, ["no-prerequisite"])
    assert (second.capacity, second.wheelchair_accessible, second.audience) == (None, False, [])
    assert second.end_at == paris(2021, 11, 29, 17) and fourth.end_at == paris(2021, 11, 29, 18)
    assert fourth.registration_url is None
