"""The ko_code task pack: its data are what generate.py writes, its task is the harness's
humaneval recipe with local data, and every reference solution passes in the sandbox."""

import ast
import json
import subprocess
import sys

import pytest
import yaml

from evaluation.sandbox import code_eval, execute, limits
from evaluation.suite_files import HARNESS_TASKS_DIR

from .coding import HARNESS_TASKS

PACK = HARNESS_TASKS_DIR / "ko_code"


class _Loader(yaml.SafeLoader):
    """Reads task YAML without importing what its !function tags name."""


_Loader.add_constructor("!function", lambda loader, node: f"!function {loader.construct_scalar(node)}")


def _rows() -> list[dict]:
    return [json.loads(line) for line in (PACK / "data" / "ko_code_py.jsonl").read_text(encoding="utf-8").splitlines()]


def test_generator_reproduces_the_committed_data(tmp_path):
    subprocess.run([sys.executable, str(PACK / "generate.py"), "--out", str(tmp_path)], check=True)
    assert (tmp_path / "data" / "ko_code_py.jsonl").read_bytes() == (PACK / "data" / "ko_code_py.jsonl").read_bytes()


def test_the_task_is_the_harness_humaneval_recipe_on_local_data():
    ours = yaml.load((PACK / "ko_code_py.yaml").read_text(encoding="utf-8"), Loader=_Loader)
    theirs = yaml.load((HARNESS_TASKS / "humaneval" / "humaneval.yaml").read_text(encoding="utf-8"), Loader=_Loader)
    same = (
        "unsafe_code",
        "output_type",
        "test_split",
        "doc_to_text",
        "doc_to_target",
        "metric_list",
        "repeats",
        "num_fewshot",
        "filter_list",
    )
    assert {k: ours[k] for k in same} == {k: theirs[k] for k in same}
    assert ours["generation_kwargs"]["until"] == theirs["generation_kwargs"]["until"]
    assert set(_rows()[0]) == {"task_id", "prompt", "canonical_solution", "test", "entry_point"}  # HumanEval's columns
    # The pack's metric and filter are humaneval's, statement for statement.
    assert _functions(PACK / "utils.py") == _functions(HARNESS_TASKS / "humaneval" / "utils.py")


def _functions(path, names=("pass_at_k", "build_predictions")) -> dict:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return {node.name: ast.dump(node) for node in tree.body if isinstance(node, ast.FunctionDef) and node.name in names}


def test_every_reference_solution_passes_in_the_sandbox_and_a_wrong_one_fails():
    config = execute.HostConfig()
    why = execute.unavailable_reason(config)
    if why:
        pytest.fail(f"No sandbox here ({why}): `make test` installs bubblewrap (scripts/ensure_sandbox.sh).")
    rows = _rows()
    code_eval.current.update(limits=limits.parse({}, "ko-code"), config=config)
    try:
        right, _ = code_eval.SandboxedCodeEval().compute(
            references=[f"{r['test']}\ncheck({r['entry_point']})" for r in rows],
            predictions=[[r["prompt"] + r["canonical_solution"]] for r in rows],
            k=[1],
        )
        wrong, _ = code_eval.SandboxedCodeEval().compute(
            references=[f"{r['test']}\ncheck({r['entry_point']})" for r in rows],
            predictions=[[r["prompt"] + " None\n"] for r in rows],
            k=[1],
        )
    finally:
        code_eval.current.update(limits=None)
    assert right == {"pass@1": 1.0} and wrong == {"pass@1": 0.0}
