"""Fingerprint throughput and memory, against a plain sequential read + SHA-256 of the same file.

Generates safetensors checkpoints of 1 GB (and 256 MB, for memory), then, in the same run and
alternating, measures (a) reading the file in 16 MiB chunks and hashing it with SHA-256 and
(b) originality.fingerprint.fingerprint_file (memory-mapped, digest + sampled signature per
tensor). Both read from the page cache (the file was just written and fits in memory), so this
compares CPU work per byte, the part the code controls. Each fingerprint runs in a fresh
process so that its peak RSS (ru_maxrss) is its own. Target: fingerprint ≥ 0.5× the baseline
speed, and peak RSS flat in the file size.

Run: make bench-fingerprint        (BENCH_FINGERPRINT_GB=1 by default; BENCH_REPEAT=3)
"""
import hashlib
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

MIB = 1024 * 1024
REPEAT = int(os.environ.get("BENCH_REPEAT", "3"))


def write_checkpoint(path: Path, total_bytes: int) -> Path:
    """Llama-like tensors (bf16 and f32 matrices of a few sizes) up to total_bytes, written
    streaming so that generating it needs little memory."""
    rng = np.random.default_rng(0)
    specs, offset, i = [], 0, 0
    shapes = [((4096, 1024), "BF16", 2), ((1024, 1024), "F32", 4), ((8192, 512), "BF16", 2), ((1024,), "F32", 4)]
    while offset < total_bytes:
        shape, dtype, item = shapes[i % len(shapes)]
        size = int(np.prod(shape)) * item
        specs.append((f"model.layers.{i // len(shapes)}.t{i % len(shapes)}.weight", shape, dtype, offset, size))
        offset, i = offset + size, i + 1
    header = {name: {"dtype": dtype, "shape": list(shape), "data_offsets": [start, start + size]}
              for name, shape, dtype, start, size in specs}
    raw = json.dumps(header).encode()
    raw += b" " * (-len(raw) % 8)
    with path.open("wb") as out:
        out.write(len(raw).to_bytes(8, "little") + raw)
        for _name, shape, dtype, _start, size in specs:
            values = (rng.standard_normal(int(np.prod(shape)), dtype=np.float32) * 0.02)
            data = (values.view(np.uint32) >> 16).astype(np.uint16) if dtype == "BF16" else values
            out.write(data.tobytes())
    return path


def baseline(path: Path) -> float:
    """Seconds to read the file sequentially and SHA-256 it."""
    started = time.perf_counter()
    digest, buffer = hashlib.sha256(), bytearray(16 * MIB)
    view = memoryview(buffer)
    with path.open("rb", buffering=0) as handle:
        while n := handle.readinto(buffer):
            digest.update(view[:n])
    digest.hexdigest()
    return time.perf_counter() - started


def child(path: str) -> None:
    from originality.fingerprint import fingerprint_file

    started = time.perf_counter()
    count = sum(1 for _ in fingerprint_file(Path(path)))
    seconds = time.perf_counter() - started
    print(json.dumps({"seconds": seconds, "tensors": count,
                      "max_rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))


def fingerprint(path: Path) -> dict:
    result = subprocess.run([sys.executable, __file__, "--child", str(path)], check=True, capture_output=True,
                            text=True)
    return json.loads(result.stdout)


def imports_only_rss() -> float:
    code = ("import resource, numpy, originality.fingerprint; "
            "print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)")
    return float(subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True,
                                cwd=ROOT).stdout)


def main() -> None:
    gigabytes = float(os.environ.get("BENCH_FINGERPRINT_GB", "1"))
    work = Path(tempfile.mkdtemp(prefix="bench-fingerprint-"))
    try:
        big = write_checkpoint(work / "big.safetensors", int(gigabytes * 1024 * MIB))
        small = write_checkpoint(work / "small.safetensors", int(gigabytes * 256 * MIB))
        size_mb = big.stat().st_size / 1e6
        baseline(big)  # warm the page cache for both contenders
        base_s, print_s, rss_big = [], [], []
        for _ in range(REPEAT):
            base_s.append(baseline(big))
            run = fingerprint(big)
            print_s.append(run["seconds"])
            rss_big.append(run["max_rss_mib"])
        rss_small = [fingerprint(small)["max_rss_mib"] for _ in range(REPEAT)]
        base_rate, print_rate = size_mb / statistics.median(base_s), size_mb / statistics.median(print_s)
        print(f"file: {size_mb:.0f} MB, {run['tensors']} tensors; CPU: {os.cpu_count()} cores")
        print(f"read + SHA-256     : {base_rate:8.0f} MB/s (median of {REPEAT})")
        print(f"fingerprint        : {print_rate:8.0f} MB/s (median of {REPEAT})")
        print(f"ratio              : {print_rate / base_rate:.2f}x  (target >= 0.5x)")
        print(f"peak RSS, imports only        : {imports_only_rss():7.1f} MiB")
        print(f"peak RSS, {small.stat().st_size / 1e6:5.0f} MB file : {statistics.median(rss_small):7.1f} MiB")
        print(f"peak RSS, {size_mb:5.0f} MB file : {statistics.median(rss_big):7.1f} MiB")
    finally:
        for file in work.iterdir():
            file.unlink()
        work.rmdir()


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--child":
        child(sys.argv[2])
    else:
        main()
