"""The walk-throughs as data: each step's formula, shapes, numbers and one sentence of meaning.

Pages render these (app/steps.py); the exercise bank reuses them as worked solutions. Nothing here
computes attention: it only describes results of core.attention.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from core.attention import Attention, EncoderBlock, shape, strongest_key


@dataclass(frozen=True)
class Panel:
    """One matrix to show: rows are tokens; columns are tokens (an n×n map) or features."""

    caption: str
    matrix: np.ndarray
    row_labels: tuple[str, ...]
    col_labels: tuple[str, ...]


@dataclass(frozen=True)
class Step:
    key: str
    title: str
    latex: str
    shapes: str
    meaning: str
    panels: tuple[Panel, ...]


def feature_labels(n: int, prefix: str = "d") -> tuple[str, ...]:
    return tuple(f"{prefix}{j + 1}" for j in range(n))


def _fmt(p: float) -> str:
    """A probability with 4 significant decimals; values that round to 0 or 1 say so with ≈."""
    text = f"{p:.4f}"
    if text in ("1.0000", "0.0000") and p not in (0.0, 1.0):
        return "≈ " + text
    return text


def attention_summary(weights: np.ndarray, labels, query: int) -> str:
    """'token 2 attends most to token 2, with probability 1 (the others share 3.5e-153)'."""
    j, p = strongest_key(weights, query)
    rest = float(np.sum(np.delete(np.asarray(weights)[query], j)))  # summed directly: 1 - p would round to 0
    tail = f" (the other tokens share {rest:.2g})" if 0 < rest < 5e-5 else ""
    return f"{labels[query]} attends most to {labels[j]}, with probability {_fmt(p)}{tail}"


def most_attended(weights: np.ndarray, labels) -> list[str]:
    """One sentence per query token: which token it attends to most, and with what probability."""
    return [attention_summary(weights, labels, i) for i in range(np.shape(weights)[0])]


def attention_steps(att: Attention, labels, *, x: np.ndarray | None = None, head: str = "") -> list[Step]:
    """The steps of one head: Q, K, V (when the tokens `x` are given), QKᵀ, scaling, the causal mask,
    the row softmax and the output."""
    labels = tuple(labels)
    n = len(labels)
    sub = f"_{{{head}}}" if head else ""
    d_k, d_v = att.q.shape[1], att.v.shape[1]
    feat_k, feat_v = feature_labels(d_k), feature_labels(d_v)
    steps: list[Step] = []
    if x is not None:
        d_model = np.shape(x)[1]
        for key, W, m, cols, meaning in (
            ("q", "W_Q", att.q, feat_k, "Row i is token i's query: what token i is looking for in the other tokens."),
            ("k", "W_K", att.k, feat_k, "Row j is token j's key: what token j offers to the queries that look at it."),
            ("v", "W_V", att.v, feat_v, "Row j is token j's value: what token j passes on to the tokens that attend to it."),
        ):
            name = key.upper()
            steps.append(Step(
                key, f"{name} = X·{W}", rf"{name}{sub} = X\,{W}",
                f"({n}×{d_model})·({d_model}×{m.shape[1]}) → {shape(m)}",
                meaning, (Panel(name, m, labels, cols),)))
    steps.append(Step(
        "scores", "Scores Q·Kᵀ", rf"S{sub} = Q{sub}\,K{sub}^\top",
        f"({n}×{d_k})·({d_k}×{n}) → ({n}×{n})",
        "Entry (i, j) is the dot product of query i and key j: how well token j matches what token i looks for.",
        (Panel("QKᵀ", att.scores, labels, labels),)))
    if att.scale:
        steps.append(Step(
            "scaled", "Scaled by √d_k", rf"S{sub} / \sqrt{{d_k}} = S{sub} / \sqrt{{{d_k}}} \approx S{sub} / {math.sqrt(d_k):.4g}",
            f"({n}×{n}) → ({n}×{n})",
            f"Dividing by √d_k = √{d_k} keeps dot products of long vectors from growing with d_k, so the softmax "
            f"does not saturate to all-or-nothing weights.",
            (Panel("QKᵀ/√d_k", att.scaled, labels, labels),)))
    else:
        steps.append(Step(
            "scaled", "Not scaled", rf"S{sub} \text{{ (scaling by }} \sqrt{{d_k}} \text{{ is off)}}",
            f"({n}×{n}) → ({n}×{n})",
            "Scaling is off, so the softmax below works on the raw scores; turn it on to divide by √d_k as in "
            "“Attention Is All You Need”.",
            (Panel("QKᵀ (unscaled)", att.scaled, labels, labels),)))
    if att.causal:
        steps.append(Step(
            "masked", "Causal mask", r"M_{ij} = -\infty \text{ where } j > i",
            f"({n}×{n}) → ({n}×{n})",
            "Token i may not look at later tokens: their scores become −∞, so after the softmax their weights are 0 "
            "(the upper triangle).",
            (Panel("masked scores", att.masked, labels, labels),)))
    src = ("M" if att.causal else (rf"S{sub}/\sqrt{{d_k}}" if att.scale else f"S{sub}"))
    last = attention_summary(att.weights, labels, n - 1) if n > 1 else ""
    steps.append(Step(
        "weights", "Softmax over each row", rf"A{sub} = \mathrm{{softmax}}_{{\text{{row}}}}\left({src}\right)",
        f"({n}×{n}) → ({n}×{n}), each row sums to 1",
        "Row i: how much token i attends to each token; each row is a probability distribution that sums to 1."
        + (f" Here {last}." if last else ""),
        (Panel("attention weights", att.weights, labels, labels),)))
    steps.append(Step(
        "output", "Output A·V", rf"Z{sub} = A{sub}\,V{sub}",
        f"({n}×{n})·({n}×{d_v}) → ({n}×{d_v})",
        "Row i is a weighted average of the value rows, mixed with token i's attention weights: token i's new "
        "representation, now informed by the tokens it attends to.",
        (Panel("output", att.output, labels, feat_v),)))
    return steps


def encoder_steps(block: EncoderBlock, labels, *, embeddings: np.ndarray | None = None,
                  pe: np.ndarray | None = None) -> list[Step]:
    """The steps of page 2: positional encoding, projections, split, per-head attention, concat, W_O,
    add & norm, FFN, add & norm. `embeddings` and `pe` are shown when positional encoding was added."""
    labels = tuple(labels)
    x, mha = block.x, block.attention
    n, d_model = x.shape
    h, d_k = mha.n_heads, mha.d_k
    d_ff = block.ffn.hidden.shape[1]
    feats, feats_k, feats_ff = feature_labels(d_model), feature_labels(d_k), feature_labels(d_ff)
    steps: list[Step] = []
    if pe is not None and embeddings is not None:
        steps.append(Step(
            "pe", "Positional encoding",
            r"PE_{(pos,\,2i)} = \sin\!\left(\frac{pos}{10000^{2i/d_{model}}}\right),\quad "
            r"PE_{(pos,\,2i+1)} = \cos\!\left(\frac{pos}{10000^{2i/d_{model}}}\right)",
            f"({n}×{d_model}) + ({n}×{d_model}) → ({n}×{d_model})",
            "Attention itself ignores order, so each position gets its own pattern of sines and cosines, added to "
            "the token's embedding; low dimensions change fast with position, high ones slowly.",
            (Panel("embeddings", embeddings, labels, feats), Panel("PE", pe, labels, feats),
             Panel("X = embeddings + PE", x, labels, feats))))
    steps.append(Step(
        "qkv", "Project to Q, K, V", r"Q = X W_Q,\quad K = X W_K,\quad V = X W_V",
        f"({n}×{d_model})·({d_model}×{d_model}) → ({n}×{d_model}), three times",
        "Every token gets a query, a key and a value vector of d_model numbers; the heads will share them out.",
        tuple(Panel(nm, m, labels, feats) for nm, m in (("Q", mha.q), ("K", mha.k), ("V", mha.v)))))
    steps.append(Step(
        "split", f"Split into {h} head{'s' * (h != 1)}",
        rf"Q_i = Q[:,\ (i-1)d_k : i\,d_k],\quad d_k = d_{{model}} / h = {d_model} / {h} = {d_k}",
        f"({n}×{d_model}) → {h} × ({n}×{d_k})",
        f"Head i takes its own {d_k} columns of Q, K and V, so each head can look for a different relation "
        f"at the cost of one head of full width.",
        tuple(Panel(f"Q of head {i + 1}", hd.q, labels, feats_k) for i, hd in enumerate(mha.heads))))
    steps.append(Step(
        "heads", "Attention in every head",
        r"\mathrm{head}_i = \mathrm{softmax}\!\left(\frac{Q_i K_i^\top}{\sqrt{d_k}}\right) V_i",
        f"{h} × [({n}×{d_k})·({d_k}×{n}) → ({n}×{n})] · ({n}×{d_k}) → {h} × ({n}×{d_k})",
        "Each head computes its own attention weights (row i: where token i looks) and its own output.",
        tuple(Panel(f"head {i + 1} weights", hd.weights, labels, labels) for i, hd in enumerate(mha.heads))))
    steps.append(Step(
        "concat", "Concatenate the heads", r"\mathrm{Concat}(\mathrm{head}_1, \ldots, \mathrm{head}_h)",
        f"{h} × ({n}×{d_k}) → ({n}×{h * d_k})",
        "The heads' outputs are laid side by side, back to d_model numbers per token.",
        (Panel("concat", mha.concat, labels, feats),)))
    steps.append(Step(
        "wo", "Mix with W_O", r"\mathrm{MHA}(X) = \mathrm{Concat}(\ldots)\, W_O",
        f"({n}×{d_model})·({d_model}×{d_model}) → ({n}×{d_model})",
        "W_O mixes what the heads found, so every output number can draw on every head.",
        (Panel("multi-head output", mha.output, labels, feats),)))
    steps.append(Step(
        "norm1", "Add & norm", r"X_1 = \mathrm{LayerNorm}\big(X + \mathrm{MHA}(X)\big)",
        f"({n}×{d_model}) + ({n}×{d_model}) → ({n}×{d_model})",
        "The residual connection adds the input back, so the block only learns a change; layer norm then gives "
        "each token's numbers mean 0 and variance 1 (times γ, plus β).",
        (Panel("X + MHA(X)", block.residual_1, labels, feats), Panel("LayerNorm", block.norm_1, labels, feats))))
    act = block.ffn.activation.upper()
    steps.append(Step(
        "ffn", "Feed-forward network",
        rf"\mathrm{{FFN}}(x) = \mathrm{{{act}}}(x W_1 + b_1)\, W_2 + b_2",
        f"({n}×{d_model})·({d_model}×{d_ff}) → ({n}×{d_ff}) → ({n}×{d_ff})·({d_ff}×{d_model}) → ({n}×{d_model})",
        "The same two-layer network works on each token on its own: attention moved information between tokens, "
        "the FFN now processes each token more deeply.",
        (Panel(f"hidden ({act})", block.ffn.hidden, labels, feats_ff), Panel("FFN output", block.ffn.output, labels, feats))))
    steps.append(Step(
        "norm2", "Add & norm: the block's output", r"Y = \mathrm{LayerNorm}\big(X_1 + \mathrm{FFN}(X_1)\big)",
        f"({n}×{d_model}) + ({n}×{d_model}) → ({n}×{d_model})",
        "A second residual and layer norm; the result has the input's shape, so blocks can be stacked (BERT-base "
        "stacks 12).",
        (Panel("X₁ + FFN(X₁)", block.residual_2, labels, feats), Panel("block output Y", block.output, labels, feats))))
    return steps


def shape_flow(block: EncoderBlock) -> str:
    """The encoder block's shapes in one line, arrow by arrow."""
    n, d = block.x.shape
    h, d_k = block.attention.n_heads, block.attention.d_k
    d_ff = block.ffn.hidden.shape[1]
    return (f"X ({n}×{d}) → Q, K, V ({n}×{d}) each → {h} head{'s' * (h != 1)} × ({n}×{d_k}) → "
            f"weights {h} × ({n}×{n}) → head outputs {h} × ({n}×{d_k}) → concat ({n}×{d}) → ·W_O ({n}×{d}) → "
            f"add & norm ({n}×{d}) → FFN ({n}×{d_ff}) → ({n}×{d}) → add & norm ({n}×{d})")
