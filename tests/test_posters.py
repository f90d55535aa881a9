"""Printable posters: A4 PDFs whose QR code, read back from the rendered page, opens the session
or the school's list; hostile text printed as text; cancelled sessions marked; long lists on
several pages; 404s for what is not public."""
from __future__ import annotations

import re
from datetime import timedelta

import pypdfium2
import pytest
import zxingcpp

from opengen.db import db
from opengen.models import EventFormat, EventStatus, Submission
from opengen.posters.layout import SchoolSheet, SessionRow, SessionSheet, Words, school_poster, session_poster
from opengen.posters.sheet import MARGIN, Block, fit, printable, width_of, wrap
from opengen.submissions.links import issue_token

from .conftest import paris

A4 = (595, 842)
HOSTILE = ("<script>alert(1)</script> <b>unclosed &amp; 🎉👩‍💻 中文 \x07 " + "Z" * 40 + " "
           + "mot " * 60)[:300]


def _document(response) -> pypdfium2.PdfDocument:
    assert response.status_code == 200, response.status_code
    assert response.mimetype == "application/pdf"
    return pypdfium2.PdfDocument(response.get_data())


def _qr_codes(document: pypdfium2.PdfDocument, index: int = 0) -> list[str]:
    image = document[index].render(scale=2).to_pil()
    return [code.text for code in zxingcpp.read_barcodes(image)]


def _text(document: pypdfium2.PdfDocument, index: int | None = None) -> str:
    indexes = range(len(document)) if index is None else [index]
    text = " ".join(document[i].get_textpage().get_text_range() for i in indexes)
    return " ".join(text.replace("\xa0", " ").split())


def _size(document: pypdfium2.PdfDocument, index: int = 0) -> tuple[int, int]:
    width, height = document[index].get_size()
    return round(width), round(height)


def _characters_inside_the_margins(document: pypdfium2.PdfDocument) -> bool:
    for page in document:
        width, height = page.get_size()
        text = page.get_textpage()
        for i in range(text.count_chars()):
            left, bottom, right, top = text.get_charbox(i)
            if (left, bottom, right, top) == (0, 0, 0, 0):
                continue  # generated spaces and line breaks have no box
            if left < MARGIN - 1 or right > width - MARGIN + 1 or bottom < MARGIN - 1 or top > height:
                return False
    return True


# --------------------------------------------------------------------------- a session

def test_a_session_poster_is_a4_and_its_qr_code_opens_the_session(client, make_event, make_venue):
    venue = make_venue(name="Campus Pleyel", address="12 rue Ampère", postcode="93200", city="Saint-Denis")
    event = make_event(title="Atelier : crée ta première page web", venue=venue,
                       families=["web-development", "data"], wheelchair_accessible=True,
                       accessibility="Entrée par la cour, ascenseur.")
    db.session.commit()

    response = client.get(f"/events/{event.id}/affiche.pdf")
    document = _document(response)
    assert len(document) == 1 and _size(document) == A4
    assert _qr_codes(document) == [f"http://localhost/events/{event.id}"]
    text = _text(document)
    for expected in ("Open Gen", "Open Gen 2021", "du lundi 29 novembre au samedi 4 décembre 2021",
                     "Atelier : crée ta première page web", "lundi 29 novembre 2021, 10 h 00 – 11 h 00",
                     "Campus Pleyel", "12 rue Ampère", "93200 Saint-Denis", "Entrée par la cour, ascenseur.",
                     "Accessible en fauteuil roulant.", "Gratuit, sans prérequis", "Développement web",
                     f"http://localhost/events/{event.id}", f"Organisée par {event.school.name}"):
        assert expected in text, expected
    assert "ANNULÉE" not in text
    assert response.headers["Content-Disposition"] == f'inline; filename="opengen-session-{event.id}.pdf"'


def test_the_qr_code_follows_the_public_base_url(app, client, make_event):
    app.config["PUBLIC_BASE_URL"] = "https://opengen.example.org/"
    event = make_event()
    db.session.commit()
    document = _document(client.get(f"/events/{event.id}/affiche.pdf"))
    assert _qr_codes(document) == [f"https://opengen.example.org/events/{event.id}"]


def test_a_cancelled_session_says_so_in_big_letters(client, make_event):
    event = make_event(title="Atelier annulé", status=EventStatus.cancelled)
    db.session.commit()
    document = _document(client.get(f"/events/{event.id}/affiche.pdf"))
    text = _text(document)
    assert "ANNULÉE" in text and "Cette session n’aura pas lieu." in text and "Atelier annulé" in text
    assert _qr_codes(document) == [f"http://localhost/events/{event.id}"]


def test_a_hostile_title_is_printed_as_text_and_wrapped_inside_the_page(client, make_event):
    event = make_event(title=HOSTILE[:200], accessibility="<i>Rampe</i> & ascenseur 🛗 " * 20)
    db.session.commit()
    document = _document(client.get(f"/events/{event.id}/affiche.pdf"))
    assert len(document) == 1 and _size(document) == A4
    text = _text(document)
    assert "<script>alert(1)</script> <b>unclosed &amp;" in text
    assert "<i>Rampe</i> & ascenseur" in text
    assert "🎉" not in text and "\ufffd" not in text and "■" not in text
    assert _characters_inside_the_margins(document)
    assert _qr_codes(document) == [f"http://localhost/events/{event.id}"]


def test_a_session_overseas_is_announced_in_local_time(client, make_event, make_venue):
    venue = make_venue(postcode="97400", city="Saint-Denis", timezone="Indian/Reunion")
    event = make_event(venue=venue, start=paris(2021, 11, 29, 10))
    db.session.commit()
    text = _text(_document(client.get(f"/events/{event.id}/affiche.pdf")))
    assert "13 h 00 – 14 h 00 (heure de La Réunion)" in text and "97400 Saint-Denis" in text


def test_an_online_session_says_where_to_find_its_link(client, make_event):
    event = make_event(format=EventFormat.online, online_url="https://visio.example.org/1")
    db.session.commit()
    text = _text(_document(client.get(f"/events/{event.id}/affiche.pdf")))
    assert "En ligne : le lien est sur la page de la session." in text
    assert "visio.example.org" not in text


def test_the_poster_is_sent_again_only_when_the_data_changed(client, make_event):
    event = make_event(title="Premier titre")
    db.session.commit()
    first = client.get(f"/events/{event.id}/affiche.pdf")
    etag = first.headers["ETag"]
    assert "max-age" in first.headers["Cache-Control"]
    again = client.get(f"/events/{event.id}/affiche.pdf", headers={"If-None-Match": etag})
    assert again.status_code == 304 and not again.get_data()

    event.title = "Second titre"
    db.session.commit()
    changed = client.get(f"/events/{event.id}/affiche.pdf", headers={"If-None-Match": etag})
    assert changed.status_code == 200 and changed.headers["ETag"] != etag
    assert "Second titre" in _text(_document(changed))


@pytest.mark.parametrize("status", [EventStatus.pending, EventStatus.rejected])
def test_a_session_that_is_not_public_has_no_poster(client, make_event, status):
    event = make_event(status=status)
    db.session.commit()
    assert client.get(f"/events/{event.id}/affiche.pdf").status_code == 404


@pytest.mark.parametrize("path", ["/events/999999/affiche.pdf", "/events/99999999999999999999/affiche.pdf",
                                  "/events/abc/affiche.pdf", "/ecoles/999999/affiche.pdf",
                                  "/ecoles/99999999999999999999/affiche.pdf"])
def test_unknown_ids_are_404(client, path):
    assert client.get(path).status_code == 404


# --------------------------------------------------------------------------- a school

def test_a_school_poster_lists_its_public_sessions_and_opens_its_list(client, make_school, make_event):
    school = make_school(name="Simplon Montreuil")
    make_event(school=school, title="Atelier Python", start=paris(2021, 11, 30, 14))
    make_event(school=school, title="Portes ouvertes", start=paris(2021, 11, 29, 9))
    make_event(school=school, title="Atelier annulé", status=EventStatus.cancelled, start=paris(2021, 12, 1, 9))
    make_event(school=school, title="Atelier en attente", status=EventStatus.pending)
    make_event(title="Atelier d’une autre école")
    db.session.commit()

    response = client.get(f"/ecoles/{school.id}/affiche.pdf")
    document = _document(response)
    assert len(document) == 1 and _size(document) == A4
    assert _qr_codes(document) == [f"http://localhost/?school={school.id}"]
    text = _text(document)
    assert "Simplon Montreuil" in text and "Gratuit, sans prérequis" in text
    assert text.index("Portes ouvertes") < text.index("Atelier Python") < text.index("Atelier annulé")
    assert "lundi 29 novembre, 9 h 00 – 10 h 00" in text and "mardi 30 novembre, 14 h 00 – 15 h 00" in text
    assert "Annulée" in text
    assert "Atelier en attente" not in text and "Atelier d’une autre école" not in text
    assert response.headers["Content-Disposition"] == f'inline; filename="opengen-ecole-{school.id}.pdf"'
    # the address in the QR code opens the school's sessions
    listing = client.get(f"/?school={school.id}").get_data(as_text=True)
    assert "Atelier Python" in listing and "Atelier d’une autre école" not in listing


def test_a_school_with_many_sessions_continues_on_further_pages(client, make_school, make_venue, make_event):
    school = make_school(name="École aux nombreuses sessions")
    venue = make_venue(school=school)
    titles = [f"Session numéro {n:02d} " + HOSTILE[:80 + n] for n in range(40)]
    for n, title in enumerate(titles):
        make_event(school=school, venue=venue, title=title, start=paris(2021, 11, 29, 8) + timedelta(days=n // 10, hours=n % 10))
    db.session.commit()

    document = _document(client.get(f"/ecoles/{school.id}/affiche.pdf"))
    pages = len(document)
    assert pages >= 3
    for index in range(pages):
        assert _size(document, index) == A4
        assert _qr_codes(document, index) == [f"http://localhost/?school={school.id}"]
        assert f"Page {index + 1} sur {pages}" in _text(document, index)
    text = _text(document)
    found = [int(n) for n in re.findall(r"Session numéro (\d\d)", text)]
    assert found == list(range(40))  # every session, once, in time order
    assert "(suite)" in _text(document, 1)
    assert _characters_inside_the_margins(document)


def test_a_school_without_public_sessions_has_no_poster(client, make_school, make_event):
    school = make_school()
    make_event(school=school, status=EventStatus.pending)
    make_event(school=school, status=EventStatus.rejected)
    db.session.commit()
    assert client.get(f"/ecoles/{school.id}/affiche.pdf").status_code == 404


# --------------------------------------------------------------------------- where they are offered

def test_the_session_page_offers_its_poster(client, make_event):
    event = make_event()
    db.session.commit()
    page = client.get(f"/events/{event.id}").get_data(as_text=True)
    assert f'href="/events/{event.id}/affiche.pdf"' in page


def test_the_schools_link_page_offers_the_posters(client, make_school, make_event):
    school = make_school(name="École <b>gras</b>")
    submission = Submission(school=school, contact_email="ecole@example.org")
    db.session.add(submission)
    db.session.flush()
    published = make_event(school=school, submission_id=submission.id, title="Publiée")
    pending = make_event(school=school, submission_id=submission.id, title="En attente", status=EventStatus.pending)
    token = issue_token(submission)
    db.session.commit()

    page = client.get(f"/submit/edit/{token}").get_data(as_text=True)
    assert f'href="/ecoles/{school.id}/affiche.pdf"' in page
    assert f'href="/events/{published.id}/affiche.pdf"' in page
    assert f'href="/events/{pending.id}/affiche.pdf"' not in page
    assert "<b>gras</b>" not in page
    assert client.get(f"/ecoles/{school.id}/affiche.pdf").status_code == 200


def test_the_schools_link_page_offers_no_school_poster_before_anything_is_public(client, make_school, make_event):
    school = make_school()
    submission = Submission(school=school, contact_email="ecole@example.org")
    db.session.add(submission)
    db.session.flush()
    make_event(school=school, submission_id=submission.id, status=EventStatus.pending)
    token = issue_token(submission)
    db.session.commit()
    page = client.get(f"/submit/edit/{token}").get_data(as_text=True)
    assert "affiche.pdf" not in page


# --------------------------------------------------------------------------- the pure parts

@pytest.mark.parametrize("text", [HOSTILE, "", "   ", "\x00\x1b\u200d", "Z" * 500, "中文 only", "a\u0301 e\u0301"])
def test_wrapped_lines_are_printable_and_never_wider_than_the_box(text):
    lines = wrap(text, "Helvetica-Bold", 30, 200, max_lines=4)
    assert len(lines) <= 4
    for line in lines:
        line.encode("cp1252")
        assert width_of(line, "Helvetica-Bold", 30) <= 200


def test_printable_keeps_french_and_drops_what_the_fonts_lack():
    assert printable("Œuvre « café » n° 3 – l’été…") == "Œuvre « café » n° 3 – l’été…"
    assert printable("a\u0301") == "á"  # decomposed accents are composed
    assert printable("fête 🎉\nsuite\t中") == "fête suite ?"


def test_fit_shrinks_long_text_and_never_passes_the_bottom():
    blocks = [Block("mot " * 400, 34, max_lines=40), Block("fin", 20)]
    lines = fit(blocks, 300, 200)
    assert lines and max(line.baseline for line in lines) <= 200
    assert all(line.size < 34 for line in lines)


def test_a_300_character_hostile_title_fits_the_page():
    sheet = SessionSheet(edition="Open Gen 2030 " * 10, title=HOSTILE, kind="Atelier " * 30, when="lundi " * 40,
                         school=HOSTILE, place=(HOSTILE, HOSTILE, HOSTILE), access=HOSTILE, families=HOSTILE,
                         url="https://example.org/events/1", cancelled=True)
    document = pypdfium2.PdfDocument(session_poster(sheet, WORDS))
    assert len(document) == 1 and _size(document) == A4
    assert "<script>alert(1)</script> <b>unclosed &amp;" in _text(document)
    assert _characters_inside_the_margins(document)
    assert _qr_codes(document) == ["https://example.org/events/1"]


WORDS = Words(*(f"mot {n}" for n in range(9)), page="Page %(number)s sur %(count)s")


def test_the_pure_posters_draw_from_plain_values():
    sheet = SessionSheet(edition="Open Gen 2030", title="Titre", kind="Atelier", when="lundi", school="École",
                         place=("Lieu",), access="", families="", url="https://example.org/events/1",
                         cancelled=False)
    words = WORDS
    document = pypdfium2.PdfDocument(session_poster(sheet, words))
    assert _qr_codes(document) == ["https://example.org/events/1"]
    assert session_poster(sheet, words) == session_poster(sheet, words)  # same values, same bytes
    rows = tuple(SessionRow("lundi", f"Session {n}", "Lieu", False) for n in range(3))
    document = pypdfium2.PdfDocument(school_poster(SchoolSheet("Open Gen 2030", "École", rows, "https://e.org/"), words))
    assert len(document) == 1 and _qr_codes(document) == ["https://e.org/"]
