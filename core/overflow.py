"""Numbers too large for a step: find the first step whose numbers left the float range (beyond
±1.8e308, where numpy gives inf and then NaN) and say which, and how large the inputs may be.

X = 1e300 1e300 1e300 1e300 gives finite Q and K, but their dot products are 1e600: the scores are
inf, the softmax inf - inf = NaN. Instead of NaN weights the page shows: "The scores Q·Kᵀ go beyond
the largest number a float holds ... entries up to about 1.2e+75 work". The largest size that works is
found by scaling the matrix that holds the largest number (or, if that is not enough, all of them) and
bisecting on the factor (small matrices: about 60 cheap runs).
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable, Iterator

import numpy as np

from core.attention import (
    Attention,
    EncoderBlock,
    EncoderParams,
    MultiHeadAttention,
    encoder_block,
    encoder_input,
    layer_norm,
    multi_head_attention,
    self_attention,
)
from core.errors import UserError

FLOAT_MAX = float(np.finfo(float).max)  # 1.8e308

_STEPS = {  # field name -> the step, as the pages call it
    "x": "the input x (embeddings + positional encoding)", "q": "Q = X·W_Q", "k": "K = X·W_K",
    "v": "V = X·W_V", "scores": "the scores Q·Kᵀ", "scaled": "the scaled scores Q·Kᵀ/√d_k",
    "weights": "the attention weights (softmax)", "output": "the output", "concat": "the concatenated heads",
    "residual_1": "add (x + attention)", "norm_1": "layer norm 1", "pre": "the FFN's first layer",
    "hidden": "the FFN's activation", "residual_2": "add (norm 1 + FFN)",
    "variance_1": "layer norm 1 (its variance)", "variance_2": "layer norm 2 (its variance)",
}
_OUTPUTS = {"attention": "the attention output (concat·W_O)", "ffn": "the FFN output", "": "the output"}


@dataclasses.dataclass(frozen=True)
class _UpToNorm1:
    """The steps of an encoder block up to layer norm 1, when a later step cannot run on what it gave."""

    x: np.ndarray
    attention: MultiHeadAttention
    residual_1: np.ndarray
    norm_1: np.ndarray


class OverflowInputError(UserError):
    """Numbers a person typed that are too large for one of the steps; the message names the step."""


def _arrays(result, path: tuple[str, ...] = ()) -> Iterator[tuple[tuple[str, ...], np.ndarray]]:
    """Every array of a result dataclass, in the order the steps are computed."""
    for field in dataclasses.fields(result):
        value = getattr(result, field.name)
        if field.name == "masked":  # -inf where the causal mask hides a key, by design
            continue
        if dataclasses.is_dataclass(value):
            yield from _arrays(value, path + (field.name,))
        elif isinstance(value, tuple):
            for i, item in enumerate(value):
                yield from _arrays(item, path + (field.name, f"head {i + 1}"))
        elif isinstance(value, np.ndarray):
            yield path + (field.name,), value
            if field.name.startswith("residual_"):  # layer norm squares it: 1e200 gives an inf variance
                with np.errstate(all="ignore"):
                    yield path + ("variance_" + field.name[-1],), np.var(value, axis=-1)


def _step(path: tuple[str, ...]) -> str:
    name = path[-1]
    if name == "output":
        step = _OUTPUTS.get(path[-2] if len(path) > 1 else "", "the output")
    else:
        step = _STEPS.get(name, name)
    head = next((p for p in path if p.startswith("head ")), None)
    if head:
        step = f"{step} of {head}" if name != "output" else f"the output of {head}"
    return step


def first_overflow(result) -> str | None:
    """The first step (in words) holding inf or NaN, or None when every number is finite."""
    return next((_step(path) for path, a in _arrays(result) if not np.all(np.isfinite(a))), None)


def largest_that_works(compute: Callable[[float], object], largest: float) -> float | None:
    """How large the largest entry may be (2 significant digits, rounded down) when the input is scaled by
    one factor: compute(factor) runs the steps on the scaled input. None if even 1 is too large."""
    def works(size: float) -> bool:
        with np.errstate(all="ignore"):
            return first_overflow(compute(size / largest)) is None

    if largest <= 1 or not works(1.0):
        return None
    lo, hi = 0.0, math.log10(largest)  # log10 of a size that works, and of one that does not
    for _ in range(60):
        mid = (lo + hi) / 2
        lo, hi = (mid, hi) if works(10 ** mid) else (lo, mid)
    size = 10 ** lo
    digits = 10 ** (math.floor(lo) - 1)
    return math.floor(size / digits) * digits


def _largest(a) -> float:
    return float(np.max(np.abs(np.asarray(a, dtype=float))))


def _refused(step: str, compute: Callable[[dict], object], inputs: dict[str, np.ndarray]) -> OverflowInputError:
    """The error for an overflow in `step`, with the largest size that works: for the matrix holding the
    largest number, the others kept as they are; else for all matrices scaled together."""
    name = max(inputs, key=lambda k: _largest(inputs[k]))
    largest = _largest(inputs[name])
    size = largest_that_works(lambda f: compute({**inputs, name: inputs[name] * f}), largest)
    if size:
        fix = (f"Fix: use smaller numbers in {name}: with the other matrices as they are, entries of {name} up to "
               f"about {size:.2g} in size work (its largest now is {largest:.2g}).")
    else:
        size = largest_that_works(lambda f: compute({k: v * f for k, v in inputs.items()}), largest)
        names = ", ".join(list(inputs)[:-1]) + " and " + list(inputs)[-1]
        fix = (f"Fix: use smaller numbers: entries of {names} up to about {size:.2g} in size work."
               if size else f"Fix: use smaller numbers in {names}.")
    return OverflowInputError(f"The numbers are too large for {step}: it goes beyond ±{FLOAT_MAX:.2g}, the largest "
                              f"number a float holds, so its numbers would be inf or NaN. {fix}")


def checked_self_attention(x, w_q, w_k, w_v, *, scale: bool = True, causal: bool = False) -> Attention:
    """core.attention.self_attention, or OverflowInputError naming the first step that overflowed."""
    def run(m: dict):
        return self_attention(m["X"], m["W_Q"], m["W_K"], m["W_V"], scale=scale, causal=causal)

    inputs = {"X": x, "W_Q": w_q, "W_K": w_k, "W_V": w_v}
    with np.errstate(all="ignore"):
        result = run(inputs)
    step = first_overflow(result)
    if step is None:
        return result
    raise _refused(step, run, {k: np.asarray(v, dtype=float) for k, v in inputs.items()})


def checked_encoder(embeddings, p: EncoderParams, n_heads: int, *, positional: bool = True,
                    activation: str = "gelu", scale: bool = True) -> tuple[np.ndarray, np.ndarray | None, EncoderBlock]:
    """core.attention.encoder_input and encoder_block: (x, pe, block), or OverflowInputError naming the
    first step that overflowed and how large the embeddings (or W_Q, W_K, W_V, W_O) may be."""
    def run(m: dict):
        q = dataclasses.replace(p, w_q=m["W_Q"], w_k=m["W_K"], w_v=m["W_V"], w_o=m["W_O"])
        x, pe = encoder_input(m["embeddings"], positional)
        try:
            return x, pe, encoder_block(x, q, n_heads, activation=activation, scale=scale)
        except ValueError:  # the FFN refuses a NaN from layer norm 1: the steps up to there say which
            if not np.all(np.isfinite(x)):
                raise
            mha = multi_head_attention(x, q.w_q, q.w_k, q.w_v, q.w_o, n_heads, scale=scale)
            residual_1 = x + mha.output
            norm_1 = layer_norm(residual_1, q.gamma_1, q.beta_1)
            if first_overflow(_UpToNorm1(x, mha, residual_1, norm_1)) is None:
                raise
            return x, pe, _UpToNorm1(x, mha, residual_1, norm_1)

    inputs = {"embeddings": embeddings, "W_Q": p.w_q, "W_K": p.w_k, "W_V": p.w_v, "W_O": p.w_o}
    with np.errstate(all="ignore"):
        x, pe, block = run(inputs)
    step = first_overflow(block)
    if step is None:
        return x, pe, block
    raise _refused(step, lambda m: run(m)[2], {k: np.asarray(v, dtype=float) for k, v in inputs.items()})
