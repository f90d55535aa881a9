"""The GEN team sees the numbers: counts on a known set of sessions, and the CSV of published ones."""
from __future__ import annotations

import csv
import io
import re

import pytest

from opengen.db import db
from opengen.editions import current_edition
from opengen.events import stats
from opengen.models import EventFormat, EventKind, EventStatus

from .conftest import paris
from .submit_fixtures import login


@pytest.fixture
def staff(client, make_admin):
    """A logged-in staff member's client."""
    make_admin()
    assert login(client).status_code == 303
    return client


@pytest.fixture
def known_sessions(make_event, make_school, make_venue):
    """Eight sessions whose figures are counted by hand in the tests."""
    simplon, wagon, reunion_school = (make_school(name="Simplon"), make_school(name="=HYPERLINK(\"x\")"),
                                      make_school(name="Digital Réunion"))
    montreuil = make_venue(school=simplon, postcode="93100", city="Montreuil", region="Île-de-France")
    lyon = make_venue(school=wagon, postcode="69001", city="Lyon", region="Auvergne-Rhône-Alpes")
    lyon_again = make_venue(school=wagon, postcode="69001", city="LYON", region="Auvergne-Rhône-Alpes")
    saint_denis_974 = make_venue(school=reunion_school, postcode="97400", city="Saint-Denis",
                                 region="La Réunion", timezone="Indian/Reunion")
    # Saint-Pierre-et-Miquelon (975) is overseas but not an overseas department; its session is pending.
    miquelon = make_venue(school=reunion_school, postcode="97500", city="Saint-Pierre", region=None,
                          timezone="America/Miquelon")
    # Published: 5 (two on Monday 29, three on Wednesday 1st, one just after midnight, one online)
    make_event(venue=montreuil, families=["web-development", "data"], start=paris(2021, 11, 29, 10),
               audience=["women-in-tech", "qpv"], kind=EventKind.workshop)
    make_event(venue=montreuil, families=["data"], start=paris(2021, 11, 29, 14), audience=["qpv"],
               kind=EventKind.open_house)
    make_event(venue=lyon, families=["cybersecurity"], start=paris(2021, 12, 1, 0, 30), audience=[],
               kind=EventKind.workshop, format=EventFormat.both, online_url="https://visio.example.org/1")
    make_event(venue=saint_denis_974, families=["cloud"], start=paris(2021, 12, 1, 9),
               audience=["rural", "women-in-tech"], kind=EventKind.career_talk)
    make_event(school=simplon, format=EventFormat.online, online_url="https://visio.example.org/2",
               families=["ai"], start=paris(2021, 12, 1, 18), audience=["no-prerequisite"],
               kind=EventKind.info_session)
    # Not published: they count only in the status table.
    make_event(venue=miquelon, status=EventStatus.pending, families=["data"])
    make_event(venue=lyon_again, status=EventStatus.rejected, families=["data"], audience=["qpv"])
    make_event(venue=montreuil, status=EventStatus.cancelled, families=["data"], audience=["qpv"])
    db.session.commit()


def test_counts_on_a_known_set(app, known_sessions):
    numbers = stats.numbers(current_edition())
    assert numbers.by_status == {"pending": 1, "published": 5, "rejected": 1, "cancelled": 1}
    by_day = {day.isoformat() if day else None: n for day, n in numbers.by_day}
    assert by_day == {"2021-11-29": 2, "2021-11-30": 0, "2021-12-01": 3, "2021-12-02": 0, "2021-12-03": 0,
                      "2021-12-04": 0}
    assert dict(numbers.by_family) == {"web-development": 1, "networks-maintenance": 0, "cybersecurity": 1,
                                       "cloud": 1, "data": 2, "ai": 1, "web-design": 0,
                                       "digital-marketing": 0, "project-management": 0}
    assert numbers.by_region == [("Île-de-France", 2), ("Auvergne-Rhône-Alpes", 1), ("La Réunion", 1),
                                 (None, 1)]
    assert dict(numbers.by_kind) == {"workshop": 2, "open_house": 1, "career_talk": 1, "info_session": 1}
    assert dict(numbers.by_format) == {"onsite": 3, "both": 1, "online": 1}
    assert (numbers.schools, numbers.towns, numbers.overseas) == (3, 3, 1)
    assert numbers.audiences == {"women-in-tech": 2, "qpv": 2, "rural": 1}
    assert numbers.share(2) == 40.0


def test_days_are_paris_days_and_sessions_outside_the_week_are_counted_apart(app, known_sessions, make_event):
    make_event(start=paris(2021, 12, 5, 10))
    db.session.commit()
    by_day = stats.numbers(current_edition()).by_day
    # The 00:30 session on Wednesday is still Tuesday in UTC: it counts on Wednesday.
    assert by_day[1][1] == 0 and by_day[2][1] == 3
    assert by_day[-1] == (None, 1)


def test_an_empty_edition_has_zero_everywhere(app, make_event):
    make_event(status=EventStatus.pending)
    db.session.commit()
    numbers = stats.numbers(current_edition())
    assert numbers.published == 0 and numbers.share(0) == 0.0
    assert numbers.by_region == [] and numbers.audiences == {"women-in-tech": 0, "qpv": 0, "rural": 0}
    assert (numbers.schools, numbers.towns, numbers.overseas) == (0, 0, 0)


def test_the_page_shows_accessible_tables(staff, known_sessions):
    response = staff.get("/admin/numbers")
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "<h1>Les chiffres</h1>" in html
    tables = re.findall(r"<table.*?</table>", html, re.S)
    assert len(tables) == 8  # the edition's seven, then the editions side by side
    for table in tables:
        assert "<caption id=" in table and 'scope="col"' in table and 'scope="row"' in table
    by_region = next(t for t in tables if 'id="by-region"' in t)
    assert re.search(r"La Réunion</th><td>1</td><td>20,0 %", by_region)
    assert re.search(r"Sessions dans les départements d’outre-mer</th><td>1</td>", html)
    assert re.search(r"Quartiers prioritaires \(QPV\)</th><td>2</td><td>40,0 %", html)
    assert re.search(r"Publiée</th><td>5</td>", html) and re.search(r"Annulée</th><td>1</td>", html)
    assert "=HYPERLINK" not in html  # school names are not on this page at all
    assert 'href="/admin/numbers"' in staff.get("/admin/").get_data(as_text=True)


def test_the_csv_lists_published_sessions_and_defuses_formulas(staff, known_sessions, make_event, make_venue,
                                                               make_school):
    hostile = make_school(name="+cmd|' /C calc'!A0")
    make_event(venue=make_venue(school=hostile, city="@SUM(1+1)", postcode="-1", region="-2+3"),
               families=["web-design"], start=paris(2021, 12, 2, 11), kind=EventKind.testimony)
    db.session.commit()
    response = staff.get("/admin/numbers/sessions.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    text = response.get_data().decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == list(stats.CSV_HEADER) and len(rows) == 1 + 6
    assert rows[1] == ["Simplon", "Montreuil", "93100", "Île-de-France", "2021-11-29", "10:00",
                       "web-development data", "workshop", "onsite"]
    assert rows[3][:6] == ["'=HYPERLINK(\"x\")", "Lyon", "69001", "Auvergne-Rhône-Alpes", "2021-12-01", "00:30"]
    reunion = next(r for r in rows if r[1] == "Saint-Denis")
    assert reunion[2:6] == ["97400", "La Réunion", "2021-12-01", "12:00"]  # 9:00 in Paris, local time shown
    online = next(r for r in rows if r[8] == "online")
    assert online[1:4] == ["", "", ""] and online[6] == "ai"
    assert rows[-1][:4] == ["'+cmd|' /C calc'!A0", "'@SUM(1+1)", "'-1", "'-2+3"]
    for row in rows[1:]:
        assert not any(cell.startswith(("=", "+", "-", "@")) for cell in row)


@pytest.mark.parametrize("value, expected", [("=1+1", "'=1+1"), ("+33 1", "'+33 1"), ("-x", "'-x"),
                                             ("@a", "'@a"), ("\tx", "'\tx"), ("Lyon", "Lyon"),
                                             (None, ""), ("a=b", "a=b")])
def test_csv_cell(value, expected):
    assert stats.csv_cell(value) == expected


def test_only_the_five_overseas_departments_count_as_such(app, make_event, make_venue):
    for postcode in ("97100", "97200", "97300", "97400", "97600", "97500", "97133", "75001"):
        make_event(venue=make_venue(postcode=postcode, city=f"Ville {postcode}"))
    db.session.commit()
    numbers = stats.numbers(current_edition())
    # 97133 is Saint-Barthélemy's postcode within the 971 range: it counts, as La Poste files it there.
    assert (numbers.overseas, numbers.towns) == (6, 8)
