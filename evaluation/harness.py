"""The evaluation itself, as it runs inside the child process: lm-evaluation-harness
on one checkpoint, task by task, reporting progress. Nothing here touches the database."""
import gc
import gzip
import json
import os
import platform
from pathlib import Path

from evaluation import raw_generations
from evaluation.sandbox import hook as sandbox_hook

OFFLINE_ENV = {
    "HF_HUB_OFFLINE": "1",
    "HF_DATASETS_OFFLINE": "1",
    "TRANSFORMERS_OFFLINE": "1",
    "TOKENIZERS_PARALLELISM": "false",
    # OpenMP threads that spin while waiting lose badly to the worker's own heartbeat thread.
    "OMP_WAIT_POLICY": "PASSIVE",
}

_task_managers: dict[tuple[str, ...], object] = {}


def prepare_environment(cache_dir: Path) -> None:
    os.environ.update(OFFLINE_ENV)
    # The harness's request cache would otherwise land inside site-packages.
    os.environ.setdefault("LM_HARNESS_CACHE_PATH", str(cache_dir))


def task_manager(include_paths: tuple[str, ...]):
    """Building the task index takes seconds: once per worker per set of folders."""
    from lm_eval.tasks import TaskManager

    if include_paths not in _task_managers:
        _task_managers[include_paths] = TaskManager(include_path=list(include_paths) or None,
                                                    include_defaults=not include_paths)
    return _task_managers[include_paths]


def warm(include_paths_list: list[tuple[str, ...]], scratch: Path) -> None:
    """What a worker prepares once, before any run: imports, task indexes, the environment
    record, and the model-loading code paths. Forked children inherit all of it."""
    import lm_eval  # noqa: F401
    import lm_eval.models.huggingface  # noqa: F401
    from lm_eval import evaluator

    for include_paths in include_paths_list:
        task_manager(include_paths)
    cache_env_info()
    evaluator.add_env_info({})  # collected now, before any run
    _load_a_model_once(scratch)


def _load_a_model_once(scratch: Path) -> None:
    """The first model load in a process takes seconds (lazy imports in transformers and the
    harness); later ones take milliseconds. Load a throwaway two-layer model once, on one
    thread, so that no OpenMP thread pool exists when runs are forked from this process."""
    import shutil
    import tempfile

    import torch
    from lm_eval.models.huggingface import HFLM
    from tokenizers import Tokenizer, models, pre_tokenizers
    from transformers import LlamaConfig, LlamaForCausalLM, PreTrainedTokenizerFast

    from transformers.utils import logging as hf_logging

    torch.set_num_threads(1)
    hf_logging.disable_progress_bar()  # no progress bars in the worker's log for a throwaway model
    folder = Path(tempfile.mkdtemp(prefix="warm-model-", dir=scratch))
    try:
        vocab = {"<unk>": 0, "<s>": 1, "</s>": 2, "a": 3}
        core = Tokenizer(models.WordLevel(vocab, unk_token="<unk>"))
        core.pre_tokenizer = pre_tokenizers.Whitespace()
        PreTrainedTokenizerFast(tokenizer_object=core, unk_token="<unk>", bos_token="<s>",
                                eos_token="</s>").save_pretrained(folder)
        config = LlamaConfig(vocab_size=len(vocab), hidden_size=8, intermediate_size=16, num_hidden_layers=1,
                             num_attention_heads=2, num_key_value_heads=2, max_position_embeddings=16)
        LlamaForCausalLM(config).save_pretrained(folder)
        HFLM(pretrained=str(folder), dtype="float32", device="cpu", batch_size=1, trust_remote_code=False)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
        hf_logging.enable_progress_bar()


def versions() -> dict:
    import lm_eval
    import torch
    import transformers

    return {"lm_eval": lm_eval.__version__, "transformers": transformers.__version__, "torch": torch.__version__,
            "python": platform.python_version(), **sandbox_hook.versions()}


def _merge(total: dict, part: dict) -> None:
    for key in ("results", "configs", "versions", "n-shot", "higher_is_better", "n-samples", "group_subtasks"):
        total.setdefault(key, {}).update(part.get(key) or {})
    for key in ("config", "date", "total_evaluation_time_seconds", "transformers_version", "lm_eval_version"):
        if key in part:
            total[key] = part[key]


_env_info: dict = {}


def cache_env_info() -> None:
    """simple_evaluate records the environment (it runs `pip list` and more, ~0.4 s) on every
    call. Within one worker it cannot change: collect it once, and let every run reuse it."""
    from lm_eval import evaluator

    if getattr(evaluator.add_env_info, "cached", False):
        return
    original = evaluator.add_env_info

    def add_env_info(storage: dict) -> None:
        if not _env_info:
            original(_env_info)
        storage.update(_env_info)

    add_env_info.cached = True
    evaluator.add_env_info = add_env_info


def default_threads() -> int:
    """All cores but one, which the worker keeps for heartbeats and the database."""
    return max(1, (os.cpu_count() or 1) - 1)


def load_model(spec: dict, model_args: dict | None = None):
    """The harness's model wrapper for the spec's backend: hf (CPU or CUDA) or vllm (GPU), with
    the protocol's model arguments (chat template arguments, end of thinking, context length)."""
    model_args = model_args or {}
    if spec.get("backend") == "vllm":
        from lm_eval.models.vllm_causallms import VLLM

        return VLLM(pretrained=spec["model_path"], dtype=spec["dtype"], batch_size="auto",
                    tensor_parallel_size=spec["tensor_parallel_size"], gpu_memory_utilization=0.9,
                    seed=spec["seeds"]["random_seed"], trust_remote_code=False, **model_args)
    from lm_eval.models.huggingface import HFLM

    return HFLM(pretrained=spec["model_path"], dtype=spec["dtype"], device=spec["device"],
                batch_size=spec["batch_size"], trust_remote_code=False, **model_args)


class _Models:
    """One loaded model at a time: tasks whose protocols give the same model arguments share it;
    a task that needs other arguments (thinking on or off, say) gets a fresh load."""

    def __init__(self, spec: dict):
        self.spec, self.key, self.model = spec, None, None

    def get(self, task_protocol: dict):
        from evaluation import protocol

        args = protocol.model_arguments(task_protocol, backend=self.spec.get("backend", "hf"))
        key = json.dumps(args, sort_keys=True)
        if key != self.key:
            self.model = None  # let the previous one go before loading the next
            gc.collect()
            self.model, self.key = load_model(self.spec, args), key
            raw_generations.watch(self.model)
        return self.model


def evaluate(spec: dict, report) -> dict:
    """Run every task of the spec under its protocol; `report(done, task)` between tasks.
    Writes the per-sample log (gzip JSONL) and returns the merged results."""
    import lm_eval

    from evaluation import protocol

    if spec["device"] == "cpu":
        import torch

        torch.set_num_threads(spec.get("threads") or default_threads())
    cache_env_info()
    models = _Models(spec)
    manager = task_manager(tuple(spec["include_paths"]))
    # Model-written code runs only in the sandbox, under the suite's limits (none: it is refused).
    sandbox_hook.install(spec.get("sandbox"), sandbox_hook.HostConfig.from_settings())
    merged: dict = {}
    seeds = spec["seeds"]
    with gzip.open(spec["samples_file"], "wt", encoding="utf-8") as samples_out:
        for done, entry in enumerate(spec["tasks"]):
            task, task_protocol = entry["task"], entry["protocol"]
            report(done, task)
            model = models.get(task_protocol)
            out = lm_eval.simple_evaluate(
                model=model, tasks=[task], num_fewshot=entry["n_shot"], task_manager=manager,
                batch_size=spec["batch_size"], device=spec["device"], log_samples=True,
                random_seed=seeds["random_seed"], numpy_random_seed=seeds["numpy_random_seed"],
                torch_random_seed=seeds["torch_random_seed"], fewshot_random_seed=seeds["fewshot_random_seed"],
                **protocol.evaluate_arguments(task_protocol, task=task),
                **sandbox_hook.confirm_arguments(task, manager),
            )
            raw = raw_generations.take(model)
            # A group (kmmlu, haerae…) logs its samples under each subtask's name.
            for subtask, samples in out.pop("samples", {}).items():
                for sample in samples:
                    raw_generations.attach(sample, raw)
                    sandbox_hook.attach(sample)  # passed, failed, timed out, killed by a limit
                    samples_out.write(json.dumps({"task": task, "subtask": subtask, **sample},
                                                 ensure_ascii=False, default=str) + "\n")
            _merge(merged, out)
    report(len(spec["tasks"]), "")
    return json.loads(json.dumps(merged, default=str))
