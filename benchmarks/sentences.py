"""Input sentences for the model benchmarks: the page's default sentence (13 tokens) and readable
texts of an exact token count for the bundled MiniLM's tokenizer (BERT's uncased WordPiece), each
variant different, so that a page that caches per sentence has to run the model again."""

from __future__ import annotations

import common  # noqa: F401  (puts the repository on sys.path, for core)

SHORT = "The cat sat on the mat because it was tired."  # page 3's default: 13 tokens with [CLS] and [SEP]

_POOL = [
    "The students gathered in the lecture hall early on a cold Monday morning.",
    "Their teacher wrote a short sentence on the board and asked what each word was looking at.",
    "Some of them guessed that the verb would care most about its subject.",
    "Others thought that every word would simply look at the word right before it.",
    "A transformer answers this question with attention weights, one row for every token.",
    "Each row is a probability distribution, so its numbers are positive and add up to one.",
    "Different heads learn different habits, and some of them are easy to name.",
    "One head follows the previous token, another one stares at the separator at the end.",
    "The class then typed a longer paragraph into the app to see what would change.",
    "With more tokens the heatmaps grew larger, but the patterns stayed surprisingly similar.",
    "By the end of the hour everyone could read a heatmap without any help from the teacher.",
    "They left the room arguing about whether attention really explains what a model does.",
]
_FILLER = ["and", "then", "the", "class", "went", "home", "again", "after", "that", "day"]  # one token each


def tokenizer():
    """The bundled model's tokenizer (no model, no network)."""
    from transformers import AutoTokenizer

    from core.models import DEFAULT_MODEL, _bundled_folder

    return AutoTokenizer.from_pretrained(str(_bundled_folder(DEFAULT_MODEL)), local_files_only=True)


def exact(n_tokens: int, variant: int = 0, tok=None) -> str:
    """A text whose tokenization is exactly n_tokens long, [CLS] and [SEP] included. Variant k starts
    at sentence k % 12 of the pool (and again after it runs out), from variant 12 on after "Take 2."
    (then "Take 3." ...), so variants differ from their first words.
    WordPiece splits on spaces first, so a text's token count is the sum of its words' counts."""
    tok = tok or tokenizer()
    budget = n_tokens - tok.num_special_tokens_to_add()
    words, used, i = [], 0, variant
    if variant >= len(_POOL):  # the pool's rotations are used up: number the text
        words = ["Take", str(variant // len(_POOL) + 1) + "."]
        used = sum(len(tok.tokenize(w)) for w in words)
    while used < budget:
        for word in _POOL[i % len(_POOL)].split():
            cost = len(tok.tokenize(word))
            if used + cost > budget:
                break
            words.append(word)
            used += cost
        else:
            i += 1
            continue
        break
    words += [_FILLER[j % len(_FILLER)] for j in range(budget - used)]
    text = " ".join(words)
    if len(tok(text)["input_ids"]) != n_tokens:  # a check, not an assumption
        raise AssertionError(f"variant {variant}: {len(tok(text)['input_ids'])} tokens, wanted {n_tokens}")
    return text
