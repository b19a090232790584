"""The harness's own coding recipes (humaneval, mbpp) through the platform's sandbox.

Real lm-evaluation-harness 0.4.13, its humaneval and mbpp task definitions unchanged except for
their data, which are tiny local files in each dataset's column layout. A scripted model writes
the completions, so each hostile attempt is exactly what a model could write: each one is
contained, its sample scores 0, and the sample after it is still evaluated and passes."""

import os
import socket

import pytest

from evaluation.sandbox import hook, limits
from evaluation.sandbox.execute import unavailable_reason

from .coding import ScriptedLM, hostile_programs, humaneval_rows, local_task, mbpp_rows, write_jsonl

pytestmark = pytest.mark.slow
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("HF_DATASETS_OFFLINE", "1")
# Small limits keep the hostile samples short; cpu < wall, so a busy loop meets the CPU limit.
LIMITS = limits.parse({"cpu_time_s": 2, "wall_time_s": 4, "memory_mb": 512}, "tests")


@pytest.fixture(autouse=True)
def sandbox(tmp_path, monkeypatch):
    why = unavailable_reason(hook.HostConfig())
    if why:
        pytest.fail(f"No sandbox here ({why}): `make test` installs bubblewrap (scripts/ensure_sandbox.sh).")
    monkeypatch.setenv("LM_HARNESS_CACHE_PATH", str(tmp_path / "cache"))
    hook.install(LIMITS)
    yield
    hook.install(None)


@pytest.fixture
def listener():
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen()
    server.setblocking(False)
    yield server
    server.close()


def _suite_metric(task: str) -> str:
    """The metric key the shipped code-core suite stores for a harness task."""
    from evaluation.suite_files import SUITES_DIR, parse_suite

    return next(t["metric"] for t in parse_suite(SUITES_DIR / "code-core.yaml").tasks if t["task"] == task)


def _evaluate(folder, task: str, script, **kwargs) -> dict:
    import lm_eval
    from lm_eval.tasks import TaskManager

    manager = TaskManager(include_path=[str(folder)], include_defaults=False)
    out = lm_eval.simple_evaluate(
        model=ScriptedLM(script),
        tasks=[task],
        task_manager=manager,
        log_samples=True,
        **hook.confirm_arguments(task, manager),
        **kwargs,
    )
    for sample in out["samples"][task]:
        hook.attach(sample)
    return out


def test_each_hostile_attempt_in_humaneval_is_contained_scored_failed_and_the_next_sample_runs(tmp_path, listener):
    secret = tmp_path / "checkpoints" / "team-b" / "weights.txt"
    secret.parent.mkdir(parents=True)
    secret.write_text("another team's weights")
    attempts = hostile_programs(secret_file=secret, port=listener.getsockname()[1], victim_pid=os.getpid())
    # Sample 2i: a correct function followed by the i-th attempt; sample 2i+1: a correct function.
    rows = humaneval_rows(2 * len(attempts))
    completions = {}
    for i, program in enumerate(attempts.values()):
        completions[rows[2 * i]["prompt"]] = rows[2 * i]["canonical_solution"] + "\n\n" + program
        completions[rows[2 * i + 1]["prompt"]] = rows[2 * i + 1]["canonical_solution"]
    folder = local_task(
        tmp_path / "tasks",
        name="humaneval_local",
        recipe="humaneval/humaneval.yaml",
        data=write_jsonl(tmp_path / "humaneval.jsonl", rows),
    )

    out = _evaluate(folder, "humaneval_local", completions.__getitem__)

    samples = sorted(out["samples"]["humaneval_local"], key=lambda s: s["doc_id"])
    outcomes = {}
    for i, name in enumerate(attempts):
        hostile, after = samples[2 * i], samples[2 * i + 1]
        assert hostile["pass@1"] == 0.0, name
        assert after["pass@1"] == 1.0 and after["code_execution"][0]["outcome"] == "passed", name
        outcomes[name] = hostile["code_execution"][0]
    assert out["results"]["humaneval_local"]["pass@1,create_test"] == 0.5
    assert _suite_metric("humaneval") in out["results"]["humaneval_local"]  # code-core reads this key
    # How each was stopped: the sandbox's own verdict, not an accident.
    assert "FileNotFoundError" in outcomes["read /etc/passwd"]["detail"]
    assert "FileNotFoundError" in outcomes["read the checkpoint root"]["detail"]
    assert "another team" not in outcomes["read the checkpoint root"]["output"]
    assert outcomes["open a network socket"]["detail"].startswith("ConnectionRefusedError")
    with pytest.raises(BlockingIOError):
        listener.accept()  # nothing ever reached the host's port
    assert outcomes["fork bomb"]["outcome"] in ("timed_out", "killed")
    assert outcomes["allocate 10 GB"] == outcomes["allocate 10 GB"] | {
        "outcome": "killed",
        "detail": "memory limit of 512 MB",
        "limit": {"name": "memory_mb", "value": 512},
    }
    assert outcomes["infinite loop"]["outcome"] == "killed" and "CPU time" in outcomes["infinite loop"]["detail"]
    assert outcomes["write 1 GB to stdout"]["outcome"] == "killed"
    assert outcomes["write 1 GB to stdout"]["detail"] == "output limit of 1024 KB"
    assert outcomes["kill the parent process"]["detail"].startswith("ProcessLookupError")
    for name, outcome in outcomes.items():
        assert outcome["seconds"] < LIMITS["wall_time_s"] + 2, name


def test_mbpp_runs_its_tests_in_the_sandbox(tmp_path, listener):
    attempts = hostile_programs(
        secret_file=tmp_path / "nothing", port=listener.getsockname()[1], victim_pid=os.getpid()
    )
    rows = mbpp_rows(4)
    answers = {
        0: rows[0]["code"] + "\n" + attempts["read /etc/passwd"],
        1: rows[1]["code"],
        2: rows[2]["code"] + "\n" + attempts["write 1 GB to stdout"],
        3: rows[3]["code"].replace("*", "+"),  # a wrong answer fails as it would anywhere
    }
    folder = local_task(
        tmp_path / "tasks", name="mbpp_local", recipe="mbpp/mbpp.yaml", data=write_jsonl(tmp_path / "mbpp.jsonl", rows)
    )

    def script(prompt: str) -> str:
        task = int(prompt.rsplit("TASK-", 1)[1].split(".")[0])
        return answers[task]

    out = _evaluate(folder, "mbpp_local", script, num_fewshot=3)
    by_doc = {s["doc_id"]: s for s in out["samples"]["mbpp_local"]}
    assert [by_doc[i]["pass_at_1"] for i in range(4)] == [0.0, 1.0, 0.0, 0.0]
    assert [by_doc[i]["code_execution"][0]["outcome"] for i in range(4)] == ["failed", "passed", "killed", "failed"]
    assert out["results"]["mbpp_local"]["pass_at_1,none"] == 0.25
    assert _suite_metric("mbpp") in out["results"]["mbpp_local"]
    assert "[BEGIN]" in by_doc[0]["arguments"][0][0] and by_doc[0]["arguments"][0][0].count("[DONE]") == 3


def test_a_coding_task_that_runs_code_by_other_means_is_refused(tmp_path):
    """cruxeval and longproc run code themselves: the platform cannot sandbox them, so it
    refuses them rather than confirm the harness's unsafe-code switch."""
    folder = tmp_path / "own_exec"
    folder.mkdir()
    (folder / "utils.py").write_text("def score(references, predictions):\n    exec(predictions[0])\n    return 1.0\n")
    write_jsonl(folder / "data.jsonl", [{"q": "1"}])
    (folder / "own_exec.yaml").write_text(
        "task: own_exec\ndataset_path: json\ndataset_kwargs:\n  data_files:\n"
        f"    test: {folder / 'data.jsonl'}\ntest_split: test\nunsafe_code: true\noutput_type: generate_until\n"
        "doc_to_text: '{{q}}'\ndoc_to_target: '{{q}}'\n"
        "metric_list:\n  - metric: !function utils.score\n    aggregation: mean\n    higher_is_better: true\n"
    )
    from lm_eval.tasks import TaskManager

    with pytest.raises(hook.SandboxRefused, match="cannot sandbox"):
        hook.confirm_arguments("own_exec", TaskManager(include_path=[str(folder)], include_defaults=False))


def test_without_a_declared_sandbox_code_is_never_run(tmp_path):
    import lm_eval
    from lm_eval.tasks import TaskManager

    hook.install(None)
    folder = local_task(
        tmp_path / "tasks",
        name="humaneval_local",
        recipe="humaneval/humaneval.yaml",
        data=write_jsonl(tmp_path / "humaneval.jsonl", humaneval_rows(1)),
    )
    manager = TaskManager(include_path=[str(folder)], include_defaults=False)
    assert hook.confirm_arguments("humaneval_local", manager) == {}
    with pytest.raises(hook.SandboxRefused, match="declares no sandbox"):
        lm_eval.simple_evaluate(
            model=ScriptedLM(lambda p: "    return x\n"),
            tasks=["humaneval_local"],
            task_manager=manager,
            confirm_run_unsafe_code=True,
        )
