"""GPU slots: a GPU host runs one worker process per GPU, and each shard leases as many of the
host's GPUs as its model needs (evaluation/gpu.py's tensor parallel size): eight 7B shards run
on eight GPUs at once, a 200B shard waits until it can hold all eight.

A lease is an exclusive `flock` on one lock file per GPU (EVAL_GPU_LOCK_DIR/gpu-<i>.lock),
taken all at once or not at all, so two large shards never hold half a host each. The kernel
drops the locks when the holder dies, so a killed worker never leaves a GPU leased. The
evaluation process sees only its GPUs (CUDA_VISIBLE_DEVICES)."""

import fcntl
import os
import time
from collections.abc import Callable
from pathlib import Path

from django.conf import settings

RETRY_S = 1.0


def host_gpus() -> int:
    """The GPUs this host's workers share: EVAL_HOST_GPUS, else what CUDA reports."""
    if settings.EVAL_HOST_GPUS:
        return settings.EVAL_HOST_GPUS
    try:
        import torch

        return torch.cuda.device_count()
    except Exception:  # noqa: BLE001 - no CUDA here: no GPUs
        return 0


class Lease:
    """Held GPUs; released when closed (or when the process that holds it dies)."""

    def __init__(self, ids: list[int], handles: list[int]):
        self.ids, self._handles = ids, handles

    @property
    def visible_devices(self) -> str:
        return ",".join(str(i) for i in self.ids)

    def release(self) -> None:
        for handle in self._handles:
            os.close(handle)
        self._handles = []

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.release()


def _try_lease(count: int, total: int, lock_dir: Path) -> Lease | None:
    held, handles = [], []
    for gpu in range(total):
        handle = os.open(lock_dir / f"gpu-{gpu}.lock", os.O_RDWR | os.O_CREAT, 0o666)
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(handle)
            continue
        held.append(gpu)
        handles.append(handle)
        if len(held) == count:
            return Lease(held, handles)
    for handle in handles:
        os.close(handle)
    return None


def lease(count: int, *, wait: Callable[[], None], total: int | None = None, lock_dir: Path | None = None) -> Lease:
    """Lease `count` GPUs of this host, waiting (and calling `wait`, which may raise to give
    up) until that many are free at once."""
    total = host_gpus() if total is None else total
    if count > total:
        raise ValueError(f"{count} GPUs asked of a host with {total}")
    lock_dir = lock_dir or settings.EVAL_GPU_LOCK_DIR
    lock_dir.mkdir(parents=True, exist_ok=True)
    while (held := _try_lease(count, total, lock_dir)) is None:
        wait()
        time.sleep(RETRY_S)
    return held
