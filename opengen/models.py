"""The domain's tables: editions, schools, venues, events, career families, broadcasts, staff."""
from __future__ import annotations

import enum
import uuid
from datetime import date, datetime, timedelta

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    Date,
    Enum,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .db import Base, UTCDateTime, utcnow
from .timezones import PARIS_NAME


class EventKind(str, enum.Enum):
    workshop = "workshop"
    career_talk = "career_talk"
    testimony = "testimony"
    open_house = "open_house"
    info_session = "info_session"


class EventFormat(str, enum.Enum):
    onsite = "onsite"
    online = "online"
    both = "both"


class EventStatus(str, enum.Enum):
    pending = "pending"
    published = "published"
    rejected = "rejected"
    cancelled = "cancelled"


def _enum(cls: type[enum.Enum]) -> Enum:
    # Stored as plain strings with a check constraint: portable and readable in SQL.
    return Enum(cls, native_enum=False, length=20, validate_strings=True,
                values_callable=lambda members: [m.value for m in members])


event_families = Table(
    "event_families",
    Base.metadata,
    Column("event_id", ForeignKey("events.id", ondelete="CASCADE"), primary_key=True),
    Column("family_id", ForeignKey("career_families.id", ondelete="CASCADE"), primary_key=True),
)

broadcast_families = Table(
    "broadcast_families",
    Base.metadata,
    Column("broadcast_id", ForeignKey("broadcasts.id", ondelete="CASCADE"), primary_key=True),
    Column("family_id", ForeignKey("career_families.id", ondelete="CASCADE"), primary_key=True),
)


class Edition(Base):
    """One year's Open Gen week; which one the site is about follows from the dates (editions.py)."""

    __tablename__ = "editions"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(40), unique=True)  # the year, as text: "2021"
    name: Mapped[str] = mapped_column(String(120))
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)
    timezone: Mapped[str] = mapped_column(String(40), default=PARIS_NAME)
    submissions_open_on: Mapped[date | None] = mapped_column(Date)  # None: as soon as created
    submissions_close_on: Mapped[date | None] = mapped_column(Date)  # None: until the last day
    published_on: Mapped[date | None] = mapped_column(Date)  # None: shown as soon as created

    @property
    def year(self) -> int:
        """The edition's year, which names it in addresses (/editions/2021, edition=2021)."""
        return self.starts_on.year

    def days(self) -> list[date]:
        """Return every day of the edition, first to last."""
        count = (self.ends_on - self.starts_on).days + 1
        return [self.starts_on + timedelta(days=i) for i in range(count)]


class CareerFamily(Base):
    __tablename__ = "career_families"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(40), unique=True)
    label_fr: Mapped[str] = mapped_column(String(80))
    label_en: Mapped[str] = mapped_column(String(80))
    colour: Mapped[str] = mapped_column(String(7))
    position: Mapped[int] = mapped_column(Integer, default=0)


class School(Base):
    __tablename__ = "schools"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), index=True)
    network: Mapped[str | None] = mapped_column(String(120))
    website: Mapped[str | None] = mapped_column(String(500))
    is_demo: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    venues: Mapped[list[Venue]] = relationship(back_populates="school")


class Venue(Base):
    __tablename__ = "venues"

    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int | None] = mapped_column(ForeignKey("schools.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    address: Mapped[str] = mapped_column(String(300), default="")
    postcode: Mapped[str | None] = mapped_column(String(10))
    city: Mapped[str | None] = mapped_column(String(120))
    insee_code: Mapped[str | None] = mapped_column(String(5))
    department: Mapped[str | None] = mapped_column(String(80))
    region: Mapped[str | None] = mapped_column(String(80))
    lat: Mapped[float | None] = mapped_column(Float)
    lon: Mapped[float | None] = mapped_column(Float)
    timezone: Mapped[str] = mapped_column(String(40), default=PARIS_NAME)
    geocode_source: Mapped[str | None] = mapped_column(String(20))
    geocode_precision: Mapped[str | None] = mapped_column(String(30))
    pin_corrected: Mapped[bool] = mapped_column(Boolean, default=False)
    needs_geocoding: Mapped[bool] = mapped_column(Boolean, default=False, index=True)
    geocoded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    school: Mapped[School | None] = relationship(back_populates="venues")

    __table_args__ = (Index("ix_venues_lat_lon", "lat", "lon"),)


class Submission(Base):
    """One school's form submission; its secret edit link covers all its sessions."""

    __tablename__ = "submissions"

    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("schools.id"), index=True)
    contact_email: Mapped[str] = mapped_column(String(254))
    token_hash: Mapped[str | None] = mapped_column(String(128), unique=True)
    token_created_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    token_revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    client_key: Mapped[str | None] = mapped_column(String(64))
    # What a confirmed form is known by (opengen.submissions.once): a resent form finds its first save.
    once_key: Mapped[str | None] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # The language the school proposed in: every mail about the submission speaks it (NULL: French).
    locale: Mapped[str | None] = mapped_column(String(8))

    school: Mapped[School] = relationship()
    events: Mapped[list[Event]] = relationship(back_populates="submission")


class Event(Base):
    __tablename__ = "events"

    id: Mapped[int] = mapped_column(primary_key=True)
    uid: Mapped[str] = mapped_column(String(80), unique=True, default=lambda: f"{uuid.uuid4()}@opengen")
    sequence: Mapped[int] = mapped_column(Integer, default=0)
    edition_id: Mapped[int] = mapped_column(ForeignKey("editions.id"), index=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("schools.id"), index=True)
    venue_id: Mapped[int | None] = mapped_column(ForeignKey("venues.id"), index=True)
    submission_id: Mapped[int | None] = mapped_column(ForeignKey("submissions.id"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    kind: Mapped[EventKind] = mapped_column(_enum(EventKind))
    format: Mapped[EventFormat] = mapped_column(_enum(EventFormat), default=EventFormat.onsite)
    online_url: Mapped[str | None] = mapped_column(String(500))
    capacity: Mapped[int | None] = mapped_column(Integer)
    registration_url: Mapped[str | None] = mapped_column(String(500))
    audience: Mapped[list[str]] = mapped_column(JSON, default=list)
    accessibility: Mapped[str] = mapped_column(Text, default="")
    wheelchair_accessible: Mapped[bool] = mapped_column(Boolean, default=False)
    status: Mapped[EventStatus] = mapped_column(_enum(EventStatus), default=EventStatus.pending)
    start_at: Mapped[datetime] = mapped_column(UTCDateTime)
    end_at: Mapped[datetime] = mapped_column(UTCDateTime)
    contact_email: Mapped[str | None] = mapped_column(String(254))
    rejection_reason: Mapped[str | None] = mapped_column(Text)
    is_demo: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The start announced before the latest move of a published session (None if never moved).
    previous_start_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    edition: Mapped[Edition] = relationship()
    school: Mapped[School] = relationship()
    venue: Mapped[Venue | None] = relationship()
    submission: Mapped[Submission | None] = relationship(back_populates="events")
    families: Mapped[list[CareerFamily]] = relationship(
        secondary=event_families, order_by="CareerFamily.position")

    __table_args__ = (
        Index("ix_events_status_start", "status", "start_at"),
        Index("ix_events_updated_at", "updated_at"),
        # Covers the aggregate behind the calendar feeds' ETag (opengen/feeds.py).
        Index("ix_events_feed_state", "status", "updated_at", "sequence"),
        # Covers what a search around a place reads per event once the venues are found, the
        # edition included (SQLite then counts and ranks a circle's sessions from the index alone).
        Index("ix_events_venue_listing", "venue_id", "status", "format", "start_at", "edition_id"),
        # ...and the online sessions listed apart from it.
        Index("ix_events_format_status_start", "format", "status", "start_at", "id"),
    )

    @property
    def is_visible(self) -> bool:
        """Published and cancelled events are shown to the public; others are not."""
        return self.status in (EventStatus.published, EventStatus.cancelled)


class EventCalendarEntry(Base):
    """A session's VEVENT lines as built for its `version`, which triggers bump on any change to
    what the entry is made of (0010); stale unless built_version == version (feeds/entries.py)."""

    __tablename__ = "calendar_entries"

    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), primary_key=True)
    version: Mapped[int] = mapped_column(BigInteger)
    built_version: Mapped[int | None] = mapped_column(BigInteger)
    built_format: Mapped[str | None] = mapped_column(String(40))
    body: Mapped[str | None] = mapped_column(Text)


class Broadcast(Base):
    __tablename__ = "broadcasts"

    id: Mapped[int] = mapped_column(primary_key=True)
    edition_id: Mapped[int] = mapped_column(ForeignKey("editions.id"), index=True)
    uid: Mapped[str] = mapped_column(String(80), unique=True, default=lambda: f"{uuid.uuid4()}@opengen")
    sequence: Mapped[int] = mapped_column(Integer, default=0)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    start_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    end_at: Mapped[datetime] = mapped_column(UTCDateTime)
    links: Mapped[list[dict]] = mapped_column(JSON, default=list)
    replay_url: Mapped[str | None] = mapped_column(String(500))
    guests: Mapped[list[dict]] = mapped_column(JSON, default=list)
    is_fixed: Mapped[bool] = mapped_column(Boolean, default=False)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    edition: Mapped[Edition] = relationship()
    families: Mapped[list[CareerFamily]] = relationship(
        secondary=broadcast_families, order_by="CareerFamily.position")


class GeocodeCacheEntry(Base):
    __tablename__ = "geocode_cache"

    key: Mapped[str] = mapped_column(String(300), primary_key=True)
    payload: Mapped[dict | None] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class DataVersion(Base):
    """A counter that database triggers bump on every change to what visitors see (0005)."""

    __tablename__ = "data_versions"

    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    version: Mapped[int] = mapped_column(BigInteger)


class AdminUser(Base):
    __tablename__ = "admin_users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    # Flask-Login protocol
    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def is_anonymous(self) -> bool:
        return False

    def get_id(self) -> str:
        return str(self.id)


class ModerationLog(Base):
    """Who did what to which event, for the GEN team's history."""

    __tablename__ = "moderation_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int | None] = mapped_column(ForeignKey("events.id", ondelete="SET NULL"), index=True)
    submission_id: Mapped[int | None] = mapped_column(
        ForeignKey("submissions.id", ondelete="SET NULL"), index=True)
    admin_id: Mapped[int | None] = mapped_column(ForeignKey("admin_users.id"))
    actor: Mapped[str] = mapped_column(String(254))
    action: Mapped[str] = mapped_column(String(30))
    reason: Mapped[str | None] = mapped_column(Text)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)

    event: Mapped[Event | None] = relationship()
    submission: Mapped[Submission | None] = relationship()
    admin: Mapped[AdminUser | None] = relationship()


class ReminderSubscription(Base):
    """A visitor's address, to be reminded of one session; nothing but the confirmation is sent
    before `confirmed_at` is set. Deleted after the edition (not public data: no data version)."""

    __tablename__ = "reminder_subscriptions"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    email: Mapped[str] = mapped_column(String(254))
    # SHA-256 of the one-use confirmation token mailed last; cleared once used.
    confirm_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The time and place this address was last told, so that a change is said once.
    announced: Mapped[dict | None] = mapped_column(JSON)
    # The language of the page the visitor asked from (None: the default, French); mails speak it.
    locale: Mapped[str | None] = mapped_column(String(8))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    event: Mapped[Event] = relationship()

    __table_args__ = (UniqueConstraint("event_id", "email"),)


class ReminderMessage(Base):
    """The outbox: one mail to a subscriber, recorded with what caused it, sent by `flask send-reminders`."""

    __tablename__ = "reminder_messages"

    id: Mapped[int] = mapped_column(primary_key=True)
    subscription_id: Mapped[int] = mapped_column(
        ForeignKey("reminder_subscriptions.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    # The day-before reminder's session day (one per day); NULL for the others (NULLs never clash).
    key: Mapped[str | None] = mapped_column(String(40))
    details: Mapped[dict] = mapped_column(JSON, default=dict)
    due_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    claimed_by: Mapped[str | None] = mapped_column(String(32))
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    dropped_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(String(300))
    # SHA-256 of this mail's unsubscribe token (made when it is sent).
    token_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    subscription: Mapped[ReminderSubscription] = relationship()

    __table_args__ = (
        UniqueConstraint("subscription_id", "kind", "key"),
        Index("ix_reminder_messages_pending", "sent_at", "dropped_at", "due_at"),
    )
