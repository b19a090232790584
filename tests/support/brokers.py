"""Pointing this process's Celery app at another broker: a dead one (nothing listens) or a
private redis-server (tests/faults)."""

import socket
from contextlib import contextmanager

from kombu import pools

from config.celery_app import app


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def broker(url: str):
    """Point this process's Celery app (the web side, which publishes tasks) at another broker."""
    conf = app.conf
    saved = conf.broker_url, conf.result_backend

    def reset():
        pools.reset()  # close and forget every pooled broker connection and producer
        app._after_fork()  # and the app's references to them (as a forked child does)
        app._backend_cache = None
        app._local.__dict__.pop("backend", None)

    conf.broker_url, conf.result_backend = url, url
    reset()
    try:
        yield
    finally:
        conf.broker_url, conf.result_backend = saved
        reset()


@contextmanager
def broker_down():
    with broker(f"redis://127.0.0.1:{free_port()}/0"):  # nothing listens there
        yield
