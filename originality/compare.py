"""Comparing a checkpoint's tensor fingerprints with the references': pure, no database.

Similarity is the correlation (centred cosine) of two tensors' values at the same sampled
positions. Independently initialised matrices correlate near 0 (noise about 1/sqrt(samples));
a fine-tuned copy stays near 1. Candidates for each checkpoint tensor: the reference tensor of
the same name (its overlapping rows when the first dimension was resized), every reference
tensor of exactly the same shape (renamed tensors), and, for embedding-like tables, every
reference table with the same column count (a renamed and resized vocabulary).
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field

import numpy as np

from .fingerprint import TensorPrint, row_level

ORIGINAL, COMPONENT_REUSE, DERIVED = "original", "component_reuse", "derived"
MIN_SAMPLES = 256  # fewer aligned values than this: too noisy to accuse on similarity alone
EMBEDDING_NAME = re.compile(r"(embed|wte|word_embeddings|lm_head|output\.weight$|tok_embeddings)")


@dataclass(frozen=True)
class Ref:
    """A reference tensor: its reference's key (id or name) and its print."""

    reference: object
    tensor: TensorPrint


@dataclass
class TensorMatch:
    name: str
    shape: tuple[int, ...]
    parameter_count: int
    informative: bool
    reference: object = None
    reference_tensor: str = ""
    similarity: float | None = None
    exact: bool = False
    rows_compared: int = 0
    matched_parameters: int = 0  # the checkpoint's parameters this match accounts for

    @property
    def matched(self) -> bool:
        return self.matched_parameters > 0


@dataclass
class Component:
    reference: object
    prefix: str  # "model.layers.1.*", or a tensor's full name when it stands alone
    tensors: list[str]
    parameters: int
    min_similarity: float


@dataclass
class Verdict:
    verdict: str
    matched_share: float  # of the checkpoint's informative parameters, against the best reference
    best_reference: object
    max_similarity: float | None
    informative_parameters: int
    matches: list[TensorMatch]
    components: list[Component] = field(default_factory=list)
    shares: dict = field(default_factory=dict)  # reference → matched share


def similarity(a: TensorPrint, b: TensorPrint) -> tuple[float | None, int]:
    """(correlation over the positions both sampled, rows compared); None when it cannot be told."""
    a_rows, a_cols = a.matrix
    b_rows, b_cols = b.matrix
    if a_cols != b_cols or not a.values.size or not b.values.size:
        return None, 0
    if a_rows == b_rows:
        x, y, rows = a.values, b.values, len(a.rows)
    else:
        # Nested row sets: the coarser one, below the shorter length, lies in both.
        width = a.values.size // max(1, len(a.rows))
        limit = min(a_rows, b_rows)
        coarse = a.rows if row_level(a_rows) >= row_level(b_rows) else b.rows
        common = coarse[coarse < limit]
        a_pick = np.searchsorted(a.rows, common)
        b_pick = np.searchsorted(b.rows, common)
        if not (
            np.array_equal(a.rows[np.minimum(a_pick, len(a.rows) - 1)], common)
            and np.array_equal(b.rows[np.minimum(b_pick, len(b.rows) - 1)], common)
        ):
            return None, 0
        x = a.values.reshape(-1, width)[a_pick].ravel()
        y = b.values.reshape(-1, width)[b_pick].ravel()
        rows = len(common)
    if x.size < MIN_SAMPLES or x.size != y.size:
        return None, rows
    x = x.astype(np.float64) - x.mean()
    y = y.astype(np.float64) - y.mean()
    denominator = float(np.sqrt((x * x).sum() * (y * y).sum()))
    if denominator == 0 or not np.isfinite(denominator):
        return None, rows
    return float((x * y).sum() / denominator), rows


def _candidates(tensor: TensorPrint, by_name, by_shape, embeddings) -> list[Ref]:
    seen, found = set(), []
    pools = [by_name.get(tensor.name, []), by_shape.get(tensor.shape, [])]
    if EMBEDDING_NAME.search(tensor.name):
        pools.append(embeddings.get(tensor.matrix[1], []))
    for pool in pools:
        for ref in pool:
            key = (id(ref.tensor), ref.reference)
            if key not in seen:
                seen.add(key)
                found.append(ref)
    return found


def match_tensor(tensor: TensorPrint, candidates: list[Ref], *, threshold: float) -> TensorMatch:
    """The best reference tensor for one checkpoint tensor: an exact copy first, then the
    highest similarity."""
    match = TensorMatch(tensor.name, tensor.shape, tensor.parameter_count, tensor.informative)
    if not tensor.informative:
        return match
    best_key = None
    for ref in candidates:
        if not ref.tensor.informative:
            continue
        exact = ref.tensor.digest == tensor.digest and ref.tensor.shape == tensor.shape
        score, rows = (1.0, len(tensor.rows)) if exact else similarity(tensor, ref.tensor)
        if score is None:
            continue
        key = (exact, score)
        if best_key is None or key > best_key:
            best_key = key
            match.reference, match.reference_tensor = ref.reference, ref.tensor.name
            match.similarity, match.exact, match.rows_compared = score, exact, rows
    if match.similarity is not None and (match.exact or match.similarity >= threshold):
        n_rows, n_cols = tensor.matrix
        ref_rows = next(
            r.tensor.matrix[0]
            for r in candidates
            if r.reference == match.reference and r.tensor.name == match.reference_tensor
        )
        match.matched_parameters = min(n_rows, ref_rows) * n_cols  # only the rows both tables have
    return match


def _components(matches: list[TensorMatch], reference) -> list[Component]:
    """Matched tensors grouped by the largest name prefixes under which every informative
    tensor matched this reference: "model.layers.1.*" rather than its seven matrices."""
    informative = [m for m in matches if m.informative]
    mine = {m.name for m in informative if m.matched and m.reference == reference}
    if not mine:
        return []

    def prefixes(name: str) -> list[str]:
        parts = name.split(".")
        return [".".join(parts[:i]) for i in range(1, len(parts))]

    under: dict[str, list[str]] = defaultdict(list)
    for m in informative:
        for prefix in prefixes(m.name):
            under[prefix].append(m.name)
    full = {p for p, names in under.items() if all(n in mine for n in names)}
    groups: dict[str, list[str]] = defaultdict(list)
    for name in sorted(mine):
        top = next((p for p in prefixes(name) if p in full), None)
        groups[f"{top}.*" if top else name].append(name)
    by_name = {m.name: m for m in informative}
    return [
        Component(
            reference=reference,
            prefix=prefix,
            tensors=names,
            parameters=sum(by_name[n].matched_parameters for n in names),
            min_similarity=min(by_name[n].similarity for n in names),
        )
        for prefix, names in sorted(groups.items())
    ]


def compare(checkpoint: list[TensorPrint], references: list[Ref], *, threshold: float, derived_share: float) -> Verdict:
    """The verdict for one checkpoint against every reference tensor given."""
    by_name, by_shape, embeddings = defaultdict(list), defaultdict(list), defaultdict(list)
    for ref in references:
        by_name[ref.tensor.name].append(ref)
        by_shape[ref.tensor.shape].append(ref)
        if EMBEDDING_NAME.search(ref.tensor.name) and len(ref.tensor.shape) == 2:
            embeddings[ref.tensor.matrix[1]].append(ref)
    matches = [match_tensor(t, _candidates(t, by_name, by_shape, embeddings), threshold=threshold) for t in checkpoint]
    informative_parameters = sum(m.parameter_count for m in matches if m.informative)
    matched: dict[object, int] = defaultdict(int)
    for m in matches:
        if m.matched:
            matched[m.reference] += m.matched_parameters
    shares = {ref: count / informative_parameters for ref, count in matched.items()} if informative_parameters else {}
    similarities = [m.similarity for m in matches if m.similarity is not None]
    max_similarity = max(similarities) if similarities else None
    if not shares:
        return Verdict(ORIGINAL, 0.0, None, max_similarity, informative_parameters, matches)
    best = max(shares, key=lambda ref: (shares[ref], str(ref)))
    components = [c for ref in sorted(shares, key=str) for c in _components(matches, ref)]
    verdict = DERIVED if shares[best] >= derived_share else COMPONENT_REUSE
    return Verdict(verdict, shares[best], best, max_similarity, informative_parameters, matches, components, shares)
