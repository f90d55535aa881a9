"""The GEN team creates and edits editions, and compares them side by side on the numbers page."""
from __future__ import annotations

import csv
import html as htmllib
import io
import re
from datetime import date

import pytest
from sqlalchemy import event, func, select
from werkzeug.datastructures import MultiDict

from opengen.db import db
from opengen.editions import EditionDraft, create
from opengen.editions_board import board, next_year, proposal, state
from opengen.events import comparison
from opengen.models import Edition, EventFormat, EventKind, EventStatus

from .conftest import csrf_token, paris
from .submit_fixtures import login

NEW = "/admin/editions/nouvelle"


@pytest.fixture
def staff(app, client, make_admin):
    """A logged-in staff member's client, on the eve of the 2021 week."""
    app.config["FROZEN_NOW"] = "2021-11-28T12:00"
    make_admin()
    assert login(client).status_code == 303
    return client


def form(client, url: str = NEW, **overrides) -> MultiDict:
    """A complete edition form with the page's CSRF token, some fields changed."""
    data = MultiDict({"csrf_token": csrf_token(client.get(url).get_data(as_text=True)),
                      "name": "Open Gen 2022", "starts_on": "2022-11-28", "ends_on": "2022-12-03",
                      "submissions_open_on": "2022-09-01", "submissions_close_on": "2022-11-25",
                      "published_on": "2022-10-01"})
    for key, value in overrides.items():
        data[key] = value  # replaces (MultiDict.update would add a second value)
    return data


def field_error(page: str, field: str) -> str | None:
    """The message shown next to a field, or None."""
    match = re.search(rf'<p class="field-error" id="{field}-error">(.*?)</p>', page, re.S)
    return htmllib.unescape(match.group(1)) if match else None


def shown_value(page: str, field: str) -> str | None:
    """What the page's input for a field holds."""
    match = re.search(rf'<input[^>]*\bid="{field}"[^>]*\bvalue="([^"]*)"', page)
    return htmllib.unescape(match.group(1)) if match else None


def editions_in_database() -> list[tuple[str, str]]:
    db.session.rollback()
    return [tuple(row) for row in db.session.execute(select(Edition.slug, Edition.name).order_by(Edition.slug))]


# --- staff only -------------------------------------------------------------------------------

@pytest.mark.parametrize("url", ["/admin/editions", NEW, "/admin/editions/2021/modifier"])
def test_anonymous_visitors_are_sent_to_the_login(client, url):
    response = client.get(url)
    assert response.status_code == 302 and "/admin/login" in response.headers["Location"]


def test_an_anonymous_post_saves_nothing(app, client):
    token = csrf_token(client.get("/admin/login").get_data(as_text=True))
    response = client.post(NEW, data={"csrf_token": token, "name": "Pirate", "starts_on": "2022-11-28",
                                      "ends_on": "2022-12-03"})
    assert response.status_code == 302 and "/admin/login" in response.headers["Location"]
    with app.app_context():
        assert editions_in_database() == [("2021", "Open Gen 2021")]


def test_a_post_without_csrf_token_saves_nothing(staff, ctx):
    data = form(staff)
    del data["csrf_token"]
    assert staff.post(NEW, data=data).status_code == 400
    assert editions_in_database() == [("2021", "Open Gen 2021")]


def test_the_nav_links_to_the_editions(staff):
    assert 'href="/admin/editions"' in staff.get("/admin/").get_data(as_text=True)


# --- create and edit --------------------------------------------------------------------------

def test_the_new_form_proposes_the_next_open_gen_week(staff):
    page = staff.get(NEW).get_data(as_text=True)
    # 2021 exists: the next week is 2022's, Monday 28 November to Saturday 3 December.
    assert shown_value(page, "name") == "Open Gen 2022"
    assert (shown_value(page, "starts_on"), shown_value(page, "ends_on")) == ("2022-11-28", "2022-12-03")
    assert shown_value(page, "submissions_open_on") == "2021-11-28"  # today
    assert shown_value(page, "published_on") == "2022-10-31"  # four weeks ahead
    assert 'type="date"' in page and 'for="starts_on"' in page


def test_next_year_skips_taken_and_past_weeks(app, ctx):
    assert next_year(date(2021, 11, 28)) == 2022  # 2021 is taken
    assert next_year(date(2023, 1, 10)) == 2023
    assert next_year(date(2023, 12, 1)) == 2024  # 2023's week has begun
    create(EditionDraft(name="Open Gen 2024", starts_on=date(2024, 11, 25), ends_on=date(2024, 11, 30)))
    assert next_year(date(2023, 12, 1)) == 2025
    late = proposal(date(2025, 11, 20))  # a week before: published at once
    assert (late.starts_on, late.published_on) == (date(2025, 11, 24), date(2025, 11, 20))


def test_staff_create_an_edition(staff, ctx):
    response = staff.post(NEW, data=form(staff, name="Open Gen 2022 <b>édition</b>"))
    assert response.status_code == 303 and response.headers["Location"].endswith("/admin/editions")
    edition = db.session.scalars(select(Edition).where(Edition.slug == "2022")).one()
    assert (edition.name, edition.starts_on, edition.ends_on) == ("Open Gen 2022 <b>édition</b>",
                                                                  date(2022, 11, 28), date(2022, 12, 3))
    assert (edition.submissions_open_on, edition.submissions_close_on, edition.published_on) == (
        date(2022, 9, 1), date(2022, 11, 25), date(2022, 10, 1))
    page = staff.get("/admin/editions").get_data(as_text=True)
    assert "Édition créée" in page and "Open Gen 2022 &lt;b&gt;édition&lt;/b&gt;" in page
    rows = re.findall(r'<tr id="edition-(\d{4})">(.*?)</tr>', page, re.S)
    assert [year for year, _row in rows] == ["2022", "2021"]  # newest first
    new, old = rows[0][1], rows[1][1]
    assert "Brouillon" in new and "fermées" in new and "affichée sur le site" not in new
    assert "À venir" in old and "ouvertes" in old and "affichée sur le site" in old


def test_staff_edit_an_edition_and_its_year_follows_the_dates(staff, ctx):
    url = "/admin/editions/2021/modifier"
    page = staff.get(url).get_data(as_text=True)
    assert shown_value(page, "starts_on") == "2021-11-29" and shown_value(page, "published_on") == ""
    # Keeping its own year is no duplicate.
    response = staff.post(url, data=form(staff, url, name="Open Gen 2021 (2e édition)", starts_on="2021-11-29",
                                         ends_on="2021-12-04", submissions_open_on="",
                                         submissions_close_on="2021-11-26", published_on=""))
    assert response.status_code == 303
    assert editions_in_database() == [("2021", "Open Gen 2021 (2e édition)")]
    edition = db.session.scalars(select(Edition)).one()
    assert (edition.submissions_open_on, edition.submissions_close_on, edition.published_on) == (
        None, date(2021, 11, 26), None)
    response = staff.post(url, data=form(staff, url, name="Open Gen 2020", starts_on="2020-11-30",
                                         ends_on="2020-12-05", submissions_open_on="",
                                         submissions_close_on="", published_on=""))
    assert response.status_code == 303
    assert editions_in_database() == [("2020", "Open Gen 2020")]
    assert staff.get(url).status_code == 404
    assert staff.get("/admin/editions/2020/modifier").status_code == 200


@pytest.mark.parametrize("url", ["/admin/editions/1999/modifier", "/admin/editions/99999999999999/modifier"])
def test_an_unknown_edition_is_not_found(staff, url):
    assert staff.get(url).status_code == 404


BAD = [
    ({"ends_on": "2022-11-20"}, "ends_on", "La fin doit suivre le début."),
    ({"starts_on": "2022-11-01", "ends_on": "2022-12-15"}, "ends_on", "Une édition dure au plus un mois."),
    ({"starts_on": "2022-12-20", "ends_on": "2023-01-05"}, "ends_on",
     "Une édition commence et finit la même année."),
    ({"submissions_close_on": "2022-12-10"}, "submissions_close_on",
     "Les propositions ferment au plus tard le dernier jour de l’édition."),
    ({"submissions_open_on": "2022-11-01", "submissions_close_on": "2022-10-01"}, "submissions_close_on",
     "La clôture des propositions doit suivre leur ouverture."),
    ({"submissions_open_on": "2022-12-10", "submissions_close_on": ""}, "submissions_open_on",
     "Les propositions doivent ouvrir au plus tard le dernier jour de l’édition."),
    ({"starts_on": "2021-11-22", "ends_on": "2021-11-27", "submissions_open_on": "", "submissions_close_on": ""},
     "starts_on", "Il existe déjà une édition 2021."),
    ({"name": ""}, "name", "Donnez un nom à l’édition."),
    ({"name": "   \t "}, "name", "Donnez un nom à l’édition."),
    ({"name": "x" * 121}, "name", "120 caractères au plus."),
    ({"starts_on": ""}, "starts_on", "Indiquez le premier jour de l’édition."),
    ({"ends_on": ""}, "ends_on", "Indiquez le dernier jour de l’édition."),
    ({"starts_on": "28/11/2022"}, "starts_on", "Date invalide : choisissez un jour (format AAAA-MM-JJ)."),
    ({"ends_on": "2022-02-30"}, "ends_on", "Date invalide : choisissez un jour (format AAAA-MM-JJ)."),
    ({"published_on": "demain <script>"}, "published_on",
     "Date invalide : choisissez un jour (format AAAA-MM-JJ)."),
    ({"submissions_open_on": "99999-01-01"}, "submissions_open_on",
     "Date invalide : choisissez un jour (format AAAA-MM-JJ)."),
]


@pytest.mark.parametrize("overrides, field, message", BAD)
def test_bad_input_is_refused_next_to_its_field_and_kept(staff, ctx, overrides, field, message):
    data = form(staff, **overrides)
    response = staff.post(NEW, data=data)
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert field_error(page, field) == message
    assert 'id="error-summary"' in page and 'aria-invalid="true"' in page
    assert shown_value(page, "name") == " ".join(data["name"].split())
    for name in ("starts_on", "ends_on", "submissions_open_on", "submissions_close_on", "published_on"):
        assert shown_value(page, name) == data[name]
    assert "<script>" not in page.split("<main", 1)[1]  # typed text is escaped
    assert editions_in_database() == [("2021", "Open Gen 2021")]


@pytest.mark.parametrize("overrides, field, message", [
    ({"starts_on": "2021-11-22", "ends_on": "2021-11-27", "submissions_open_on": "2021-11-01",
      "submissions_close_on": "2021-11-26"}, "starts_on",
     "Il existe déjà une édition 2021."),
    ({"ends_on": "2022-11-01"}, "ends_on", "La fin doit suivre le début."),
    ({"starts_on": "n’importe quoi"}, "starts_on", "Date invalide : choisissez un jour (format AAAA-MM-JJ)."),
])
def test_bad_edits_are_refused_and_change_nothing(staff, ctx, overrides, field, message):
    create(EditionDraft(name="Open Gen 2022", starts_on=date(2022, 11, 28), ends_on=date(2022, 12, 3)))
    db.session.commit()
    url = "/admin/editions/2022/modifier"
    response = staff.post(url, data=form(staff, url, name="Renommée", **overrides))
    page = response.get_data(as_text=True)
    assert response.status_code == 422 and field_error(page, field) == message
    assert shown_value(page, "name") == "Renommée" and shown_value(page, field) == overrides[field]
    assert editions_in_database() == [("2021", "Open Gen 2021"), ("2022", "Open Gen 2022")]


# --- states -----------------------------------------------------------------------------------

def test_states_and_submission_windows(app, ctx, make_event):
    draft = create(EditionDraft(name="Open Gen 2022", starts_on=date(2022, 11, 28), ends_on=date(2022, 12, 3),
                                submissions_open_on=date(2022, 9, 1), published_on=date(2022, 10, 1)))
    old = db.session.scalars(select(Edition).where(Edition.slug == "2021")).one()
    make_event(status=EventStatus.pending)
    make_event()
    make_event(status=EventStatus.cancelled)
    assert [state(draft, date(2022, d[0], d[1])) for d in ((9, 30), (10, 1), (11, 28), (12, 3), (12, 4))] == [
        "draft", "upcoming", "running", "running", "over"]
    assert [state(old, date(2021, 11, d)) for d in (28, 29)] == ["upcoming", "running"]
    rows = board(date(2021, 12, 1))
    assert [row.edition.year for row in rows] == [2022, 2021]
    assert [(row.state, row.submissions_open, row.is_current) for row in rows] == [
        ("draft", False, False), ("running", True, True)]
    assert rows[1].sessions == {"pending": 1, "published": 1, "rejected": 0, "cancelled": 1}
    assert rows[0].sessions == {"pending": 0, "published": 0, "rejected": 0, "cancelled": 0}
    rows = board(date(2022, 10, 2))
    assert [(row.state, row.submissions_open, row.is_current) for row in rows] == [
        ("upcoming", True, True), ("over", False, False)]


# --- the numbers, edition by edition and side by side ---------------------------------------

@pytest.fixture
def two_editions(make_event, make_venue, make_school):
    """2021: 3 published sessions (1 overseas, 1 online); 2022: 2 published; pending ones in both."""
    new = create(EditionDraft(name="Open Gen 2022", starts_on=date(2022, 11, 28), ends_on=date(2022, 12, 3)))
    lyon = make_venue(postcode="69001", city="Lyon", region="Auvergne-Rhône-Alpes")
    reunion = make_venue(postcode="97400", city="Saint-Denis", region="La Réunion", timezone="Indian/Reunion")
    paris_venue = make_venue(postcode="75011", city="Paris", region="Île-de-France")
    make_event(venue=lyon, families=["data"], audience=["qpv"], kind=EventKind.open_house)
    make_event(venue=reunion, families=["data", "cloud"], audience=["rural", "qpv"])
    make_event(school=lyon.school, format=EventFormat.online, online_url="https://visio.example.org/1",
               families=["ai"], audience=["women-in-tech"])
    make_event(venue=lyon, status=EventStatus.pending)
    make_event(venue=paris_venue, edition=new, start=paris(2022, 11, 28, 10), families=["data"],
               audience=["women-in-tech"], kind=EventKind.testimony)
    make_event(venue=paris_venue, edition=new, start=paris(2022, 11, 29, 10), families=["web-design"],
               audience=[], format=EventFormat.both, online_url="https://visio.example.org/2")
    make_event(venue=paris_venue, edition=new, start=paris(2022, 11, 30, 10), status=EventStatus.rejected)
    db.session.commit()
    return new


def test_compare_counts_each_edition_apart(app, two_editions):
    result = comparison.compare(db.session.scalars(select(Edition).order_by(Edition.starts_on.desc())).all())
    assert [e.year for e in result.editions] == [2022, 2021]
    assert (result.published, result.schools, result.towns, result.overseas) == ((2, 3), (1, 2), (1, 2), (0, 1))
    assert {row.key: row.counts for row in result.audiences} == {
        "women-in-tech": (1, 1), "qpv": (0, 2), "rural": (0, 1)}
    families = {row.key: row.counts for row in result.by_family}
    assert families["data"] == (1, 2) and families["cloud"] == (0, 1) and families["web-design"] == (1, 0)
    assert families["cybersecurity"] == (0, 0) and len(families) == 9
    assert [(row.key, row.counts) for row in result.by_region] == [
        ("Île-de-France", (2, 0)), ("Auvergne-Rhône-Alpes", (0, 1)), ("La Réunion", (0, 1)), (None, (0, 1))]
    assert result.other_regions is None
    assert [(row.key, row.counts) for row in result.by_kind] == [
        ("workshop", (1, 2)), ("testimony", (1, 0)), ("open_house", (0, 1))]
    assert [(row.key, row.counts) for row in result.by_format] == [
        ("onsite", (1, 2)), ("online", (0, 1)), ("both", (1, 0))]
    assert result.cells((1, 2)) == [(1, 50.0), (2, pytest.approx(200 / 3))]


def test_compare_groups_the_regions_past_the_top_ones(app, make_event, make_venue):
    for n in range(comparison.TOP_REGIONS + 2):
        for _ in range(n + 1):
            make_event(venue=make_venue(region=f"Région {n:02d}", postcode=f"{10 + n}000", city=f"Ville {n}"))
    db.session.commit()
    result = comparison.compare(db.session.scalars(select(Edition)).all())
    assert [row.key for row in result.by_region][:2] == ["Région 09", "Région 08"]
    assert len(result.by_region) == comparison.TOP_REGIONS and result.other_regions == (1 + 2,)


def test_compare_asks_the_same_queries_for_one_edition_or_five(app, ctx, make_event):
    for year in (2017, 2018, 2019, 2020):
        create(EditionDraft(name=f"Open Gen {year}", starts_on=date(year, 11, 20), ends_on=date(year, 11, 25)))
    make_event()
    db.session.commit()
    everything = db.session.scalars(select(Edition)).all()

    def statements(editions) -> int:
        seen = []
        listener = lambda *args: seen.append(args[2])  # noqa: E731
        event.listen(db.engine, "before_cursor_execute", listener)
        try:
            comparison.compare(editions)
        finally:
            event.remove(db.engine, "before_cursor_execute", listener)
        return len(seen)

    statements(everything)  # warm the families' read
    assert statements(everything[:1]) == statements(everything) <= 10


def test_the_page_compares_two_editions_side_by_side(staff, two_editions):
    page = staff.get("/admin/numbers").get_data(as_text=True)
    table = re.search(r'<table[^>]*id="compare".*?</table>', page, re.S).group(0)
    assert "<caption id=\"compare-caption\">Éditions côte à côte</caption>" in table
    headers = re.findall(r'<th scope="col"><a href="([^"]+)"[^>]*>([^<]+)</a></th>', table)
    assert headers == [("/admin/numbers?edition=2022", "Open Gen 2022"),
                       ("/admin/numbers?edition=2021", "Open Gen 2021")]
    assert "Sessions publiées</th><td>2</td><td>3</td></tr>" in table
    assert "Écoles ayant publié des sessions</th><td>1</td><td>2</td></tr>" in table
    assert re.search(r"Data</th><td>1 <span class=\"share\">\(50,0 %\)</span></td>"
                     r"<td>2 <span class=\"share\">\(66,7 %\)</span></td>", table)
    assert re.search(r"Quartiers prioritaires \(QPV\)</th><td>0 .*?</td><td>2 ", table)
    assert re.search(r"outre-mer</th><td>0 .*?</td><td>1 <span class=\"share\">\(33,3 %\)", table)
    # The current edition (the latest published, 2022) is the one detailed by default.
    assert re.search(r'<option value="2022" selected>Open Gen 2022</option>', page)
    assert re.search(r"Publiée</th><td>2</td>", page) and re.search(r"Refusée</th><td>1</td>", page)
    assert 'href="/admin/numbers/sessions.csv?edition=2022"' in page
    assert 'class="table-scroll" role="region" aria-labelledby="compare-caption" tabindex="0"' in page


def test_the_selector_picks_an_edition(staff, two_editions):
    page = staff.get("/admin/numbers?edition=2021").get_data(as_text=True)
    assert re.search(r'<option value="2021" selected>Open Gen 2021</option>', page)
    assert "<h2>Open Gen 2021</h2>" in page
    assert re.search(r"Publiée</th><td>3</td>", page) and re.search(r"En attente de validation</th><td>1</td>", page)
    assert re.search(r"La Réunion</th><td>1</td><td>33,3 %", page)
    assert 'href="/admin/numbers/sessions.csv?edition=2021"' in page


def test_a_draft_edition_can_be_read_by_staff(staff, ctx):
    create(EditionDraft(name="Open Gen 2022", starts_on=date(2022, 11, 28), ends_on=date(2022, 12, 3),
                        published_on=date(2022, 10, 1)))
    db.session.commit()
    assert re.search(r'<option value="2021" selected>', staff.get("/admin/numbers").get_data(as_text=True))
    response = staff.get("/admin/numbers?edition=2022")
    assert response.status_code == 200 and "<h2>Open Gen 2022</h2>" in response.get_data(as_text=True)


@pytest.mark.parametrize("value, message", [
    ("1999", "Il n’y a pas d’édition 1999 : choisissez une édition dans la liste."),
    ("zz", "Édition invalide : choisissez une année dans la liste, par exemple 2021."),
    ("2021x", "Édition invalide : choisissez une année dans la liste, par exemple 2021."),
    ("٢٠٢١", "Édition invalide : choisissez une année dans la liste, par exemple 2021."),
    ("9" * 400, "Édition invalide : choisissez une année dans la liste, par exemple 2021."),
    ("<script>alert(1)</script>", "Édition invalide : choisissez une année dans la liste, par exemple 2021."),
])
def test_a_bad_edition_is_explained_next_to_the_selector(staff, two_editions, value, message):
    response = staff.get("/admin/numbers", query_string={"edition": value})
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert field_error(page.replace(' role="alert"', ""), "edition") == message
    assert 'aria-describedby="edition-error"' in page and "<script>alert" not in page
    assert 'id="compare"' in page  # the comparison is still there
    csv_response = staff.get("/admin/numbers/sessions.csv", query_string={"edition": value})
    assert csv_response.status_code == 400 and message in htmllib.unescape(csv_response.get_data(as_text=True))


def test_a_blank_edition_means_the_current_one(staff, two_editions):
    response = staff.get("/admin/numbers?edition=")
    assert response.status_code == 200 and "<h2>Open Gen 2022</h2>" in response.get_data(as_text=True)


def test_the_csv_takes_the_edition(staff, two_editions):
    for year, count in (("2021", 3), ("2022", 2), ("", 2)):
        response = staff.get("/admin/numbers/sessions.csv", query_string={"edition": year})
        assert response.status_code == 200 and response.mimetype == "text/csv"
        expected = year or "2022"
        assert f"filename=open-gen-{expected}-sessions.csv" in response.headers["Content-Disposition"]
        rows = list(csv.reader(io.StringIO(response.get_data().decode("utf-8-sig"))))
        assert len(rows) == 1 + count
        assert {row[4][:4] for row in rows[1:]} == {expected}


def test_no_edition_at_all(staff, ctx):
    db.session.execute(Edition.__table__.delete())
    db.session.commit()
    assert db.session.scalar(select(func.count(Edition.id))) == 0
    page = staff.get("/admin/editions").get_data(as_text=True)
    assert "Aucune édition n’existe encore." in page and 'href="/admin/editions/nouvelle"' in page
    new = staff.get(NEW).get_data(as_text=True)
    assert shown_value(new, "name") == "Open Gen 2021"  # the eve of the 2021 week: that week is next
    assert staff.get("/admin/numbers").status_code == 200
    assert staff.get("/admin/numbers/sessions.csv").status_code == 404
