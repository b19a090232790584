"""Helpers for the coding tests: the harness's own humaneval and mbpp recipes pointed at tiny
local data files in each dataset's real column layout, a language model that writes scripted
completions, and hostile programs."""

import json
from pathlib import Path

from lm_eval.api.model import LM

HARNESS_TASKS = Path(__import__("lm_eval.tasks", fromlist=["x"]).__file__).parent


class ScriptedLM(LM):
    """Answers each generation request with `script(prompt)`: what a model might write."""

    def __init__(self, script):
        super().__init__()
        self.script = script

    def loglikelihood(self, requests):
        raise NotImplementedError

    def loglikelihood_rolling(self, requests):
        raise NotImplementedError

    def generate_until(self, requests):
        return [self.script(request.args[0]) for request in requests]


def write_jsonl(path: Path, rows: list[dict]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


def local_task(folder: Path, *, name: str, recipe: str, data: Path, extra: str = "") -> Path:
    """An include-path task: the harness's recipe (`humaneval/humaneval.yaml`, `mbpp/mbpp.yaml`)
    with only its data source redirected. Prompts, metric, filters and generation are its own."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{name}.yaml").write_text(
        f"include: {HARNESS_TASKS / recipe}\ntask: {name}\ndataset_path: json\ndataset_name: null\n"
        f"dataset_kwargs:\n  data_files:\n    test: {data}\n{extra}",
        encoding="utf-8",
    )
    return folder


def humaneval_rows(n: int) -> list[dict]:
    """openai_humaneval's columns: task_id, prompt, canonical_solution, test, entry_point."""
    return [
        {
            "task_id": f"HumanEval/{i}",
            "prompt": f'def f{i}(x):\n    """Return x plus {i}."""\n',
            "canonical_solution": f"    return x + {i}\n",
            "test": f"def check(candidate):\n    assert candidate(1) == {1 + i}\n    assert candidate(-{i}) == 0\n",
            "entry_point": f"f{i}",
        }
        for i in range(n)
    ]


def mbpp_rows(n: int) -> list[dict]:
    """mbpp (full)'s columns: task_id, text, code, test_list, test_setup_code, challenge_test_list."""
    return [
        {
            "task_id": 900 + i,
            "text": f"Write a function g{i} that returns its argument times {i + 2}. TASK-{i}.",
            "code": f"def g{i}(x):\n    return x * {i + 2}",
            "test_list": [f"assert g{i}(1) == {i + 2}", f"assert g{i}(0) == 0", f"assert g{i}(3) == {3 * (i + 2)}"],
            "test_setup_code": "",
            "challenge_test_list": [],
        }
        for i in range(n)
    ]


# Each attempt is written to pass its sample if it succeeds: only the sandbox makes it fail.
def hostile_programs(*, secret_file: Path, port: int, victim_pid: int) -> dict[str, str]:
    return {
        "read /etc/passwd": "assert 'root:' in open('/etc/passwd').read()\n",
        "read the checkpoint root": f"assert open({str(secret_file)!r}).read()\n",
        "open a network socket": (
            f"import socket\nsocket.create_connection(('127.0.0.1', {port}), timeout=2).sendall(b'leak')\n"
        ),
        "fork bomb": ("import os\nwhile True:\n    try:\n        os.fork()\n    except OSError:\n        pass\n"),
        "allocate 10 GB": "block = bytearray(10 * 1024 ** 3)\n",
        "infinite loop": "while True:\n    pass\n",
        "write 1 GB to stdout": (
            "import sys\nchunk = 'x' * (1 << 20)\nfor _ in range(1024):\n    sys.stdout.write(chunk)\n"
        ),
        "kill the parent process": (
            f"import os, signal\nos.kill(os.getppid(), signal.SIGKILL)\nos.kill({victim_pid}, signal.SIGKILL)\n"
        ),
    }


def build_code_checkpoint(target: Path, *, steps: int = 200, seed: int = 5) -> Path:
    """A tiny real checkpoint that learned the ko_code pack's even-numbered solutions and never
    saw the odd ones: it passes some tests and fails others, so a score says something."""
    from evaluation import demo_checkpoints
    from evaluation.suite_files import HARNESS_TASKS_DIR

    lines = (HARNESS_TASKS_DIR / "ko_code" / "data" / "ko_code_py.jsonl").read_text(encoding="utf-8").splitlines()
    rows = [json.loads(line) for line in lines]
    taught = [r["prompt"] + r["canonical_solution"] for i, r in enumerate(rows) if i % 2 == 0] * 2
    return demo_checkpoints.build_checkpoint(
        target, tokenizer=demo_checkpoints.train_tokenizer(taught), corpus_lines=taught, steps=steps, seed=seed
    )
