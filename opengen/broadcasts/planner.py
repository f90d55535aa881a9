"""The morning broadcasts' lineup by career family, and a broadcast's live status.

Plain values in, plain values out: no Flask, no database. Messages meant for people are French.

Time rules used throughout:
- instants are aware datetimes; they are compared after conversion to UTC, because Python
  compares two datetimes sharing one tzinfo object by wall-clock time and ignores `fold`, which
  is wrong during the repeated hour of a DST change;
- "which day" and "which morning" are decided in Paris time.
"""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta, timezone
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from babel.dates import format_date

from ..events.families import BY_SLUG
from ..texts import gettext as _
from ..texts import N_, as_written, family_label, language, ngettext
from ..timezones import PARIS_NAME


class ScheduleError(ValueError):
    """A lineup or a time that cannot be built; str() is a sentence for people, in the request's language."""


# --------------------------------------------------------------------------- lineup

@dataclass(frozen=True)
class Slot:
    """One morning broadcast: the families it presents, in order, between two Paris wall times."""

    day: date
    families: tuple[str, ...]
    start: time
    end: time
    title: str | None = None

    def __post_init__(self) -> None:
        # Accept any sequence (or one slug) but store a tuple so slots stay hashable.
        families = (self.families,) if isinstance(self.families, str) else tuple(self.families)
        object.__setattr__(self, "families", families)


# The automatic title and description: kept in French in the database, shown in the visitor's language.
TITLE = N_("Les métiers %(families)s")
LISTED = N_("%(first)s et %(last)s")
LISTED_APART = N_("%(first)s ainsi que %(last)s")
DESCRIPTION = N_("Une émission en direct pour découvrir %(careers)s, avec des personnes qui y travaillent.")


def default_title(families: Sequence[str], *, translated: bool = False) -> str:
    """Return the automatic title of a broadcast presenting these families, in this order: in French
    as the database keeps it, or (translated) in the current language."""
    unknown = [f for f in families if not _known(f)]
    if unknown:
        raise ScheduleError(_("Famille inconnue : « %(slug)s ».", slug=unknown[0]))
    if not families:
        raise ScheduleError(_("Une émission présente au moins une famille de métiers."))
    say = _ if translated else as_written
    french = [BY_SLUG[f].of_phrase for f in families]
    parts = [say(p) for p in french]
    if len(parts) == 1:
        return say(TITLE, families=parts[0])
    # "du cloud et des réseaux et de la maintenance" misleads; "ainsi que" keeps the pairs apart.
    together = LISTED_APART if any(" et " in p for p in french) else LISTED
    return say(TITLE, families=say(together, first=", ".join(parts[:-1]), last=parts[-1]))


def default_description(families: Sequence[str], *, translated: bool = False) -> str:
    """Return the automatic description of a broadcast presenting these families (French as kept, or translated)."""
    title = default_title(families, translated=translated)
    say = _ if translated else as_written
    return say(DESCRIPTION, careers=title[0].lower() + title[1:])


def propose_lineup(
    days: Sequence[date],
    families: Sequence[str],
    fixed: Iterable[Slot] = (),
    *,
    max_per_morning: int = 2,
    start: time = time(10, 0),
    duration: timedelta = timedelta(hours=1),
) -> list[Slot]:
    """Spread every family once over the mornings, evenly, keeping the fixed slots; sorted by day.

    Even means every morning presents q or q+1 families, q = len(families) // len(days), so
    exactly len(families) % len(days) mornings present q+1 (9 over 6: three mornings with 2,
    three with 1; a morning with 0 families gets no slot). A fixed slot is the whole broadcast of
    its morning and counts towards it. Free mornings take the families left, in the order given;
    the mornings that take one more are spread across the week from the first free one
    (Mon, Wed, Fri for 3 extra over 6 free mornings).
    Raises ScheduleError, in French, when the constraints cannot all hold.
    """
    fixed = list(fixed)
    edition = _check_days(days)
    _check_families(families)
    if not isinstance(max_per_morning, int) or isinstance(max_per_morning, bool) or max_per_morning < 1:
        raise ScheduleError(_("Le nombre maximal de familles par matinée doit être un entier d’au moins 1."))
    default_end = _end_of(start, duration)

    total = len(families)
    if total > len(edition) * max_per_morning:
        raise ScheduleError(_("Impossible : %(families)s pour %(mornings)s avec au plus %(most)s par matinée.",
                                families=_families(total), mornings=_mornings(len(edition)),
                                most=_families(max_per_morning)))

    by_day = _check_fixed(fixed, edition, families, max_per_morning)

    # Even spread: counts in {q, q+1}, and exactly `extra` mornings at q+1.
    q, extra = divmod(total, len(edition))
    heavy_fixed = [s for s in by_day.values() if len(s.families) == q + 1 and extra]
    light_fixed = [s for s in by_day.values() if len(s.families) == q]
    odd = [s for s in by_day.values() if s not in heavy_fixed and s not in light_fixed]
    allowed = _("%(fewer)s ou %(more)s", fewer=q, more=q + 1) if extra else str(q)
    spread = {"families": _families(total), "mornings": _mornings(len(edition))}
    if odd:
        slot = odd[0]
        raise ScheduleError(_(
            "Impossible de répartir également %(families)s sur %(mornings)s : chaque matinée doit en présenter "
            "%(allowed)s, or la matinée fixée du %(day)s en présente %(count)s.",
            allowed=allowed, day=_day(slot.day), count=len(slot.families), **spread))
    # Both checks below find at least two fixed mornings (more than `extra`, or than `lighter`, >= 1).
    if len(heavy_fixed) > extra:
        raise ScheduleError(ngettext(
            "Impossible de répartir également %(families)s sur %(mornings)s : au plus %(num)s matinée peut en "
            "présenter %(size)s, or %(fixed)s en présentent %(size)s.",
            "Impossible de répartir également %(families)s sur %(mornings)s : au plus %(num)s matinées peuvent "
            "en présenter %(size)s, or %(fixed)s en présentent %(size)s.",
            extra, size=q + 1, fixed=_fixed_mornings(len(heavy_fixed)), **spread))
    if len(light_fixed) > len(edition) - extra:
        lighter = len(edition) - extra
        raise ScheduleError(ngettext(
            "Impossible de répartir également %(families)s sur %(mornings)s : au plus %(num)s matinée peut en "
            "présenter %(size)s, or %(fixed)s en présentent %(size)s.",
            "Impossible de répartir également %(families)s sur %(mornings)s : au plus %(num)s matinées peuvent "
            "en présenter %(size)s, or %(fixed)s en présentent %(size)s.",
            lighter, size=q, fixed=_fixed_mornings(len(light_fixed)), **spread))

    # With the checks above, the free mornings receive exactly the families left, at q or q+1.
    free_days = [d for d in edition if d not in by_day]
    extra_left = extra - len(heavy_fixed)
    placed = {f for s in by_day.values() for f in s.families}
    waiting = [f for f in families if f not in placed]
    lineup = [s if s.title is not None else replace(s, title=default_title(s.families))
              for s in by_day.values()]
    for i, day in enumerate(free_days):
        # ceil((i+1)k/n) - ceil(ik/n) is 0 or 1 and sums to k over the n free days (telescoping):
        # exactly `extra_left` of them take one more, evenly spaced, starting with the first.
        size = q + (_ceil_div((i + 1) * extra_left, len(free_days))
                    - _ceil_div(i * extra_left, len(free_days)))
        taken, waiting = tuple(waiting[:size]), waiting[size:]
        if taken:
            lineup.append(Slot(day, taken, start, default_end, default_title(taken)))
    assert not waiting, "every family is placed once the checks have passed"
    return sorted(lineup, key=lambda s: s.day)


def _known(family: object) -> bool:
    return isinstance(family, str) and family in BY_SLUG


def _check_days(days: Sequence[date]) -> list[date]:
    if not days:
        raise ScheduleError(_("L’édition doit compter au moins une matinée."))
    for d in days:
        if not isinstance(d, date) or isinstance(d, datetime):
            raise ScheduleError(_("Jour invalide : %(value)s n’est pas une date.", value=repr(d)))
    if len(set(days)) != len(days):
        twice = next(d for d in days if list(days).count(d) > 1)
        raise ScheduleError(_("Le %(day)s figure deux fois dans l’édition.", day=_day(twice)))
    return sorted(days)


def _check_families(families: Sequence[str]) -> None:
    seen: set[str] = set()
    for f in families:
        if not _known(f):
            raise ScheduleError(_("Famille inconnue : « %(slug)s ».", slug=f))
        if f in seen:
            raise ScheduleError(_("La famille « %(family)s » figure deux fois dans la liste.",
                                  family=family_label(BY_SLUG[f])))
        seen.add(f)


def _check_fixed(fixed: list[Slot], edition: list[date], families: Sequence[str],
                 max_per_morning: int) -> dict[date, Slot]:
    by_day: dict[date, Slot] = {}
    placed: dict[str, date] = {}
    first, last = edition[0], edition[-1]
    for slot in fixed:
        if not isinstance(slot, Slot):
            raise ScheduleError(_("Créneau fixé invalide : %(value)s.", value=repr(slot)))
        if slot.day not in edition:
            raise ScheduleError(_("Impossible : la matinée fixée du %(day)s est hors de l’édition (du %(first)s "
                                  "au %(last)s).", day=_day(slot.day, year=True), first=_day(first),
                                  last=_day(last, year=True)))
        if slot.day in by_day:
            raise ScheduleError(_("Impossible : deux émissions sont fixées le %(day)s.", day=_day(slot.day)))
        if not slot.families:
            raise ScheduleError(_("Impossible : la matinée fixée du %(day)s ne présente aucune famille.",
                                  day=_day(slot.day)))
        if not isinstance(slot.start, time) or not isinstance(slot.end, time) or slot.start >= slot.end:
            raise ScheduleError(_("Impossible : la matinée fixée du %(day)s doit finir après son début.",
                                  day=_day(slot.day)))
        for f in slot.families:
            if not _known(f):
                raise ScheduleError(_("Famille inconnue : « %(slug)s ».", slug=f))
            family = family_label(BY_SLUG[f])
            if f not in families:
                raise ScheduleError(_("Impossible : la famille « %(family)s », fixée le %(day)s, ne fait pas "
                                      "partie des familles de l’édition.", family=family, day=_day(slot.day)))
            if f in placed:
                if placed[f] == slot.day:
                    raise ScheduleError(_("Impossible : la famille « %(family)s » est fixée deux fois le même "
                                          "jour.", family=family))
                raise ScheduleError(_("Impossible : la famille « %(family)s » est fixée deux fois (le %(first)s "
                                      "et le %(second)s).", family=family, first=_day(placed[f]),
                                      second=_day(slot.day)))
            placed[f] = slot.day
        if len(slot.families) > max_per_morning:
            raise ScheduleError(ngettext(
                "Impossible : la matinée fixée du %(day)s présente %(families)s, au plus %(num)s est permise.",
                "Impossible : la matinée fixée du %(day)s présente %(families)s, au plus %(num)s sont permises.",
                max_per_morning, day=_day(slot.day), families=_families(len(slot.families))))
        by_day[slot.day] = slot
    return by_day


def _end_of(start: time, duration: timedelta) -> time:
    if not isinstance(start, time) or start.tzinfo is not None:
        raise ScheduleError(_("L’heure de début doit être une heure locale, sans fuseau."))
    if not isinstance(duration, timedelta) or duration <= timedelta(0):
        raise ScheduleError(_("La durée d’une émission doit être positive."))
    end = datetime.combine(date.min, start) + duration
    if end.date() != date.min:
        raise ScheduleError(_("Une émission doit finir le jour où elle commence."))
    return end.time()


def _ceil_div(a: int, b: int) -> int:
    return -(-a // b)


def _families(n: int) -> str:
    return ngettext("%(num)s famille", "%(num)s familles", n)


def _mornings(n: int) -> str:
    return ngettext("%(num)s matinée", "%(num)s matinées", n)


def _fixed_mornings(n: int) -> str:
    return ngettext("%(num)s matinée fixée", "%(num)s matinées fixées", n)


def _day(d: date, *, year: bool = False) -> str:
    """'lundi 29 novembre', 'mercredi 1er décembre' ('Wednesday 1 December'), with the year when asked."""
    locale = language()
    day = "1er" if d.day == 1 and locale == "fr" else str(d.day)
    return format_date(d, f"EEEE '{day}' MMMM{' y' if year else ''}", locale=locale)


# --------------------------------------------------------------------------- clock and live status

def local_datetime(day: date, at: time, tz: str = PARIS_NAME, *, strict: bool = False) -> datetime:
    """Return the aware datetime of a wall-clock time on a day in tz (Paris by default).

    A time that does not exist (skipped by the spring change, e.g. 02:30 on 2022-03-27) is moved
    forward by the length of the gap: 03:30 summer time, the time a clock would show. A time that
    happens twice (autumn change, e.g. 02:30 on 2021-10-31) means its first occurrence, still
    summer time. With strict=True both cases raise ScheduleError instead. The result carries
    the zone, for display; Python finds a time of the repeated hour unequal to any time in another
    zone, so compare results through UTC, as broadcast_status() does.
    """
    if not isinstance(day, date) or isinstance(day, datetime):
        raise ScheduleError(_("Jour invalide : %(value)s n’est pas une date.", value=repr(day)))
    if not isinstance(at, time) or at.tzinfo is not None:
        raise ScheduleError(_("L’heure doit être une heure locale, sans fuseau."))
    zone = _zone(tz)
    wall = datetime.combine(day, at)
    first = wall.replace(tzinfo=zone, fold=0)
    second = wall.replace(tzinfo=zone, fold=1)
    if first.utcoffset() == second.utcoffset():
        return first
    # For a skipped time, fold=0 takes the offset in force before the gap, so converting through
    # UTC yields the wall time shifted forward by the gap.
    normalised = first.astimezone(timezone.utc).astimezone(zone)
    skipped = normalised.replace(tzinfo=None) != wall
    if strict:
        if skipped:
            raise ScheduleError(_("L’heure %(time)s du %(day)s n’existe pas à cause du changement d’heure.",
                                  time=at.strftime("%H:%M"), day=_day(day, year=True)))
        raise ScheduleError(_("L’heure %(time)s du %(day)s existe deux fois à cause du changement d’heure.",
                              time=at.strftime("%H:%M"), day=_day(day, year=True)))
    return normalised if skipped else first


def broadcast_status(start: datetime, end: datetime, now: datetime
                     ) -> Literal["upcoming", "live", "ended"]:
    """Say whether a broadcast is upcoming, live (start <= now < end) or ended at `now`."""
    start_utc, end_utc, now_utc = (_utc(start, "début"), _utc(end, "fin"), _utc(now, "maintenant"))
    if end_utc <= start_utc:
        raise ScheduleError(_("Une émission doit finir après son début."))
    if now_utc < start_utc:
        return "upcoming"
    return "live" if now_utc < end_utc else "ended"


def is_today(start: datetime, now: datetime, tz: str = PARIS_NAME) -> bool:
    """Say whether `start` falls on the same calendar day as `now`, both seen in tz."""
    zone = _zone(tz)
    _utc(start, "début")
    _utc(now, "maintenant")
    return start.astimezone(zone).date() == now.astimezone(zone).date()


def slot_datetimes(slot: Slot, tz: str = PARIS_NAME) -> tuple[datetime, datetime]:
    """Return the aware start and end of a broadcast slot, read as wall times in tz."""
    return local_datetime(slot.day, slot.start, tz), local_datetime(slot.day, slot.end, tz)


def _zone(tz: str) -> ZoneInfo:
    try:
        return ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError, TypeError) as error:
        raise ScheduleError(_("Fuseau horaire inconnu : « %(zone)s ».", zone=tz)) from error


def _utc(moment: datetime, name: str) -> datetime:
    if not isinstance(moment, datetime):
        raise ScheduleError(f"L’instant « {name} » doit être une date et une heure.")
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ScheduleError(f"L’instant « {name} » doit porter un fuseau horaire.")
    return moment.astimezone(timezone.utc)
