"""A counsellor's list: the link, QR code and e-mail of a programme, and its printable A4 page."""
from __future__ import annotations

import html as htmllib
import re
from urllib.parse import unquote

import numpy as np
import pytest
import zxingcpp
from PIL import Image

from opengen.db import db
from opengen.models import EventFormat, EventStatus
from opengen.shortlist.locator import CORSICA, MAINLAND, coordinates_label, locate
from opengen.shortlist.sharing import NOTE_MAX

from .conftest import paris


def decode_qr_svg(svg: str) -> str:
    """Rasterise the QR code's inline SVG (segno draws one-unit-wide horizontal strokes with
    M/m/h path commands, inside a scale transform) and decode the picture with zxing-cpp."""
    size = int(re.search(r'<path fill="#fff" d="M0 0h(\d+)v', svg).group(1))
    path = re.search(r'<path class="qrline" stroke="#000" d="([^"]+)"', svg).group(1)
    grid = np.full((size, size), 255, dtype=np.uint8)
    x = y = 0.0
    for command, a, b in re.findall(r"([Mmh])(-?[\d.]+)(?:[ ,](-?[\d.]+))?", path):
        if command == "M":
            x, y = float(a), float(b)
        elif command == "m":
            x, y = x + float(a), y + float(b)
        else:
            length = float(a)
            row, start = int(y), int(min(x, x + length))
            grid[row, start:start + int(abs(length))] = 0
            x += length
    picture = Image.fromarray(np.kron(grid, np.ones((8, 8), dtype=np.uint8)))
    found = zxingcpp.read_barcodes(picture)
    assert len(found) == 1, "one QR code expected"
    return found[0].text


def _ids(*events) -> str:
    return ",".join(str(getattr(e, "id", e)) for e in events)


def _main(html: str) -> str:
    return html[html.index("<main"):html.index("</main>")]


@pytest.fixture
def week(make_event, make_venue, make_school):
    """A counsellor's picks: two clashing workshops in Saint-Denis, a talk in Lyon, one online,
    one cancelled."""
    school = make_school(name="Simplon Saint-Denis")
    venue = make_venue(school=school, name="Campus Pleyel", address="12 rue Ampère")
    lyon_school = make_school(name="Simplon Lyon")
    lyon = make_venue(school=lyon_school, name="La Cité", address="3 quai Perrache", city="Lyon",
                      postcode="69002", lat=45.7578, lon=4.8320)
    sessions = {
        "code": make_event(title="Atelier code", venue=venue, school=school, start=paris(2021, 11, 29, 10),
                           accessibility="Ascenseur au fond de la cour.", wheelchair_accessible=True,
                           registration_url="https://inscription.example.org/code"),
        "data": make_event(title="Atelier data", venue=venue, school=school, start=paris(2021, 11, 29, 10, 30)),
        "lyon": make_event(title="Métiers du réseau", venue=lyon, school=lyon_school,
                           start=paris(2021, 11, 30, 14)),
        "online": make_event(title="Webinaire cybersécurité", format=EventFormat.online,
                             online_url="https://visio.example.org/cyber", start=paris(2021, 12, 1, 9)),
        "cancelled": make_event(title="Atelier annulé", status=EventStatus.cancelled,
                                start=paris(2021, 12, 2, 14)),
    }
    db.session.commit()
    return sessions


def test_the_programme_offers_a_link_a_qr_code_an_email_and_the_print_page(client, week):
    ids = _ids(week["code"], week["data"], week["lyon"], 999999)
    main = _main(client.get(f"/programme?ids={ids}").get_data(as_text=True))
    share = main[main.index('<section class="programme-share"'):]
    share = share[:share.index("</section>")]
    assert ">Partager / imprimer</h2>" in share
    url = f"http://localhost/programme?ids={ids}"
    assert f'<input id="share-url" type="url" readonly value="{url}">' in share
    assert 'data-copy="share-url" hidden' in share  # shown by JavaScript; the field works without
    assert decode_qr_svg(share[share.index("<svg"):share.index("</svg>") + 6]) == url

    mailto = htmllib.unescape(re.search(r'id="share-mail" href="([^"]+)"', share).group(1))
    assert mailto.startswith("mailto:?subject=")
    fields = {k: unquote(v) for k, v in (part.split("=", 1) for part in mailto[len("mailto:?"):].split("&"))}
    assert fields["subject"] == "Des sessions Open Gen pour découvrir les métiers du numérique"
    body = fields["body"]
    assert "- lundi 29 novembre, 10 h 00 : Atelier code (Simplon Saint-Denis, Saint-Denis)" in body
    assert "- mardi 30 novembre, 14 h 00 : Métiers du réseau (Simplon Lyon, Lyon)" in body
    assert body.rstrip().endswith(url)
    assert "\r\n" in body

    assert f'id="share-print" href="/programme/imprimer?ids={ids}"' in share
    assert 'action="/programme/imprimer" method="get"' in share
    assert f'<input type="hidden" name="ids" value="{ids}">' in share
    assert f'name="pour" type="text" maxlength="{NOTE_MAX}"' in share
    offer = re.search(r'id="keep-offer" data-keep="([^"]*)" hidden', main)
    assert offer and offer.group(1) == _ids(week["code"], week["data"], week["lyon"])


def test_the_shared_link_follows_the_public_address_behind_a_proxy(app, client, week):
    app.config["PUBLIC_BASE_URL"] = "https://opengen.example.fr/"
    main = _main(client.get(f"/programme?ids={week['code'].id}").get_data(as_text=True))
    url = f"https://opengen.example.fr/programme?ids={week['code'].id}"
    assert f'value="{url}"' in main
    assert decode_qr_svg(main[main.index('<svg width'):main.index("</svg>") + 6]) == url


def test_an_empty_programme_has_nothing_to_share(client):
    main = _main(client.get("/programme").get_data(as_text=True))
    assert "Partager / imprimer" not in main and "keep-offer" not in main


def test_the_print_page_lists_each_session_with_its_address_access_map_and_warnings(app, client, week):
    app.config["FROZEN_NOW"] = "2021-11-28T12:00"
    ids = _ids(week["lyon"], week["code"], week["data"], week["online"], week["cancelled"], 999999)
    response = client.get(f"/programme/imprimer?ids={ids}&pour=Karim")
    assert response.status_code == 200
    main = _main(response.get_data(as_text=True))
    assert "<h1>Sessions Open Gen à découvrir</h1>" in main
    assert "<strong>Pour :</strong> Karim</p>" in main
    assert "Imprimée le 28 novembre 2021 à 12 h 00." in main
    url = f"http://localhost/programme?ids={ids}"
    assert f'<a href="{url}">{url}</a>' in main
    header = main[main.index('<header class="sheet-header">'):main.index("</header>")]
    assert decode_qr_svg(header[header.index("<svg"):header.index("</svg>") + 6]) == url
    assert "1 session de cette liste n’est plus proposée." in main
    # Days in order, sessions in time order.
    assert main.index("Lundi 29 novembre") < main.index("<h3>Atelier code</h3>") \
        < main.index("<h3>Atelier data</h3>") < main.index("Mardi 30 novembre") < main.index("<h3>Métiers du réseau</h3>")

    items = {m.group(1): m.group(0) for m in re.finditer(
        r'<article class="sheet-item[^"]*" data-event-id="(\d+)">.*?</article>', main, re.S)}
    assert len(items) == 5
    code = items[str(week["code"].id)]
    assert '<time datetime="2021-11-29T10:00:00+01:00">lundi 29 novembre, 10 h 00 – 11 h 00</time>' in code
    assert "<dd>Simplon Saint-Denis</dd>" in code
    assert "<address>Campus Pleyel<br>12 rue Ampère<br>93200 Saint-Denis</address>" in code
    assert "Accessible en fauteuil roulant. Ascenseur au fond de la cour." in code
    assert "https://inscription.example.org/code" in code
    assert "« Atelier code » et « Atelier data » se chevauchent." in code
    assert f"http://localhost/events/{week['code'].id}</a>" in code
    assert 'role="img"' in code and "<circle" in code and "48,9362° N, 2,3574° E" in code

    online = items[str(week["online"].id)]
    assert "https://visio.example.org/cyber" in online
    assert "<svg" not in online and "<address>" not in online  # nothing to find on a map

    lyon = items[str(week["lyon"].id)]
    assert "45,7578° N, 4,8320° E" in lyon and "Carte de France : Lyon" in lyon

    cancelled = items[str(week["cancelled"].id)]
    assert "Annulée : cette session n’aura pas lieu." in cancelled
    assert "is-cancelled" in cancelled
    assert "Terminée" not in main  # nothing has ended on 28 November


def test_ended_and_cancelled_sessions_are_marked_on_both_pages(app, client, week):
    app.config["FROZEN_NOW"] = "2021-11-29T11:00"  # the 10:00 workshop just ended
    ids = _ids(week["code"], week["data"], week["cancelled"])
    for path, ended_text in ((f"/programme?ids={ids}", "Terminée"),
                             (f"/programme/imprimer?ids={ids}", "Terminée : cette session a déjà eu lieu.")):
        main = _main(client.get(path).get_data(as_text=True))
        code = main[main.index(f'data-event-id="{week["code"].id}"'):]
        code = code[:code.index("</article>")]
        data = main[main.index(f'data-event-id="{week["data"].id}"'):]
        data = data[:data.index("</article>")]
        cancelled = main[main.index(f'data-event-id="{week["cancelled"].id}"'):]
        cancelled = cancelled[:cancelled.index("</article>")]
        assert ended_text in code, path
        assert "Terminée" not in data, path
        assert "Annulée" in cancelled and "Terminée" not in cancelled, path
    # Registration is no longer offered for a session that has ended.
    main = _main(client.get(f"/programme/imprimer?ids={ids}").get_data(as_text=True))
    assert "inscription.example.org" not in main


HOSTILE = '"><script>alert(1)</script><img src=x onerror=alert(2)>'


def test_the_pour_line_and_school_text_are_escaped(client, make_event, make_school):
    school = make_school(name='<b onmouseover="alert(3)">École</b>')
    event = make_event(title="<script>alert(4)</script>", school=school,
                       accessibility="<iframe src=javascript:alert(5)>")
    db.session.commit()
    response = client.get("/programme/imprimer", query_string={"ids": event.id, "pour": HOSTILE})
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    for raw in ("<script>alert", "<img src=x", "<b onmouseover", "<iframe"):
        assert raw not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page  # printed, as text
    assert "&lt;script&gt;alert(4)&lt;/script&gt;" in page
    assert 'value="&#34;&gt;&lt;script&gt;' in page  # kept in the field, as text
    # Also in the programme's e-mail: the title only ever appears URL-encoded in the mailto.
    main = _main(client.get(f"/programme?ids={event.id}").get_data(as_text=True))
    assert "<script>alert(4)" not in main
    assert quote_in_mailto("<script>alert(4)</script>", main)


def quote_in_mailto(text: str, html: str) -> bool:
    mailto = htmllib.unescape(re.search(r'id="share-mail" href="([^"]+)"', html).group(1))
    return text in unquote(mailto)


def test_a_pour_line_too_long_is_refused_next_to_the_field_and_kept(client, week):
    note = "Pour Karim, " + "x" * NOTE_MAX
    response = client.get("/programme/imprimer", query_string={"ids": week["code"].id, "pour": note})
    assert response.status_code == 422
    main = _main(response.get_data(as_text=True))
    assert f"La mention « Pour » compte au plus {NOTE_MAX} caractères (ici {len(note)})" in main
    assert f'value="{note}"' in main and 'aria-invalid="true"' in main
    assert 'aria-describedby="sheet-pour-help sheet-pour-error"' in main
    assert "<strong>Pour :</strong>" not in main  # not printed
    assert "<h3>Atelier code</h3>" in main  # the list itself is still there


def test_the_pour_line_is_tidied_control_characters_and_spaces(client, week):
    response = client.get("/programme/imprimer", query_string={
        "ids": week["code"].id, "pour": "  Karim\x00\n  (rdv   le 3)  "})
    assert "<strong>Pour :</strong> Karim (rdv le 3)</p>" in response.get_data(as_text=True)


@pytest.mark.parametrize("query, message", [
    ("ids=abc", "Identifiant de session invalide : « abc »"),
    ("ids=1,,x", "Identifiant de session invalide : « x »"),
    ("ids=" + "9" * 30, "Identifiant de session invalide"),
    ("ids=", "Indiquez au moins une session"),
    ("pour=Karim", "Indiquez au moins une session"),
    ("ids=" + ",".join(map(str, range(1, 300))), "Un programme compte au plus 200 sessions."),
])
def test_bad_ids_on_the_print_page_get_a_french_message(client, query, message):
    response = client.get(f"/programme/imprimer?{query}")
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)


def test_a_list_too_long_for_a_readable_qr_code_still_shares_its_link(client, week):
    many = [week["code"].id] + [10**9 + n for n in range(199)]  # 200 ids of ten digits
    ids = ",".join(map(str, many))
    for path in (f"/programme?ids={ids}", f"/programme/imprimer?ids={ids}"):
        response = client.get(path)
        assert response.status_code == 200, path
        main = _main(response.get_data(as_text=True))
        assert ">Atelier code</" in main
        assert "qr-code" not in main
    main = _main(client.get(f"/programme?ids={ids}").get_data(as_text=True))
    assert "Cette liste est trop longue pour un QR code lisible : envoyez plutôt le lien." in main
    assert f'value="http://localhost/programme?ids={ids}"' in main
    # Up to about forty sessions the code stays, 3 pixels a module, within a phone's width.
    forty = ",".join(map(str, [week["code"].id] + [10**5 + n for n in range(39)]))
    main = _main(client.get(f"/programme?ids={forty}").get_data(as_text=True))
    svg = main[main.index('<svg width'):main.index("</svg>") + 6]
    assert int(re.search(r'<svg width="(\d+)"', svg).group(1)) <= 240
    assert decode_qr_svg(svg) == f"http://localhost/programme?ids={forty}"


def test_a_list_of_sessions_all_gone_still_prints_its_notice(client):
    response = client.get("/programme/imprimer?ids=999998,999999")
    assert response.status_code == 200
    assert "2 sessions de cette liste ne sont plus proposées." in response.get_data(as_text=True)


# The locator: metropolitan France's outline and a dot, drawn without any network.

def _inside(lon: float, lat: float, ring) -> bool:
    inside = False
    for (x1, y1), (x2, y2) in zip(ring, ring[1:] + ring[:1]):
        if (y1 > lat) != (y2 > lat) and lon < x1 + (lat - y1) * (x2 - x1) / (y2 - y1):
            inside = not inside
    return inside


@pytest.mark.parametrize("town, lon, lat, french", [
    ("Lille", 3.06, 50.63, True), ("Strasbourg", 7.75, 48.58, True), ("Brest", -4.49, 48.39, True),
    ("Bordeaux", -0.58, 44.84, True), ("Montpellier", 3.88, 43.61, True), ("Saint-Denis", 2.357, 48.936, True),
    ("Ajaccio", 8.74, 41.93, True), ("Bruxelles", 4.35, 50.85, False), ("Londres", -0.13, 51.51, False),
    ("Turin", 7.68, 45.07, False), ("Barcelone", 2.17, 41.39, False), ("Genève", 6.15, 46.21, False),
])
def test_the_outline_holds_french_towns_and_leaves_out_foreign_ones(town, lon, lat, french):
    assert (_inside(lon, lat, MAINLAND) or _inside(lon, lat, CORSICA)) is french, town


def test_a_locator_places_metropolitan_venues_and_only_names_the_others():
    paris_dot = locate(48.8566, 2.3522)
    marseille = locate(43.2965, 5.3698)
    assert paris_dot.placed and 0 < paris_dot.x < paris_dot.width and 0 < paris_dot.y < paris_dot.height
    assert marseille.y > paris_dot.y and marseille.x > paris_dot.x  # south-east of Paris
    assert paris_dot.outline.count("Z") == 2 and paris_dot.outline.startswith("M")
    reunion = locate(-20.8823, 55.4504)
    assert not reunion.placed and reunion.coordinates == "20,8823° S, 55,4504° E"
    unknown = locate(None, None)
    assert not unknown.placed and unknown.coordinates == ""
    assert coordinates_label(47.2184, -1.5536) == "47,2184° N, 1,5536° O"
