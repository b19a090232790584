"""GPU routing and sizing. No GPU exists here: these check the decisions, not vLLM itself."""

import pytest

from evaluation.gpu import DoesNotFit, placement, tensor_parallel_size
from evaluation.models import RunStatus
from evaluation.runner import execute_shard
from evaluation.services import runs
from evaluation.services.checkpoints import checkpoint_submit, checkpoint_validate

from .conftest import plan_one_shard


@pytest.mark.parametrize(
    "params,dtype,gpus,memory,expected",
    [
        (7_000_000_000, "bfloat16", 8, 80, 1),  # 14 GB of weights: one H100
        (70_000_000_000, "bfloat16", 8, 80, 4),  # 140 GB ×1.25 / 72 GB usable → 3 → 4
        (200_000_000_000, "bfloat16", 8, 80, 8),  # VARCO-size target
        (32_000_000_000, "float32", 8, 141, 2),  # H200
    ],
)
def test_tensor_parallel_size_is_the_smallest_power_of_two_that_fits(params, dtype, gpus, memory, expected):
    assert tensor_parallel_size(parameter_count=params, dtype=dtype, gpus=gpus, gpu_memory_gib=memory) == expected


def test_a_model_larger_than_the_worker_is_refused_with_the_numbers():
    with pytest.raises(DoesNotFit, match="needs 32 GPUs; this worker has 8"):
        tensor_parallel_size(parameter_count=519_000_000_000, dtype="bfloat16", gpus=8, gpu_memory_gib=80)


def test_runs_go_to_gpu_workers_only_where_the_deployment_has_them(settings):
    assert placement().queue == "eval-cpu" and placement().backend == "hf"
    settings.EVAL_USE_GPU, settings.EVAL_GPU_BACKEND = True, "vllm"
    assert (placement().queue, placement().backend, placement().device) == ("eval-gpu", "vllm", "cuda")


def test_a_gpu_run_that_cannot_fit_fails_before_starting(people, team_a, folder, suite_version, settings):
    settings.EVAL_USE_GPU, settings.EVAL_HOST_GPUS, settings.EVAL_GPU_MEMORY_GIB = True, 1, 80
    checkpoint = checkpoint_validate(
        checkpoint_id=checkpoint_submit(actor=people["member_a"], team=team_a, name="v1", source="v1").pk
    )
    checkpoint.parameter_count = 519_000_000_000
    checkpoint.save()
    run = runs.run_request(actor=people["member_a"], checkpoint=checkpoint, suite_version=suite_version)
    assert (run.queue, run.backend, run.device) == ("eval-gpu", "vllm", "cuda")
    assert execute_shard(plan_one_shard(run).pk, worker_host="gpu-1") == "failed"
    run.refresh_from_db()
    assert run.status == RunStatus.FAILED and "does not fit" in run.error
