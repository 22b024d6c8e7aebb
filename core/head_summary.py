"""What a heatmap of attention shows, said in words: the text beside page 3's heatmaps.

For one head's weights A [n, n] (row i: query token i; column j: key token j; each row sums to 1):

    strongest      the largest weight A[i, j]: token i attends most to token j (the first such
                   cell in row-major order when several are equal)
    most_attended  the key column j with the largest column mean (1/n) sum_i A[i, j]: the token
                   that the head's queries look at most on average, and that mean

For the heads of one layer [h, n, n], focus() orders the heads by their normalized entropy
(core.heads' entropy_norm: 0 = every row on one token, 1 = every row uniform), most focused first.

Rows and columns are counted from 0, as in the page's token table. The sentences are plain text:
a page shows them through app.plain, since tokens come from what someone typed.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from core.heads import head_stats


@dataclass(frozen=True)
class HeadSummary:
    """One head: the strongest cell (row, col, weight) and the most attended column (col, mean)."""

    row: int
    col: int
    weight: float
    attended: int
    attended_mean: float


def summarize(weights) -> HeadSummary:
    # [n, n] -> HeadSummary
    """The strongest weight and the most attended key token of one head."""
    a = np.asarray(weights, dtype=np.float64)
    if a.ndim != 2 or a.shape[0] == 0 or a.shape[1] == 0:
        raise ValueError(f"one head's weights must be a non-empty [n, n] matrix; got shape {a.shape}.")
    i, j = np.unravel_index(int(np.argmax(a)), a.shape)  # argmax: the first maximum in row-major order
    means = a.mean(axis=0)  # [n, n] -> [n]: column means
    k = int(np.argmax(means))
    return HeadSummary(int(i), int(j), float(a[i, j]), k, float(means[k]))


def _quoted(tokens, i: int) -> str:
    return f"'{tokens[i]}' ({i})"


def head_sentence(weights, tokens) -> str:
    """One sentence about one head: its strongest weight and the token it attends to most on average."""
    s = summarize(weights)
    return (f"Token {_quoted(tokens, s.row)} attends most to {_quoted(tokens, s.col)}, {s.weight:.3f}, the strongest "
            f"weight of this head; on average the tokens attend most to {_quoted(tokens, s.attended)}, "
            f"{s.attended_mean:.3f} of each row.")


@dataclass(frozen=True)
class LayerFocus:
    """The heads of one layer, counted from 1: normalized entropy [h] and labels [h] (core.heads),
    and `order`, the heads sorted from most focused (lowest entropy) to most spread out (ties: lower head first)."""

    entropy_norm: np.ndarray
    label: np.ndarray
    order: tuple[int, ...]


def focus(layer_weights, tokens) -> LayerFocus:
    # [h, n, n], n tokens -> LayerFocus
    """Each head's normalized entropy and label, and the heads from most focused to most spread out."""
    stats = head_stats(np.asarray(layer_weights)[None], tokens)  # [1, h, n, n] -> [1, h] per statistic
    ent = np.maximum(stats.entropy_norm[0], 0.0)  # -0.0 for a one-hot head would print as '-0.00'
    order = tuple(int(h) + 1 for h in np.argsort(ent, kind="stable"))
    return LayerFocus(ent, stats.label[0], order)


def layer_sentence(layer_weights, tokens, layer: int, k: int = 3) -> str:
    """One sentence about a layer's heads: the k most focused and the most spread out."""
    f = focus(layer_weights, tokens)
    ent = lambda h: f"head {h} ({f.entropy_norm[h - 1]:.2f})"  # noqa: E731
    top = ", ".join(ent(h) for h in f.order[:k])
    return (f"Most focused heads of layer {layer} (lowest normalized entropy; 0: each token attends to one token, "
            f"1: to all alike): {top}. Most spread out: {ent(f.order[-1])}.")


def layer_rows(layer_weights, tokens) -> list[dict]:
    """One row per head of a layer, most focused first: head (from 1), entropy_norm, label, and the
    key token the head attends to most on average with that mean."""
    a = np.asarray(layer_weights, dtype=np.float64)
    f = focus(a, tokens)
    rows = []
    for h in f.order:
        s = summarize(a[h - 1])
        rows.append({"head": h, "entropy_norm": float(f.entropy_norm[h - 1]), "label": str(f.label[h - 1]),
                     "most attended token": f"{s.attended}: {tokens[s.attended]}", "mean weight": s.attended_mean})
    return rows
