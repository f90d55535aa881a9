"""Which clock a session runs on: Paris time, and the overseas departments' own zones. No Flask."""
from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

PARIS_NAME = "Europe/Paris"
PARIS = ZoneInfo(PARIS_NAME)

# Overseas departments keep their own clocks; a session there is announced in local time.
OVERSEAS_ZONES = {"971": "America/Guadeloupe", "972": "America/Martinique", "973": "America/Cayenne",
                  "974": "Indian/Reunion", "976": "Indian/Mayotte", "975": "America/Miquelon",
                  "977": "America/St_Barthelemy", "978": "America/Marigot"}


def zone_for_postcode(postcode: str | None) -> str:
    """Return the IANA time zone of a French postcode (overseas departments differ from Paris)."""
    if postcode and postcode[:3] in OVERSEAS_ZONES:
        return OVERSEAS_ZONES[postcode[:3]]
    return PARIS_NAME


def local(moment: datetime, zone: str | None) -> datetime:
    """Return an aware datetime in the given zone (Paris when unknown)."""
    return moment.astimezone(ZoneInfo(zone) if zone else PARIS)


def paris(moment: datetime) -> datetime:
    """Return an aware datetime in Paris time."""
    return moment.astimezone(PARIS)
