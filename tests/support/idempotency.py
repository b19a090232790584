"""Many identical requests at once, each in its own thread and database connection (as in
tests/budget/test_concurrency.py): what idempotency keys are measured with."""

import threading

from django.contrib.auth import get_user_model
from django.db import connection
from django.test import Client
from rest_framework.test import APIClient


def race(n: int, send) -> list:
    """Call send() in n threads released together by a barrier; return each result (or the
    repr of what it raised)."""
    barrier, results, lock = threading.Barrier(n), [], threading.Lock()

    def worker():
        try:
            result = send(barrier)
        except Exception as error:  # noqa: BLE001 — reported, then the test fails on it
            result = repr(error)
        finally:
            connection.close()
        with lock:
            results.append(result)

    threads = [threading.Thread(target=worker) for _ in range(n)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def race_api_posts(user, path: str, body: dict, *, key: str, n: int = 50) -> list[tuple[int, bytes]]:
    """n identical JSON POSTs with one Idempotency-Key: each answer's (status, body)."""

    def send(barrier):
        client = APIClient()
        client.force_authenticate(get_user_model().objects.get(pk=user.pk))
        barrier.wait()
        response = client.post(path, body, format="json", HTTP_IDEMPOTENCY_KEY=key)
        return response.status_code, response.content

    return race(n, send)


def race_form_posts(user, path: str, data: dict, *, n: int) -> list[int]:
    """n submissions of one filled-in HTML form (a double click, n times): each answer's status."""

    def send(barrier):
        client = Client()
        client.force_login(get_user_model().objects.get(pk=user.pk))
        barrier.wait()
        return client.post(path, data).status_code

    return race(n, send)
