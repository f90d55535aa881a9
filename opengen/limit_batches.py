"""Generous budgets counted in small batches: a process writes a client's hits to the shared
counter every few hits rather than on every request.

A write per request cost an API search a fifth of its time (a transaction on the shared
counter, and on SQLite the one write lock every worker queues for). A budget of `amount` hits
per window tolerates a little imprecision: each process keeps fewer than `slack(amount)` of a
client's hits to itself before writing them, and learns the others' hits when it writes. Once
a client is within `slack` of its budget, every hit is written and checked. A client may thus
get at most `slack` hits per process more than its budget in a window (600 per minute, 4
workers: 48 more at most, 8%). Every small budget (a login's, a form's, under SLACK_SHARE hits:
slack 0) is written and checked at each hit, exactly as before. Hits kept longer than FLUSH_S
are written with the client's next hit.
"""
from __future__ import annotations

import threading
import time
from dataclasses import dataclass

from cachetools import LRUCache
from limits import RateLimitItem
from limits.storage import Storage
from limits.strategies import FixedWindowRateLimiter, WindowStats

SLACK_SHARE = 50  # a budget keeps back at most a fiftieth of itself per process...
MAX_SLACK = 16  # ...and never more than this many hits
FLUSH_S = 1.0  # hits kept longer than this are written with the next one
KEYS_KEPT = 20_000  # clients remembered per process (least recently seen out first)


def slack(amount: int) -> int:
    """How many of a client's hits a process may keep unwritten for a budget of `amount`."""
    return min(MAX_SLACK, amount // SLACK_SHARE)


@dataclass
class _Client:
    shared: int  # the shared counter when this process last wrote to it
    expires_at: float  # Unix time the window ends (the shared one once known)
    pending: int = 0  # hits counted here, not yet written
    written_at: float = 0.0  # time.monotonic() of the last write


class BatchedFixedWindow(FixedWindowRateLimiter):
    """The fixed-window strategy, writing a generous budget's hits to storage a few at a time."""

    def __init__(self, storage: Storage):
        super().__init__(storage)
        self._clients: LRUCache[str, _Client] = LRUCache(KEYS_KEPT)
        self._lock = threading.Lock()

    def hit(self, item: RateLimitItem, *identifiers: str, cost: int = 1) -> bool:
        """Count `cost` hits; True while the client is within its budget."""
        kept_back = slack(item.amount)
        if kept_back == 0:
            return super().hit(item, *identifiers, cost=cost)
        key, now = item.key_for(*identifiers), time.time()
        with self._lock:
            client = self._clients.get(key)
            if client is None or client.expires_at <= now:
                client = self._clients[key] = _Client(0, now + item.get_expiry(), written_at=time.monotonic())
            client.pending += cost
            total = client.shared + client.pending
            if (client.pending < kept_back and total <= item.amount - kept_back
                    and time.monotonic() - client.written_at < FLUSH_S):
                return True
            pending, client.pending = client.pending, 0
        # The write happens outside the lock: a slow storage must not hold the other threads.
        shared = self.storage.incr(key, item.get_expiry(), amount=pending)
        expires_at = self.storage.get_expiry(key)
        with self._lock:
            client.shared, client.expires_at, client.written_at = shared, expires_at, time.monotonic()
            total = shared + client.pending
        return total <= item.amount

    def get_window_stats(self, item: RateLimitItem, *identifiers: str) -> WindowStats:
        """The window's end and the hits left, this process's unwritten ones included."""
        if slack(item.amount) == 0:
            return super().get_window_stats(item, *identifiers)
        with self._lock:
            client = self._clients.get(item.key_for(*identifiers))
            if client is not None and client.expires_at > time.time():
                return WindowStats(client.expires_at, max(0, item.amount - client.shared - client.pending))
        return super().get_window_stats(item, *identifiers)

    def clear(self, item: RateLimitItem, *identifiers: str) -> None:
        """Forget a client's hits, here and in storage."""
        with self._lock:
            self._clients.pop(item.key_for(*identifiers), None)
        super().clear(item, *identifiers)

    def forget(self) -> None:
        """Forget every hit kept here (after the storage was emptied)."""
        with self._lock:
            self._clients.clear()
