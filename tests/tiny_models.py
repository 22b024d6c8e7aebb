"""Tiny BERT-family models for tests: built from a config, saved into a folder, loaded back through
core.models the same way as any local folder. Seeded, so two calls save the same weights.

The vocabulary is BERT-like: the five special tokens, a few whole words, word pieces (##s, ##ing) and a
[unused0] placeholder, so that tokenization, word-piece splitting and the 80/10/10 procedure's random
draw can all be exercised.
"""

from __future__ import annotations

from pathlib import Path

import torch
from transformers import BertConfig, BertForMaskedLM, BertTokenizer

SPECIAL = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]
WORDS = SPECIAL + ["[unused0]", "the", "cat", "sat", "on", "mat", "a", "dog", "lay", "rug", "big", "day", "is",
                   "was", "and", "it", "play", "##s", "##ing", ".", ","]


def save_tiny_bert(folder: Path, *, layers: int = 2, heads: int = 2, hidden: int = 32, max_positions: int = 64,
                   seed: int = 0, words: list[str] = WORDS) -> BertForMaskedLM:
    """A BertForMaskedLM (random weights, including its head: its numbers test mechanics, not language)
    and its WordPiece tokenizer, saved with save_pretrained into folder. Returns the model, in eval mode."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    torch.manual_seed(seed)
    config = BertConfig(vocab_size=len(words), hidden_size=hidden, num_hidden_layers=layers,
                        num_attention_heads=heads, intermediate_size=2 * hidden, max_position_embeddings=max_positions)
    model = BertForMaskedLM(config).eval()
    model.save_pretrained(folder)
    vocab = folder / "vocab.txt"
    vocab.write_text("\n".join(words) + "\n")
    BertTokenizer(vocab=str(vocab)).save_pretrained(folder)
    return model
