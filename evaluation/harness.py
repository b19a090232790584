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

# simple_evaluate's default: the standard errors of metrics that are not means are bootstrapped.
BOOTSTRAP_ITERS = 100000
_task_managers: dict[tuple[str, ...], object] = {}


def prepare_environment(cache_dir: Path) -> None:
    os.environ.update(OFFLINE_ENV)
    # The harness's request cache would otherwise land inside site-packages.
    os.environ.setdefault("LM_HARNESS_CACHE_PATH", str(cache_dir))


def task_manager(include_paths: tuple[str, ...]):
    """Building the task index takes seconds: once per worker per set of folders."""
    from lm_eval.tasks import TaskManager

    if include_paths not in _task_managers:
        _task_managers[include_paths] = TaskManager(
            include_path=list(include_paths) or None, include_defaults=not include_paths
        )
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
        PreTrainedTokenizerFast(
            tokenizer_object=core, unk_token="<unk>", bos_token="<s>", eos_token="</s>"
        ).save_pretrained(folder)
        config = LlamaConfig(
            vocab_size=len(vocab),
            hidden_size=8,
            intermediate_size=16,
            num_hidden_layers=1,
            num_attention_heads=2,
            num_key_value_heads=2,
            max_position_embeddings=16,
        )
        LlamaForCausalLM(config).save_pretrained(folder)
        HFLM(pretrained=str(folder), dtype="float32", device="cpu", batch_size=1, trust_remote_code=False)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
        hf_logging.enable_progress_bar()


def versions() -> dict:
    import lm_eval
    import torch
    import transformers

    return {
        "lm_eval": lm_eval.__version__,
        "transformers": transformers.__version__,
        "torch": torch.__version__,
        "python": platform.python_version(),
        **sandbox_hook.versions(),
    }


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

        return VLLM(
            pretrained=spec["model_path"],
            dtype=spec["dtype"],
            batch_size="auto",
            tensor_parallel_size=spec["tensor_parallel_size"],
            gpu_memory_utilization=0.9,
            seed=spec["seeds"]["random_seed"],
            trust_remote_code=False,
            **model_args,
        )
    from lm_eval.models.huggingface import HFLM

    if spec.get("tensor_parallel_size", 1) > 1:
        model_args = {**model_args, "parallelize": True}  # across the GPUs the shard leased
    return HFLM(
        pretrained=spec["model_path"],
        dtype=spec["dtype"],
        device=spec["device"],
        batch_size=spec["batch_size"],
        trust_remote_code=False,
        **model_args,
    )


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


def _threads(spec: dict) -> None:
    if spec["device"] == "cpu":
        import torch

        torch.set_num_threads(spec.get("threads") or default_threads())


def _load(manager, task: str, definition: dict | None = None) -> dict:
    """The harness's own task objects for a suite task: {"tasks": {leaf: Task}, "groups": {...}};
    a private benchmark's task is built from its inline definition."""
    return manager.load([definition or task])


def plan(spec: dict, report) -> dict:
    """The run's subtasks and their document counts, for evaluation/sharding.py. A subtask is
    splittable into document ranges when no document's prompt depends on the ones before it."""
    from lm_eval.evaluator_utils import get_sample_size

    _prepare(spec)
    manager = task_manager(tuple(spec["include_paths"]))
    tasks = []
    for done, entry in enumerate(spec["tasks"]):
        report(done, entry["task"])
        limit = entry["protocol"].get("limit")
        chosen = entry["protocol"].get("samples")
        subtasks = []
        for name, task in _load(manager, entry["task"], entry.get("definition"))["tasks"].items():
            count = len(task.eval_docs)
            if chosen is not None:
                count = len(chosen)
            elif limit is not None:
                count = min(count, get_sample_size(task, limit))
            n_shot = 0 if task.get_config("num_fewshot") == 0 else entry["n_shot"]
            sampler = getattr(task.get_config("fewshot_config"), "sampler", "default")
            subtasks.append(
                {
                    "name": name,
                    "documents": count,
                    "splittable": limit is None and chosen is None and (n_shot == 0 or sampler == "first_n"),
                }
            )
        tasks.append({"task": entry["task"], "subtasks": subtasks})
    return {"tasks": tasks}


def _plain(value):
    """Per-document metric values as JSON keeps them (numpy scalars to Python numbers)."""
    item = getattr(value, "item", None)
    return item() if callable(item) else str(value)


def evaluate_shard(spec: dict, report) -> dict:
    """One shard: documents of one suite task under its protocol. Writes the shard's per-sample
    log (gzip JSONL) and returns its per-document metric values and the harness's report."""
    import lm_eval

    from evaluation import protocol, sharding

    _threads(spec)
    cache_env_info()
    _prepare(spec)
    manager = task_manager(tuple(spec["include_paths"]))
    entry, pieces = spec["task"], spec["pieces"]
    report(0, entry["task"])
    leaves = _load(manager, entry["task"], entry.get("definition"))["tasks"]
    model = _Models(spec).get(entry["protocol"])
    arguments = protocol.evaluate_arguments(entry["protocol"], task=entry["task"])
    ranges = sharding.samples_argument(pieces)
    if ranges is not None:
        arguments.pop("limit", None)
        arguments["samples"] = ranges
    elif "samples" in arguments:
        arguments["samples"] = {
            leaf: ids for leaf, ids in ((p["subtask"], arguments["samples"][entry["task"]]) for p in pieces)
        }
    seeds = spec["seeds"]
    out = lm_eval.simple_evaluate(
        model=model,
        tasks=[leaves[p["subtask"]] for p in pieces],
        num_fewshot=entry["n_shot"],
        task_manager=manager,
        batch_size=spec["batch_size"],
        device=spec["device"],
        log_samples=True,
        random_seed=seeds["random_seed"],
        numpy_random_seed=seeds["numpy_random_seed"],
        torch_random_seed=seeds["torch_random_seed"],
        fewshot_random_seed=seeds["fewshot_random_seed"],
        bootstrap_iters=BOOTSTRAP_ITERS,
        **arguments,
        **sandbox_hook.confirm_arguments(entry["task"], manager),
    )
    samples = out.pop("samples", {})
    raw_metrics = json.loads(json.dumps(sharding.raw_metrics_from_samples(samples), default=_plain))
    raw = raw_generations.take(model)
    with gzip.open(spec["samples_file"], "wt", encoding="utf-8") as samples_out:
        for subtask, logged in samples.items():
            for sample in logged:
                raw_generations.attach(sample, raw)
                sandbox_hook.attach(sample)  # passed, failed, timed out, killed by a limit
                samples_out.write(
                    json.dumps({"task": entry["task"], "subtask": subtask, **sample}, ensure_ascii=False, default=str)
                    + "\n"
                )
    report(1, entry["task"])
    report_keys = (
        "configs",
        "versions",
        "n-shot",
        "higher_is_better",
        "config",
        "date",
        "transformers_version",
        "lm_eval_version",
    )
    return json.loads(
        json.dumps({"raw_metrics": raw_metrics, "report": {k: out[k] for k in report_keys if k in out}}, default=str)
    )


def merge(spec: dict, report) -> dict:
    """The run's results from its shards, aggregated by the harness's own code from the
    per-document values of every subtask, in document order: what one unsharded
    `simple_evaluate` of each suite task would have reported (metrics, standard errors, groups).
    `spec["raw_metrics"]`: {subtask: {"metric,filter": values}}; `spec["reports"]`: the shards'."""
    from collections import defaultdict

    from lm_eval.evaluator_utils import _process_results

    _prepare(spec)
    manager = task_manager(tuple(spec["include_paths"]))
    merged: dict = {}
    for done, entry in enumerate(spec["tasks"]):
        report(done, entry["task"])
        loaded = _load(manager, entry["task"], entry.get("definition"))
        accumulators = {}
        for name, task in loaded["tasks"].items():
            if task.get_config("num_fewshot") != 0:  # as simple_evaluate sets it (for n-shot)
                task.set_config(key="num_fewshot", value=entry["n_shot"])
            values = defaultdict(list)
            for key, items in spec["raw_metrics"].get(name, {}).items():
                metric, _, filter_key = key.rpartition(",")
                values[(metric, filter_key)] = items
            accumulators[name] = {"task": task, "raw_metrics": values, "logged_samples": []}
        _merge(
            merged,
            json.loads(
                json.dumps(
                    _process_results(accumulators, loaded["groups"], BOOTSTRAP_ITERS)._to_eval_results(), default=str
                )
            ),
        )
    for shard_report in spec["reports"]:
        # What the harness reports besides metrics is the same in every shard of a task, and the
        # shards' configs carry the run's settings (few-shot count, generation arguments).
        for key in ("configs", "n-shot", "higher_is_better"):
            merged.setdefault(key, {}).update(shard_report.get(key) or {})
        for key in ("config", "date", "transformers_version", "lm_eval_version"):
            if key in shard_report:
                merged[key] = shard_report[key]
    report(len(spec["tasks"]), "")
    return merged


def _prepare(spec: dict) -> None:
    """Before any task is built in an evaluation process: data from the pinned snapshots only,
    and model-written code only in the sandbox, under the suite's limits (none: it is refused)."""
    use_snapshots(spec)
    sandbox_hook.install(spec.get("sandbox"), sandbox_hook.HostConfig.from_settings())


def use_snapshots(spec: dict) -> None:
    """Before any task is built in an evaluation process: the run's pinned snapshots, checked
    byte for byte (a file changed or missing since import is never read), serve the harness's
    data loading; nothing is fetched from a hub."""
    from evaluation import benchmark_data, offline_data

    snapshots = spec.get("snapshots") or {}
    for key, snapshot in snapshots.items():
        if snapshot is None:
            raise offline_data.BenchmarkDataMissing(
                f"the snapshot of {key} pinned by this suite is not in the database"
            )
        problems = benchmark_data.verify(Path(snapshot["folder"]), snapshot["files"])
        if problems:
            raise offline_data.BenchmarkDataMissing(f"the snapshot of {key} on this host: {'; '.join(problems)}")
    offline_data.install(snapshots)


def datasets_read(include_paths: tuple[str, ...], tasks: list[str | dict], snapshots: dict[str, dict]) -> dict:
    """Which snapshot each subtask of each task reads, pinning the latest of each dataset:
    {"data": {task: {subtask: {dataset: digest}}}, "missing": [dataset]}."""
    from evaluation import offline_data
    from evaluation.sandbox.code_eval import current as sandbox_state

    manager = task_manager(tuple(include_paths))
    data, missing = {}, set()
    saved = dict(sandbox_state)
    # A coding task loads its (sandboxed) metric as it is built; nothing is run here.
    from evaluation.sandbox import limits

    sandbox_hook.install(limits.parse({}, "pinning"), sandbox_hook.HostConfig.from_settings())
    try:
        for entry in tasks:
            task, definition = (entry["task"], entry.get("definition")) if isinstance(entry, dict) else (entry, None)
            asked: set[str] = set()
            offline_data.install(snapshots, record=asked)
            try:
                leaves = _load(manager, task, definition)["tasks"]
            except offline_data.BenchmarkDataMissing:
                missing |= {key for key in asked if key not in snapshots}
                continue
            pins = {}
            for name, leaf in leaves.items():
                path, config = leaf.config.dataset_path, leaf.config.dataset_name
                if path and path not in offline_data.LOCAL_BUILDERS:
                    key = offline_data.dataset_key(path, config)
                    pins[name] = {key: snapshots[key]["digest"]}
            if pins:
                data[task] = pins
    finally:
        offline_data.uninstall()
        sandbox_state.update(saved)
    return {"data": data, "missing": sorted(missing)}


def check_reads(tasks: list[str], *, key: str, snapshot: dict) -> list[str]:
    """Build each harness task on a snapshot about to be imported and render its first document
    of every split it evaluates: a column the task reads that the data lacks is named."""
    from jinja2 import UndefinedError

    from evaluation import offline_data

    manager = task_manager(())
    problems = []
    offline_data.install({key: snapshot})
    try:
        for name in tasks:
            try:
                leaves = _load(manager, name)["tasks"]
            except offline_data.BenchmarkDataMissing as exc:
                problems.append(f"{name} reads other data: {exc}.")
                continue
            except (KeyError, UndefinedError) as exc:  # the harness checks a first document as it builds
                problems.append(f"{name} reads the column '{_column(exc)}', which the data does not have.")
                continue
            except Exception as exc:  # noqa: BLE001 - the harness could not build the task on this data
                problems.append(f"{name} cannot be built on this data: {type(exc).__name__}: {exc}.")
                continue
            for leaf, task in leaves.items():
                try:
                    docs = task.test_docs() if task.has_test_docs() else task.validation_docs()
                    doc = next(iter(docs))
                    task.doc_to_text(doc), task.doc_to_target(doc)
                    if task.OUTPUT_TYPE == "multiple_choice":
                        task.doc_to_choice(doc)
                except (KeyError, UndefinedError) as exc:
                    problems.append(f"{leaf} reads the column '{_column(exc)}', which the data does not have.")
    finally:
        offline_data.uninstall()
    return problems


def _column(exc: Exception) -> str:
    """The field a task asked a document for: KeyError('premise'), or Jinja's "'premise' is undefined"."""
    if isinstance(exc, KeyError):
        return str(exc.args[0])
    text = str(exc)
    return text.split("'")[1] if text.count("'") >= 2 else text


def export_datasets(tasks: list[str], folder: Path, *, snapshots: dict[str, dict] | None = None) -> list[dict]:
    """On a connected machine: every dataset these harness tasks read, as the hub serves it now,
    saved with `save_to_disk` into folder/<org>__<name>[__<config>], ready for
    `benchmark_data import`. Returns [{"key", "source", "config", "folder"}]. (`snapshots` serve
    datasets the way the hub would, for tests.)"""
    import datasets

    from evaluation import offline_data

    manager = task_manager(())
    asked: set[str] = set()
    offline_data.install(snapshots or {}, record=asked, fetch=True)
    try:
        for task in tasks:
            _load(manager, task)
        exported = []
        for key in sorted(asked):
            source, _, config = key.partition(":")
            target = folder / "__".join(part.replace("/", "__") for part in (source, config) if part)
            dataset = datasets.load_dataset(source, config or None)
            dataset = dataset if isinstance(dataset, datasets.DatasetDict) else datasets.DatasetDict({"train": dataset})
            dataset.save_to_disk(str(target))
            exported.append({"key": key, "source": source, "config": config, "folder": str(target)})
    finally:
        offline_data.uninstall()
    return exported
