"""Tiny, real Hugging Face checkpoints for demos and tests, trained on CPU in seconds.

Each is a small Llama (about 130k parameters) with a byte-level BPE tokenizer,
trained for a fixed number of steps on the ko-smoke corpus (harness_tasks/ko_smoke/corpus.txt).
More steps give higher ko-smoke scores, so the five seeded teams get genuinely different results.
Deterministic: the same corpus, steps and seed give the same safetensors bytes.
"""

from __future__ import annotations

import math
import random
import re
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


# The chat demo: the same tiny model, trained on the corpus's questions as chat turns, with a
# tokenizer whose chat template has a thinking switch (like Qwen3 and EXAONE 4.0: with thinking
# off the template writes an empty reasoning block for the model). Its answers follow a short
# reasoning trace that ends with THINK_END, which the chat protocol removes before scoring.
DEMO_CHAT_PLAN: list[tuple[str, str, int, int]] = [("lg-ai-research", "smoke-llama-chat-s900", 900, 106)]
THINK_END = "</think>"
CHAT_MARKERS = ["<|system|>", "<|user|>", "<|assistant|>", "<|end|>", "<think>", THINK_END]
CHAT_TEMPLATE = (  # transformers renders with trim_blocks: no newline may follow a tag
    "{% for message in messages %}<|{{ message['role'] }}|>\n{{ message['content'] }}<|end|>\n{% endfor %}"
    "{% if add_generation_prompt %}<|assistant|>\n"
    "{% if enable_thinking is defined and not enable_thinking %}<think></think>\n{% endif %}{% endif %}"
)
# The ko-chat suite's system instruction (evaluation/suites/ko-chat.yaml): the demo model is
# tuned to it, as a team tunes its model to the instructions it will be used with.
CHAT_SYSTEM = "당신은 정확하게 답하는 한국어 도우미입니다. 답만 쓰세요."
CHAT_QUESTION = re.compile(
    r"^(?P<prompt>(?:질문|문제|Question): (?P<question>.+?) (?:답|정답|Answer):) (?P<answer>\S+)$"
)


def chat_lines(tokenizer, corpus_lines: list[str]) -> list[str]:
    """The corpus's question lines as chat exchanges (with the system instruction), half with a
    short reasoning trace (thinking on) and half without (thinking off); the other lines stay
    plain text."""
    lines = []
    for index, line in enumerate(corpus_lines):
        match = CHAT_QUESTION.match(line)
        if not match:
            lines.append(line)
            continue
        thinking = index % 2 == 0
        messages = [{"role": "system", "content": CHAT_SYSTEM}, {"role": "user", "content": match["prompt"]}]
        prompt = tokenizer.apply_chat_template(
            messages, tokenize=False, add_generation_prompt=True, enable_thinking=thinking
        )
        reasoning = f"<think>정답은 {match['answer']}{THINK_END}\n" if thinking else ""
        lines.append(f"{prompt}{reasoning}{match['answer']}<|end|>")
    return lines


def read_corpus(path: Path = CORPUS_PATH) -> list[str]:
    return [line for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def train_tokenizer(corpus_lines: list[str], vocab_size: int = VOCAB_SIZE, *, chat: bool = False):
    """Byte-level BPE; Hangul syllables and digits are split one by one, so numbers and
    numeral words stay compositional (a held-out "삼백십칠" is not one unseen token)."""
    from tokenizers import Regex, Tokenizer, decoders, models, pre_tokenizers, processors, trainers
    from transformers import PreTrainedTokenizerFast

    tokenizer = Tokenizer(models.BPE())
    tokenizer.pre_tokenizer = pre_tokenizers.Sequence(
        [
            pre_tokenizers.Split(Regex("[\uac00-\ud7a3]"), behavior="isolated"),
            pre_tokenizers.Digits(individual_digits=True),
            pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=True),
        ]
    )
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
        single=f"{BOS} $A",
        pair=f"{BOS} $A {BOS} $B",
        special_tokens=[(BOS, bos_id)],
    )
    fast = PreTrainedTokenizerFast(
        tokenizer_object=tokenizer,
        bos_token=BOS,
        eos_token=EOS,
        pad_token=PAD,
        model_max_length=512,
        clean_up_tokenization_spaces=False,
    )
    if chat:
        # Whole tokens, but not "special" ones: decoding skips special tokens, and the harness
        # must see the end-of-thinking marker in the text (as with Qwen3's and EXAONE's).
        fast.add_tokens(CHAT_MARKERS)
        fast.chat_template = CHAT_TEMPLATE
    return fast


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
    limit = MAX_TOKENS * 2 if tokenizer.chat_template else MAX_TOKENS  # chat turns are longer
    return [ids[: limit - 1] + [eos] for ids in tokenizer(corpus_lines)["input_ids"]]


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
            vocab_size=len(tokenizer),
            hidden_size=64,
            intermediate_size=192,
            num_hidden_layers=2,
            num_attention_heads=4,
            num_key_value_heads=4,
            max_position_embeddings=512,
            tie_word_embeddings=True,
            bos_token_id=tokenizer.bos_token_id,
            eos_token_id=tokenizer.eos_token_id,
            pad_token_id=tokenizer.pad_token_id,
        )
        model = LlamaForCausalLM(config)
        if steps:
            _train(
                model, torch, _encode(tokenizer, corpus_lines), steps=steps, seed=seed, pad_id=tokenizer.pad_token_id
            )
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


def make_demo_chat_checkpoints(root: Path, plan=None) -> list[tuple[str, Path]]:
    """The chat demo checkpoints (default DEMO_CHAT_PLAN), built like make_demo_checkpoints."""
    plan = DEMO_CHAT_PLAN if plan is None else plan
    built = []
    for team_slug, name, steps, seed in plan:
        folder = Path(root) / team_slug / name
        if not is_complete(folder):
            build_chat_checkpoint(folder, steps=steps, seed=seed)
        built.append((team_slug, folder))
    return built


def build_chat_checkpoint(target: Path, *, steps: int, seed: int) -> Path:
    """A tiny chat model: its own tokenizer (chat markers as single tokens, a chat template with
    a thinking switch), trained on the corpus's questions as chat turns."""
    corpus = read_corpus()
    tokenizer = train_tokenizer(corpus, chat=True)
    return build_checkpoint(
        target, tokenizer=tokenizer, corpus_lines=chat_lines(tokenizer, corpus), steps=steps, seed=seed
    )


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
