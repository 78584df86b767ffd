"""poll_until: the deadline poller that the demo, the benchmarks and the tests share."""

import time

from domains.polling import poll_until


def test_poll_returns_first_true_value():
    values = iter([0, "", None, "ready", "later"])
    assert poll_until(lambda: next(values), timeout=5.0, interval=0.0) == "ready"


def test_poll_returns_none_after_timeout():
    calls = []
    started = time.monotonic()
    assert poll_until(lambda: calls.append(1), timeout=0.05, interval=0.01) is None
    assert time.monotonic() - started >= 0.05
    assert len(calls) >= 2


def test_poll_zero_timeout_calls_once():
    calls = []
    assert poll_until(lambda: calls.append(1), timeout=0.0, interval=1.0) is None
    assert calls == [1]
