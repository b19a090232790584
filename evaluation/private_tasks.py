"""A private benchmark's items and its harness task, written by a ministry author: parsing the
uploaded items, the harness task definition (inline, never a file in the repository) and the
rendered prompts of a preview. Pure: no database."""

import csv
import io
import json
import re

DEFAULT_ANSWER_PATTERN = r"(?m)^\s*(\S.*?)\s*$"  # the first line that is not blank, trimmed
MAX_ITEMS = 100_000


class ItemsError(ValueError):
    """What is wrong with an upload, naming the line."""


def _rows(filename: str, content: bytes) -> list[dict]:
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ItemsError("the file is not UTF-8 text") from None
    if filename.lower().endswith(".csv"):
        return list(csv.DictReader(io.StringIO(text)))
    rows = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as exc:
            raise ItemsError(f"line {number} is not JSON ({exc.msg})") from None
        if not isinstance(row, dict):
            raise ItemsError(f"line {number} is not an object")
        rows.append(row)
    return rows


def _choices(value, line: int) -> list[str]:
    if isinstance(value, str):
        value = json.loads(value) if value.strip().startswith("[") else value.split("|")
    if not isinstance(value, list) or len(value) < 2 or not all(str(c).strip() for c in value):
        raise ItemsError(f"item {line}: 'choices' needs at least two non-empty choices")
    return [str(c).strip() for c in value]


def parse_items(filename: str, content: bytes, *, kind: str) -> list[dict]:
    """JSON Lines or CSV → items the task reads: multiple choice {question, choices, answer: index}
    (answer given as a 0-based index or as the choice's text; CSV choices separated by |), or
    short answer {question, answer}. Other columns are kept for the template."""
    items = []
    for line, row in enumerate(_rows(filename, content), start=1):
        question = str(row.get("question") or "").strip()
        answer = row.get("answer")
        if not question:
            raise ItemsError(f"item {line}: 'question' is missing or empty")
        if answer is None or str(answer).strip() == "":
            raise ItemsError(f"item {line}: 'answer' is missing or empty")
        item = {str(k): v for k, v in row.items()} | {"question": question}
        if kind == "multiple_choice":
            choices = _choices(row.get("choices"), line)
            text = str(answer).strip()
            index = int(text) if text.isdigit() else (choices.index(text) if text in choices else -1)
            if not 0 <= index < len(choices):
                raise ItemsError(f"item {line}: the answer {text!r} is neither a choice nor its number (0-based)")
            item |= {"choices": choices, "answer": index}
        else:
            item["answer"] = str(answer).strip()
        items.append(item)
    if not items:
        raise ItemsError("the file holds no items")
    if len(items) > MAX_ITEMS:
        raise ItemsError(f"more than {MAX_ITEMS} items")
    return items


def definition(*, task: str, source: str, kind: str, prompt_template: str, answer_pattern: str = "") -> dict:
    """The harness task config: the harness's own multiple-choice or generation machinery, metric
    and filters, on the benchmark's snapshot (dataset_path = its source)."""
    common = {
        "task": task,
        "dataset_path": source,
        "test_split": "test",
        "doc_to_text": prompt_template,
        "metadata": {"version": 1.0},
    }
    if kind == "multiple_choice":
        return common | {
            "output_type": "multiple_choice",
            "doc_to_choice": "choices",
            "doc_to_target": "answer",
            "metric_list": [{"metric": "acc", "aggregation": "mean", "higher_is_better": True}],
        }
    return common | {
        "output_type": "generate_until",
        "doc_to_target": "answer",
        "generation_kwargs": {"until": ["\n\n"], "max_gen_toks": 64, "do_sample": False, "temperature": 0.0},
        "filter_list": [
            {
                "name": "extract",
                "filter": [
                    {"function": "regex", "regex_pattern": answer_pattern or DEFAULT_ANSWER_PATTERN, "group_select": 0},
                    {"function": "take_first"},
                ],
            }
        ],
        "metric_list": [
            {
                "metric": "exact_match",
                "aggregation": "mean",
                "higher_is_better": True,
                "ignore_case": True,
                "ignore_punctuation": True,
            }
        ],
    }


def metric(kind: str) -> str:
    return "acc,none" if kind == "multiple_choice" else "exact_match,extract"


def random_baseline(kind: str, items: list[dict]) -> float:
    """1/number of choices, averaged over the items (0 for short answers)."""
    if kind != "multiple_choice":
        return 0.0
    return sum(1 / len(item["choices"]) for item in items) / len(items)


def preview(items: list[dict], *, prompt_template: str, kind: str, count: int = 5) -> list[dict]:
    """The first items as the model will be asked them, rendered by the harness's own template
    function, or the template's error (an undefined field is named)."""
    from jinja2 import TemplateError
    from lm_eval.utils import apply_template

    rendered = []
    for item in items[:count]:
        try:
            prompt = apply_template(prompt_template, item)
        except TemplateError as exc:
            raise ItemsError(f"the prompt template cannot be rendered: {exc}") from None
        gold = item["choices"][item["answer"]] if kind == "multiple_choice" else item["answer"]
        rendered.append({"prompt": prompt, "choices": item.get("choices"), "gold": gold})
    return rendered


def valid_pattern(pattern: str) -> str:
    try:
        re.compile(pattern)
    except re.error as exc:
        raise ItemsError(f"the answer extraction is not a valid regular expression: {exc}") from None
    return pattern
