"""The broadcasts' lineup, the live status of a broadcast, and a visitor's shortlist (« Mon programme »)."""
from collections import Counter
from dataclasses import replace
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from opengen.broadcasts.planner import (
    ScheduleError,
    Slot,
    broadcast_status,
    default_title,
    is_today,
    local_datetime,
    propose_lineup,
    slot_datetimes,
)
from opengen.events.families import BY_SLUG
from opengen.events.families import FAMILIES as FAMILY_INFO
from opengen.events.families import SLUGS as FAMILY_SLUGS
from opengen.places.distance import haversine_km
from opengen.shortlist.clashes import (
    CheckedShortlist,
    Clash,
    ShortlistError,
    ShortlistItem,
    TooFar,
    check_shortlist,
)

pytestmark = pytest.mark.filterwarnings("error")

PARIS = ZoneInfo("Europe/Paris")
UTC = timezone.utc
EDITION = [date(2021, 11, 29) + timedelta(days=n) for n in range(6)]  # Mon 29 Nov - Sat 4 Dec
FAMILIES = list(FAMILY_SLUGS)
MON, TUE, WED, THU, FRI, SAT = EDITION


def families_of(programme):
    return [f for slot in programme for f in slot.families]


def kept(fixed, programme):
    """Each fixed slot is in the programme as given; an untitled one only gains its default title."""
    return all(replace(s, title=s.title or default_title(s.families)) in programme for s in fixed)


def counts_by_day(programme, days=EDITION):
    per_day = {slot.day: len(slot.families) for slot in programme}
    return [per_day.get(d, 0) for d in days]


# --------------------------------------------------------------------------- the nine families

def test_the_nine_career_families_are_known_by_their_slugs():
    assert FAMILY_SLUGS == (
        "web-development", "networks-maintenance", "cybersecurity", "cloud", "data", "ai",
        "web-design", "digital-marketing", "project-management")
    assert set(BY_SLUG) == set(FAMILY_SLUGS)


def test_the_planner_names_the_families_as_the_site_does():
    titles = {f.slug: default_title([f.slug]) for f in FAMILY_INFO}
    assert titles["cloud"] == "Les métiers du cloud" and titles["data"] == "Les métiers de la data"
    assert all(title == f"Les métiers {BY_SLUG[slug].of_phrase}" for slug, title in titles.items())


# --------------------------------------------------------------------------- default lineup

def test_every_family_is_presented_exactly_once_over_the_week():
    programme = propose_lineup(EDITION, FAMILIES)
    assert Counter(families_of(programme)) == Counter(FAMILIES)


def test_no_morning_presents_more_than_two_families():
    programme = propose_lineup(EDITION, FAMILIES)
    assert max(len(slot.families) for slot in programme) == 2
    assert len({slot.day for slot in programme}) == len(programme)


def test_nine_families_over_six_mornings_give_three_mornings_of_two_and_three_of_one():
    programme = propose_lineup(EDITION, FAMILIES)
    assert counts_by_day(programme) == [2, 1, 2, 1, 2, 1]


def test_the_programme_is_sorted_by_day_even_when_days_come_unordered():
    programme = propose_lineup(list(reversed(EDITION)), FAMILIES)
    assert [slot.day for slot in programme] == EDITION


def test_slots_start_at_the_given_time_and_last_the_given_duration():
    programme = propose_lineup(EDITION, FAMILIES, start=time(9, 30), duration=timedelta(minutes=45))
    assert {(slot.start, slot.end) for slot in programme} == {(time(9, 30), time(10, 15))}
    default = propose_lineup(EDITION, FAMILIES)
    assert {(slot.start, slot.end) for slot in default} == {(time(10), time(11))}


def test_families_are_taken_in_the_order_given():
    programme = propose_lineup(EDITION, FAMILIES)
    assert families_of(programme) == FAMILIES
    assert programme[0].families == ("web-development", "networks-maintenance")


def test_default_titles_are_french_sentences_naming_the_families():
    assert default_title(["web-development", "data"]) == "Les métiers du développement web et de la data"
    assert default_title(["ai"]) == "Les métiers de l’intelligence artificielle"
    assert default_title(["cloud", "networks-maintenance"]) == (
        "Les métiers du cloud ainsi que des réseaux et de la maintenance")
    assert default_title(["cloud", "data", "ai"]) == (
        "Les métiers du cloud, de la data et de l’intelligence artificielle")
    programme = propose_lineup(EDITION, FAMILIES)
    assert programme[1].title == "Les métiers de la cybersécurité"
    assert all(slot.title == default_title(slot.families) for slot in programme)


def test_fewer_families_than_mornings_leave_mornings_without_broadcast():
    programme = propose_lineup(EDITION, ["data", "ai", "cloud", "cybersecurity"])
    assert counts_by_day(programme) == [1, 1, 0, 1, 1, 0]


def test_a_larger_maximum_allows_a_shorter_edition():
    programme = propose_lineup(EDITION[:3], FAMILIES, max_per_morning=3)
    assert counts_by_day(programme, EDITION[:3]) == [3, 3, 3]
    assert programme[2].title == (
        "Les métiers du web design et du graphisme, du marketing digital ainsi que de la gestion de projet")


def test_the_same_input_gives_the_same_programme():
    fixed = [Slot(THU, ("ai", "data"), time(9), time(10, 30), "Spécial IA et data")]
    runs = [propose_lineup(EDITION, FAMILIES, fixed) for _ in range(3)]
    assert runs[0] == runs[1] == runs[2]
    assert propose_lineup(EDITION, FAMILIES) == propose_lineup(EDITION, FAMILIES)


# --------------------------------------------------------------------------- fixed slots

def test_a_fixed_slot_with_two_families_is_kept_as_given():
    fixed = Slot(WED, ("data", "ai"), time(9), time(10, 30), "Spécial IA")
    programme = propose_lineup(EDITION, FAMILIES, [fixed])
    assert fixed in programme
    assert [s for s in programme if s.day == WED] == [fixed]
    assert Counter(families_of(programme)) == Counter(FAMILIES)
    assert sorted(counts_by_day(programme)) == [1, 1, 1, 2, 2, 2]


def test_a_slot_accepts_a_list_or_a_single_slug_for_its_families():
    assert Slot(MON, ["data", "ai"], time(10), time(11)).families == ("data", "ai")
    assert Slot(MON, "data", time(10), time(11)).families == ("data",)


def test_a_fixed_slot_without_title_gets_the_default_title():
    programme = propose_lineup(EDITION, FAMILIES, [Slot(TUE, ("cloud",), time(11), time(12))])
    tuesday = next(s for s in programme if s.day == TUE)
    assert (tuesday.families, tuesday.start, tuesday.end) == (("cloud",), time(11), time(12))
    assert tuesday.title == "Les métiers du cloud"


def test_fixed_mornings_count_towards_the_spread_and_the_rest_stays_feasible():
    fixed = [Slot(MON, ("data", "ai"), time(10), time(11)),
             Slot(TUE, ("cloud", "cybersecurity"), time(10), time(11)),
             Slot(SAT, ("web-design", "digital-marketing"), time(10), time(11))]
    programme = propose_lineup(EDITION, FAMILIES, fixed)
    assert kept(fixed, programme)
    # The three mornings of two are taken: every other morning presents one family.
    assert counts_by_day(programme) == [2, 2, 1, 1, 1, 2]
    assert Counter(families_of(programme)) == Counter(FAMILIES)
    assert [s.families for s in programme if s.day in (WED, THU, FRI)] == [
        ("web-development",), ("networks-maintenance",), ("project-management",)]


def test_fixed_mornings_of_one_family_push_the_pairs_to_free_mornings():
    fixed = [Slot(MON, ("data",), time(10), time(11)), Slot(WED, ("ai",), time(10), time(11)),
             Slot(FRI, ("cloud",), time(10), time(11))]
    programme = propose_lineup(EDITION, FAMILIES, fixed)
    assert counts_by_day(programme) == [1, 2, 1, 2, 1, 2]


# --------------------------------------------------------------------------- refusals

def slot(day, *families):
    return Slot(day, families, time(10), time(11))


@pytest.mark.parametrize("days, families, fixed, kwargs, message", [
    (EDITION[:4], FAMILIES, [], {},
     "Impossible : 9 familles pour 4 matinées avec au plus 2 familles par matinée."),
    (EDITION[:1], ["data", "ai"], [], {"max_per_morning": 1},
     "Impossible : 2 familles pour 1 matinée avec au plus 1 famille par matinée."),
    (EDITION, FAMILIES, [slot(MON, "data"), slot(WED, "data")], {},
     "Impossible : la famille « Data » est fixée deux fois (le lundi 29 novembre et le mercredi 1er décembre)."),
    (EDITION, FAMILIES, [slot(MON, "data", "data")], {},
     "Impossible : la famille « Data » est fixée deux fois le même jour."),
    (EDITION, FAMILIES + ["robotics"], [], {}, "Famille inconnue : « robotics »."),
    (EDITION, FAMILIES, [slot(MON, "robotics")], {}, "Famille inconnue : « robotics »."),
    (EDITION, ["data", ["ai"]], [], {}, "Famille inconnue : « ['ai'] »."),
    (EDITION, ["data", "ai"], [slot(MON, "cloud")], {},
     "Impossible : la famille « Cloud », fixée le lundi 29 novembre, ne fait pas partie des familles de l’édition."),
    (EDITION, FAMILIES + ["data"], [], {}, "La famille « Data » figure deux fois dans la liste."),
    (EDITION, FAMILIES, [slot(date(2021, 12, 6), "data")], {},
     "Impossible : la matinée fixée du lundi 6 décembre 2021 est hors de l’édition "
     "(du lundi 29 novembre au samedi 4 décembre 2021)."),
    (EDITION, FAMILIES, [slot(TUE, "data", "ai", "cloud")], {},
     "Impossible : la matinée fixée du mardi 30 novembre présente 3 familles, au plus 2 sont permises."),
    (EDITION, FAMILIES, [slot(TUE, "data"), slot(TUE, "ai")], {},
     "Impossible : deux émissions sont fixées le mardi 30 novembre."),
    (EDITION, FAMILIES, [slot(TUE)], {},
     "Impossible : la matinée fixée du mardi 30 novembre ne présente aucune famille."),
    (EDITION, FAMILIES, [Slot(TUE, ("data",), time(11), time(10))], {},
     "Impossible : la matinée fixée du mardi 30 novembre doit finir après son début."),
    (EDITION, FAMILIES, [slot(MON, "data", "ai"), slot(TUE, "cloud", "cybersecurity"),
                         slot(WED, "web-design", "digital-marketing"),
                         slot(THU, "web-development", "networks-maintenance")], {},
     "Impossible de répartir également 9 familles sur 6 matinées : au plus 3 matinées peuvent "
     "en présenter 2, or 4 matinées fixées en présentent 2."),
    (EDITION, FAMILIES, [slot(MON, "data"), slot(TUE, "ai"), slot(WED, "cloud"), slot(THU, "cybersecurity")], {},
     "Impossible de répartir également 9 familles sur 6 matinées : au plus 3 matinées peuvent "
     "en présenter 1, or 4 matinées fixées en présentent 1."),
    (EDITION, FAMILIES[:6], [slot(MON, "data", "ai")], {},
     "Impossible de répartir également 6 familles sur 6 matinées : chaque matinée doit en "
     "présenter 1, or la matinée fixée du lundi 29 novembre en présente 2."),
    (EDITION[:3], FAMILIES, [slot(MON, "data")], {"max_per_morning": 3},
     "Impossible de répartir également 9 familles sur 3 matinées : chaque matinée doit en "
     "présenter 3, or la matinée fixée du lundi 29 novembre en présente 1."),
    ([], FAMILIES, [], {}, "L’édition doit compter au moins une matinée."),
    ([MON, MON], ["data"], [], {}, "Le lundi 29 novembre figure deux fois dans l’édition."),
    ([datetime(2021, 11, 29, 10)], ["data"], [], {}, "Jour invalide"),
    (EDITION, FAMILIES, [], {"max_per_morning": 0},
     "Le nombre maximal de familles par matinée doit être un entier d’au moins 1."),
    (EDITION, FAMILIES, [], {"duration": timedelta(0)}, "La durée d’une émission doit être positive."),
    (EDITION, FAMILIES, [], {"start": time(23, 30)}, "Une émission doit finir le jour où elle commence."),
    (EDITION, FAMILIES, [], {"start": time(10, tzinfo=UTC)},
     "L’heure de début doit être une heure locale, sans fuseau."),
])
def test_impossible_constraints_are_refused_with_a_french_message(days, families, fixed, kwargs, message):
    with pytest.raises(ScheduleError) as refused:
        propose_lineup(days, families, fixed, **kwargs)
    assert str(refused.value).startswith(message)
    assert isinstance(refused.value, ValueError)


# --------------------------------------------------------------------------- property test

def is_feasible(n_families, n_days, max_per_morning, fixed_counts):
    """Independent oracle: some even spread (all counts in {b, b+1}, at most max) fits the fixed ones."""
    free = n_days - len(fixed_counts)
    left = n_families - sum(fixed_counts)
    for low in range(0, max_per_morning + 1):
        high = min(low + 1, max_per_morning)
        if all(low <= c <= high for c in fixed_counts) and free * low <= left <= free * high:
            return True
    return False


@st.composite
def fixed_slot_sets(draw):
    days = draw(st.lists(st.sampled_from(EDITION), unique=True, max_size=6))
    pool = draw(st.permutations(FAMILIES))
    slots = []
    for day in days:
        size = draw(st.sampled_from([1, 1, 2, 2, 3]))
        taken, pool = pool[:size], pool[size:]
        if not taken:
            break
        slots.append(Slot(day, tuple(taken), time(draw(st.integers(8, 11))), time(12)))
    return slots


@settings(max_examples=300, deadline=None)
@given(fixed=fixed_slot_sets(), n_days=st.sampled_from([6, 6, 6, 5, 3]),
       max_per_morning=st.sampled_from([2, 2, 2, 3, 1]))
def test_any_fixed_slots_give_a_valid_programme_or_a_schedule_error(fixed, n_days, max_per_morning):
    days = EDITION[:n_days]
    try:
        programme = propose_lineup(days, FAMILIES, fixed, max_per_morning=max_per_morning)
    except ScheduleError as refused:
        assert str(refused)
        valid_fixed = all(s.day in days and len(s.families) <= max_per_morning for s in fixed)
        if valid_fixed and len(FAMILIES) <= n_days * max_per_morning:
            assert not is_feasible(len(FAMILIES), n_days, max_per_morning,
                                   [len(s.families) for s in fixed])
        return
    assert Counter(families_of(programme)) == Counter(FAMILIES)
    counts = counts_by_day(programme, days)
    assert max(counts) <= max_per_morning
    assert max(counts) - min(counts) <= 1
    assert kept(fixed, programme)
    assert len({s.day for s in programme}) == len(programme)
    assert all(s.day in days and s.title for s in programme)
    assert programme == propose_lineup(days, FAMILIES, fixed, max_per_morning=max_per_morning)


# --------------------------------------------------------------------------- clock and live status

def paris(*args, fold=0):
    return datetime(*args, tzinfo=PARIS, fold=fold)


def utc(*args):
    return datetime(*args, tzinfo=UTC)


def test_a_winter_broadcast_is_live_during_its_paris_hour():
    start, end = paris(2021, 11, 29, 10), paris(2021, 11, 29, 11)  # 09:00Z - 10:00Z
    assert broadcast_status(start, end, paris(2021, 11, 29, 9, 59)) == "upcoming"
    assert broadcast_status(start, end, paris(2021, 11, 29, 10)) == "live"
    assert broadcast_status(start, end, utc(2021, 11, 29, 9, 30)) == "live"
    assert broadcast_status(start, end, paris(2021, 11, 29, 10, 59, 59)) == "live"
    assert broadcast_status(start, end, paris(2021, 11, 29, 11)) == "ended"
    new_york = datetime(2021, 11, 29, 4, 30, tzinfo=ZoneInfo("America/New_York"))  # 09:30Z
    assert broadcast_status(start, end, new_york) == "live"


def test_a_summer_broadcast_is_live_two_hours_ahead_of_utc():
    start, end = paris(2022, 6, 15, 10), paris(2022, 6, 15, 11)  # 08:00Z - 09:00Z
    assert broadcast_status(start, end, utc(2022, 6, 15, 7, 59)) == "upcoming"
    assert broadcast_status(start, end, utc(2022, 6, 15, 8, 30)) == "live"
    assert broadcast_status(start, end, utc(2022, 6, 15, 9, 30)) == "ended"


def test_the_morning_after_the_autumn_change_uses_winter_time():
    start = local_datetime(date(2021, 10, 31), time(10))
    end = local_datetime(date(2021, 10, 31), time(11))
    assert start == utc(2021, 10, 31, 9)
    assert broadcast_status(start, end, utc(2021, 10, 31, 8, 30)) == "upcoming"
    assert broadcast_status(start, end, utc(2021, 10, 31, 9, 30)) == "live"
    assert broadcast_status(start, end, utc(2021, 10, 31, 10)) == "ended"


def test_the_morning_after_the_spring_change_uses_summer_time():
    start = local_datetime(date(2022, 3, 27), time(10))
    end = local_datetime(date(2022, 3, 27), time(11))
    assert start == utc(2022, 3, 27, 8)
    assert broadcast_status(start, end, utc(2022, 3, 27, 7, 30)) == "upcoming"
    assert broadcast_status(start, end, utc(2022, 3, 27, 8, 30)) == "live"
    assert broadcast_status(start, end, utc(2022, 3, 27, 9, 30)) == "ended"


def test_the_repeated_hour_is_compared_in_real_time_not_wall_time():
    # 02:00-02:45 summer time ends at 00:45Z; 02:30 winter time (second pass) is 01:30Z.
    start, end = paris(2021, 10, 31, 2), paris(2021, 10, 31, 2, 45)
    assert broadcast_status(start, end, paris(2021, 10, 31, 2, 30, fold=1)) == "ended"
    assert broadcast_status(start, end, paris(2021, 10, 31, 2, 30, fold=0)) == "live"


@pytest.mark.parametrize("start, end, now", [
    (datetime(2021, 11, 29, 10), paris(2021, 11, 29, 11), paris(2021, 11, 29, 10)),
    (paris(2021, 11, 29, 10), paris(2021, 11, 29, 11), datetime(2021, 11, 29, 10)),
    (paris(2021, 11, 29, 11), paris(2021, 11, 29, 10), paris(2021, 11, 29, 10)),
    ("2021-11-29T10:00", paris(2021, 11, 29, 11), paris(2021, 11, 29, 10)),
])
def test_naive_or_reversed_times_are_refused(start, end, now):
    with pytest.raises(ScheduleError):
        broadcast_status(start, end, now)


def test_today_is_the_paris_day_even_when_utc_is_still_yesterday():
    now = utc(2021, 11, 29, 23, 30)  # already 00:30 on Tuesday in Paris
    assert is_today(paris(2021, 11, 30, 10), now)
    assert not is_today(paris(2021, 11, 29, 10), now)
    summer_now = utc(2022, 6, 15, 22, 30)  # 00:30 on 16 June in Paris
    assert is_today(paris(2022, 6, 16, 10), summer_now)
    assert not is_today(paris(2022, 6, 16, 10), summer_now, tz="UTC")
    with pytest.raises(ScheduleError, match="Fuseau horaire inconnu"):
        is_today(paris(2022, 6, 16, 10), summer_now, tz="Europe/Nowhere")


def test_local_datetime_gives_the_right_offset_in_winter_and_summer():
    assert local_datetime(date(2021, 11, 29), time(10)).utcoffset() == timedelta(hours=1)
    assert local_datetime(date(2022, 6, 15), time(10)).utcoffset() == timedelta(hours=2)
    assert local_datetime(date(2022, 6, 15), time(10), "UTC") == utc(2022, 6, 15, 10)


def test_a_time_skipped_by_the_spring_change_moves_forward_by_the_gap():
    moment = local_datetime(date(2022, 3, 27), time(2, 30))
    assert moment == utc(2022, 3, 27, 1, 30)
    assert (moment.hour, moment.minute, moment.utcoffset()) == (3, 30, timedelta(hours=2))
    with pytest.raises(ScheduleError, match="L’heure 02:30 du dimanche 27 mars 2022 n’existe pas"):
        local_datetime(date(2022, 3, 27), time(2, 30), strict=True)


def test_a_time_repeated_by_the_autumn_change_means_its_first_occurrence():
    moment = local_datetime(date(2021, 10, 31), time(2, 30))
    # Python never finds a time of the repeated hour equal to one in another zone: go through UTC.
    assert moment.astimezone(UTC) == utc(2021, 10, 31, 0, 30)
    assert (moment.hour, moment.minute, moment.utcoffset()) == (2, 30, timedelta(hours=2))
    with pytest.raises(ScheduleError, match="existe deux fois"):
        local_datetime(date(2021, 10, 31), time(2, 30), strict=True)
    assert local_datetime(date(2021, 10, 31), time(10), strict=True) == utc(2021, 10, 31, 9)


def test_a_slot_becomes_aware_paris_datetimes():
    start, end = slot_datetimes(Slot(date(2021, 10, 31), ("data",), time(10), time(11)))
    assert (start, end) == (utc(2021, 10, 31, 9), utc(2021, 10, 31, 10))


# --------------------------------------------------------------------------- shortlist (« Mon programme »)

LYON = (45.7640, 4.8357)
VILLEURBANNE = (45.7719, 4.8902)
VENISSIEUX = (45.6975, 4.8867)
VIENNE = (45.5253, 4.8743)


def item(id, start, end, where=None, town="", online=False, title=None):
    lat, lon = where if where else (None, None)
    return ShortlistItem(id, title or f"Séance {id}", start, end, lat, lon, online, town)


def test_haversine_matches_known_distances():
    assert haversine_km(48.8566, 2.3522, 45.7640, 4.8357) == pytest.approx(391.5, abs=1.0)  # Paris-Lyon
    assert haversine_km(45, 5, 46, 5) == pytest.approx(111.195, abs=0.01)  # one degree of meridian
    assert haversine_km(*LYON, *LYON) == 0


def test_sessions_are_grouped_by_paris_day_in_time_order():
    late = item(1, utc(2021, 11, 29, 23, 30), utc(2021, 11, 30, 0, 30), online=True)  # Tue 00:30 in Paris
    morning = item(2, paris(2021, 11, 30, 9), paris(2021, 11, 30, 10), LYON, "Lyon")
    monday = item(3, paris(2021, 11, 29, 14), paris(2021, 11, 29, 15), LYON, "Lyon")
    programme = check_shortlist([morning, late, monday])
    assert isinstance(programme, CheckedShortlist)
    assert list(programme.days) == [MON, TUE]
    assert programme.days[MON] == (monday,)
    assert programme.days[TUE] == (late, morning)
    assert programme.warnings == ()


def test_overlapping_sessions_clash_and_touching_ones_do_not():
    long = item("a", paris(2021, 11, 30, 9), paris(2021, 11, 30, 12), online=True, title="Portes ouvertes Simplon")
    short = item("b", paris(2021, 11, 30, 10), paris(2021, 11, 30, 11), online=True, title="Atelier data")
    later = item("c", paris(2021, 11, 30, 11, 30), paris(2021, 11, 30, 12, 30), online=True)
    after = item("d", paris(2021, 11, 30, 12, 30), paris(2021, 11, 30, 13), online=True)
    programme = check_shortlist([after, later, short, long])
    assert programme.warnings == (Clash("a", "b", "Portes ouvertes Simplon", "Atelier data"),
                                  Clash("a", "c", "Portes ouvertes Simplon", "Séance c"))
    assert programme.warnings[0].message == "« Portes ouvertes Simplon » et « Atelier data » se chevauchent."
    assert programme.warnings_for("c") == (programme.warnings[1],)
    assert programme.warnings_for("d") == ()


def test_a_venue_too_far_for_the_gap_is_reported_with_the_numbers():
    first = item(1, paris(2021, 11, 30, 9), paris(2021, 11, 30, 10), LYON, "Lyon")
    second = item(2, paris(2021, 11, 30, 10, 5), paris(2021, 11, 30, 11), VILLEURBANNE, "Villeurbanne")
    [warning] = check_shortlist([first, second]).warnings
    assert isinstance(warning, TooFar)
    assert (warning.a_id, warning.b_id, warning.available_minutes) == (1, 2, 5)
    distance = haversine_km(*LYON, *VILLEURBANNE)
    assert warning.distance_km == pytest.approx(distance)
    assert 4 < distance < 5
    assert warning.needed_minutes == pytest.approx(distance * 1.3 / 30 * 60)
    assert warning.message == "Impossible d’aller de Lyon à Villeurbanne en 5 min (4,3 km, environ 11 min à 30 km/h)."


def test_enough_time_or_a_faster_speed_removes_the_travel_warning():
    first = item(1, paris(2021, 11, 30, 9), paris(2021, 11, 30, 10), LYON, "Lyon")
    relaxed = item(2, paris(2021, 11, 30, 10, 15), paris(2021, 11, 30, 11), VILLEURBANNE, "Villeurbanne")
    assert check_shortlist([first, relaxed]).warnings == ()
    rushed = item(2, paris(2021, 11, 30, 10, 5), paris(2021, 11, 30, 11), VILLEURBANNE, "Villeurbanne")
    assert check_shortlist([first, rushed], speed_kmh=80).warnings == ()
    assert check_shortlist([first, rushed], speed_kmh=80, detour_factor=3).warnings != ()


def test_online_sessions_need_no_travel_and_the_trip_starts_from_the_last_venue():
    lyon = item(1, paris(2021, 11, 30, 9), paris(2021, 11, 30, 10), LYON, "Lyon")
    online = item(2, paris(2021, 11, 30, 10), paris(2021, 11, 30, 10, 30), VENISSIEUX, online=True)
    vienne = item(3, paris(2021, 11, 30, 10, 35), paris(2021, 11, 30, 11), VIENNE, "Vienne")
    [warning] = check_shortlist([lyon, online, vienne]).warnings
    assert (warning.a_id, warning.b_id, warning.available_minutes) == (1, 3, 35)
    assert warning.message == "Impossible d’aller de Lyon à Vienne en 35 min (26,7 km, environ 69 min à 30 km/h)."
    assert check_shortlist([lyon, online]).warnings == ()


def test_travel_is_checked_within_a_day_and_only_with_coordinates():
    evening = item(1, paris(2021, 11, 29, 22), paris(2021, 11, 29, 23, 55), LYON, "Lyon")
    next_day = item(2, paris(2021, 11, 30, 0), paris(2021, 11, 30, 1), (43.2965, 5.3698), "Marseille")
    assert check_shortlist([evening, next_day]).warnings == ()
    unknown = item(3, paris(2021, 11, 29, 23, 56), paris(2021, 11, 29, 23, 59), None, "Lyon")
    assert check_shortlist([evening, unknown]).warnings == ()


def test_overlapping_far_sessions_are_a_clash_not_a_trip():
    lyon = item(1, paris(2021, 11, 30, 9), paris(2021, 11, 30, 10), LYON, "Lyon")
    marseille = item(2, paris(2021, 11, 30, 9, 30), paris(2021, 11, 30, 11), (43.2965, 5.3698), "Marseille")
    assert check_shortlist([lyon, marseille]).warnings == (Clash(1, 2, "Séance 1", "Séance 2"),)


def test_travel_messages_speak_french_about_towns():
    assert TooFar(1, 2, 8.2, 21.3, 10, 30.0, "Lyon", "Villeurbanne").message == (
        "Impossible d’aller de Lyon à Villeurbanne en 10 min (8,2 km, environ 21 min à 30 km/h).")
    assert TooFar(1, 2, 12.0, 31.2, 20, 30.0, "Annecy", "Le Havre").message == (
        "Impossible d’aller d’Annecy au Havre en 20 min (12 km, environ 31 min à 30 km/h).")
    assert TooFar(1, 2, 3.0, 10.2, 10, 22.5, "Le Mans", "Les Ulis").message == (
        "Impossible d’aller du Mans aux Ulis en 10 min (3 km, environ 11 min à 22,5 km/h).")
    assert TooFar(1, 2, 3.0, 7.8, 5, 30.0, "Lyon", "Lyon").message == (
        "Impossible d’aller d’un lieu à l’autre en 5 min (3 km, environ 8 min à 30 km/h).")


@pytest.mark.parametrize("items, kwargs, message", [
    ([item(1, datetime(2021, 11, 30, 9), paris(2021, 11, 30, 10))], {}, "doit porter un fuseau horaire"),
    ([item(1, paris(2021, 11, 30, 10), paris(2021, 11, 30, 9))], {}, "doit finir après son début"),
    ([item(1, paris(2021, 11, 30, 9), paris(2021, 11, 30, 10))] * 2, {}, "figure deux fois"),
    ([ShortlistItem(1, "X", paris(2021, 11, 30, 9), paris(2021, 11, 30, 10), 45.0, None, False, "")], {},
     "une latitude sans longitude"),
    ([item(1, paris(2021, 11, 30, 9), paris(2021, 11, 30, 10), (95.0, 4.0))], {}, "coordonnées invalides"),
    ([], {"speed_kmh": 0}, "La vitesse doit être un nombre positif"),
    ([], {"detour_factor": 0.5}, "Le facteur de détour"),
])
def test_bad_programme_input_is_refused_clearly(items, kwargs, message):
    with pytest.raises(ShortlistError, match=message):
        check_shortlist(items, **kwargs)


@pytest.mark.parametrize("module_name, allowed", [
    ("opengen.broadcasts.planner", {"babel"}),  # French dates through Babel's CLDR data, not Flask
    ("opengen.shortlist.clashes", set()),
])
def test_the_module_depends_on_the_standard_library_only(module_name, allowed):
    """The planner and the clash checks, and the project modules they import, use nothing but the
    standard library (and Babel for the planner's dates): no Flask, no database."""
    import ast
    import importlib
    import sys
    from pathlib import Path

    def outside_imports(module_name: str) -> set[str]:
        module = importlib.import_module(module_name)
        tree = ast.parse(Path(module.__file__).read_text(encoding="utf-8"))
        found = {alias.name.split(".")[0] for node in ast.walk(tree) if isinstance(node, ast.Import)
                 for alias in node.names}
        for node in ast.walk(tree):
            if not isinstance(node, ast.ImportFrom):
                continue
            if node.level:  # a project module: it must obey the same rule
                base = module_name.rsplit(".", node.level)[0]
                found |= outside_imports(f"{base}.{node.module}" if node.module else base)
            elif node.module:
                found.add(node.module.split(".")[0])
        return found

    imported = outside_imports(module_name)
    assert imported and imported <= set(sys.stdlib_module_names) | {"__future__"} | allowed
    assert not imported & {"flask", "flask_babel", "sqlalchemy"}
