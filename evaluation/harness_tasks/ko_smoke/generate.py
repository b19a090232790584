"""Writes the ko-smoke task data (data/*.jsonl) and the demo training corpus (corpus.txt).

Deterministic (fixed seed, standard library only): running it twice gives byte-identical
files, and tests/evaluation/test_ko_smoke_pack.py checks that the committed files match.

    python evaluation/harness_tasks/ko_smoke/generate.py            # rewrite in place
    python evaluation/harness_tasks/ko_smoke/generate.py --out DIR  # write elsewhere

The corpus is written in the same style as the tasks (same prompt shapes, answers appended)
but from different numbers: every numeral, sum/difference and number pair used by a test
item is left out of it, so a model trained on it has to generalise to score.
"""

from __future__ import annotations

import argparse
import json
import random
from pathlib import Path

SEED = 20250601
HERE = Path(__file__).resolve().parent

TASK_FILES = {
    "ko_smoke_numeral_mc": "data/ko_smoke_numeral_mc.jsonl",
    "ko_smoke_arith_mc": "data/ko_smoke_arith_mc.jsonl",
    "en_smoke_compare_mc": "data/en_smoke_compare_mc.jsonl",
    "ko_smoke_arith_gen": "data/ko_smoke_arith_gen.jsonl",
}
CORPUS_FILE = "corpus.txt"

N_NUMERAL = 120
N_ARITH_MC = 120
N_COMPARE = 100
N_ARITH_GEN = 100
N_CORPUS_COMPARE = 1200

# The prompt shapes, shared by the task YAMLs (doc_to_text) and the corpus lines.
NUMERAL_PROMPT = "질문: {question} 답:"
ARITH_MC_PROMPT = "질문: {question} 답:"
COMPARE_PROMPT = "Question: {question} Answer:"
ARITH_GEN_PROMPT = "문제: {question} 정답:"

DIGITS = "영일이삼사오육칠팔구"
NOUNS = ["사과", "귤", "배", "사탕", "연필", "공책", "풍선", "구슬", "쿠키", "지우개", "딸기", "인형"]


def sino_korean(n: int) -> str:
    """1..9999 written in Sino-Korean numeral words: 35 -> 삼십오, 100 -> 백, 1005 -> 천오."""
    if not 1 <= n <= 9999:
        raise ValueError(n)
    words = []
    for unit_value, unit in ((1000, "천"), (100, "백"), (10, "십"), (1, "")):
        digit, n = divmod(n, unit_value)
        if digit:
            words.append(("" if digit == 1 and unit else DIGITS[digit]) + unit)
    return "".join(words)


def has_final_consonant(word: str) -> bool:
    """Whether the last Hangul syllable has a batchim (받침), which picks 을/를, 은/는."""
    code = ord(word[-1]) - 0xAC00
    return 0 <= code < 11172 and code % 28 != 0


def object_particle(word: str) -> str:
    return "을" if has_final_consonant(word) else "를"


def topic_particle(word: str) -> str:
    return "은" if has_final_consonant(word) else "는"


# --- items ---------------------------------------------------------------------------------


def numeral_question(n: int) -> str:
    word = sino_korean(n)
    return f"{word}{object_particle(word)} 아라비아 숫자로 쓰면?"


def numeral_distractors(rng: random.Random, n: int) -> list[str]:
    candidates = set()
    text = str(n)
    if len(text) > 1 and text[::-1] != text and text[-1] != "0":
        candidates.add(int(text[::-1]))  # 35 -> 53: digits in the wrong places
    for delta in (1, -1, 10, -10, 100, -100, 2, -2, 20, -20):
        candidates.add(n + delta)
    candidates = sorted(c for c in candidates if 1 <= c <= 999 and c != n)
    return [str(c) for c in rng.sample(candidates, 3)]


def arith_mc_question(rng: random.Random, op: str, a: int, b: int) -> str:
    noun = rng.choice(NOUNS)
    if op == "+":
        return f"{noun} {a}개와 {noun} {b}개를 합치면 모두 몇 개입니까?"
    return f"{noun} {a}개 중에서 {b}개를 친구에게 주면 몇 개가 남습니까?"


def arith_answer(op: str, a: int, b: int) -> int:
    return a + b if op == "+" else a - b


def arith_distractors(rng: random.Random, op: str, a: int, b: int) -> list[str]:
    """Wrong answers a careless reader gives: an operand, the other operation, off by ten."""
    answer = arith_answer(op, a, b)
    other = arith_answer("-" if op == "+" else "+", a, b)
    candidates = {a, b, other, answer + 10, answer - 10, answer + 1, answer - 1}
    candidates = sorted(c for c in candidates if c >= 0 and c != answer)
    return [str(c) for c in rng.sample(candidates, 3)]


def arith_gen_question(op: str, a: int, b: int) -> str:
    word = "더하기" if op == "+" else "빼기"
    return f"{a} {word} {b}{topic_particle(sino_korean(b))}?"


def compare_question(a: int, b: int) -> str:
    return f"Which number is larger: {a} or {b}?"


def mc_row(
    task: str, index: int, question: str, answer: str, distractors: list[str], rng: random.Random, **extra
) -> dict:
    choices = [answer, *distractors]
    rng.shuffle(choices)
    return {
        "id": f"{task}-{index:03d}",
        **extra,
        "question": question,
        "choices": choices,
        "answer": choices.index(answer),
    }


def arith_pool() -> list[tuple[str, int, int]]:
    adds = [("+", a, b) for a in range(1, 31) for b in range(1, 10)]
    subs = [("-", a, b) for a in range(2, 31) for b in range(1, 10) if b < a]
    return adds + subs


def build(rng: random.Random) -> tuple[dict[str, list[dict]], list[str]]:
    tasks: dict[str, list[dict]] = {}

    # Sino-Korean numerals -> digits. Test numbers are held out of the corpus.
    numbers = list(range(1, 1000))
    test_numbers = sorted(rng.sample(range(11, 1000), N_NUMERAL))
    tasks["ko_smoke_numeral_mc"] = [
        mc_row(
            "ko_smoke_numeral_mc",
            i,
            numeral_question(n),
            str(n),
            numeral_distractors(rng, n),
            rng,
            numeral=sino_korean(n),
        )
        for i, n in enumerate(test_numbers)
    ]

    # Word problems and bare sums/differences share one pool of (op, a, b); a combination
    # used by either test set is held out of the corpus in every form.
    pool = arith_pool()
    held = rng.sample(pool, N_ARITH_MC + N_ARITH_GEN)
    mc_items, gen_items = held[:N_ARITH_MC], held[N_ARITH_MC:]
    tasks["ko_smoke_arith_mc"] = [
        mc_row(
            "ko_smoke_arith_mc",
            i,
            arith_mc_question(rng, op, a, b),
            str(arith_answer(op, a, b)),
            arith_distractors(rng, op, a, b),
            rng,
        )
        for i, (op, a, b) in enumerate(mc_items)
    ]
    tasks["ko_smoke_arith_gen"] = [
        {
            "id": f"ko_smoke_arith_gen-{i:03d}",
            "question": arith_gen_question(op, a, b),
            "answer": str(arith_answer(op, a, b)),
        }
        for i, (op, a, b) in enumerate(gen_items)
    ]

    # English: which of two numbers is larger. Test pairs (either order) are held out.
    pairs = [(a, b) for a in range(10, 100) for b in range(a + 1, 100)]
    test_pairs = rng.sample(pairs, N_COMPARE)
    compare = []
    for i, (low, high) in enumerate(test_pairs):
        first, second = (low, high) if rng.random() < 0.5 else (high, low)
        compare.append(
            {
                "id": f"en_smoke_compare_mc-{i:03d}",
                "question": compare_question(first, second),
                "choices": [str(first), str(second)],
                "answer": [first, second].index(high),
            }
        )
    tasks["en_smoke_compare_mc"] = compare

    # Corpus: the same shapes, answers appended, built from everything not held out.
    lines: list[str] = []
    held_numbers = set(test_numbers)
    for n in numbers:
        if n in held_numbers:
            continue
        word = sino_korean(n)
        lines.append(f"{NUMERAL_PROMPT.format(question=numeral_question(n))} {n}")
        if rng.random() < 0.5:
            lines.append(f"{word}{topic_particle(word)} 숫자로 {n}입니다.")
    held_arith = set(held)
    for op, a, b in pool:
        if (op, a, b) in held_arith:
            continue
        answer = arith_answer(op, a, b)
        lines.append(f"{ARITH_MC_PROMPT.format(question=arith_mc_question(rng, op, a, b))} {answer}")
        lines.append(f"{ARITH_GEN_PROMPT.format(question=arith_gen_question(op, a, b))} {answer}")
    held_pairs = set(test_pairs)
    train_pairs = [p for p in pairs if p not in held_pairs]
    for low, high in rng.sample(train_pairs, N_CORPUS_COMPARE):
        first, second = (low, high) if rng.random() < 0.5 else (high, low)
        lines.append(f"{COMPARE_PROMPT.format(question=compare_question(first, second))} {high}")
    rng.shuffle(lines)
    return tasks, lines


def write(out_dir: Path) -> list[Path]:
    tasks, corpus = build(random.Random(SEED))
    written = []
    for task, relative in TASK_FILES.items():
        path = out_dir / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        text = "".join(json.dumps(row, ensure_ascii=False) + "\n" for row in tasks[task])
        path.write_bytes(text.encode("utf-8"))
        written.append(path)
    corpus_path = out_dir / CORPUS_FILE
    corpus_path.write_bytes(("\n".join(corpus) + "\n").encode("utf-8"))
    written.append(corpus_path)
    return written


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=HERE, help="folder to write into (default: this one)")
    args = parser.parse_args(argv)
    for path in write(args.out):
        print(path)


if __name__ == "__main__":
    main()
