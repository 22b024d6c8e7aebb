"""The matrices of pages 3, 4 and 5 as core.steps Panels and Steps, so they export (core/export.py) like
the walk-throughs of pages 1 and 2: a real model's head, the [MASK] probabilities and the heads that
look at a mask, a sentence's last hidden state, its pooled vectors and a cosine-similarity matrix.
Nothing here computes: it only names results of core.mlm, core.embeddings and core.trace.
This module never imports streamlit or torch.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from core.examples import distinct_labels
from core.steps import Panel, Step, attention_steps, feature_labels

POOLING_ROWS = ("CLS", "mean", "max")


def head_panel(weights: np.ndarray, tokens: Sequence[str], layer: int, head: int) -> Panel:
    """One head's attention weights [n, n] (layer and head counted from 1, as the page shows them)."""
    labels = tuple(distinct_labels(tokens))
    return Panel(f"layer {layer}, head {head}", np.asarray(weights), labels, labels)


def real_model_steps(weights: np.ndarray, tokens: Sequence[str], layer: int, head: int, trace=None) -> list[Step]:
    """Page 3: the chosen head, then (when `trace`, a core.trace result, is on screen) its recomputation
    step by step as on page 1."""
    n = len(tokens)
    steps = [Step("head", f"Layer {layer}, head {head}",
                  r"A = \mathrm{softmax}_{\text{row}}\left(\frac{Q K^\top}{\sqrt{d_k}}\right)", f"({n}×{n})",
                  "Row i: how much token i attends to each token, as the model reports it; each row sums to 1.",
                  (head_panel(weights, tokens, layer, head),))]
    if trace is not None:
        steps += attention_steps(trace.attention, distinct_labels(tokens), x=trace.x, head=str(head))
    return steps


def probabilities_panel(labels: Sequence[str], values, caption: str, column: str = "probability") -> Panel:
    """A column of numbers with a label per row: a mask's top-k predictions, or heads and their shares."""
    return Panel(caption, np.asarray(values, dtype=float).reshape(-1, 1), tuple(distinct_labels(labels)), (column,))


def mask_panel(mask) -> Panel:
    """The top-k predictions of one [MASK] (a core.mlm.MaskPrediction), most probable first."""
    return probabilities_panel(mask.top_tokens, mask.top_probs, f"mask {mask.number} (token {mask.index})")


def heads_panel(heads, mask_number: int) -> Panel:
    """Heads ranked by the attention they pay to a mask (core.mlm.heads_on_mask)."""
    return probabilities_panel([f"layer {h.layer + 1}, head {h.head + 1}" for h in heads], [h.share for h in heads],
                               f"mean attention to mask {mask_number}", column="mean attention")


def mlm_steps(masks, heads=None, mask_number: int = 1) -> list[Step]:
    """Page 4: one step per [MASK] with its top-k predictions, then the heads that look at one mask."""
    steps = [Step(f"mask{m.number}", f"Predictions for mask {m.number}",
                  r"\hat p = \mathrm{softmax}\left(h_{\text{mask}} W_{\text{vocab}} + b\right)",
                  f"top {len(m.top_tokens)} of the vocabulary",
                  "The model's probability for each word piece at this mask, most probable first.",
                  (mask_panel(m),)) for m in masks]
    if heads:
        steps.append(Step("heads", f"Heads that look at mask {mask_number}",
                          r"s_{l,h} = \frac{1}{n-1} \sum_{i \ne m} A^{(l,h)}_{i,m}",
                          f"top {len(heads)} heads",
                          "For each layer and head, the attention the other tokens pay to the mask, averaged over "
                          "their rows.", (heads_panel(heads, mask_number),)))
    return steps


def hidden_state_panel(last_hidden_state: np.ndarray, tokens: Sequence[str]) -> Panel:
    """The last hidden state [n, d]: every token and every dimension (the page draws a corner of it)."""
    h = np.asarray(last_hidden_state)
    return Panel("last hidden state", h, tuple(distinct_labels(tokens)), feature_labels(h.shape[1]))


def pooled_panel(pooled) -> Panel:
    """The three pooled vectors (a core.embeddings.Pooled) as rows CLS, mean, max, all d dimensions."""
    m = np.stack([pooled.cls, pooled.mean, pooled.max])  # 3 x [d] -> [3, d]
    return Panel("pooled vectors", m, POOLING_ROWS, feature_labels(m.shape[1]))


def cosine_panel(cosine: np.ndarray, pooling: str) -> Panel:
    """The cosine similarity of m sentences [m, m]; sentence i is labelled i, as on the page."""
    labels = tuple(str(i) for i in range(1, np.shape(cosine)[0] + 1))
    return Panel(f"cosine similarity, {pooling} pooling", np.asarray(cosine), labels, labels)


def hidden_state_steps(last_hidden_state: np.ndarray, tokens: Sequence[str], pooled) -> list[Step]:
    """Page 5, sections 1 and 2: the last hidden state and its three poolings."""
    n, d = np.shape(last_hidden_state)
    return [Step("hidden", "The last hidden state", r"H \in \mathbb{R}^{n \times d}", f"({n}×{d})",
                 "Row i is token i after every layer of the encoder.",
                 (hidden_state_panel(last_hidden_state, tokens),)),
            Step("pooling", "Pooling", r"u_{\mathrm{CLS}} = h_0,\quad u_{\mathrm{mean}} = \frac{\sum_i m_i h_i}"
                 r"{\sum_i m_i},\quad (u_{\max})_k = \max_{i:\, m_i = 1} h_{ik}", f"({n}×{d}) → 3 × ({d})",
                 "Each pooling turns the token vectors into one sentence vector of d numbers.",
                 (pooled_panel(pooled),))]


def cosine_step(cosine: np.ndarray, pooling: str, sentences: Sequence[str]) -> Step:
    """Page 5, section 3: the cosine-similarity matrix; its meaning lists the sentences by number."""
    m = np.shape(cosine)[0]
    listing = "; ".join(f"{i}: {s}" for i, s in enumerate(sentences, start=1))
    return Step("cosine", "Cosine similarity between sentences",
                r"\cos(u_i, u_j) = \frac{u_i \cdot u_j}{\lVert u_i \rVert\, \lVert u_j \rVert}", f"({m}×{m})",
                f"Cell (i, j) compares sentence i with sentence j. Sentences: {listing}.",
                (cosine_panel(cosine, pooling),))
