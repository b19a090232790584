"""Which pair a panel member judges next (pure: no database).

Every (team pair, category) cell should get about the same number of judgments: the cells are
tried from the least judged up (assigned pairs count too, so members judging at once spread
out), ties in random order; within a cell, a prompt the member has not seen yet, else one they
have not judged for this pair. A judge never gets a pair with a team they are affiliated with.
"""

from __future__ import annotations

import random
from itertools import combinations


def cells_in_order(
    teams: list[int], categories: list[str], counts: dict[tuple, int], rng: random.Random
) -> list[tuple[int, int, str]]:
    """(team a, team b, category) with a < b, least judged first. `counts` is keyed the same way."""
    cells = [(a, b, c) for a, b in combinations(sorted(teams), 2) for c in categories]
    rng.shuffle(cells)
    return sorted(cells, key=lambda cell: counts.get(cell, 0))


def choose(
    *,
    teams: list[int],
    prompts_by_category: dict[str, list[int]],
    counts: dict[tuple, int],
    seen_prompts: set[int],
    seen_pairs: set[tuple[int, int, int]],
    rng: random.Random,
):
    """(prompt, left team, right team), or None when nothing is left to judge. `seen_pairs` holds
    (prompt, a, b) with a < b."""
    categories = [c for c, prompts in prompts_by_category.items() if prompts]
    for a, b, category in cells_in_order(teams, categories, counts, rng):
        prompts = prompts_by_category[category]
        fresh = [p for p in prompts if p not in seen_prompts]
        candidates = fresh or [p for p in prompts if (p, a, b) not in seen_pairs]
        if candidates:
            prompt = rng.choice(candidates)
            return (prompt, a, b) if rng.random() < 0.5 else (prompt, b, a)
    return None
