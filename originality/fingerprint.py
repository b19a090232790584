"""Fingerprints of safetensors weights, streamed: no torch, no database (Django only for
the language of error messages).

Each tensor gets its name, shape, dtype, a SHA-256 of its bytes (exact copies) and a
signature: its values at seeded positions, enough to estimate how two same-shaped
tensors correlate (what survives fine-tuning). The file is memory-mapped and each
byte is read once, by the digest; the few sampled values come from pages just read.
Processed pages are dropped from the mapping as we go, so memory stays flat in the
file size.

Positions are chosen so that tables with a resized first dimension (a vocabulary with
rows added) still share their sampled rows: a tensor is viewed as rows × columns, row r
is sampled when hash(r) is divisible by 2**j, where j grows with the row count. These
sets are nested (divisible by 2**(j+1) implies by 2**j), so two tables of different
lengths have their coarser set of rows in common below the shorter length. The columns
sampled in row r depend only on r and the column count.
"""

from __future__ import annotations

import hashlib
import json
import mmap
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from django.utils.translation import gettext as _

from evaluation.checkpoint_files import CheckpointProblem, safetensors_header

SIGNATURE_VERSION = 1
TARGET_ROWS = 64  # sampled rows per tensor: between 64 and 127 once a tensor has that many
COLUMNS_PER_ROW = 16
CHUNK = 16 * 1024 * 1024
MIN_DISTINCT_VALUES = 16  # fewer among the samples: a mask or a constant, not learnt weights
_SEED = np.uint64(0x5EED_0F_0416_1A11)
_MIX1, _MIX2 = np.uint64(0xBF58476D1CE4E5B9), np.uint64(0x94D049BB133111EB)

# safetensors dtype → (numpy dtype of the stored bytes, item size). BF16 is read as
# uint16 and widened; anything not listed is fingerprinted by digest only.
_DTYPES = {
    "F64": (np.float64, 8),
    "F32": (np.float32, 4),
    "F16": (np.float16, 2),
    "BF16": (np.uint16, 2),
    "I64": (np.int64, 8),
    "I32": (np.int32, 4),
    "I16": (np.int16, 2),
    "I8": (np.int8, 1),
    "U8": (np.uint8, 1),
    "BOOL": (np.uint8, 1),
    "F8_E4M3": (None, 1),
    "F8_E5M2": (None, 1),
}
FLOAT_DTYPES = {"F64", "F32", "F16", "BF16"}


class FingerprintError(Exception):
    """The weights cannot be read; `str(error)` says why."""


@dataclass(frozen=True)
class TensorPrint:
    name: str
    shape: tuple[int, ...]
    dtype: str
    digest: bytes  # SHA-256 of the tensor's bytes
    rows: np.ndarray  # uint32: the sampled row indices (of the rows × columns view)
    values: np.ndarray  # float32, len(rows) × columns-per-row, row-major

    @property
    def parameter_count(self) -> int:
        count = 1
        for dim in self.shape:
            count *= dim
        return count

    @property
    def matrix(self) -> tuple[int, int]:
        """The rows × columns view: the first dimension against all the others."""
        if not self.shape:
            return 1, 1
        return self.shape[0], self.parameter_count // self.shape[0] if self.shape[0] else 0

    @property
    def informative(self) -> bool:
        """Evidence only from matrices with varied values: norms, biases, constant tensors
        and masks (a few distinct values) start out identical in every model by convention."""
        return len(self.shape) >= 2 and len(np.unique(self.values)) > MIN_DISTINCT_VALUES


def _mix(x: np.ndarray) -> np.ndarray:
    """splitmix64's finaliser: a cheap, well-spread hash of uint64 values."""
    with np.errstate(over="ignore"):
        x = (x + _SEED) * _MIX1
        x ^= x >> np.uint64(31)
        x *= _MIX2
        x ^= x >> np.uint64(29)
    return x


def row_level(n_rows: int) -> int:
    """Rows are sampled when hash(row) is divisible by 2**level (level 0: every row)."""
    return max(0, (n_rows // TARGET_ROWS).bit_length() - 1)


def sample_rows(n_rows: int) -> np.ndarray:
    """Row indices sampled from a table of n_rows rows (nested across lengths, see above)."""
    if n_rows <= 0:
        return np.zeros(0, dtype=np.uint32)
    level = row_level(n_rows)
    rows = np.arange(n_rows, dtype=np.uint64)
    if level == 0:
        return rows.astype(np.uint32)
    mask = np.uint64((1 << level) - 1)
    return rows[(_mix(rows) & mask) == 0].astype(np.uint32)


def sample_columns(rows: np.ndarray, n_cols: int) -> np.ndarray:
    """len(rows) × k column indices; k = min(COLUMNS_PER_ROW, n_cols). Depends on (row, n_cols) only."""
    k = min(COLUMNS_PER_ROW, n_cols)
    if k == n_cols:
        return np.broadcast_to(np.arange(n_cols, dtype=np.uint64), (len(rows), k))
    keys = rows.astype(np.uint64)[:, None] * np.uint64(COLUMNS_PER_ROW) + np.arange(k, dtype=np.uint64)[None, :]
    return _mix(keys ^ np.uint64(n_cols) << np.uint64(40)) % np.uint64(n_cols)


def read_header(path: Path) -> tuple[dict, int]:
    """The safetensors header (tensor name → dtype, shape, data_offsets) and where the data begins,
    read by evaluation's one header reader; the fingerprint also needs each tensor's bytes to match
    its shape, since it views them as an array."""
    try:
        header, data_start = safetensors_header(path)
    except CheckpointProblem as problem:
        raise FingerprintError(str(problem)) from None
    for name, info in header.items():
        (start, end), shape = info["data_offsets"], info["shape"]
        item = _DTYPES.get(info["dtype"], (None, 0))[1]
        count = int(np.prod(shape, dtype=np.int64)) if shape else 1
        if item and count * item != end - start:
            raise FingerprintError(
                _("%(file)s: tensor %(name)s has %(bytes)s bytes for shape %(shape)s")
                % {"file": path.name, "name": name, "bytes": end - start, "shape": shape}
            )
    return header, data_start


def _sample(buffer: mmap.mmap, offset: int, info: dict, n_rows: int, n_cols: int):
    rows = sample_rows(n_rows)
    np_dtype, item = _DTYPES.get(info["dtype"], (None, 0))
    if info["dtype"] not in FLOAT_DTYPES or not rows.size or not n_cols:
        return np.zeros(0, dtype=np.uint32), np.zeros(0, dtype=np.float32)
    cols = sample_columns(rows, n_cols)
    index = (rows.astype(np.int64)[:, None] * n_cols + cols.astype(np.int64)).ravel()
    count = n_rows * n_cols
    data = np.frombuffer(buffer, dtype=np_dtype, count=count, offset=offset)
    picked = data[index]
    if info["dtype"] == "BF16":
        picked = (picked.astype(np.uint32) << np.uint32(16)).view(np.float32)
    values = picked.astype(np.float32)
    del data
    return rows, values


def fingerprint_file(path: Path) -> Iterator[TensorPrint]:
    """Every tensor of one safetensors file, in file order, each byte read once."""
    path = Path(path)
    header, data_start = read_header(path)
    ordered = sorted(header.items(), key=lambda item: item[1]["data_offsets"][0])
    if not ordered:
        return
    with path.open("rb") as handle:
        size = path.stat().st_size
        if size == 0:
            return
        buffer = mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ)
        view = memoryview(buffer)
        dropped = 0  # pages before this offset are released from the mapping
        try:
            if hasattr(buffer, "madvise"):
                buffer.madvise(mmap.MADV_SEQUENTIAL)
            for name, info in ordered:
                start, end = (data_start + int(x) for x in info["data_offsets"])
                shape = tuple(int(d) for d in info["shape"])
                digest = hashlib.sha256()
                for chunk_start in range(start, end, CHUNK):
                    digest.update(view[chunk_start : min(end, chunk_start + CHUNK)])
                    dropped = _release(buffer, dropped, min(end, chunk_start + CHUNK) - CHUNK)
                probe = TensorPrint(name, shape, info["dtype"], b"", np.zeros(0, np.uint32), np.zeros(0, np.float32))
                n_rows, n_cols = probe.matrix
                rows, values = _sample(buffer, start, info, n_rows, n_cols)
                yield TensorPrint(
                    name=name, shape=shape, dtype=info["dtype"], digest=digest.digest(), rows=rows, values=values
                )
                dropped = _release(buffer, dropped, end)
        finally:
            view.release()
            buffer.close()


def _release(buffer: mmap.mmap, dropped: int, upto: int) -> int:
    """Drop the mapping's pages below `upto` (page-aligned); the page cache keeps them.
    Without this a memory-mapped 100 GB checkpoint would show 100 GB resident."""
    if not hasattr(buffer, "madvise"):
        return dropped
    upto -= upto % mmap.PAGESIZE
    if upto - dropped >= CHUNK:
        buffer.madvise(mmap.MADV_DONTNEED, dropped, upto - dropped)
        return upto
    return dropped


def weight_files(folder: Path) -> list[Path]:
    """The safetensors files of an HF-format folder: those a shard index names, or every
    *.safetensors file at the top level."""
    folder = Path(folder)
    index = folder / "model.safetensors.index.json"
    if index.is_file():
        try:
            weight_map = json.loads(index.read_text(encoding="utf-8"))["weight_map"]
            shards = sorted(set(weight_map.values()))
        except (ValueError, KeyError, TypeError, AttributeError):
            raise FingerprintError(_("%(file)s is not a valid shard index") % {"file": index.name}) from None
        files = [folder / shard for shard in shards]
        missing = [f.name for f in files if not f.is_file() or not f.resolve().is_relative_to(folder.resolve())]
        if missing:
            raise FingerprintError(
                _("%(file)s names missing shards: %(shards)s") % {"file": index.name, "shards": ", ".join(missing[:5])}
            )
        return files
    files = sorted(folder.glob("*.safetensors"))
    if not files:
        raise FingerprintError(_("no .safetensors weights in %(folder)s") % {"folder": folder})
    return files


def fingerprint_folder(folder: Path) -> list[TensorPrint]:
    """Every tensor of an HF-format checkpoint folder, sharded or not."""
    prints: list[TensorPrint] = []
    seen: set[str] = set()
    for file in weight_files(folder):
        for tensor in fingerprint_file(file):
            if tensor.name in seen:
                raise FingerprintError(_("tensor %(name)s appears in more than one shard") % {"name": tensor.name})
            seen.add(tensor.name)
            prints.append(tensor)
    return prints
