"""The runner's save retry, without processes: a dropped connection is retried on a fresh one,
at most SAVE_ATTEMPTS times; any other error is not retried."""

import pytest
from django.db import OperationalError

from evaluation import runner


def _flaky(failures: int, outcome=True):
    calls = []

    def write():
        calls.append(1)
        if len(calls) <= failures:
            raise OperationalError("terminating connection due to administrator command")
        return outcome

    return write, calls


def test_a_dropped_connection_is_retried_until_the_write_goes_through(monkeypatch):
    monkeypatch.setattr(runner, "SAVE_RETRY_DELAY_S", 0)
    write, calls = _flaky(runner.SAVE_ATTEMPTS - 1)
    assert runner._saving(write) is True
    assert len(calls) == runner.SAVE_ATTEMPTS


def test_the_last_dropped_connection_is_raised(monkeypatch):
    monkeypatch.setattr(runner, "SAVE_RETRY_DELAY_S", 0)
    write, calls = _flaky(runner.SAVE_ATTEMPTS)
    with pytest.raises(OperationalError):
        runner._saving(write)
    assert len(calls) == runner.SAVE_ATTEMPTS


def test_other_errors_are_not_retried():
    calls = []

    def write():
        calls.append(1)
        raise KeyError("acc,none")

    with pytest.raises(KeyError):
        runner._saving(write)
    assert len(calls) == 1
