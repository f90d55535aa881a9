"""The secret edit links: a school opens its submission with a token that only its hash is stored for."""
from __future__ import annotations

import hashlib
import hmac
import secrets

from sqlalchemy import select

from ..db import db, utcnow
from ..models import Submission

TOKEN_BYTES = 32


def hash_token(token: str) -> str:
    """Return the SHA-256 hex digest stored in place of an edit token."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def issue_token(submission: Submission) -> str:
    """Give a submission a new secret edit token (the old one stops working); return it once."""
    token = secrets.token_urlsafe(TOKEN_BYTES)
    submission.token_hash = hash_token(token)
    submission.token_created_at = utcnow()
    submission.token_revoked_at = None
    return token


def find_by_token(token: str | None) -> Submission | None:
    """Return the submission an edit token opens, or None if unknown, malformed or revoked."""
    if not token or len(token) > 100 or not token.isascii():
        return None
    digest = hash_token(token)
    submission = db.session.scalars(select(Submission).where(Submission.token_hash == digest)).first()
    if submission is None or not hmac.compare_digest(submission.token_hash, digest):
        return None
    return None if submission.token_revoked_at is not None else submission


def revoke_token(submission: Submission) -> None:
    """Make a submission's edit link stop working."""
    submission.token_revoked_at = utcnow()
