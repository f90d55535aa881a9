"""What schools do with their sessions: propose (locate, warn, save), edit, cancel; the staff's log of it."""
from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from ..checks import FieldError
from ..db import begin_write, db, utcnow
from ..editions import current_edition
from ..events.labels import STATUS_LABELS
from ..models import (
    CareerFamily,
    Edition,
    Event,
    EventFormat,
    EventKind,
    EventStatus,
    ModerationLog,
    School,
    Submission,
    Venue,
)
from ..places import venues
from ..places.place import Place
from ..places.venues import Location, VenueDraft, create_venue, normalise
from ..timezones import PARIS_NAME
from .links import issue_token

ACTIVE_STATUSES = (EventStatus.pending, EventStatus.published)
# Titles at least this similar (difflib ratio of normalised text) count as the same session.
DUPLICATE_RATIO = 0.85


@dataclass(frozen=True)
class EventDetails:
    """What a school says about a session, apart from where and when."""

    title: str
    description: str
    kind: EventKind
    families: tuple[str, ...]
    audience: tuple[str, ...] = ()
    accessibility: str = ""
    wheelchair_accessible: bool = False
    format: EventFormat = EventFormat.onsite
    online_url: str | None = None
    capacity: int | None = None
    registration_url: str | None = None


@dataclass(frozen=True)
class SubmissionDraft:
    """A whole submission as typed: the school, the event, its venue and its one-hour slots."""

    school_name: str
    contact_email: str
    details: EventDetails
    venue: VenueDraft | None
    slots: tuple[tuple[datetime, datetime], ...]
    school_website: str | None = None
    network: str | None = None

    @property
    def timezone(self) -> str:
        """The clock the sessions are read in: the venue's, else Paris."""
        return self.venue.timezone if self.venue else PARIS_NAME


@dataclass
class Submitted:
    """A saved submission with its sessions and its edit token, given out once."""

    submission: Submission
    token: str
    events: list[Event] = field(default_factory=list)


# --- warnings -------------------------------------------------------------------------------

def _same_place(event: Event, draft: VenueDraft | None) -> bool:
    if draft is None or event.venue is None:
        return draft is None and event.venue is None
    return (normalise(event.venue.address or ""), event.venue.postcode) == draft.key


def _overlapping(start: datetime, end: datetime) -> list[Event]:
    return list(db.session.scalars(
        select(Event).options(selectinload(Event.venue), selectinload(Event.school))
        .where(Event.status.in_(ACTIVE_STATUSES), Event.start_at < end, Event.end_at > start)))


def similar_titles(a: str, b: str) -> bool:
    """Tell whether two titles are near-identical (case, accents and punctuation aside)."""
    a, b = normalise(a), normalise(b)
    return a == b or difflib.SequenceMatcher(None, a, b).ratio() >= DUPLICATE_RATIO


def warnings_for(draft: SubmissionDraft, exclude: tuple[int, ...] = ()) -> list[str]:
    """Return French warnings: the school already busy there then, or a likely duplicate."""
    school = find_school(draft.school_name)
    messages: list[str] = []
    for start, end in draft.slots:
        for event in _overlapping(start, end):
            if event.id in exclude or not _same_place(event, draft.venue):
                continue
            when = start.strftime("%d/%m %H:%M")
            if similar_titles(event.title, draft.details.title) and event.start_at == start:
                messages.append(_("Doublon probable : « %(title)s » (%(school)s) est déjà proposée au "
                                  "même endroit le %(when)s.", title=event.title,
                                  school=event.school.name, when=when))
            elif school is not None and event.school_id == school.id:
                messages.append(_("Votre école a déjà une session à ce lieu qui chevauche le créneau du "
                                  "%(when)s : « %(title)s ».", title=event.title, when=when))
    return list(dict.fromkeys(messages))


def is_duplicate(draft: SubmissionDraft) -> bool:
    """Tell whether the same school already has this title at this time and place (for imports)."""
    school = find_school(draft.school_name)
    if school is None:
        return False
    for start, end in draft.slots:
        for event in _overlapping(start, end):
            if (event.school_id == school.id and event.start_at == start and _same_place(event, draft.venue)
                    and similar_titles(event.title, draft.details.title)):
                return True
    return False


# --- submitting -----------------------------------------------------------------------------

def find_school(name: str) -> School | None:
    """Return the school with this name (case and spacing aside), or None."""
    wanted = " ".join(name.split()).lower()
    return db.session.scalars(
        select(School).where(func.lower(School.name) == wanted).order_by(School.id)).first()


def find_or_create_school(name: str, website: str | None = None, network: str | None = None) -> School:
    """Return the school with this name, creating it if it is new."""
    school = find_school(name)
    if school is None:
        school = School(name=" ".join(name.split()), website=website, network=network)
        db.session.add(school)
        db.session.flush()
    elif website and not school.website:
        school.website = website
    return school


def school_names(limit: int = 3000) -> list[str]:
    """Return the names of known schools, for the form's suggestions."""
    return list(db.session.scalars(select(School.name).order_by(School.name).limit(limit)))


def _families(slugs: tuple[str, ...]) -> list[CareerFamily]:
    found = {f.slug: f for f in db.session.scalars(select(CareerFamily).where(CareerFamily.slug.in_(slugs)))}
    return [found[slug] for slug in slugs if slug in found]


def _apply_details(event: Event, details: EventDetails, families: list[CareerFamily]) -> None:
    event.title, event.description, event.kind = details.title, details.description, details.kind
    event.format, event.online_url = details.format, details.online_url
    event.capacity, event.registration_url = details.capacity, details.registration_url
    event.audience = list(details.audience)
    event.accessibility, event.wheelchair_accessible = details.accessibility, details.wheelchair_accessible
    event.families = families


def log(action: str, actor: str, event: Event | None = None, submission: Submission | None = None,
        admin=None, reason: str | None = None) -> ModerationLog:
    """Record who did what, for the moderation history."""
    entry = ModerationLog(action=action, actor=actor, event=event, admin=admin, reason=reason,
                          submission=submission or (event.submission if event is not None else None))
    db.session.add(entry)
    return entry


def start_submission(school_name: str, contact_email: str, school_website: str | None = None,
                     network: str | None = None, client_key: str | None = None) -> Submitted:
    """Open a submission for a school (created if new), with a fresh edit token."""
    school = find_or_create_school(school_name, school_website, network)
    submission = Submission(school=school, contact_email=contact_email, client_key=client_key)
    token = issue_token(submission)
    db.session.add(submission)
    db.session.flush()
    return Submitted(submission, token)


def add_sessions(submitted: Submitted, draft: SubmissionDraft, venue: Venue | None,
                 edition: Edition | None = None) -> list[Event]:
    """Add one pending session per slot of a draft to an open submission."""
    edition = edition or current_edition()
    submission = submitted.submission
    added = []
    families = _families(draft.details.families)
    for start, end in sorted(draft.slots):
        event = Event(edition=edition, school=submission.school, venue=venue, submission=submission,
                      status=EventStatus.pending, start_at=start, end_at=end,
                      contact_email=submission.contact_email, sequence=0)
        _apply_details(event, draft.details, families)
        db.session.add(event)
        added.append(event)
    submitted.events.extend(added)
    db.session.flush()
    return added


def submit(draft: SubmissionDraft, location: Location | None, client_key: str | None = None,
           edition: Edition | None = None) -> Submitted:
    """Save a submission and its sessions, pending moderation; return it with its edit token."""
    submitted = start_submission(draft.school_name, draft.contact_email, draft.school_website,
                                 draft.network, client_key)
    venue = None
    if draft.venue is not None and draft.details.format != EventFormat.online:
        venue = create_venue(submitted.submission.school, draft.venue, location or Location(None))
    add_sessions(submitted, draft, venue, edition)
    log("submitted", draft.contact_email, submission=submitted.submission,
        reason=_("%(count)s session(s)", count=len(submitted.events)))
    db.session.flush()
    return submitted


@dataclass
class Proposal:
    """A checked submission: its located venue, then either the warnings to confirm or the saved result."""

    draft: SubmissionDraft
    location: Location | None
    warnings: list[str] = field(default_factory=list)
    pin_error: str | None = None
    submitted: Submitted | None = None

    @property
    def place_token(self) -> str:
        """The signed geocoding result, so the confirmation step need not ask the geocoder again."""
        return venues.sign_location(self.draft.venue, self.location) if self.draft.venue else ""

    @property
    def coarse(self) -> bool:
        """Tell whether only the town was found, so the school must move the pin onto the building."""
        place = self.location.place if self.location else None
        return place is not None and venues.is_coarse(place)


def propose(draft: SubmissionDraft, signed: str | None, confirmed: bool = False,
            pin: tuple[float | None, float | None] = (None, None), client_key: str | None = None) -> Proposal:
    """Locate a submission's venue (raise FieldError if it is not where the school said); save it, pin
    applied, once the school confirmed, else return the warnings it should see first."""
    location = venues.locate_draft(draft.venue, signed) if draft.venue is not None else None
    proposal = Proposal(draft, location)
    if confirmed:
        try:
            pinned = venues.with_pin(location, *pin) if location is not None else None
        except FieldError as error:
            proposal.pin_error = error.message
        else:
            begin_write()
            proposal.submitted = submit(draft, pinned, client_key)
            return proposal
    proposal.warnings = warnings_for(draft)
    return proposal


# --- editing and cancelling -----------------------------------------------------------------

def _summary(event: Event) -> tuple:
    return (event.title, event.description, event.kind, event.format, event.online_url, event.capacity,
            event.registration_url, tuple(event.audience or ()), event.accessibility,
            event.wheelchair_accessible, tuple(f.slug for f in event.families), event.start_at,
            event.end_at)


def can_edit(event: Event) -> bool:
    """Tell whether a school may still change a session (not refused nor cancelled)."""
    return event.status in ACTIVE_STATUSES


def status_label(event: Event) -> str:
    """Return the French status of a session as a school or the staff should read it."""
    if event.status == EventStatus.rejected and event.cancelled_at is not None:
        return _("Retirée par l’école avant publication")
    return str(STATUS_LABELS[event.status.value])


def edit_event(event: Event, details: EventDetails, start: datetime, end: datetime) -> bool:
    """Change a session's details and time; bump its sequence if anything changed."""
    if not can_edit(event):
        raise ValueError("this session can no longer be edited")
    before, announced = _summary(event), event.start_at
    _apply_details(event, details, _families(details.families))
    if event.venue is None and details.format != EventFormat.online:
        event.format = EventFormat.online
    event.start_at, event.end_at = start, end
    if _summary(event) == before:
        return False
    if event.status == EventStatus.published and start != announced:  # moved while public
        event.previous_start_at = announced
    event.sequence += 1
    event.updated_at = utcnow()
    log("edited", event.submission.contact_email if event.submission else "", event=event)
    db.session.flush()
    return True


def cancel_event(event: Event, actor: str) -> None:
    """Cancel a session: a published one stays visible as cancelled, a pending one is withdrawn."""
    if not can_edit(event):
        raise ValueError("this session is already cancelled or refused")
    now = utcnow()
    event.cancelled_at = now
    event.updated_at = now
    event.sequence += 1
    if event.status == EventStatus.published:
        event.status = EventStatus.cancelled
        log("cancelled", actor, event=event)
    else:
        # Never shown to the public: it must not appear now, even as cancelled.
        event.status = EventStatus.rejected
        event.rejection_reason = _("Retirée par l’école avant publication.")
        log("withdrawn", actor, event=event)
    db.session.flush()


def relocate(venue: Venue, draft: VenueDraft, pin: tuple[float | None, float | None]) -> Location:
    """Locate a venue's corrected address; an unchanged address keeps its place and takes the moved pin.

    Raise FieldError if the address is not where the school said, or the pin wandered too far.
    """
    if draft.key == venues.draft_of(venue).key and draft.city == venue.city and venue.lat is not None:
        place = Place(lat=venue.lat, lon=venue.lon, label=venue.address, source=venue.geocode_source or "",
                      precision=venue.geocode_precision or "", insee=venue.insee_code,
                      postcode=venue.postcode, city=venue.city, department=venue.department,
                      region=venue.region)
        location = Location(place, venue.lat, venue.lon, corrected=venue.pin_corrected)
        moved = venues.with_pin(location, *pin)
        return moved if moved.corrected else location
    return venues.locate_draft(draft)


def edit_venue(submission: Submission, venue: Venue, draft: VenueDraft, location: Location) -> bool:
    """Change one of a submission's venues (its sessions follow); log and return whether it changed."""
    changed = venues.update_venue(venue, draft, location)
    if changed:
        log("venue_edited", submission.contact_email, submission=submission)
        db.session.flush()
    return changed


def events_of(submission: Submission) -> list[Event]:
    """Return a submission's sessions in time order, with venue and families loaded."""
    return list(db.session.scalars(
        select(Event).options(selectinload(Event.venue), selectinload(Event.families))
        .where(Event.submission_id == submission.id).order_by(Event.start_at, Event.id)))


def venues_of(submission: Submission) -> list[Venue]:
    """Return the distinct venues of a submission's sessions."""
    return list(db.session.scalars(
        select(Venue).where(Venue.id.in_(select(Event.venue_id).where(Event.submission_id == submission.id)))
        .order_by(Venue.id)))
