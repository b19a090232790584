"""The evaluation protocol: how a model is prompted and how it generates, per task.

A suite fixes it once, in the `protocol:` block of its YAML, and a task may override any key.
The keys are lm-evaluation-harness's own argument names, so a stored protocol reads as the
`python -m lm_eval` flags that reproduce it. Pure: no database, no harness import."""

from collections.abc import Mapping

# Passed to simple_evaluate for each task.
EVALUATE_KEYS = ("apply_chat_template", "system_instruction", "fewshot_as_multiturn", "gen_kwargs", "limit", "samples")
# Given to the model when it is loaded: tasks that differ here run on separately loaded models.
MODEL_KEYS = ("chat_template_args", "think_end_token", "max_model_len")
KEYS = EVALUATE_KEYS + MODEL_KEYS
GEN_KWARGS = {"max_gen_toks": int, "temperature": float, "top_p": float, "top_k": int, "do_sample": bool, "until": list}

# The plain-completion protocol: what every suite without a `protocol:` block is scored under.
DEFAULTS = {
    "apply_chat_template": False,
    "system_instruction": None,
    "fewshot_as_multiturn": False,
    "gen_kwargs": {},
    "limit": None,
    "samples": None,
    "chat_template_args": {},
    "think_end_token": None,
    "max_model_len": None,
}


class ProtocolError(ValueError):
    pass


def _check_scalar(key: str, value, kinds, where: str):
    if value is None:
        return None
    if not isinstance(value, kinds) or (isinstance(value, bool) and bool not in _tuple(kinds)):
        raise ProtocolError(f"{where}: protocol '{key}' has the wrong type ({type(value).__name__})")
    return value


def _tuple(kinds) -> tuple:
    return kinds if isinstance(kinds, tuple) else (kinds,)


def _gen_kwargs(value, where: str) -> dict:
    if not isinstance(value, Mapping):
        raise ProtocolError(f"{where}: protocol 'gen_kwargs' must be a mapping")
    unknown = set(value) - set(GEN_KWARGS)
    if unknown:
        raise ProtocolError(f"{where}: unknown gen_kwargs {sorted(unknown)} (known: {sorted(GEN_KWARGS)})")
    out = {}
    for key, item in value.items():
        kind = GEN_KWARGS[key]
        if kind is list:
            if not isinstance(item, list) or not all(isinstance(s, str) for s in item):
                raise ProtocolError(f"{where}: gen_kwargs 'until' must be a list of strings")
            out[key] = list(item)
        elif kind is float:
            out[key] = float(_check_scalar(key, item, (int, float), where))
        else:
            out[key] = _check_scalar(key, item, kind, where)
    return out


def parse(raw, where: str) -> dict:
    """A `protocol:` block as written (suite or task level): only the keys it sets, checked."""
    if raw is None:
        return {}
    if not isinstance(raw, Mapping):
        raise ProtocolError(f"{where}: 'protocol' must be a mapping")
    unknown = set(raw) - set(KEYS)
    if unknown:
        raise ProtocolError(f"{where}: unknown protocol keys {sorted(unknown)} (known: {list(KEYS)})")
    out: dict = {}
    for key, value in raw.items():
        if key == "apply_chat_template":
            out[key] = _check_scalar(key, value, (bool, str), where)
        elif key in ("system_instruction", "think_end_token"):
            out[key] = _check_scalar(key, value, str, where)
        elif key == "fewshot_as_multiturn":
            out[key] = _check_scalar(key, value, bool, where)
        elif key == "gen_kwargs":
            out[key] = _gen_kwargs(value, where)
        elif key == "chat_template_args":
            if not isinstance(value, Mapping) or not all(
                isinstance(v, str | int | float | bool) for v in value.values()
            ):
                raise ProtocolError(f"{where}: 'chat_template_args' must map names to plain values")
            out[key] = dict(value)
        elif key in ("max_model_len", "limit"):
            value = _check_scalar(key, value, int, where)
            if value is not None and value < 1:
                raise ProtocolError(f"{where}: protocol '{key}' must be a positive whole number")
            out[key] = value
        elif key == "samples":
            if value is not None and (
                not isinstance(value, list)
                or not value
                or not all(isinstance(i, int) and not isinstance(i, bool) and i >= 0 for i in value)
            ):
                raise ProtocolError(f"{where}: protocol 'samples' must be a list of document indices")
            out[key] = value
    return out


def merge(*layers: Mapping) -> dict:
    """Defaults, then the suite's block, then the task's: later layers win, key by key (also
    inside gen_kwargs and chat_template_args). The result is checked as a whole."""
    merged = {key: (dict(value) if isinstance(value, dict) else value) for key, value in DEFAULTS.items()}
    for layer in layers:
        for key, value in layer.items():
            if isinstance(merged.get(key), dict) and isinstance(value, Mapping):
                merged[key] = {**merged[key], **value}
            else:
                merged[key] = value
    return merged


def check(protocol: Mapping, where: str, *, generative: bool | None = None) -> None:
    """Combinations the harness would refuse at run time, refused when the suite is read."""
    chat = bool(protocol["apply_chat_template"])
    if protocol["fewshot_as_multiturn"] and not chat:
        raise ProtocolError(f"{where}: fewshot_as_multiturn needs apply_chat_template")
    if thinking(protocol) and not protocol["think_end_token"]:
        raise ProtocolError(f"{where}: enable_thinking needs think_end_token (where the reasoning ends)")
    if protocol["limit"] is not None and protocol["samples"] is not None:
        raise ProtocolError(f"{where}: give limit or samples, not both")


def thinking(protocol: Mapping) -> bool:
    return bool((protocol.get("chat_template_args") or {}).get("enable_thinking"))


def is_preview(protocol: Mapping) -> bool:
    """Scored on part of the items: for a quick look, never for a leaderboard or a stage."""
    return protocol.get("limit") is not None or protocol.get("samples") is not None


def needs_chat_template(protocol: Mapping) -> bool:
    return bool(protocol.get("apply_chat_template"))


def model_arguments(protocol: Mapping, *, backend: str) -> dict:
    """Keyword arguments for the harness's model wrapper (HFLM or VLLM)."""
    args: dict = {}
    if protocol.get("chat_template_args"):
        args["chat_template_args"] = dict(protocol["chat_template_args"])
        if "enable_thinking" in protocol["chat_template_args"]:
            # The harness's own switch: it also refuses log-likelihood tasks while thinking is on.
            args["enable_thinking"] = bool(protocol["chat_template_args"]["enable_thinking"])
    if protocol.get("think_end_token"):
        args["think_end_token"] = protocol["think_end_token"]
    if protocol.get("max_model_len"):
        args["max_model_len" if backend == "vllm" else "max_length"] = protocol["max_model_len"]
    return args


def evaluate_arguments(protocol: Mapping, *, task: str) -> dict:
    """Keyword arguments for simple_evaluate (the harness's own names)."""
    args = {
        "apply_chat_template": protocol["apply_chat_template"],
        "system_instruction": protocol["system_instruction"],
        "fewshot_as_multiturn": protocol["fewshot_as_multiturn"],
        "gen_kwargs": dict(protocol["gen_kwargs"]) or None,
    }
    if protocol.get("samples") is not None:
        args["samples"] = {task: list(protocol["samples"])}
    elif protocol.get("limit") is not None:
        args["limit"] = protocol["limit"]
    return args


def with_preview_limit(protocol: Mapping, limit: int | None) -> dict:
    """A run asked as a preview: the first `limit` items of each task."""
    if limit is None:
        return dict(protocol)
    return {**protocol, "limit": limit, "samples": None}


def describe(protocol: Mapping) -> list[tuple[str, str]]:
    """The settings that differ from plain completion, as (harness argument, value) for pages.
    Empty: scored as a plain completion model."""
    rows = []
    for key in KEYS:
        value = protocol.get(key, DEFAULTS[key])
        if value == DEFAULTS[key] or value in (None, {}, []):
            continue
        if isinstance(value, dict):
            value = ", ".join(f"{k}={v!r}" if isinstance(v, str) else f"{k}={v}" for k, v in value.items())
        rows.append((key, str(value)))
    return rows


def grouped(run_protocol: Mapping[str, Mapping]) -> list[dict]:
    """A run's {task: protocol} as groups of tasks sharing one protocol, for its page."""
    groups: list[dict] = []
    for task, protocol in run_protocol.items():
        rows = describe(protocol)
        for group in groups:
            if group["settings"] == rows:
                group["tasks"].append(task)
                break
        else:
            groups.append({"tasks": [task], "settings": rows})
    return groups
