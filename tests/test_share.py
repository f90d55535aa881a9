"""Sharing a session and going there: the share box (a plain link without JavaScript), the
directions links, the Open Graph and Twitter card tags, escaped; no registration once over."""
from __future__ import annotations

import html as html_lib
import re
from datetime import timedelta

from opengen.models import EventFormat
from opengen.places.directions import directions

from .conftest import paris

HOSTILE_TITLE = 'Atelier "data" <script>alert(1)</script> & co'


def meta(html: str, key: str) -> str | None:
    """The content of <meta property|name=key>, unescaped, or None."""
    found = re.search(rf'<meta (?:property|name)="{re.escape(key)}" content="([^"]*)">', html)
    return html_lib.unescape(found.group(1)) if found else None


def test_directions_links_point_at_the_venue():
    way = directions(48.93564, 2.35387, "Campus Saint-Denis")
    assert way.osm == "https://www.openstreetmap.org/directions?to=48.935640,2.353870#map=16/48.93564/2.35387"
    assert way.geo == "geo:48.935640,2.353870?q=48.935640,2.353870(Campus%20Saint-Denis)"


def test_a_geo_label_cannot_end_early_or_carry_markup():
    way = directions(-20.88, 55.45, 'Lycée (bât. B) "<script>"\n#?&')
    label = way.geo.split("(", 1)[1]
    assert label.endswith(")") and label.count(")") == 1
    assert not re.search(r'[<>"\s#?&]', label)
    assert directions(1, 2, "").geo == "geo:1.000000,2.000000?q=1.000000,2.000000"


def test_session_page_offers_the_way_there(client, make_event, make_venue):
    venue = make_venue(name="Campus <b>Nord</b>", city="Saint-Denis", lat=48.9362, lon=2.3574)
    event = make_event(venue=venue, school=venue.school)
    html = client.get(f"/events/{event.id}").get_data(as_text=True)
    assert "Comment y aller" in html
    assert 'href="https://www.openstreetmap.org/directions?to=48.936200,2.357400#map=16/48.93620/2.35740"' in html
    geo = re.search(r'href="(geo:[^"]+)"', html).group(1)
    assert geo.startswith("geo:48.936200,2.357400?q=48.936200,2.357400(Campus%20%3Cb%3ENord")
    assert "<b>Nord</b>" not in html


def test_an_online_session_has_no_way_there(client, make_event):
    event = make_event(format=EventFormat.online, online_url="https://visio.example.org/x")
    html = client.get(f"/events/{event.id}").get_data(as_text=True)
    assert "Comment y aller" not in html and "geo:" not in html


def test_session_page_shares_its_address_without_javascript(client, make_event):
    event = make_event(title=HOSTILE_TITLE)
    html = client.get(f"/events/{event.id}").get_data(as_text=True)
    url = f"http://localhost/events/{event.id}"
    box = re.search(r'<div class="share" (.*?)</div>', html, re.S).group(0)
    assert f'data-share-url="{url}"' in box and f'value="{url}"' in box and "readonly" in box
    assert '<button type="button" class="secondary share-button" hidden>' in box
    assert "<script>alert(1)</script>" not in html
    assert "js/share.js" in html


def test_open_graph_and_twitter_tags_say_title_date_and_town(client, make_event, make_venue):
    venue = make_venue(city="Saint-Denis")
    event = make_event(title=HOSTILE_TITLE, venue=venue, school=venue.school, start=paris(2021, 11, 30, 14))
    html = client.get(f"/events/{event.id}").get_data(as_text=True)
    head = html.split("</head>")[0]
    assert "<script>alert(1)</script>" not in head
    assert meta(head, "og:title") == HOSTILE_TITLE == meta(head, "twitter:title")
    description = meta(head, "og:description")
    assert "30 novembre" in description and "Saint-Denis" in description and venue.school.name in description
    assert "2021" not in description  # the current year goes without saying
    assert meta(head, "twitter:description") == description
    assert meta(head, "og:url") == f"http://localhost/events/{event.id}"
    assert meta(head, "og:type") == "article" and meta(head, "og:locale") == "fr_FR"
    assert meta(head, "twitter:card") == "summary"
    assert head.count('property="og:title"') == 1  # the page's tags replace the generic ones


def test_a_session_of_another_year_says_its_year(client, make_event):
    event = make_event(start=paris(2022, 11, 29, 10))
    html = client.get(f"/events/{event.id}").get_data(as_text=True)
    assert "2022" in meta(html, "og:description")


def test_an_online_session_is_shared_as_online(client, make_event):
    event = make_event(format=EventFormat.online, online_url="https://visio.example.org/x")
    assert "en ligne" in meta(client.get(f"/events/{event.id}").get_data(as_text=True), "og:description")


def test_other_pages_get_generic_tags(client):
    head = client.get("/?q=<x>").get_data(as_text=True).split("</head>")[0]
    assert meta(head, "og:type") == "website" and meta(head, "og:locale") == "fr_FR"
    assert meta(head, "og:title").startswith("Open Gen")
    assert meta(head, "og:url").startswith("http://localhost/?q=") and "<x>" not in head


def test_a_session_that_has_ended_never_offers_registration(client, make_event):
    # The test world's clock is 2021-11-22 10:00 in Paris.
    over = make_event(start=paris(2021, 11, 22, 8), duration=timedelta(hours=1),
                      registration_url="https://inscription.example.org/fini")
    running = make_event(start=paris(2021, 11, 22, 9, 30), duration=timedelta(hours=1),
                         registration_url="https://inscription.example.org/encours")
    ended = client.get(f"/events/{over.id}").get_data(as_text=True)
    assert "S’inscrire" not in ended and "inscription.example.org/fini" not in ended
    assert "Cette session est terminée" in ended
    assert "S’inscrire" in client.get(f"/events/{running.id}").get_data(as_text=True)


def test_a_search_offers_its_own_link_to_share_and_the_first_visit_does_not(client, make_event):
    make_event(title="Atelier données")
    searched = client.get("/?family=data&day=2021-11-30").get_data(as_text=True)
    box = re.search(r'<div class="share" data-share-url="([^"]+)"', searched)
    assert box, "a search offers a share box"
    shared = html_lib.unescape(box.group(1))
    assert shared.startswith("http") and "family=data" in shared and "day=2021-11-30" in shared
    assert 'id="search-share-url"' in searched and "js/share.js" in searched
    first = client.get("/").get_data(as_text=True)
    assert 'class="share"' not in first and "js/share.js" not in first
