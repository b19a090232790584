"""A generation job, run by a worker: the checkpoint answers every prompt of the campaign's set.

The same machinery as an evaluation run: the manifest's files are copied (and re-hashed) into
platform storage, then a forked child in its own process group loads the copy with
evaluation.harness.load_model and generates with the harness's own generate_until, under the
campaign's protocol (system instruction, chat template when the tokenizer has one, greedy
decoding by default). The parent waits with a time limit and kills the child on expiry; whatever
fails ends the job as failed with a reason. Only the parent writes to the database."""

import ctypes
import json
import logging
import os
import select
import signal
import time
import traceback
from pathlib import Path

from django.conf import settings
from django.utils.translation import gettext as _

from arena.models import GenerationJob, Prompt
from arena.services import generation
from evaluation import harness
from evaluation.checkpoint_files import CheckpointProblem, containment_root
from evaluation.runner import Step
from evaluation.staging import remove_staged, stage_checkpoint

logger = logging.getLogger(__name__)
PR_SET_PDEATHSIG = 1
PLAIN_TEMPLATE = "{system}\n\n질문: {prompt}\n답변:"  # for a tokenizer without a chat template
SEEDS = {"random_seed": 0, "numpy_random_seed": 1234, "torch_random_seed": 1234, "fewshot_random_seed": 1234}


def generate_answers(job_id: int, *, worker_host: str) -> Step:
    job = generation.generation_claim(job_id=job_id, worker_host=worker_host)
    if job is None:
        return Step.NOT_QUEUED
    try:
        return _attempt(
            GenerationJob.objects.select_related("entry__campaign", "entry__checkpoint__team").get(pk=job.pk)
        )
    except Exception as exc:  # noqa: BLE001 - a job never stays "running" because of us
        logger.exception("generation job %s failed inside the platform", job_id)
        generation.generation_fail(
            job_id=job_id, error=_("The platform failed while generating: %(error)s") % {"error": exc}
        )
        return Step.FAILED


def spec_for(job: GenerationJob, model_dir: Path, work_dir: Path) -> dict:
    campaign, checkpoint = job.entry.campaign, job.entry.checkpoint
    chat = bool(checkpoint.has_chat_template)
    return {
        "model_path": str(model_dir),
        "backend": job.settings.get("backend", "hf"),
        "device": job.settings.get("device", "cpu"),
        "dtype": job.settings.get("dtype", "float32"),
        "batch_size": settings.EVAL_BATCH_SIZE,
        "tensor_parallel_size": 1,
        "seeds": SEEDS,
        "threads": settings.EVAL_TORCH_THREADS,
        "protocol": {
            "apply_chat_template": chat,
            "system_instruction": campaign.generation.get("system_instruction"),
            "gen_kwargs": dict(campaign.generation.get("gen_kwargs") or {}),
            "chat_template_args": dict(campaign.generation.get("chat_template_args") or {}),
            "plain_template": None if chat else PLAIN_TEMPLATE,
        },
        "prompts": list(
            Prompt.objects.filter(prompt_set_id=campaign.prompt_set_id).order_by("key").values_list("key", "text")
        ),
        "answers_file": str(work_dir / "answers.json"),
        "log_file": str(work_dir / "generation.log"),
    }


def _attempt(job: GenerationJob) -> str:
    checkpoint = job.entry.checkpoint
    work_dir = settings.EVAL_RUNS_DIR / "arena" / str(job.pk)
    model_dir = work_dir / "model"
    remove_staged(model_dir)
    work_dir.mkdir(parents=True, exist_ok=True)
    try:
        team_root = containment_root(checkpoint.source, team_slug=checkpoint.team.slug, root=settings.CHECKPOINT_ROOT)
        digest = stage_checkpoint(
            Path(checkpoint.resolved_path), model_dir, manifest=checkpoint.manifest, team_root=team_root
        )
    except (CheckpointProblem, OSError) as exc:
        remove_staged(model_dir)
        generation.generation_fail(
            job_id=job.pk, error=_("The checkpoint's files cannot be read: %(error)s.") % {"error": exc}
        )
        return Step.FAILED
    try:
        if digest != checkpoint.manifest_digest:
            generation.generation_fail(
                job_id=job.pk,
                error=_("The checkpoint changed since submission: its files no longer match the manifest."),
            )
            return Step.FAILED
        spec = spec_for(job, model_dir, work_dir)
        return _supervise(job, spec)
    finally:
        remove_staged(model_dir)


def _supervise(job: GenerationJob, spec: dict) -> str:
    read_fd, write_fd = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(read_fd)
        _child(spec, write_fd)
    os.close(write_fd)
    deadline = time.monotonic() + settings.EVAL_TIME_LIMIT_S
    buffer = b""
    try:
        while time.monotonic() < deadline:
            if select.select([read_fd], [], [], 0.5)[0]:
                chunk = os.read(read_fd, 65536)
                if not chunk:
                    break
                buffer += chunk
        else:
            _kill(pid)
            generation.generation_fail(
                job_id=job.pk,
                error=_("Time limit of %(seconds)s s exceeded.") % {"seconds": settings.EVAL_TIME_LIMIT_S},
            )
            return Step.FAILED
    finally:
        os.close(read_fd)
    status = os.waitpid(pid, 0)[1]
    _end_group(pid)
    message = json.loads(buffer.decode().strip().splitlines()[-1]) if buffer.strip() else {"type": "exit"}
    if message["type"] == "result" and status == 0:
        answers = json.loads(Path(spec["answers_file"]).read_text(encoding="utf-8"))
        used = {key: spec[key] for key in ("backend", "device", "dtype", "batch_size", "seeds", "protocol")}
        used["versions"] = message["versions"]
        stored = generation.generation_succeed(job_id=job.pk, answers=answers, settings_used=used)
        return Step.SUCCEEDED if stored else Step.STOPPED
    error = message.get("error") or _("The generation process ended with status %(status)s.") % {"status": status}
    generation.generation_fail(job_id=job.pk, error=error)
    return Step.FAILED


def _child(spec: dict, write_fd: int) -> None:
    """Runs in the forked child; never returns."""
    code = 1
    try:
        os.setsid()
        ctypes.CDLL(None).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
        for sig in (signal.SIGTERM, signal.SIGINT):
            signal.signal(sig, signal.SIG_DFL)
        log = os.open(spec["log_file"], os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
        os.dup2(log, 1)
        os.dup2(log, 2)
        harness.prepare_environment(settings.EVAL_RUNS_DIR / "harness-cache")
        answers = generate(spec)
        Path(spec["answers_file"]).write_text(json.dumps(answers, ensure_ascii=False), encoding="utf-8")
        os.write(write_fd, (json.dumps({"type": "result", "versions": harness.versions()}) + "\n").encode())
        code = 0
    except BaseException as exc:  # noqa: BLE001 - everything ends as a message and an exit code
        traceback.print_exc()
        try:
            os.write(write_fd, (json.dumps({"type": "error", "error": f"{type(exc).__name__}: {exc}"}) + "\n").encode())
        except OSError:
            pass
    finally:
        os._exit(code)


def contexts(spec: dict, model) -> list[str]:
    """Each prompt as the model sees it: through the chat template, or the plain template."""
    proto, system = spec["protocol"], spec["protocol"].get("system_instruction") or ""
    out = []
    for _key, text in spec["prompts"]:
        if proto["apply_chat_template"]:
            history = ([{"role": "system", "content": system}] if system else []) + [{"role": "user", "content": text}]
            out.append(model.apply_chat_template(history, add_generation_prompt=True))
        else:
            out.append(proto["plain_template"].format(system=system, prompt=text).lstrip())
    return out


def generate(spec: dict) -> dict[str, str]:
    """{prompt key: answer}, with the harness's model and its generate_until."""
    import torch
    from lm_eval.api.instance import Instance

    from evaluation import protocol

    if spec["device"] == "cpu":
        torch.set_num_threads(spec.get("threads") or harness.default_threads())
    torch.manual_seed(spec["seeds"]["torch_random_seed"])
    model = harness.load_model(spec, protocol.model_arguments(spec["protocol"], backend=spec["backend"]))
    gen_kwargs = dict(spec["protocol"]["gen_kwargs"])
    requests = [
        Instance(request_type="generate_until", doc={}, arguments=(context, dict(gen_kwargs)), idx=0)
        for context in contexts(spec, model)
    ]
    texts = model.generate_until(requests, disable_tqdm=True)
    return {key: text.strip() or "…" for (key, _text), text in zip(spec["prompts"], texts)}


def _kill(pid: int) -> None:
    _end_group(pid)
    try:
        os.waitpid(pid, 0)
    except ChildProcessError:
        pass


def _end_group(pid: int) -> None:
    try:
        os.killpg(pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
