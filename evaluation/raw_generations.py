"""What a generative model wrote before the harness cut it down.

lm-evaluation-harness removes the reasoning (everything up to the protocol's think_end_token)
and the stop sequences inside the model's generate_until, and logs only what is left. The
sample browser must also show the raw output, so this module records it, in the evaluation's
child process: the harness's post-processing function is wrapped to remember its input, and
the model's cache hook, which the harness calls next with the prompt, files it under that
prompt. Scores are unchanged: both wrappers hand everything on as it was."""

import importlib

_MODULES = ("lm_eval.models.huggingface", "lm_eval.models.vllm_causallms")
_last: list[str | None] = [None]


def _recording(postprocess):
    def postprocess_generated_text(generation, *args, **kwargs):
        _last[0] = generation
        return postprocess(generation, *args, **kwargs)

    postprocess_generated_text.records_raw = True
    return postprocess_generated_text


def _patch(module_name: str) -> None:
    module = importlib.import_module(module_name)
    original = getattr(module, "postprocess_generated_text", None)
    if original is not None and not getattr(original, "records_raw", False):
        module.postprocess_generated_text = _recording(original)


class _Recorder:
    """Stands in for the model's cache hook: notes each raw generation, then passes the call on."""

    def __init__(self, hook):
        self.hook, self.raw = hook, {}

    def add_partial(self, attr, req, res):
        if attr == "generate_until" and _last[0] is not None:
            self.raw[req[0]] = _last[0]
        _last[0] = None
        self.hook.add_partial(attr, req, res)


def watch(model) -> None:
    """Record the raw generations of this model (an HFLM or VLLM)."""
    _patch(type(model).__module__ if type(model).__module__ in _MODULES else _MODULES[0])
    if not isinstance(model.cache_hook, _Recorder):
        model.cache_hook = _Recorder(model.cache_hook)


def take(model) -> dict[str, str]:
    """The raw generations recorded since the last call, by prompt."""
    hook = getattr(model, "cache_hook", None)
    if not isinstance(hook, _Recorder):
        return {}
    raw, hook.raw = hook.raw, {}
    return raw


def attach(sample: dict, raw: dict[str, str]) -> None:
    """Add `raw_resps` to a logged generative sample whose output was cut (reasoning, stops)."""
    arguments = sample.get("arguments") or []
    if not raw or not arguments or not isinstance(arguments[0], list | tuple) or not arguments[0]:
        return
    found = raw.get(arguments[0][0])
    if found is not None and [[found]] != sample.get("resps"):
        sample["raw_resps"] = [found]
