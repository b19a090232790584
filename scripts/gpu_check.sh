#!/usr/bin/env bash
# Prove the GPU path on a machine with an NVIDIA GPU: the demo checkpoint's ko-smoke run on vLLM and on
# hf/CUDA, both metrics and wall times printed, exit 1 beyond the tolerance (scripts/gpu_check.py).
# `scripts/gpu_check.sh --cpu` checks the script itself on a machine without a GPU (hf on CPU only).
set -euo pipefail
cd "$(dirname "$0")/.."
[ -x .venv/bin/python ] || make install
if [ "${1:-}" != "--cpu" ]; then
    nvidia-smi --query-gpu=name,memory.total --format=csv,noheader
    .venv/bin/python -c "import vllm" 2>/dev/null || .venv/bin/pip install -q -c constraints.txt -e ".[gpu]"
fi
export HF_HUB_OFFLINE=1 HF_DATASETS_OFFLINE=1 TOKENIZERS_PARALLELISM=false
DATABASE_URL="${DATABASE_URL:-sqlite:////tmp/gpu-check.sqlite3}" exec .venv/bin/python scripts/gpu_check.py "$@"
