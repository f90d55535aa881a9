"""Protection for calls to an outside service: a circuit breaker and a rate limiter.

State lives in the process by default; give a Redis URL and several app processes share it.
If Redis itself fails, each process falls back to its own in-process state rather than
failing the request. The clock and the sleep are parameters, so that tests need not wait.
No Flask here.
"""

from __future__ import annotations

import logging
import threading
import time
from typing import Callable, Protocol, TypeVar

log = logging.getLogger(__name__)
T = TypeVar("T")
Clock = Callable[[], float]  # seconds, only ever compared with one another (time.monotonic)
Sleep = Callable[[float], None]

# After a Redis error, how long to keep to process state before trying Redis again.
REDIS_RETRY_S = 30.0

# How long the "last call failed" mark outlives the cool-down: past it, a forgotten mark
# cannot keep a healthy service in trial mode.
TRIPPED_TTL_S = 24 * 3600

# Reserve the next call slot atomically; the time comes from the Redis server so that
# processes with drifting clocks agree. Returns the wait in ms, or -1 if it exceeds ARGV[2].
RESERVE_SLOT_LUA = """
local now = redis.call('TIME')
local t = tonumber(now[1]) * 1000 + math.floor(tonumber(now[2]) / 1000)
local nxt = tonumber(redis.call('GET', KEYS[1]) or '0')
local start = math.max(t, nxt)
local wait = start - t
if wait > tonumber(ARGV[2]) then return -1 end
redis.call('SET', KEYS[1], start + tonumber(ARGV[1]), 'PX', tonumber(ARGV[1]) + wait + 1000)
return wait
"""


class GuardState(Protocol):
    """Where a breaker and a limiter keep their shared state."""

    def is_open(self) -> bool: ...
    def is_tripped(self) -> bool: ...
    def claim_probe(self, ttl_s: float) -> bool: ...
    def trip(self, open_for_s: float) -> None: ...
    def reset(self) -> None: ...
    def reserve_slot(self, interval_s: float, max_wait_s: float) -> float | None: ...


class LocalState:
    """Breaker and limiter state for one process, safe across threads."""

    def __init__(self, clock: Clock = time.monotonic) -> None:
        self._clock = clock
        self._lock = threading.Lock()
        self._open_until = 0.0
        self._tripped = False
        self._probe_until = 0.0
        self._next_slot = 0.0

    def is_open(self) -> bool:
        """Tell whether the cool-down is running."""
        with self._lock:
            return self._clock() < self._open_until

    def is_tripped(self) -> bool:
        """Tell whether the last call failed and no call has succeeded since."""
        with self._lock:
            return self._tripped

    def claim_probe(self, ttl_s: float) -> bool:
        """Let one caller try the service after a cool-down; others keep away for ttl_s."""
        with self._lock:
            now = self._clock()
            if now < self._probe_until:
                return False
            self._probe_until = now + ttl_s
            return True

    def trip(self, open_for_s: float) -> None:
        """Open the breaker for open_for_s seconds."""
        with self._lock:
            self._open_until = self._clock() + open_for_s
            self._tripped = True
            self._probe_until = 0.0

    def reset(self) -> None:
        """Close the breaker after a success."""
        with self._lock:
            self._open_until = 0.0
            self._tripped = False
            self._probe_until = 0.0

    def reserve_slot(self, interval_s: float, max_wait_s: float) -> float | None:
        """Book the next call slot; return the wait, or None if longer than max_wait_s."""
        with self._lock:
            now = self._clock()
            start = max(now, self._next_slot)
            if start - now > max_wait_s:
                return None
            self._next_slot = start + interval_s
            return start - now


class RedisLink:
    """A Redis client that, after an error, does without Redis for REDIS_RETRY_S seconds.

    While Redis is away, each call runs its fallback at once instead of paying a connection
    time-out every time.
    """

    def __init__(self, url: str, purpose: str, socket_timeout_s: float = 0.5,
                 clock: Clock = time.monotonic) -> None:
        import redis  # only needed when a Redis URL is configured

        self._errors = (redis.RedisError, OSError)
        self.client = redis.Redis.from_url(url, socket_timeout=socket_timeout_s,
                                           socket_connect_timeout=socket_timeout_s)
        self.purpose = purpose  # for the log: what goes without Redis
        self._offline_until = 0.0
        self._clock = clock

    def run(self, remote: Callable[[], T], fallback: Callable[[], T]) -> T:
        """Run remote against Redis; while Redis is failing, run fallback."""
        if self._clock() < self._offline_until:
            return fallback()
        try:
            return remote()
        except self._errors as error:
            log.warning("Redis unavailable for %s, doing without it for %s s: %r",
                        self.purpose, REDIS_RETRY_S, error)
            self._offline_until = self._clock() + REDIS_RETRY_S
            return fallback()


class RedisState:
    """Breaker and limiter state in Redis, shared by every process using the same prefix."""

    def __init__(self, url: str, prefix: str, socket_timeout_s: float = 0.5,
                 clock: Clock = time.monotonic) -> None:
        self._link = RedisLink(url, "the geocoder guard (using process state)", socket_timeout_s, clock)
        self._redis = self._link.client
        self._keys = {name: f"{prefix}{name}" for name in ("open", "tripped", "probe", "slot")}
        self._reserve = self._redis.register_script(RESERVE_SLOT_LUA)
        self._local = LocalState(clock)

    def _run(self, remote: Callable[[], T], local: Callable[[LocalState], T]) -> T:
        """Run remote against Redis; while Redis is failing, run local on process state."""
        return self._link.run(remote, lambda: local(self._local))

    def is_open(self) -> bool:
        """Tell whether the cool-down is running."""
        return self._run(lambda: bool(self._redis.exists(self._keys["open"])),
                         lambda s: s.is_open())

    def is_tripped(self) -> bool:
        """Tell whether the last call failed and no call has succeeded since."""
        return self._run(lambda: bool(self._redis.exists(self._keys["tripped"])),
                         lambda s: s.is_tripped())

    def claim_probe(self, ttl_s: float) -> bool:
        """Let one caller in all processes try the service after a cool-down."""
        return self._run(
            lambda: bool(self._redis.set(self._keys["probe"], 1, nx=True, px=max(1, int(ttl_s * 1000)))),
            lambda s: s.claim_probe(ttl_s))

    def trip(self, open_for_s: float) -> None:
        """Open the breaker for open_for_s seconds, for every process."""
        def remote() -> None:
            pipe = self._redis.pipeline()
            pipe.set(self._keys["open"], 1, px=max(1, int(open_for_s * 1000)))
            pipe.set(self._keys["tripped"], 1, ex=TRIPPED_TTL_S)
            pipe.delete(self._keys["probe"])
            pipe.execute()

        self._run(remote, lambda s: s.trip(open_for_s))

    def reset(self) -> None:
        """Close the breaker after a success, for every process."""
        self._run(lambda: self._redis.delete(self._keys["open"], self._keys["tripped"], self._keys["probe"]),
                  lambda s: s.reset())

    def reserve_slot(self, interval_s: float, max_wait_s: float) -> float | None:
        """Book the next call slot shared by all processes; None if the wait is too long."""
        def remote() -> float | None:
            wait_ms = self._reserve(keys=[self._keys["slot"]],
                                    args=[max(1, int(interval_s * 1000)), int(max_wait_s * 1000)])
            return None if wait_ms < 0 else wait_ms / 1000.0

        return self._run(remote, lambda s: s.reserve_slot(interval_s, max_wait_s))


class CircuitBreaker:
    """Stop calling a failing service for a cool-down, then let a single call test it."""

    def __init__(self, state: GuardState, cooldown_s: float, probe_ttl_s: float) -> None:
        self.state = state
        self.cooldown_s = cooldown_s
        self.probe_ttl_s = probe_ttl_s

    def allow(self) -> bool:
        """Tell whether a call may go out now."""
        if self.state.is_open():
            return False
        if self.state.is_tripped():
            return self.state.claim_probe(self.probe_ttl_s)
        return True

    def is_open(self) -> bool:
        """Tell whether calls are being kept away from the service."""
        return self.state.is_open()

    def record_success(self) -> None:
        """Note a good answer: the service is healthy again."""
        if self.state.is_tripped():
            self.state.reset()

    def record_failure(self, retry_after_s: float | None = None) -> None:
        """Note a failure: open for the cool-down, or longer if the service asked so."""
        self.state.trip(max(self.cooldown_s, retry_after_s or 0.0))


class RateLimiter:
    """Keep at least min_interval_s between calls, waiting a little but never queueing long."""

    def __init__(self, state: GuardState, min_interval_s: float, sleep: Sleep = time.sleep) -> None:
        self.state = state
        self.min_interval_s = min_interval_s
        self._sleep = sleep

    def acquire(self, max_wait_s: float) -> float | None:
        """Wait for the next slot and return the time waited, or None without waiting if
        the slot is further than max_wait_s away."""
        if self.min_interval_s <= 0:
            return 0.0
        wait = self.state.reserve_slot(self.min_interval_s, max_wait_s)
        if wait:
            self._sleep(wait)
        return wait


def make_state(redis_url: str | None, prefix: str, clock: Clock = time.monotonic) -> GuardState:
    """Build the shared state: Redis when a URL is given, else in-process."""
    return RedisState(redis_url, prefix, clock=clock) if redis_url else LocalState(clock)
