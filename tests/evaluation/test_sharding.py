"""Cutting a run into shards and putting the shards' metrics back together (pure), and GPU slots."""

import threading

import pytest

from evaluation import gpu_slots
from evaluation.gpu import kv_cache_bytes, tensor_parallel_size
from evaluation.sharding import merge_raw_metrics, plan, raw_metrics_from_samples, samples_argument


def _task(name, *subtasks):
    return {"task": name, "subtasks": [{"name": n, "documents": d, "splittable": s} for n, d, s in subtasks]}


def test_small_subtasks_are_packed_and_a_large_one_is_cut_into_ranges():
    shards = plan(
        [
            _task("kmmlu", ("law", 30, True), ("math", 40, True), ("biology", 250, True)),
            _task("gsm8k", ("gsm8k", 90, True)),
        ],
        shard_documents=100,
    )
    assert [
        (s["task"], [(p["subtask"], p["start"], p["end"]) for p in s["pieces"]], s["documents"]) for s in shards
    ] == [
        ("kmmlu", [("law", None, None), ("math", None, None)], 70),
        ("kmmlu", [("biology", 0, 100)], 100),
        ("kmmlu", [("biology", 100, 200)], 100),
        ("kmmlu", [("biology", 200, 250)], 50),
        ("gsm8k", [("gsm8k", None, None)], 90),  # a shard never mixes two suite tasks (two protocols)
    ]
    assert samples_argument(shards[2]["pieces"]) == {"biology": list(range(100, 200))}
    assert samples_argument(shards[0]["pieces"]) is None  # whole subtasks: the harness takes every document


def test_a_subtask_whose_prompts_depend_on_earlier_documents_stays_whole():
    """Few-shot examples drawn at random, in document order: a range would draw other examples."""
    shards = plan([_task("mmlu_pro", ("law", 500, False))], shard_documents=100)
    assert [s["pieces"] for s in shards] == [[{"subtask": "law", "start": None, "end": None}]]


def test_every_document_is_in_exactly_one_shard():
    tasks = [_task("t", *[(f"s{i}", n, i % 2 == 0) for i, n in enumerate([1, 99, 100, 101, 250, 7])])]
    covered = {}
    for shard in plan(tasks, shard_documents=50):
        for piece in shard["pieces"]:
            count = next(s["documents"] for s in tasks[0]["subtasks"] if s["name"] == piece["subtask"])
            docs = range(count) if piece["start"] is None else range(piece["start"], piece["end"])
            for doc in docs:
                assert (piece["subtask"], doc) not in covered
                covered[(piece["subtask"], doc)] = True
    assert len(covered) == 1 + 99 + 100 + 101 + 250 + 7


def test_the_merge_puts_each_subtasks_values_back_in_document_order():
    later = {"pieces": [{"subtask": "a", "start": 2, "end": 4}], "raw_metrics": {"a": {"acc,none": [0.0, 1.0]}}}
    first = {
        "pieces": [{"subtask": "a", "start": 0, "end": 2}, {"subtask": "b", "start": None, "end": None}],
        "raw_metrics": {"a": {"acc,none": [1.0, 1.0]}, "b": {"f1,none": [[1, 0]]}},
    }
    assert merge_raw_metrics([later, first]) == {"a": {"acc,none": [1.0, 1.0, 0.0, 1.0]}, "b": {"f1,none": [[1, 0]]}}


def test_per_document_values_come_from_the_logged_samples_of_each_filter():
    samples = {
        "gsm8k": [
            {"doc_id": 0, "filter": "strict-match", "metrics": ["exact_match"], "exact_match": 1.0},
            {"doc_id": 1, "filter": "strict-match", "metrics": ["exact_match"], "exact_match": 0.0},
            {"doc_id": 0, "filter": "flexible-extract", "metrics": ["exact_match"], "exact_match": 1.0},
            {"doc_id": 1, "filter": "flexible-extract", "metrics": ["exact_match"], "exact_match": 1.0},
        ]
    }
    assert raw_metrics_from_samples(samples) == {
        "gsm8k": {"exact_match,strict-match": [1.0, 0.0], "exact_match,flexible-extract": [1.0, 1.0]}
    }


def test_the_kv_cache_of_a_long_context_can_need_another_gpu(tmp_path):
    (tmp_path / "config.json").write_text(
        '{"num_hidden_layers": 80, "num_attention_heads": 64, "num_key_value_heads": 8, "hidden_size": 8192}'
    )
    kv = kv_cache_bytes(tmp_path, dtype="bfloat16", tokens=131072)
    assert kv == 2 * 80 * 8 * 128 * 2 * 131072  # 40 GiB for one 128k-token sequence of a 70B model
    short = tensor_parallel_size(parameter_count=30_000_000_000, dtype="bfloat16", gpus=8, gpu_memory_gib=80)
    long = tensor_parallel_size(
        parameter_count=30_000_000_000, dtype="bfloat16", gpus=8, gpu_memory_gib=80, kv_cache=kv
    )
    assert (short, long) == (1, 2)
    assert kv_cache_bytes(tmp_path / "missing", dtype="bfloat16", tokens=8192) == 0


def _never_wait():
    raise AssertionError("should not have waited")


def test_eight_one_gpu_shards_run_at_once_and_a_whole_host_shard_waits_for_all(tmp_path):
    leases = [gpu_slots.lease(1, wait=_never_wait, total=8, lock_dir=tmp_path) for _ in range(8)]
    assert sorted(gpu for lease in leases for gpu in lease.ids) == list(range(8))
    waited, big = [], []

    def release_one_by_one():
        waited.append(1)
        if leases:
            leases.pop().release()

    big.append(gpu_slots.lease(8, wait=release_one_by_one, total=8, lock_dir=tmp_path))
    assert big[0].ids == list(range(8)) and len(waited) == 8
    assert big[0].visible_devices == "0,1,2,3,4,5,6,7"
    with pytest.raises(ValueError):
        gpu_slots.lease(9, wait=_never_wait, total=8, lock_dir=tmp_path)
    big[0].release()


def test_two_shards_never_hold_half_a_host_each(tmp_path):
    """A lease is all or nothing: two 4-GPU shards on a 6-GPU host run one after the other."""
    first = gpu_slots.lease(4, wait=_never_wait, total=6, lock_dir=tmp_path)
    started = threading.Event()
    got = []

    def second():
        got.append(gpu_slots.lease(4, wait=started.set, total=6, lock_dir=tmp_path))

    thread = threading.Thread(target=second)
    thread.start()
    assert started.wait(5) and not got  # it waits, holding nothing
    # (the waiting shard tries the free GPUs now and then, and lets them go at once)
    assert gpu_slots.lease(2, wait=lambda: None, total=6, lock_dir=tmp_path).ids == [4, 5]
    first.release()
    thread.join(10)
    assert len(got[0].ids) == 4
