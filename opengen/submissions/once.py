"""A confirmed submission is saved once: the confirmation step carries a signed one-time token, and
a form sent again with it (a retry after a lost answer, a double click, at the same moment or
later) finds the first save and its edit link instead of saving a copy."""
from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from typing import TYPE_CHECKING, Callable

from flask import current_app
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from ..db import db
from ..models import Submission
from .links import hash_token

if TYPE_CHECKING:
    from .operations import Submitted


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt="opengen-submission-once")


def new_token() -> str:
    """Return a fresh signed one-time token for a confirmation page."""
    return _serializer().dumps(secrets.token_hex(24))


def _nonce(token: str | None) -> str | None:
    """The random part of a token this site signed, or None (missing, forged, malformed)."""
    if not token or len(token) > 200:
        return None
    try:
        nonce = _serializer().loads(token)
    except BadSignature:
        return None
    return nonce if isinstance(nonce, str) and len(nonce) == 48 else None


def once_key(nonce: str) -> str:
    """Return what a submission confirmed with this nonce is stored under (unique)."""
    return hashlib.sha256(f"once:{nonce}".encode()).hexdigest()


def edit_token(nonce: str) -> str:
    """Return the edit token of a submission confirmed with this nonce (the same on every resend)."""
    key = current_app.config["SECRET_KEY"].encode()
    digest = hmac.new(key, f"edit-link:{nonce}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()  # as long as links.issue_token's


def _saved(key: str):
    return db.session.scalars(select(Submission).where(Submission.once_key == key)).first()


def save_once(token: str | None, save: Callable[[], Submitted]) -> tuple[Submitted, bool]:
    """Run save() once per one-time token; return its result and whether it had been saved before.

    Call inside the write transaction (begin_write). Without a valid token, save() just runs.
    """
    from .operations import Submitted, events_of

    nonce = _nonce(token)
    if nonce is None:
        return save(), False
    key = once_key(nonce)
    submission = _saved(key)
    if submission is None:
        try:
            # A savepoint: two sends at the same moment (PostgreSQL) meet on the unique key,
            # and the one that loses reads the winner's save instead.
            with db.session.begin_nested():
                submitted = save()
                submitted.submission.once_key = key
                submitted.token = edit_token(nonce)
                submitted.submission.token_hash = hash_token(submitted.token)
                db.session.flush()
            return submitted, False
        except IntegrityError:
            submission = _saved(key)
            if submission is None:
                raise
    return Submitted(submission, edit_token(nonce), events_of(submission)), True
