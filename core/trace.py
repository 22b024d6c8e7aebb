"""Trace one head of a real model: recompute its attention from the model's own hidden states and
weights, and show that the result is what the model reported.

For layer l and head h of a BERT-family encoder, with x = hidden_states[l] (the input to layer l,
[n, d]) and d_head = d / heads, head h owns the columns c = h·d_head .. (h+1)·d_head of the layer's
query, key and value projections:

    q = x W_Q[:, c] + b_Q[c]        [n, d] x [d, d_head] -> [n, d_head]   (k, v alike)
    A = softmax_row(q kᵀ / sqrt(d_head))                                  [n, n]
    z = A v                                                               [n, d_head]

which is core.attention.attention(q, k, v, scale=True): the page shows it with page 1's widgets
(core.steps.attention_steps). No padding mask is added: core.models.run encodes one input (a
sentence or a pair) without padding, so every token sees every token.

Layouts, read from transformers 5's modeling files (the attention module of layer l):
    bert, roberta, xlm-roberta, camembert, electra   encoder.layer[l].attention.self.query/key/value
    megatron-bert    the same, after encoder.layer[l].attention.ln: it normalizes before attention
                     (pre-LN), so x = LayerNorm(hidden_states[l])
    distilbert       transformer.layer[l].attention.q_lin/k_lin/v_lin
    albert           encoder.albert_layer_groups[g].albert_layers[i].attention.query/key/value:
                     layers share the weights of their group; with inner_group_num > 1 every
                     layer runs several AlbertLayers, each reports a map, and `layer` indexes
                     those sub-layers as Encoded.attentions does

The weights are read from the model's torch modules (so this needs a loaded model, and only the
real-model page imports it); all arithmetic is numpy float64.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from core.attention import Attention, attention, layer_norm

SUPPORTED_TYPES = ("bert", "roberta", "xlm-roberta", "camembert", "electra", "megatron-bert", "distilbert",
                   "albert")


@dataclass(frozen=True, eq=False)
class HeadTrace:
    """Head `head` of layer `layer` (both counted from 0) recomputed in float64.

    hidden: hidden_states[layer], the layer's input [n, d]; x: what the projections see [n, d]
    (equal to hidden, except LayerNorm(hidden) when pre_ln); w_q, w_k, w_v: the head's columns
    of the projection matrices, acting as x @ W [d, d_head]; b_q, b_k, b_v: [d_head];
    columns: (start, stop), the head's slice of the d output columns;
    attention: every step (q, k, v, scores, scaled, weights, output) as on page 1;
    reported: the model's own attentions[layer, head] [n, n];
    max_abs_diff: max |attention.weights - reported|."""

    layer: int
    head: int
    tokens: tuple[str, ...]
    hidden: np.ndarray
    x: np.ndarray
    pre_ln: bool
    w_q: np.ndarray
    w_k: np.ndarray
    w_v: np.ndarray
    b_q: np.ndarray
    b_k: np.ndarray
    b_v: np.ndarray
    columns: tuple[int, int]
    attention: Attention
    reported: np.ndarray
    max_abs_diff: float

    @property
    def d_head(self) -> int:
        return self.w_q.shape[1]


def _linear(module, cols: slice) -> tuple[np.ndarray, np.ndarray]:
    """torch's nn.Linear computes x Wᵀ + b with weight [out, in]: return Wᵀ[:, cols] [in, d_head] and b[cols]."""
    w = module.weight.detach().double().numpy().T[:, cols]  # [out, in] -> [in, out] -> [in, d_head]
    b = module.bias.detach().double().numpy()[cols] if module.bias is not None else np.zeros(w.shape[1])
    return w, b


def check_supported(model_type: str) -> str:
    """The model type, or ValueError when core.trace does not know where its weights live."""
    if model_type not in SUPPORTED_TYPES:
        raise ValueError(
            f"Tracing one head is not supported for model type {model_type}: core.trace knows where the query, "
            f"key and value weights live only for {', '.join(SUPPORTED_TYPES)}. Pick a model of one of those "
            "types (e.g. the bundled MiniLM).")
    return model_type


def attention_module(loaded, layer: int):
    """(module with the query/key/value projections, their attribute names, pre-LayerNorm or None)
    for sub-layer `layer` (the index into Encoded.attentions)."""
    kind = check_supported(loaded.model_type)
    base = loaded.model.base_model  # BertModel inside BertForMaskedLM, etc.
    if kind in ("bert", "roberta", "xlm-roberta", "camembert", "electra", "megatron-bert"):
        att = base.encoder.layer[layer].attention
        return att.self, ("query", "key", "value"), att.ln if kind == "megatron-bert" else None
    if kind == "distilbert":
        return base.transformer.layer[layer].attention, ("q_lin", "k_lin", "v_lin"), None
    if kind == "albert":
        config = base.config
        inner = config.inner_group_num  # each layer runs every AlbertLayer of its group: one attention map each
        i, sub = divmod(layer, inner)
        group = int(i / (config.num_hidden_layers / config.num_hidden_groups))  # as AlbertTransformer.forward
        return base.encoder.albert_layer_groups[group].albert_layers[sub].attention, ("query", "key", "value"), None
    raise AssertionError(kind)  # unreachable: check_supported lets only SUPPORTED_TYPES through


def trace_head(loaded, encoded, layer: int, head: int) -> HeadTrace:
    """Recompute head `head` of layer `layer` (counted from 0) of `loaded` on `encoded` (the result of
    core.models.run(loaded, ...)), and compare with the attentions the model reported."""
    check_supported(loaded.model_type)
    L, h, n, _ = encoded.attentions.shape  # L counts ALBERT's inner sub-layers too (usually 1 per layer)
    d = encoded.hidden_states.shape[-1]
    if d != loaded.d_model or h != loaded.n_heads:
        raise ValueError(f"These results ({h} heads of {d} numbers) do not come from model {loaded.name} "
                         f"({loaded.n_heads} heads, d_model {loaded.d_model}): run this model on the text again.")
    for name, value in (("layer", layer), ("head", head)):
        if isinstance(value, bool) or not isinstance(value, int | np.integer):
            raise ValueError(f"The {name} must be a whole number counted from 0; got {value!r}.")
    if not 0 <= layer < L:
        raise ValueError(f"Layer {layer} does not exist: this model has {L} layers, numbered 0 to {L - 1}.")
    if not 0 <= head < h:
        raise ValueError(f"Head {head} does not exist: each layer has {h} heads, numbered 0 to {h - 1}.")
    layer, head = int(layer), int(head)
    module, names, ln = attention_module(loaded, layer)
    d_head = d // h
    scaling = getattr(module, "scaling", d_head ** -0.5)
    if not np.isclose(scaling, d_head ** -0.5, rtol=1e-6):
        raise ValueError(f"Layer {layer} scales its scores by {scaling:g}, not 1/sqrt(d_head) = {d_head ** -0.5:g}: "
                         "this is not BERT's attention, so it cannot be traced with scaled dot-product attention.")
    cols = slice(head * d_head, (head + 1) * d_head)

    hidden = encoded.hidden_states[layer].astype(np.float64)  # [n, d], the input to this layer
    x = hidden
    if ln is not None:  # megatron-bert normalizes first (pre-LN)
        x = layer_norm(hidden, ln.weight.detach().double().numpy(), ln.bias.detach().double().numpy(), ln.eps)
    (w_q, b_q), (w_k, b_k), (w_v, b_v) = (_linear(getattr(module, name), cols) for name in names)
    q = x @ w_q + b_q  # [n, d] x [d, d_head] -> [n, d_head]
    k = x @ w_k + b_k  # [n, d] x [d, d_head] -> [n, d_head]
    v = x @ w_v + b_v  # [n, d] x [d, d_head] -> [n, d_head]
    att = attention(q, k, v, scale=True)  # weights [n, n], output [n, d_head]
    reported = encoded.attentions[layer, head].astype(np.float64)  # [n, n]
    return HeadTrace(
        layer=layer, head=head, tokens=tuple(encoded.tokens), hidden=hidden, x=x, pre_ln=ln is not None,
        w_q=w_q, w_k=w_k, w_v=w_v, b_q=b_q, b_k=b_k, b_v=b_v, columns=(cols.start, cols.stop),
        attention=att, reported=reported, max_abs_diff=float(np.max(np.abs(att.weights - reported))))
