"""GPU placement: which queue and backend a run uses, and how many GPUs a model needs.

Tensor parallel size: the smallest power of two n such that the weights and the KV cache of
one sequence at the task's context length, plus 25% for activations and batching, fit in n GPUs
at vLLM's memory utilisation (0.9). A 7B model in bf16 (~14 GB) fits one 80 GB H100; a 519B
model in bf16 (~1 TB) needs more than one 8×H100 node and is refused with that reason rather
than tried. A host leases that many of its GPUs per shard (evaluation/gpu_slots.py)."""

import json
import math
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings

DTYPE_BYTES = {"float32": 4, "bfloat16": 2, "float16": 2}
HEADROOM = 1.25
GPU_MEMORY_UTILISATION = 0.9


@dataclass(frozen=True)
class Placement:
    queue: str
    backend: str
    device: str


def placement() -> Placement:
    """Runs go to GPU workers (vllm, or hf on CUDA) where the deployment has them."""
    if settings.EVAL_USE_GPU:
        return Placement(queue="eval-gpu", backend=settings.EVAL_GPU_BACKEND, device="cuda")
    return Placement(queue="eval-cpu", backend="hf", device="cpu")


class DoesNotFit(ValueError):
    pass


def kv_cache_bytes(model_dir: Path, *, dtype: str, tokens: int | None) -> int:
    """Keys and values of one sequence of `tokens` (the model's own maximum when not set), from
    the checkpoint's config.json: 2 × layers × KV heads × head size × bytes per value."""
    try:
        config = json.loads((Path(model_dir) / "config.json").read_text())
        layers, heads = config["num_hidden_layers"], config["num_attention_heads"]
        head_size = config.get("head_dim") or config["hidden_size"] // heads
        kv_heads = config.get("num_key_value_heads") or heads
        tokens = tokens or config.get("max_position_embeddings") or 0
    except (OSError, ValueError, KeyError, TypeError, ZeroDivisionError):
        return 0
    return 2 * layers * kv_heads * head_size * DTYPE_BYTES[dtype] * tokens


def tensor_parallel_size(
    *, parameter_count: int, dtype: str, gpus: int, gpu_memory_gib: float, kv_cache: int = 0
) -> int:
    needed = (parameter_count * DTYPE_BYTES[dtype] + kv_cache) * HEADROOM
    per_gpu = gpu_memory_gib * 2**30 * GPU_MEMORY_UTILISATION
    size = 2 ** max(0, math.ceil(math.log2(max(needed / per_gpu, 1))))
    if size > gpus:
        raise DoesNotFit(
            f"{needed / 2**30:.0f} GiB with headroom needs {size} GPUs; this worker has {gpus} "
            f"of {gpu_memory_gib:g} GiB"
        )
    return size
