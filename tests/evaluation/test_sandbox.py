"""The sandbox on its own: limits as suites declare them, pass@k as the harness computes it,
what a program inside can and cannot reach, and the worker's refusal without a sandbox."""

import itertools
import math
import os
import shutil
import subprocess
import tempfile
from fractions import Fraction
from pathlib import Path

import pytest

from evaluation.models import RunStatus
from evaluation.sandbox import code_eval, execute, hook, limits
from evaluation.sandbox.outcomes import Outcome
from evaluation.services.suites import suite_load
from evaluation.suite_files import SUITES_DIR, SuiteDefinition, SuiteDefinitionError, parse_suite

from .conftest import TWO_TASKS

SMALL = limits.parse({"cpu_time_s": 2, "wall_time_s": 4, "memory_mb": 512, "processes": 16}, "tests")


@pytest.fixture(scope="module")
def host():
    config = execute.HostConfig()
    why = execute.unavailable_reason(config)
    if why:
        pytest.fail(f"No sandbox here ({why}): `make test` installs bubblewrap (scripts/ensure_sandbox.sh).")
    return config


# --- limits and the suite digest -------------------------------------------------------------


def test_limits_default_and_override_key_by_key():
    assert limits.parse(True, "s") == {"policy": limits.POLICY, **limits.DEFAULTS}
    assert limits.parse({"wall_time_s": 30}, "s")["wall_time_s"] == 30
    for bad, problem in [
        ({"gpu": 1}, "unknown"),
        ({"memory_mb": 0}, "positive"),
        ({"memory_mb": True}, "positive"),
        ({"cpu_time_s": 20, "wall_time_s": 10}, "cannot exceed"),
        ([1], "mapping"),
    ]:
        with pytest.raises(limits.LimitsError, match=problem):
            limits.parse(bad, "s")


def test_sandbox_limits_are_part_of_the_digest_and_stored_on_the_version(db, tmp_path):
    plain = SuiteDefinition(slug="c", name_ko="코드", name_en="Code", tasks=TWO_TASKS)
    coding = SuiteDefinition(slug="c", name_ko="코드", name_en="Code", tasks=TWO_TASKS, sandbox=limits.parse({}, "c"))
    looser = SuiteDefinition(
        slug="c", name_ko="코드", name_en="Code", tasks=TWO_TASKS, sandbox=limits.parse({"wall_time_s": 60}, "c")
    )
    assert len({plain.digest, coding.digest, looser.digest}) == 3
    version, _ = suite_load(actor=None, definition=coding)
    assert version.sandbox == coding.sandbox and version.sandbox["policy"] == limits.POLICY
    shipped = parse_suite(SUITES_DIR / "ko-code.yaml")
    assert shipped.sandbox == limits.parse({}, "ko-code") and parse_suite(SUITES_DIR / "ko-smoke.yaml").sandbox is None
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        "slug: x\nname_ko: x\nname_en: x\nsandbox: {network: true}\n"
        "tasks: [{task: a, metric: m, category: nia, random_baseline: 0}]\n"
    )
    with pytest.raises(SuiteDefinitionError, match="unknown sandbox limits"):
        parse_suite(bad)


# --- pass@k ----------------------------------------------------------------------------------


def test_pass_at_k_equals_the_exact_binomial_estimator():
    for n, k in itertools.product(range(1, 21), (1, 2, 5, 10)):
        for c in range(n + 1):
            exact = 1 - Fraction(math.comb(n - c, k), math.comb(n, k)) if k <= n else None
            if exact is None:
                continue
            assert code_eval.estimate_pass_at_k([n], [c], k)[0] == pytest.approx(float(exact), abs=1e-12), (n, c, k)
    # With one sample per problem (pass@1 of greedy decoding) it is exactly the share passed.
    assert code_eval.estimate_pass_at_k(1, [1, 0, 1, 1], 1).mean() == 0.75


def test_compute_answers_as_the_hub_metric_does(host):
    code_eval.current.update(limits=SMALL, config=host)
    try:
        pass_at_k, results = code_eval.SandboxedCodeEval().compute(
            references=["assert add(2,3)==5"],
            predictions=[["def add(a,b): return a*b", "def add(a, b): return a+b"]],
            k=[1, 2],
        )
    finally:
        code_eval.current.update(limits=None)
    assert pass_at_k == {"pass@1": 0.5, "pass@2": 1.0}  # the hub metric's documented example
    assert [r["passed"] for _, r in results[0]] == [False, True]
    assert results[0][0][1]["result"].startswith("failed: AssertionError")


def test_without_limits_the_metric_refuses_to_run_anything():
    with pytest.raises(hook.SandboxRefused):
        code_eval.SandboxedCodeEval().compute(references=["pass"], predictions=[["pass"]], k=[1])


# --- containment, measured ---------------------------------------------------------------------


def test_the_sandbox_has_no_host_filesystem_environment_or_identity(host, tmp_path):
    secret = tmp_path / "checkpoints" / "team" / "config.json"
    secret.parent.mkdir(parents=True)
    secret.write_text("{}")
    os.environ["SANDBOX_TEST_SECRET"] = "do-not-leak"
    try:
        run = execute.run(
            "import os, json\n"
            "print(json.dumps({'root': sorted(os.listdir('/')), 'env': dict(os.environ), 'uid': os.getuid(),\n"
            f"    'secret': os.path.exists({str(secret)!r}), 'proc': sorted(p for p in os.listdir('/proc') if p.isdigit()),\n"
            "    'cwd': os.getcwd(), 'writable_usr': os.access('/usr/bin', os.W_OK)}))\n",
            SMALL,
            host,
        )
    finally:
        del os.environ["SANDBOX_TEST_SECRET"]
    import json

    seen = json.loads(run.output)
    assert run.outcome == Outcome.PASSED
    assert set(seen["root"]) <= {
        "usr",
        "bin",
        "sbin",
        "lib",
        "lib32",
        "lib64",
        "libx32",
        "proc",
        "dev",
        "tmp",
        "sample",
    }
    assert "do-not-leak" not in run.output and set(seen["env"]) <= {
        "PATH",
        "HOME",
        "LANG",
        "PYTHONDONTWRITEBYTECODE",
        "PWD",
    }
    assert seen["uid"] == 65534 and not seen["secret"] and not seen["writable_usr"] and seen["cwd"] == "/tmp"
    assert len(seen["proc"]) <= 3  # bubblewrap's init and the program: no host process is visible


def test_a_fresh_temporary_folder_for_each_sample(host):
    first = execute.run("open('/tmp/left-behind', 'w').write('x')\n", SMALL, host)
    second = execute.run("import os\nassert not os.path.exists('/tmp/left-behind')\n", SMALL, host)
    assert first.outcome == second.outcome == Outcome.PASSED
    # Two files, each within the file size limit, overfill the sample's small /tmp.
    half = SMALL["tmp_kb"] * 1024 * 2 // 3
    full = execute.run(
        f"for name in 'ab':\n    with open('/tmp/' + name, 'wb') as f:\n        f.write(b'x' * {half})\n", SMALL, host
    )
    assert full.outcome == Outcome.FAILED and "No space left" in full.detail


def test_a_fork_bomb_stops_at_the_process_limit_and_leaves_nothing_behind(host):
    run = execute.run(
        "import os, time\n"
        "children = 0\n"
        "while True:\n"
        "    try:\n"
        "        if os.fork() == 0:\n"
        "            time.sleep(60)\n"
        "            os._exit(0)\n"
        "        children += 1\n"
        "    except OSError:\n"
        "        break\n"
        "print('forked', children, flush=True)\n"
        "while True:\n"
        "    try:\n"
        "        os.fork()\n"
        "    except OSError:\n"
        "        pass\n",
        SMALL,
        host,
    )
    assert run.outcome in (Outcome.TIMED_OUT, Outcome.KILLED)
    forked = int(run.output.split()[1])
    assert 0 < forked < SMALL["processes"]
    if os.geteuid() == 0:  # the sandbox's processes have all gone with it (a zombie waits for the host's init)
        states = subprocess.run(["ps", "-u", str(host.uid), "-o", "stat="], capture_output=True, text=True).stdout
        assert [s for s in states.split() if not s.startswith("Z")] == []


def test_killing_processes_outside_is_impossible(host):
    drop = {"user": host.uid, "group": host.uid} if os.geteuid() == 0 else {}
    canary = subprocess.Popen(["sleep", "30"], **drop)  # even one of the sandbox's own user
    try:
        run = execute.run(f"import os, signal\nos.kill({canary.pid}, signal.SIGKILL)\n", SMALL, host)
        assert run.outcome == Outcome.FAILED and run.detail.startswith("ProcessLookupError")
        run = execute.run(
            f"import os, signal\nos.kill(-1, signal.SIGKILL)\nos.kill({os.getpid()}, signal.SIGKILL)\n", SMALL, host
        )
        assert run.outcome in (Outcome.FAILED, Outcome.KILLED)
        assert canary.poll() is None
    finally:
        canary.kill()
        canary.wait()


def test_exiting_early_is_not_passing(host):
    assert execute.run("import os\nos._exit(0)\n", SMALL, host).outcome == Outcome.FAILED
    assert execute.run("raise SystemExit(0)\n", SMALL, host).outcome == Outcome.FAILED


def test_limits_are_reported_as_the_limit_that_ended_the_program(host):
    sleepy = execute.run("import time\ntime.sleep(30)\n", SMALL, host)
    assert sleepy.outcome == Outcome.TIMED_OUT and SMALL["wall_time_s"] <= sleepy.seconds < SMALL["wall_time_s"] + 2
    busy = execute.run("while True:\n    pass\n", SMALL, host)
    assert busy.outcome == Outcome.KILLED and busy.detail == "CPU time limit (SIGXCPU)"
    loud = execute.run("import sys\nwhile True:\n    sys.stdout.write('x' * 65536)\n", SMALL, host)
    assert loud.outcome == Outcome.KILLED and len(loud.output) == SMALL["output_kb"] * 1024


def test_an_unusable_sandbox_is_an_error_never_a_verdict(tmp_path):
    broken = execute.HostConfig(tool=str(tmp_path / "no-bwrap"))
    assert "not installed" in execute.unavailable_reason(broken)
    reachable = Path(tempfile.mkdtemp())  # pytest's folders are private; the sandbox's user must reach this one
    reachable.chmod(0o755)
    fake = reachable / "fake-bwrap"
    fake.write_text("#!/bin/sh\necho 'bwrap: setting up uid map: Permission denied' >&2\nexit 1\n")
    fake.chmod(0o755)
    with pytest.raises(execute.SandboxError, match="did not start the program"):
        execute.run("pass\n", SMALL, execute.HostConfig(tool=str(fake)))
    assert "Permission denied" in execute.unavailable_reason(execute.HostConfig(tool=str(fake)))
    shutil.rmtree(reachable)


# --- the worker refuses a coding suite without a sandbox ----------------------------------------


def test_a_worker_without_the_sandbox_refuses_coding_suites(
    people, team_a, folder, checkpoint_root, settings, monkeypatch
):
    from evaluation import runner
    from evaluation.services import runs
    from evaluation.services.checkpoints import checkpoint_submit, checkpoint_validate

    coding, _ = suite_load(
        actor=None,
        definition=SuiteDefinition(
            slug="coding", name_ko="코드", name_en="Code", tasks=TWO_TASKS, sandbox=limits.parse({}, "coding")
        ),
    )
    checkpoint = checkpoint_validate(
        checkpoint_id=checkpoint_submit(actor=people["member_a"], team=team_a, name="v1", source="v1").pk
    )
    run = runs.run_request(actor=people["member_a"], checkpoint=checkpoint, suite_version=coding)
    settings.EVAL_SANDBOX_TOOL = "/nowhere/bwrap"
    monkeypatch.setattr(runner, "run_in_child", lambda *a, **k: pytest.fail("the evaluation must not start"))
    assert runner.execute_run(run.pk, worker_host="no-sandbox") == "failed"  # planning refuses
    run.refresh_from_db()
    assert run.status == RunStatus.FAILED and not run.counts_against_quota
    assert "no working sandbox" in run.error and "bubblewrap" in run.error and "not run" in run.error
    # A run planned elsewhere: a shard that reaches a host without the sandbox refuses too.
    from .conftest import plan_one_shard

    again = runs.run_request(actor=people["admin"], checkpoint=checkpoint, suite_version=coding, force=True)
    shard = plan_one_shard(again, task=TWO_TASKS[0]["task"])
    assert runner.execute_shard(shard.pk, worker_host="no-sandbox") == "failed"
    again.refresh_from_db()
    assert again.status == RunStatus.FAILED and "no working sandbox" in again.error


# --- the sample browser ------------------------------------------------------------------------


def test_the_sample_browser_says_how_each_test_ended_in_the_readers_language():
    from django.utils import translation

    from evaluation.selectors import _sample_view

    sample = {
        "doc_id": 3,
        "arguments": [["def f(x):\n", {}]],
        "resps": [["    return x\n"]],
        "filtered_resps": [["def f(x):\n    return x\n"]],
        "target": "check(f)",
        "metrics": ["pass@1"],
        "pass@1": 0.0,
        "code_execution": [
            {
                "outcome": "killed",
                "detail": "memory limit of 512 MB",
                "limit": {"name": "memory_mb", "value": 512},
                "seconds": 0.1,
                "output": "",
            },
            {
                "outcome": "failed",
                "detail": "AssertionError: 1 != 2",
                "limit": None,
                "seconds": 0.1,
                "output": "\nAssertionError: 1 != 2\n",
            },
        ],
    }
    with translation.override("ko"):
        killed, failed = _sample_view(sample)["tests"]
    assert (killed["label"], killed["detail"]) == ("제한에 걸려 중단됨", "메모리 제한 (512 MB)")
    assert (failed["label"], failed["detail"]) == ("실패", "AssertionError: 1 != 2")  # the program's own words
    with translation.override("en"):
        assert [t["label"] for t in _sample_view(sample)["tests"]] == ["Killed by a limit", "Failed"]
    assert _sample_view({"doc_id": 1, "arguments": [["q", {}]], "resps": [["a"]]})["tests"] == []
