#!/usr/bin/env bash
# A GPU host's workers: one solo Celery worker per GPU slot (EVAL_HOST_GPUS, else every GPU CUDA sees),
# all on the eval-gpu queue. Each shard leases as many of the host's GPUs as its model needs
# (evaluation/gpu_slots.py), so eight 7B shards run at once and a 200B shard takes the whole host.
# The workers share the lock folder EVAL_GPU_LOCK_DIR; the script ends when any worker does.
set -euo pipefail
slots="${EVAL_HOST_GPUS:-0}"
if [ "$slots" = "0" ]; then
    slots="$(python -c 'import torch; print(torch.cuda.device_count())')"
fi
[ "$slots" -gt 0 ] || { echo "no GPU found: set EVAL_HOST_GPUS or run this on a GPU host" >&2; exit 1; }
export EVAL_HOST_GPUS="$slots"
pids=()
for slot in $(seq 1 "$slots"); do
    celery -A config worker -Q eval-gpu --pool solo --hostname "gpu${slot}@%h" --loglevel "${LOG_LEVEL:-INFO}" &
    pids+=("$!")
done
trap 'kill "${pids[@]}" 2>/dev/null' TERM INT
wait -n "${pids[@]}"
kill "${pids[@]}" 2>/dev/null || true
