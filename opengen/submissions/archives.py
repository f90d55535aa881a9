"""A school's sessions edition by edition: the ones it may still change, its archives, and a new
proposal started from an archived session (copied, to be re-dated)."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..models import Edition, Event, Submission, Venue
from . import operations, windows


@dataclass
class EditionSessions:
    """The sessions of one edition that takes no more changes, kept as read."""

    edition: Edition
    events: list[Event] = field(default_factory=list)


@dataclass
class Overview:
    """What a school's management page shows."""

    events: list[Event]  # of editions still taking changes, in time order
    archives: list[EditionSessions]  # the other editions, newest first
    venues: list[Venue]  # the venues the school may still correct
    open_edition: Edition | None  # where a copied session would go


def overview(submission: Submission) -> Overview:
    """Return a submission's sessions split into those it may change and its archives by edition."""
    current: list[Event] = []
    archived: dict[int, EditionSessions] = {}
    for event in operations.events_of(submission):
        if event.edition is None or not windows.is_archive(event.edition):
            current.append(event)
        else:
            archived.setdefault(event.edition.id, EditionSessions(event.edition)).events.append(event)
    venues = [venue for venue in operations.venues_of(submission)
              if operations.venue_editable(submission, venue)]
    archives = sorted(archived.values(), key=lambda group: group.edition.starts_on, reverse=True)
    return Overview(current, archives, venues, windows.open_edition())


def draft_from(event: Event) -> dict[str, Any]:
    """Return the proposal form's data copied from a session: school, contact, venue and pin, details;
    no day nor time, since the copy is to be re-dated in the edition taking proposals."""
    school = event.school
    contact = event.contact_email or (event.submission.contact_email if event.submission else "")
    data: dict[str, Any] = dict(
        school_name=school.name if school else "", school_website=school.website if school else None,
        contact_email=contact, title=event.title, description=event.description, kind=event.kind.value,
        families=[family.slug for family in event.families], audience=list(event.audience or ()),
        accessibility=event.accessibility or "", wheelchair_accessible=bool(event.wheelchair_accessible),
        format=event.format.value, online_url=event.online_url, capacity=event.capacity,
        registration_url=event.registration_url)
    venue = event.venue
    if venue is not None:
        data.update(venue_name=venue.name, address=venue.address, postcode=venue.postcode, city=venue.city)
        if venue.lat is not None and venue.lon is not None:
            data.update(pin_lat=venue.lat, pin_lon=venue.lon)
    return data
