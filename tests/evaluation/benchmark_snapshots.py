"""Small benchmark data folders in each dataset's real column layout (as on the hub), in the
file formats an operator brings: what the tests import as snapshots. Items are written for
these tests; only the columns and splits follow the real datasets."""

import json
from pathlib import Path

import pandas as pd


def _parquet(folder: Path, split: str, rows: list[dict]) -> None:
    (folder / "data").mkdir(parents=True, exist_ok=True)
    pd.DataFrame(rows).to_parquet(folder / "data" / f"{split}-00000-of-00001.parquet", index=False)


def _jsonl(folder: Path, split: str, rows: list[dict]) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    with open(folder / f"{split}.jsonl", "w", encoding="utf-8") as out:
        out.writelines(json.dumps(row, ensure_ascii=False) + "\n" for row in rows)


def kobest_boolq(folder: Path) -> dict:
    """skt/kobest_v1, boolq: paragraph, question, label (0 아니오, 1 예)."""
    facts = [
        ("서울은 대한민국의 수도이다.", "서울은 수도인가?", 1),
        ("부산은 바다에 접해 있다.", "부산은 내륙 도시인가?", 0),
        ("한글은 세종대왕이 만들었다.", "한글은 세종대왕이 만들었는가?", 1),
        ("제주도는 섬이다.", "제주도는 반도인가?", 0),
        ("김치는 발효 음식이다.", "김치는 발효 음식인가?", 1),
        ("한강은 서울을 지난다.", "한강은 대구를 지나는가?", 0),
    ]
    rows = [{"paragraph": p, "question": q, "label": label} for p, q, label in facts]
    for split in ("train", "validation", "test"):
        _parquet(folder, split, rows)
    return {"source": "skt/kobest_v1", "config": "boolq", "task": "kobest_boolq"}


def kobest_copa(folder: Path) -> dict:
    """skt/kobest_v1, copa: premise, question (원인/결과), alternative_1, alternative_2, label."""
    items = [
        ("비가 왔다.", "결과", "우산을 썼다.", "선크림을 발랐다.", 0),
        ("길이 막혔다.", "원인", "사고가 났다.", "날씨가 맑았다.", 0),
        ("배가 고팠다.", "결과", "잠을 잤다.", "밥을 먹었다.", 1),
        ("시험에 합격했다.", "원인", "열심히 공부했다.", "늦잠을 잤다.", 0),
        ("눈이 내렸다.", "결과", "썰매를 탔다.", "수영을 했다.", 0),
    ]
    rows = [
        {"premise": p, "question": q, "alternative_1": a, "alternative_2": b, "label": label}
        for p, q, a, b, label in items
    ]
    for split in ("train", "validation", "test"):
        _parquet(folder, split, rows)
    return {"source": "skt/kobest_v1", "config": "copa", "task": "kobest_copa"}


def haerae_general_knowledge(folder: Path) -> dict:
    """HAERAE-HUB/HAE_RAE_BENCH, general_knowledge: query (the question with its options), answer ("(A)")."""
    items = [
        ("대한민국의 수도는?", ["서울", "부산", "대구", "인천", "광주"], "(A)"),
        ("한글을 만든 왕은?", ["태조", "세종", "정조", "영조", "고종"], "(B)"),
        ("한국의 전통 발효 음식은?", ["피자", "초밥", "김치", "햄버거", "파스타"], "(C)"),
        ("독도가 속한 도는?", ["경기도", "강원도", "충청도", "경상북도", "전라도"], "(D)"),
    ]
    rows = [
        {
            "query": f"다음 질문에 답하시오.\n질문: {q}\n"
            + "\n".join(f"({'ABCDE'[i]}) {o}" for i, o in enumerate(opts))
            + "\n정답:",
            "answer": a,
        }
        for q, opts, a in items
    ]
    _jsonl(folder, "test", rows)
    return {"source": "HAERAE-HUB/HAE_RAE_BENCH", "config": "general_knowledge", "task": "haerae_general_knowledge"}


def kmmlu_accounting(folder: Path) -> dict:
    """HAERAE-HUB/KMMLU, Accounting: question, answer (1-4), A-D, Category, Human Accuracy; train/dev/test."""
    items = [
        ("자산에서 부채를 뺀 것은?", "자본", "수익", "비용", "매출", 1),
        ("재무상태표에 나타나는 것은?", "매출액", "자산", "광고비", "이자비용", 2),
        ("감가상각의 대상이 아닌 것은?", "건물", "기계", "토지", "차량", 3),
        ("현금흐름표의 활동이 아닌 것은?", "영업", "투자", "재무", "감사", 4),
        ("복식부기의 원리는?", "대차평균", "단식기록", "현금주의", "추정", 1),
    ]
    rows = [
        {"question": q, "answer": ans, "A": a, "B": b, "C": c, "D": d, "Category": "Accounting", "Human Accuracy": 0.5}
        for q, a, b, c, d, ans in items
    ]
    for split in ("train", "dev", "test"):
        _parquet(folder, split, rows)
    return {"source": "HAERAE-HUB/KMMLU", "config": "Accounting", "task": "kmmlu_accounting"}


def click_lang_text(folder: Path) -> dict:
    """EunsuKim/CLIcK: id, paragraph, question, choices, answer (one split, train)."""
    items = [
        ("CSAT_korean_22_1", "봄이 오면 꽃이 핀다.", "글의 중심 소재는?", ["봄", "여름", "가을", "겨울", "눈"], "봄"),
        ("CSAT_korean_22_2", "", "맞춤법이 바른 것은?", ["됬다", "됐다", "되었따", "돼었다", "되따"], "됐다"),
        ("TK_text_5", "한강은 서울을 흐른다.", "한강이 흐르는 곳은?", ["서울", "부산", "대구", "광주"], "서울"),
        ("TK_text_6", "", "'고맙다'의 높임말은?", ["감사합니다", "고맙다", "됐다", "싫다"], "감사합니다"),
        ("TK_text_1", "", "이 항목은 text 과제에 들지 않는다.", ["가", "나", "다", "라"], "가"),
    ]
    _jsonl(
        folder,
        "train",
        [{"id": i, "paragraph": p, "question": q, "choices": c, "answer": a} for i, p, q, c, a in items],
    )
    return {"source": "EunsuKim/CLIcK", "config": "", "task": "click_lang_text"}


def gsm8k(folder: Path) -> dict:
    """openai/gsm8k, main: question, answer ("…#### 42"); train/test."""
    rows = [
        {
            "question": f"철수는 사과 {a}개와 배 {b}개를 샀다. 과일은 모두 몇 개인가?",
            "answer": f"{a}+{b}={a + b}\n#### {a + b}",
        }
        for a, b in [(1, 2), (3, 4), (2, 2), (5, 1), (6, 3)]
    ]
    for split in ("train", "test"):
        _parquet(folder, split, rows)
    return {"source": "openai/gsm8k", "config": "main", "task": "gsm8k"}


def ifeval(folder: Path) -> dict:
    """google/IFEval: key, prompt, instruction_id_list, kwargs (one split, train)."""
    rows = [
        {
            "key": 1,
            "prompt": "Write a short note about Seoul in all lowercase letters.",
            "instruction_id_list": ["change_case:english_lowercase"],
            "kwargs": [{}],
        },
        {
            "key": 2,
            "prompt": "Describe Busan without using any commas.",
            "instruction_id_list": ["punctuation:no_comma"],
            "kwargs": [{}],
        },
        {
            "key": 3,
            "prompt": "Answer in at least 5 words: what is kimchi?",
            "instruction_id_list": ["length_constraints:number_words"],
            "kwargs": [{"relation": "at least", "num_words": 5}],
        },
    ]
    _jsonl(folder, "train", rows)
    return {"source": "google/IFEval", "config": "", "task": "ifeval"}


ALL = [kobest_boolq, kobest_copa, haerae_general_knowledge, kmmlu_accounting, click_lang_text, gsm8k, ifeval]
