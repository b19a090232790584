"""Real small models for the originality proofs, made locally on CPU (torch + transformers).

A: a reference, pre-trained on the ko-smoke corpus. B: A fine-tuned on different (English)
text. C: the same architecture, initialised and trained independently. D: C with A's
embedding table copied in; D2: C with A's second block copied in. E: A with its vocabulary
extended by new rows and trained a little. Inits: untrained models from other seeds.
"""

from __future__ import annotations

import random
from pathlib import Path

from evaluation.demo_checkpoints import (
    _deterministic_torch,
    _encode,
    _quiet_progress_bars,
    read_corpus,
    train_tokenizer,
)

PRETRAIN_STEPS = 100
PRETRAIN_LR = 6e-3
FINETUNE_STEPS = 300
FINETUNE_LR = 3e-4  # fine-tuning rates sit well below pre-training ones
EXTRA_TOKENS = 64


ENGLISH = """The harbour was quiet before the boats came back with the morning catch.
A small library on the hill keeps maps of every road that once crossed the valley.
She measured the rainfall each evening and wrote the numbers in a green notebook.
Trains leave the northern station every twenty minutes on weekdays.
The recipe asks for two cups of flour, a pinch of salt and warm water.
Old bridges are inspected twice a year for cracks and loose stones.
He repaired the clock by replacing a worn gear with one cut by hand.
Bees visit the orchard in spring, when the apple trees are in flower.
The committee agreed to publish its findings before the end of the month.
Children learned to count by sorting shells into baskets on the beach.
A lighthouse keeper once lived on the island with three goats and a cat.
The museum opens late on Fridays and offers free tours in the evening.
Wind turbines along the ridge turn slowly even on calm summer days.
Please return borrowed tools to the shelf by the door when you leave.
The river froze early that winter, and skaters crowded onto the ice.
Farmers test the soil before planting to decide how much water it needs.
A careful reader checks each footnote against the original source.
The choir practised the same song until every voice found its place.
Snow closed the mountain pass, so the letters arrived a week late.
The garden path is lined with stones collected from the old quarry."""


def english_lines() -> list[str]:
    """Text the reference never saw."""
    return ENGLISH.splitlines()


def config_for(tokenizer, vocab_size: int | None = None):
    from transformers import LlamaConfig

    return LlamaConfig(
        vocab_size=vocab_size or len(tokenizer),
        hidden_size=64,
        intermediate_size=192,
        num_hidden_layers=2,
        num_attention_heads=4,
        num_key_value_heads=4,
        max_position_embeddings=128,
        tie_word_embeddings=True,
        bos_token_id=tokenizer.bos_token_id,
        eos_token_id=tokenizer.eos_token_id,
        pad_token_id=tokenizer.pad_token_id,
    )


def new_model(tokenizer, seed: int):
    from transformers import LlamaForCausalLM

    with _deterministic_torch() as torch:
        torch.manual_seed(seed)
        return LlamaForCausalLM(config_for(tokenizer))


def train(model, sequences: list[list[int]], *, steps: int, lr: float, seed: int, pad_id: int):
    with _deterministic_torch() as torch:
        torch.manual_seed(seed)
        rng = random.Random(seed)
        optimiser = torch.optim.AdamW(model.parameters(), lr=lr, weight_decay=0.01)
        model.train()
        for _ in range(steps):
            batch = [sequences[rng.randrange(len(sequences))] for _ in range(8)]
            width = max(len(s) for s in batch)
            ids = torch.full((len(batch), width), pad_id, dtype=torch.long)
            mask = torch.zeros((len(batch), width), dtype=torch.long)
            for row, seq in enumerate(batch):
                ids[row, : len(seq)] = torch.tensor(seq)
                mask[row, : len(seq)] = 1
            loss = model(input_ids=ids, attention_mask=mask, labels=ids.masked_fill(mask == 0, -100)).loss
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            optimiser.step()
            optimiser.zero_grad(set_to_none=True)
        model.eval()
    return model


def save(model, tokenizer, folder: Path, **kwargs) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    tokenizer.save_pretrained(folder)
    with _quiet_progress_bars():
        model.save_pretrained(folder, **kwargs)
    return folder


def clone(model):
    import copy

    return copy.deepcopy(model)


def build_family(root: Path, *, n_inits: int = 20) -> dict[str, Path | list[Path]]:
    """Every model of the proofs, saved as HF-format folders under root."""
    import torch

    corpus = read_corpus()
    tokenizer = train_tokenizer(corpus)
    pad = tokenizer.pad_token_id
    korean, english = _encode(tokenizer, corpus), _encode(tokenizer, english_lines())
    out: dict[str, Path | list[Path]] = {}

    a = train(new_model(tokenizer, seed=1), korean, steps=PRETRAIN_STEPS, lr=PRETRAIN_LR, seed=1, pad_id=pad)
    out["A"] = save(a, tokenizer, root / "A")
    b = train(clone(a), english, steps=FINETUNE_STEPS, lr=FINETUNE_LR, seed=2, pad_id=pad)
    out["B"] = save(b, tokenizer, root / "B")
    c = train(new_model(tokenizer, seed=3), korean, steps=PRETRAIN_STEPS, lr=PRETRAIN_LR, seed=3, pad_id=pad)
    out["C"] = save(c, tokenizer, root / "C")
    # Sharded like large checkpoints (model.safetensors.index.json), to read both layouts.
    out["C_sharded"] = save(c, tokenizer, root / "C_sharded", max_shard_size="100KB")

    d = clone(c)
    with torch.no_grad():
        d.model.embed_tokens.weight.copy_(a.model.embed_tokens.weight)
    out["D"] = save(d, tokenizer, root / "D")
    d2 = clone(c)
    d2.model.layers[1].load_state_dict(a.model.layers[1].state_dict())
    out["D2"] = save(d2, tokenizer, root / "D2")

    e = clone(a)
    e.resize_token_embeddings(len(tokenizer) + EXTRA_TOKENS)
    e = train(e, korean, steps=50, lr=FINETUNE_LR, seed=4, pad_id=pad)
    out["E"] = save(e, tokenizer, root / "E")

    out["inits"] = [save(new_model(tokenizer, seed=100 + i), tokenizer, root / f"init-{i:02d}") for i in range(n_inits)]
    return out
