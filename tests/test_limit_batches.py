"""A generous budget (the API's) is written a few hits at a time, and still holds within a few
hits per process; a small one (a login's, a form's) is counted exactly at every hit."""
from __future__ import annotations

import random

import pytest
from limits import parse
from sqlalchemy import event

from opengen import limit_batches
from opengen.db import db
from opengen.limit_batches import BatchedFixedWindow, slack
from opengen.limits import DatabaseStorage, limiter


@pytest.fixture
def storage(app, ctx):
    found = DatabaseStorage()
    found.app = app
    found.reset()
    yield found
    found.reset()


def writes_during(action) -> int:
    """How many counter writes the action sent to the database."""
    writes = []

    def record(conn, cursor, statement, parameters, context, executemany):
        if statement.lstrip().upper().startswith("INSERT INTO RATE_LIMITS"):
            writes.append(statement)

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        action()
    finally:
        event.remove(db.engine, "before_cursor_execute", record)
    return len(writes)


def test_slack_is_none_for_small_budgets_and_a_fiftieth_for_large_ones():
    assert [slack(n) for n in (1, 5, 20, 49, 50, 200, 600, 10_000)] == [0, 0, 0, 0, 1, 4, 12, 16]


def test_a_small_budget_is_written_and_checked_at_every_hit(storage):
    strategy, budget = BatchedFixedWindow(storage), parse("5 per minute")
    results = []
    assert writes_during(lambda: results.extend(strategy.hit(budget, "client") for _ in range(7))) == 7
    assert results == [True] * 5 + [False] * 2
    assert storage.get(budget.key_for("client")) == 7


def test_a_generous_budget_is_written_a_few_hits_at_a_time(storage):
    strategy, budget = BatchedFixedWindow(storage), parse("600 per minute")
    results = []
    writes = writes_during(lambda: results.extend(strategy.hit(budget, "client") for _ in range(120)))
    assert all(results)
    assert writes == 120 // slack(600)  # one write every 12 hits
    assert storage.get(budget.key_for("client")) == 120
    assert strategy.get_window_stats(budget, "client").remaining == 480
    strategy.hit(budget, "client")  # kept here for now: the remaining hits say so all the same
    assert strategy.get_window_stats(budget, "client").remaining == 479


def test_hits_kept_longer_than_a_while_are_written_with_the_next(storage, monkeypatch):
    strategy, budget = BatchedFixedWindow(storage), parse("600 per minute")
    strategy.hit(budget, "client")
    monkeypatch.setattr(limit_batches, "FLUSH_S", 0.0)
    assert writes_during(lambda: strategy.hit(budget, "client")) == 1
    assert storage.get(budget.key_for("client")) == 2


@pytest.mark.parametrize("amount", [5, 200, 600])
def test_four_processes_hold_a_budget_within_slack_hits_each(storage, amount):
    workers = [BatchedFixedWindow(storage) for _ in range(4)]  # four workers, one shared counter
    budget = parse(f"{amount} per minute")
    rng = random.Random(amount)
    results = [rng.choice(workers).hit(budget, "client") for _ in range(amount * 2)]
    admitted = sum(results)
    assert amount <= admitted <= amount + len(workers) * slack(amount)
    assert not any(results[amount + len(workers) * slack(amount):])  # then refused, by every worker
    assert storage.get(budget.key_for("client")) >= amount * 2 - len(workers) * slack(amount)


def test_clients_are_counted_apart(storage):
    strategy, budget = BatchedFixedWindow(storage), parse("100 per minute")
    for _ in range(100):
        assert strategy.hit(budget, "a")
    assert not strategy.hit(budget, "a")
    assert strategy.hit(budget, "b")


def test_the_api_budget_headers_count_down_at_each_request(app, make_event):
    app.config.update(RATELIMIT_ENABLED=True, API_RATE_LIMIT="600 per minute")
    limiter.init_app(app)
    limiter.reset()
    try:
        make_event()
        db.session.commit()
        client = app.test_client()
        left = [int(client.get("/api/events").headers["X-RateLimit-Remaining"]) for _ in range(30)]
        assert left == list(range(599, 569, -1))
    finally:
        limiter.reset()
