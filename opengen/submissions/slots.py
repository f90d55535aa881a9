"""When a session may take place: the week's days, sensible hours and lengths, read in the venue's clock."""
from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask_babel import gettext as _

EARLIEST = time(7, 0)
LATEST = time(22, 0)
ONE_HOUR = timedelta(hours=1)
SHORTEST = timedelta(minutes=30)
LONGEST = timedelta(hours=4)
GRID_HOURS = tuple(range(8, 20))


def check_slot(day: date, start: time, end: time | None, edition_days: list[date]) -> tuple[str, str] | None:
    """Return (field, message) for a slot outside the week or sensible hours, else None."""
    if day not in edition_days:
        return "day", _("Choisissez un jour de la semaine Open Gen (du %(first)s au %(last)s).",
                        first=edition_days[0].strftime("%d/%m/%Y"), last=edition_days[-1].strftime("%d/%m/%Y"))
    if start < EARLIEST or start >= LATEST:
        return "start", _("Les sessions commencent entre 7 h et 21 h : choisissez une heure de début "
                          "dans cette plage.")
    if end is None:
        end_at = datetime.combine(day, start) + ONE_HOUR
    else:
        end_at = datetime.combine(day, end)
    length = end_at - datetime.combine(day, start)
    if length <= timedelta(0):
        return "end", _("La fin doit être après le début : corrigez l’heure de fin, ou laissez-la vide "
                        "pour une session d’une heure.")
    if length < SHORTEST or length > LONGEST:
        return "end", _("Une session dure entre 30 minutes et 4 heures (une heure en général) : "
                        "corrigez l’heure de fin.")
    if end_at.time() > LATEST or end_at.date() != day:
        return "end", _("Les sessions se terminent au plus tard à 22 h : avancez le début ou la fin.")
    return None


def aware(day: date, start: time, end: time | None, zone: ZoneInfo) -> tuple[datetime, datetime]:
    """Return the slot's start and end as aware datetimes in the venue's zone."""
    end = end or (datetime.combine(day, start) + ONE_HOUR).time()
    return datetime.combine(day, start, zone), datetime.combine(day, end, zone)


def grid_value(day: date, hour: int) -> str:
    """Return the value of one cell of the week grid."""
    return f"{day.isoformat()}T{hour:02d}"


def grid_cell(value: str) -> tuple[date, time]:
    """Return the day and hour of a cell of the week grid (the inverse of grid_value)."""
    return date.fromisoformat(value[:10]), time(int(value[11:13]))


def overlap(slots: list[tuple[datetime, datetime]]) -> datetime | None:
    """Return the start of the first slot that overlaps an earlier one, or None."""
    ordered = sorted(slots)
    for (_s1, e1), (s2, _e2) in zip(ordered, ordered[1:]):
        if s2 < e1:
            return s2
    return None
