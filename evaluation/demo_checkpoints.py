"""Tiny, real Hugging Face checkpoints for demos and tests, trained on CPU in seconds.

Each is a small Llama (about 130k parameters) with a byte-level BPE tokenizer,
trained for a fixed number of steps on the ko-smoke corpus (harness_tasks/ko_smoke/corpus.txt).
More steps give higher ko-smoke scores, so the five seeded teams get genuinely different results.
Deterministic: the same corpus, steps and seed give the same safetensors bytes.
"""
from __future__ import annotations

import math
import random
import shutil
import tempfile
from contextlib import contextmanager
from pathlib import Path

TASK_PACK_DIR = Path(__file__).resolve().parent / "harness_tasks" / "ko_smoke"
CORPUS_PATH = TASK_PACK_DIR / "corpus.txt"

BOS, EOS, PAD = "<s>", "</s>", "<pad>"
VOCAB_SIZE = 1500  # a cap: with syllables and digits split, this corpus stops near 410 tokens
MAX_TOKENS = 64
BATCH_SIZE = 16
LEARNING_RATE = 6e-3
WARMUP_STEPS = 20

# A checkpoint folder is complete once these exist (the weights are written last, then the
# folder is moved into place in one rename).
REQUIRED_FILES = ("config.json", "model.safetensors", "tokenizer.json", "tokenizer_config.json")

# The target model the demo checkpoints declare; the demo stage enters illustrative scores for it.
DEMO_TARGET_MODEL = "Demo frontier reference"

# (team slug, checkpoint name, optimiser steps, seed). Step counts are spread so that the
# teams' ko-smoke scores differ; 0 steps is the untrained (randomly initialised) model.
DEMO_PLAN: list[tuple[str, str, int, int]] = [
    ("lg-ai-research", "smoke-llama-s900", 900, 101),
    ("upstage", "smoke-llama-s500", 500, 102),
    ("naver-cloud", "smoke-llama-s250", 250, 103),
    ("sk-telecom", "smoke-llama-s100", 100, 104),
    ("nc-ai", "smoke-llama-s0", 0, 105),
]


def read_corpus(path: Path = CORPUS_PATH) -> list[str]:
    return [line for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def train_tokenizer(corpus_lines: list[str], vocab_size: int = VOCAB_SIZE):
    """Byte-level BPE; Hangul syllables and digits are split one by one, so numbers and
    numeral words stay compositional (a held-out "삼백십칠" is not one unseen token)."""
    from tokenizers import Regex, Tokenizer, decoders, models, pre_tokenizers, processors, trainers
    from transformers import PreTrainedTokenizerFast

    tokenizer = Tokenizer(models.BPE())
    tokenizer.pre_tokenizer = pre_tokenizers.Sequence([
        pre_tokenizers.Split(Regex("[\uac00-\ud7a3]"), behavior="isolated"),
        pre_tokenizers.Digits(individual_digits=True),
        pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=True),
    ])
    tokenizer.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(
        vocab_size=vocab_size,
        special_tokens=[PAD, BOS, EOS],
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
        show_progress=False,
    )
    tokenizer.train_from_iterator(corpus_lines, trainer=trainer)
    bos_id = tokenizer.token_to_id(BOS)
    tokenizer.post_processor = processors.TemplateProcessing(
        single=f"{BOS} $A", pair=f"{BOS} $A {BOS} $B", special_tokens=[(BOS, bos_id)],
    )
    return PreTrainedTokenizerFast(
        tokenizer_object=tokenizer, bos_token=BOS, eos_token=EOS, pad_token=PAD,
        model_max_length=512, clean_up_tokenization_spaces=False,
    )


@contextmanager
def _deterministic_torch(threads: int = 1):
    import torch

    previous_threads = torch.get_num_threads()
    previous_deterministic = torch.are_deterministic_algorithms_enabled()
    torch.set_num_threads(threads)
    torch.use_deterministic_algorithms(True)
    try:
        yield torch
    finally:
        torch.use_deterministic_algorithms(previous_deterministic)
        torch.set_num_threads(previous_threads)


@contextmanager
def _quiet_progress_bars():
    from transformers.utils import logging as hf_logging

    was_enabled = hf_logging.is_progress_bar_enabled()
    hf_logging.disable_progress_bar()
    try:
        yield
    finally:
        if was_enabled:
            hf_logging.enable_progress_bar()


def _encode(tokenizer, corpus_lines: list[str]) -> list[list[int]]:
    eos = tokenizer.eos_token_id
    return [ids[: MAX_TOKENS - 1] + [eos] for ids in tokenizer(corpus_lines)["input_ids"]]


def build_checkpoint(target: Path, *, tokenizer, corpus_lines: list[str], steps: int, seed: int) -> Path:
    """Train a tiny Llama for `steps` AdamW steps on `corpus_lines` and save it into `target`.

    The folder is written next to `target` and renamed into place, so a crash never leaves
    a folder that looks complete.
    """
    from transformers import LlamaConfig, LlamaForCausalLM

    target = Path(target)
    with _deterministic_torch() as torch:
        torch.manual_seed(seed)
        config = LlamaConfig(
            vocab_size=len(tokenizer), hidden_size=64, intermediate_size=192,
            num_hidden_layers=2, num_attention_heads=4, num_key_value_heads=4,
            max_position_embeddings=512, tie_word_embeddings=True,
            bos_token_id=tokenizer.bos_token_id, eos_token_id=tokenizer.eos_token_id,
            pad_token_id=tokenizer.pad_token_id,
        )
        model = LlamaForCausalLM(config)
        if steps:
            _train(model, torch, _encode(tokenizer, corpus_lines), steps=steps, seed=seed,
                   pad_id=tokenizer.pad_token_id)
        model.eval()

        target.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f".{target.name}-", dir=target.parent))
        try:
            tokenizer.save_pretrained(staging)
            with _quiet_progress_bars():
                model.save_pretrained(staging)  # safetensors (the only format transformers 5 writes)
            # mkdtemp makes the folder 0700 and safetensors writes 0600: an evaluation worker
            # running as another user must be able to read the checkpoint.
            staging.chmod(0o755)
            for path in staging.iterdir():
                path.chmod(0o644)
            if target.exists():
                shutil.rmtree(target)
            staging.rename(target)
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise
    return target


def _train(model, torch, sequences: list[list[int]], *, steps: int, seed: int, pad_id: int) -> None:
    rng = random.Random(seed)
    optimiser = torch.optim.AdamW(model.parameters(), lr=LEARNING_RATE, weight_decay=0.01)

    def lr_factor(step: int) -> float:  # linear warm-up, then cosine decay to 10%
        if step < WARMUP_STEPS:
            return (step + 1) / WARMUP_STEPS
        progress = (step - WARMUP_STEPS) / max(1, steps - WARMUP_STEPS)
        return 0.1 + 0.9 * 0.5 * (1 + math.cos(math.pi * progress))

    schedule = torch.optim.lr_scheduler.LambdaLR(optimiser, lr_factor)
    model.train()
    for _ in range(steps):
        batch = [sequences[i] for i in rng.sample(range(len(sequences)), BATCH_SIZE)]
        width = max(len(s) for s in batch)
        input_ids = torch.full((len(batch), width), pad_id, dtype=torch.long)
        attention = torch.zeros((len(batch), width), dtype=torch.long)
        for row, seq in enumerate(batch):
            input_ids[row, : len(seq)] = torch.tensor(seq)
            attention[row, : len(seq)] = 1
        labels = input_ids.masked_fill(attention == 0, -100)
        loss = model(input_ids=input_ids, attention_mask=attention, labels=labels).loss
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        optimiser.step()
        schedule.step()
        optimiser.zero_grad(set_to_none=True)


def is_complete(folder: Path) -> bool:
    return all((folder / name).is_file() for name in REQUIRED_FILES)


def make_demo_checkpoints(root: Path, plan=None) -> list[tuple[str, Path]]:
    """Build every checkpoint of `plan` (default DEMO_PLAN) into root/<team>/<name>/.

    Complete folders are kept as they are, so a second call only checks files. Returns
    (team slug, folder) pairs in plan order.
    """
    plan = DEMO_PLAN if plan is None else plan
    root = Path(root)
    built: list[tuple[str, Path]] = []
    tokenizer = corpus = None
    for team_slug, name, steps, seed in plan:
        folder = root / team_slug / name
        if not is_complete(folder):
            if tokenizer is None:
                corpus = read_corpus()
                tokenizer = train_tokenizer(corpus)
            build_checkpoint(folder, tokenizer=tokenizer, corpus_lines=corpus, steps=steps, seed=seed)
        built.append((team_slug, folder))
    return built
