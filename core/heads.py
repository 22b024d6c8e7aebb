"""What each attention head of a real model does, in numbers: entropy and where its attention goes.

For every layer and head of a model's attentions [L, h, n, n] (row i: query token i, column j: key
token j, each row a probability distribution), head_stats() measures

    entropy        mean over query rows i of  -sum_j p_ij log p_ij   (nats; 0 = all on one token)
    entropy_norm   the same divided by log n, so 0..1 and comparable across sentence lengths
                   (1 = every row uniform over all n tokens; 0 when n = 1)
    cls            mean over rows i of the weight on [CLS]-like positions (<s> for RoBERTa)
    sep            mean over rows i of the weight on [SEP]-like positions (</s>), summed when a
                   sentence pair has two or three of them
    self           mean over rows i of p_ii, the weight token i puts on itself
    prev           mean over rows i = 1..n-1 of p_i,i-1 (row 0 has no previous token)
    next           mean over rows i = 0..n-2 of p_i,i+1 (the last row has no next token)

Every query row counts, the special tokens' rows included, as in Clark et al. (2019), "What does
BERT look at?". The shares overlap (the [CLS] row's self weight is also weight on [CLS]); they are
not a partition of 1. With one token, prev and next are 0: there is no neighbour to attend to.

A head whose pattern is clear gets a label (see label_for): the pattern shares prev, next, self,
sep and cls need at least PATTERN_SHARE; the largest one wins. A head with no such pattern whose
normalized entropy is at least BROAD_ENTROPY is "broad". Anything else gets "".

Pure numpy, no torch: a page can compute this from core.models.Encoded.attentions.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

CLS_TOKENS = ("[CLS]", "<s>")   # BERT, DistilBERT, ALBERT, ELECTRA / RoBERTa, XLM-R, CamemBERT
SEP_TOKENS = ("[SEP]", "</s>")

PATTERN_SHARE = 0.5   # a head "attends to X" when on average at least half of each row goes to X
BROAD_ENTROPY = 0.85  # normalized entropy from which a head counts as spreading its attention

# label -> the statistic it is read from, in the order that breaks ties (positional patterns first)
PATTERNS = {
    "attends to previous token": "prev",
    "attends to next token": "next",
    "attends to itself": "self",
    "[SEP] sink": "sep",
    "[CLS] sink": "cls",
}
BROAD = "broad"

# the keys of table()'s rows, in display order
COLUMNS = ("layer", "head", "entropy", "entropy_norm", "cls", "sep", "self", "prev", "next", "label")


@dataclass(frozen=True)
class HeadStats:
    """One [L, h] array per statistic (see the module docstring); label holds strings ("" = none).
    Layers and heads are indexed from 0 here, as in Encoded.attentions[layer, head]."""

    entropy: np.ndarray
    entropy_norm: np.ndarray
    cls: np.ndarray
    sep: np.ndarray
    self: np.ndarray
    prev: np.ndarray
    next: np.ndarray
    label: np.ndarray
    n_tokens: int

    @property
    def shape(self) -> tuple[int, int]:
        return self.entropy.shape


def _check(attentions, tokens) -> np.ndarray:
    a = np.asarray(attentions, dtype=float)
    if a.ndim != 4 or a.shape[2] != a.shape[3]:
        raise ValueError(f"attentions must have shape [layers, heads, n, n]; got {a.shape}.")
    n = a.shape[-1]
    if len(tokens) != n:
        raise ValueError(f"{len(tokens)} tokens given for attention maps over {n} tokens: pass the tokens the "
                         "model was run on (Encoded.tokens).")
    if n == 0:
        raise ValueError("attentions over 0 tokens: run the model on some text first.")
    if not np.all(np.isfinite(a)) or a.min() < -1e-6 or not np.allclose(a.sum(axis=-1), 1.0, atol=1e-3):
        raise ValueError("each attention row must be a probability distribution (non-negative, summing to 1); "
                         "pass the softmax weights, not the scores.")
    return a


def label_for(entropy_norm: float, shares: dict[str, float]) -> str:
    """The label of one head from its normalized entropy and its shares {"prev": .., "next": .., ...}.

    1. Among the patterns of PATTERNS whose share is at least PATTERN_SHARE, the largest share wins
       (a tie goes to the one listed first: previous, next, self, [SEP], [CLS]).
    2. Otherwise "broad" when entropy_norm >= BROAD_ENTROPY.
    3. Otherwise "": no clear pattern."""
    passing = [(shares[stat], -rank, name) for rank, (name, stat) in enumerate(PATTERNS.items())
               if shares[stat] >= PATTERN_SHARE]
    if passing:
        return max(passing)[2]
    return BROAD if entropy_norm >= BROAD_ENTROPY else ""


def head_stats(attentions, tokens, *, cls_tokens=CLS_TOKENS, sep_tokens=SEP_TOKENS) -> HeadStats:
    # [L, h, n, n], n token strings -> HeadStats of [L, h] arrays
    """Entropy, the shares on [CLS], [SEP], self, previous and next token, and a label, per head.

    cls_tokens / sep_tokens name the token strings that count as [CLS] / [SEP]; for a tokenizer,
    pass (tokenizer.cls_token,) and (tokenizer.sep_token,)."""
    a = _check(attentions, tokens)
    L, h, n, _ = a.shape
    # p log p in float32 (4x faster than float64 on 72 maps of 128x128; ~1e-7 relative error, far below the
    # 3 decimals shown), summed in float64. p = 0 gives 0 * log(1e-30) = 0, as 0 log 0 = 0.
    p32 = a.astype(np.float32)
    plogp = p32 * np.log(np.maximum(p32, np.float32(1e-30)))  # [L, h, n, n]
    entropy = -plogp.sum(axis=-1, dtype=np.float64).mean(axis=-1)  # [L, h, n] -> [L, h]
    entropy_norm = entropy / np.log(n) if n > 1 else np.zeros_like(entropy)
    is_cls = np.array([t in cls_tokens for t in tokens])  # [n] booleans over key positions
    is_sep = np.array([t in sep_tokens for t in tokens])
    cls = a[..., is_cls].sum(axis=-1).mean(axis=-1)  # [L, h, n, n_cls] -> [L, h, n] -> [L, h]
    sep = a[..., is_sep].sum(axis=-1).mean(axis=-1)
    diag = np.diagonal(a, axis1=2, axis2=3)  # [L, h, n]: p_ii
    self_ = diag.mean(axis=-1)
    if n > 1:
        prev = np.diagonal(a, offset=-1, axis1=2, axis2=3).mean(axis=-1)  # [L, h, n-1]: p_i,i-1 for i >= 1
        next_ = np.diagonal(a, offset=1, axis1=2, axis2=3).mean(axis=-1)  # [L, h, n-1]: p_i,i+1 for i <= n-2
    else:
        prev = next_ = np.zeros((L, h))
    shares = {"cls": cls, "sep": sep, "self": self_, "prev": prev, "next": next_}
    label = np.array([[label_for(float(entropy_norm[i, j]), {k: float(v[i, j]) for k, v in shares.items()})
                       for j in range(h)] for i in range(L)], dtype=object).reshape(L, h)
    return HeadStats(entropy, entropy_norm, cls, sep, self_, prev, next_, label, n)


def table(stats: HeadStats, sort_by: str | None = None) -> list[dict]:
    """One row per head, keys COLUMNS; layer and head counted from 1 for display (pass layer - 1 and
    head - 1 to core.trace.trace_head). Rows come layer by layer, or sorted by the column sort_by:
    numbers largest first, labels alphabetically with unlabelled heads last; ties keep layer order."""
    if sort_by is not None and sort_by not in COLUMNS:
        raise ValueError(f"Cannot sort by {sort_by!r}: choose one of {', '.join(COLUMNS)}.")
    L, h = stats.shape
    rows = [{"layer": i + 1, "head": j + 1,
             **{c: float(getattr(stats, c)[i, j]) for c in COLUMNS[2:-1]},
             "label": str(stats.label[i, j])}
            for i in range(L) for j in range(h)]
    if sort_by == "label":
        rows.sort(key=lambda r: (r["label"] == "", r["label"]))
    elif sort_by in ("layer", "head"):
        rows.sort(key=lambda r: r[sort_by])
    elif sort_by is not None:
        rows.sort(key=lambda r: -r[sort_by])
    return rows
