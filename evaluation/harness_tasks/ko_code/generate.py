"""Writes data/ko_code_py.jsonl: small Python functions described in Korean, in HumanEval's
column layout (task_id, prompt, canonical_solution, test, entry_point), so the harness's own
humaneval recipe scores them. The prompt ends with the body's `return`: the model writes the
returned expression (a whole function is beyond the tiny demo models). Run:
python generate.py [--out FOLDER]. Deterministic."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

HERE = Path(__file__).resolve().parent
DATA_FILE = "data/ko_code_py.jsonl"

# (entry point, signature, Korean docstring, body, checks). Each uses only the standard library.
ITEMS = [
    ("add", "a, b", "두 수의 합을 돌려준다.", "return a + b", ["add(2, 3) == 5", "add(-1, 1) == 0"]),
    ("double", "x", "x의 두 배를 돌려준다.", "return x * 2", ["double(4) == 8", "double(0) == 0"]),
    ("is_even", "n", "n이 짝수이면 True.", "return n % 2 == 0", ["is_even(4)", "not is_even(7)"]),
    ("square", "x", "x의 제곱을 돌려준다.", "return x * x", ["square(3) == 9", "square(-2) == 4"]),
    ("last", "xs", "리스트의 마지막 원소.", "return xs[-1]", ["last([1, 2, 3]) == 3", "last('ab') == 'b'"]),
    ("first", "xs", "리스트의 첫 원소.", "return xs[0]", ["first([4, 5]) == 4", "first('xy') == 'x'"]),
    ("negate", "x", "x의 부호를 바꾼다.", "return -x", ["negate(3) == -3", "negate(-2) == 2"]),
    ("total", "xs", "리스트의 합계.", "return sum(xs)", ["total([1, 2, 3]) == 6", "total([]) == 0"]),
    ("biggest", "xs", "가장 큰 값.", "return max(xs)", ["biggest([3, 9, 2]) == 9", "biggest([-1]) == -1"]),
    ("smallest", "xs", "가장 작은 값.", "return min(xs)", ["smallest([3, 9, 2]) == 2", "smallest([5]) == 5"]),
    ("size", "xs", "원소의 개수.", "return len(xs)", ["size([1, 2]) == 2", "size('') == 0"]),
    ("upper", "s", "문자열을 대문자로.", "return s.upper()", ["upper('ab') == 'AB'", "upper('') == ''"]),
    ("backwards", "s", "문자열을 뒤집는다.", "return s[::-1]", ["backwards('abc') == 'cba'", "backwards('') == ''"]),
    ("halve", "x", "x를 2로 나눈 몫.", "return x // 2", ["halve(7) == 3", "halve(8) == 4"]),
    ("sorted_copy", "xs", "정렬한 새 리스트.", "return sorted(xs)", ["sorted_copy([3, 1, 2]) == [1, 2, 3]"]),
    (
        "gcd_of",
        "a, b",
        "최대공약수 (math 모듈 사용).",
        "import math\n    return math.gcd(a, b)",
        ["gcd_of(12, 18) == 6", "gcd_of(7, 5) == 1"],
    ),
    ("count_a", "s", "문자 'a'의 개수.", "return s.count('a')", ["count_a('banana') == 3", "count_a('xyz') == 0"]),
    ("unique", "xs", "중복을 없앤 정렬 리스트.", "return sorted(set(xs))", ["unique([2, 1, 2]) == [1, 2]"]),
    (
        "words",
        "s",
        "공백으로 나눈 단어 수 (re 모듈 사용).",
        "import re\n    return len(re.findall(r'\\S+', s))",
        ["words('a bc  d') == 3", "words('') == 0"],
    ),
    (
        "product",
        "xs",
        "모든 원소의 곱.",
        "import functools, operator\n    return functools.reduce(operator.mul, xs, 1)",
        ["product([2, 3, 4]) == 24", "product([]) == 1"],
    ),
    ("is_empty", "xs", "비어 있으면 True.", "return len(xs) == 0", ["is_empty([])", "not is_empty([0])"]),
    ("triple", "x", "x의 세 배를 돌려준다.", "return x * 3", ["triple(2) == 6", "triple(-1) == -3"]),
    ("distance", "a, b", "두 수의 차의 절댓값.", "return abs(a - b)", ["distance(3, 8) == 5", "distance(8, 3) == 5"]),
    (
        "middle",
        "xs",
        "가운데 원소 (길이는 홀수).",
        "return xs[len(xs) // 2]",
        ["middle([1, 2, 3]) == 2", "middle([7]) == 7"],
    ),
]


def rows() -> list[dict]:
    out = []
    for index, (name, args, doc, body, checks) in enumerate(ITEMS):
        head, _, expression = body.rpartition("return ")
        prompt = f'def {name}({args}):\n    """{doc}"""\n    {head}return'
        test = "def check(candidate):\n" + "".join(
            f"    assert {c.replace(name + '(', 'candidate(')}\n" for c in checks
        )
        out.append(
            {
                "task_id": f"KoCode/{index}",
                "prompt": prompt,
                "canonical_solution": f" {expression}\n",
                "test": test,
                "entry_point": name,
            }
        )
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", type=Path, default=HERE)
    target = parser.parse_args().out / DATA_FILE
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows()), encoding="utf-8")


if __name__ == "__main__":
    main()
