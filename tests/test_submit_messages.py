"""What the school reads: the error summary's links, messages that say how to fix, where the edit link
went (and the mail printed on the console without SMTP), the management page's wording and counts."""
from __future__ import annotations

import html
import json
import re

import pytest
from sqlalchemy import select

from opengen.db import db
from opengen.models import Event

from .conftest import csrf_token
from .submit_fixtures import confirm, field_error, preview, submit, valid_form

pytestmark = pytest.mark.usefixtures("submissions_open")


def summary_links(page: str) -> list[tuple[str, str]]:
    """The error summary's links: (target id, text)."""
    summary = page[page.index('id="error-summary"'):]
    summary = summary[:summary.index("</div>")]
    return [(target, html.unescape(text)) for target, text in
            re.findall(r'<a href="#([^"]+)" data-target="[^"]+">([^<]*)</a>', summary)]


def test_the_error_summary_links_every_error_to_an_element_of_the_page(client):
    data = valid_form(school_name="", contact_email="pas-une-adresse", families=[], grid=[], postcode="99999")
    for row in range(3):  # a browser posts every row, the empty ones too
        data[f"slots-{row}-day"] = data[f"slots-{row}-start"] = data[f"slots-{row}-end"] = ""
    data["slots-1-day"], data["slots-1-start"] = "2021-11-29", "03:00"
    page = preview(client, data).get_data(as_text=True)
    links = summary_links(page)
    targets = [target for target, _text in links]
    assert targets == ["school_name", "contact_email", "families", "postcode", "slots-1-start"]
    for target in targets:
        assert f'id="{target}"' in page
    # A group of boxes is reached through its fieldset, which can take the focus.
    assert re.search(r'<fieldset[^>]*id="families" tabindex="-1"', page)
    assert dict(links)["school_name"] == "Nom de l’école : Indiquez le nom de votre école."
    assert dict(links)["slots-1-start"].startswith("Autre horaire 2, Début : Les sessions commencent entre 7 h")
    assert "5 champs sont à corriger" in page


def test_a_missing_grid_links_to_the_week(client):
    page = preview(client, valid_form(grid=[])).get_data(as_text=True)
    assert summary_links(page) == [("grid", "Créneaux d’une heure : Cochez au moins un créneau dans la grille ou "
                                            "indiquez un autre horaire.")]
    assert "Un champ est à corriger" in page
    assert re.search(r'<fieldset[^>]*id="grid" tabindex="-1"', page)


@pytest.mark.parametrize("typed, expected", [
    ("99999", "Aucune commune n’a le code postal 99999"),
    ("96000", "Aucune commune n’a le code postal 96000"),
    ("98000", "Aucune commune n’a le code postal 98000"),  # Monaco: five digits, not a French commune
    ("9310", "Un code postal français a cinq chiffres, par exemple 93200 (vous avez saisi « 9310 »)"),
    ("1000", "Un code postal français a cinq chiffres"),
])
def test_a_postcode_no_commune_has_is_named_as_such(client, typed, expected):
    page = preview(client, valid_form(postcode=typed)).get_data(as_text=True)
    assert field_error(page, "postcode").startswith(expected)


def test_a_real_postcode_passes_even_overseas(ctx, client, fake_ban):
    for postcode in ("93100", "75013", "97400"):
        page = preview(client, valid_form(postcode=postcode)).get_data(as_text=True)
        assert field_error(page, "postcode") == "", postcode


def test_the_week_is_one_day_at_a_time_with_counts_in_words(client):
    page = client.get("/submit").get_data(as_text=True)
    assert page.count('<details class="grid-day"') == 6
    assert page.count("open>") == 1  # only the first day open before anything is checked
    texts = json.loads(re.search(r'<script type="application/json" id="grid-count-texts"[^>]*>(.*?)</script>',
                                 page).group(1))
    assert (texts["0"], texts["1"], texts["2"], texts["12"]) == (
        "aucun créneau coché", "1 créneau coché", "2 créneaux cochés", "12 créneaux cochés")
    # Checked hours keep their day open when the form comes back.
    page = preview(client, valid_form(title="")).get_data(as_text=True)
    opened = re.findall(r'<details class="grid-day" id="grid-day-([\d-]+)" open>', page)
    assert opened == ["2021-11-29", "2021-11-30"]


def test_the_thank_you_page_says_where_the_link_went_and_that_it_is_the_only_way_back(ctx, client, fake_ban, capsys):
    first = preview(client, valid_form())
    confirm(client, first.get_data(as_text=True))
    page = html.unescape(client.get("/submit/merci").get_data(as_text=True))
    assert "le message a été écrit dans la console du serveur" in page
    assert "contact@simplon.example.org" in page
    assert "Ce lien est le seul moyen de revenir sur votre proposition" in page
    assert 'id="copy-link"' in page and "js/copy-link.js" in page
    link = re.search(r'id="edit-link" class="link-box" type="text" readonly value="([^"]+)"', page).group(1)
    # The mail, printed readable on the console: headers and the body as written (not quoted-printable).
    printed = capsys.readouterr().out
    assert "To: contact@simplon.example.org" in printed
    assert "Subject: Open Gen : votre lien pour modifier vos sessions" in printed
    assert "Merci pour votre proposition de sessions Open Gen pour Simplon Montreuil." in printed
    assert link in printed and "=C3" not in printed


def test_the_thank_you_page_says_when_the_mail_could_not_leave(ctx, app, client, fake_ban):
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=1, MAIL_TIMEOUT=1)  # nothing listens there
    first = preview(client, valid_form())
    confirm(client, first.get_data(as_text=True))
    page = html.unescape(client.get("/submit/merci").get_data(as_text=True))
    assert "L’envoi par e-mail à contact@simplon.example.org a échoué" in page


@pytest.mark.parametrize("school, heading", [
    ("Ecole du Code", "Les sessions d’Ecole du Code"),
    ("Afpa Montreuil", "Les sessions d’Afpa Montreuil"),
    ("Simplon Montreuil", "Les sessions de Simplon Montreuil"),
    ("Haute École du Web", "Les sessions de Haute École du Web"),
])
def test_the_management_page_elides_before_the_school_name(ctx, client, fake_ban, school, heading):
    path = submit(client, valid_form(school_name=school))
    page = html.unescape(client.get(path).get_data(as_text=True))
    assert f"<h1>{heading}</h1>" in page


def test_a_session_withdrawn_before_publication_says_so_once(ctx, client, fake_ban):
    path = submit(client)
    event = db.session.scalars(select(Event).order_by(Event.start_at)).first()
    cancel_page = client.get(f"{path}/events/{event.id}/cancel").get_data(as_text=True)
    client.post(f"{path}/events/{event.id}/cancel", data={"csrf_token": csrf_token(cancel_page), "confirm": "Oui"})
    page = html.unescape(client.get(path).get_data(as_text=True))
    item = page[page.index(f'data-event-id="{event.id}"'):]
    item = item[:item.index("</li>")]
    assert item.count("Retirée par l’école avant publication") == 1
