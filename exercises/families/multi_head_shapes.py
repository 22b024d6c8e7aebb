"""Multi-head attention by the numbers: d_k, one head's Q, the concatenation, the layer's parameters.

A multi-head self-attention layer with d_model in a realistic set (64 ... 1024, BERT-base's 768 among
them), h heads dividing it and n tokens. One of five questions (`ask`):

    d_k             d_k = d_model / h                                         a whole number
    q_head_shape    one head's Q_i = X·W_Q^i                                  n × d_k
    concat_shape    the h heads' outputs side by side, before W_O             n × d_model
    params_bias     parameters of the layer, bias vectors included            4·d_model² + 4·d_model
    params_no_bias  parameters of the layer without biases (bias=False)       4·d_model²

d_k comes from core.attention.check_heads' rule (d_model divisible by h). The parameter count is a
small pure formula core does not have (_param_count), held against torch.nn.MultiheadAttention in
the tests. Every answer is a whole number or a shape of whole numbers, so numbers are graded exactly
(REL_EXACT, ABS_EXACT): at the default 1 % tolerance, 4·d_model² and 4·d_model² + 4·d_model could not
be told apart for d_model >= 128.
"""

from __future__ import annotations

import numpy as np

from core.attention import check_heads
from exercises.examples import SHAPE_EXAMPLE, WHOLE_NUMBER_EXAMPLES
from exercises.formatting import format_answer
from exercises.grading import grade_number, grade_shape
from exercises.mistakes import distinct, typed_mistakes

ID = "multi_head_shapes"
TITLE = "Multi-head attention shapes and parameters"
TOPIC = "multi-head attention"

D_MODELS = (64, 128, 256, 512, 768, 1024)
HEADS = (2, 3, 4, 6, 8, 12, 16)
ASKS = ("d_k", "q_head_shape", "concat_shape", "params_bias", "params_no_bias")
SHAPE_ASKS = ("q_head_shape", "concat_shape")
REL_EXACT = 0.0  # whole numbers: graded exactly (see the module docstring)
ABS_EXACT = 1e-6

EXPLAIN = {
    "d_model_instead_of_d_k": "You used d_model where one head has only d_k = d_model / h numbers per token: the "
                              "h heads split d_model between them.",
    "multiplied_by_h": "You multiplied by h once too often: the h heads share d_model between them (d_k = d_model "
                       "/ h each), so the layer's widths and weights do not grow with h.",
    "transposed": "You swapped rows and columns: rows are tokens (n of them), columns are the numbers of each token.",
    "one_head_width": "You gave one head's output, n × d_k: concatenating the h heads side by side gives "
                      "n × (h·d_k) = n × d_model.",
    "all_heads_stacked": "You gave h × n × d_k, all the heads stacked: one head's Q is n × d_k, and concatenating "
                         "the heads puts them side by side, n × (h·d_k) = n × d_model.",
    "stacked_rows": "You stacked the heads' outputs on top of each other: they are concatenated side by side, along "
                    "the columns, giving n × (h·d_k) = n × d_model.",
    "forgot_w_o": "You counted only W_Q, W_K and W_V: the output projection W_O (d_model × d_model, with its bias) "
                  "that mixes the concatenated heads belongs to the layer too, so there are 4 matrices.",
    "biases_omitted": "You left out the biases: each of the 4 projections also has a bias vector of d_model "
                      "numbers, 4·d_model more parameters.",
    "biases_counted": "You counted bias vectors, but this layer has none (bias=False): only the 4 d_model × "
                      "d_model weight matrices count.",
    "one_head_only": "You counted one head's share (matrices of d_model × d_k): the h heads' W_Q^i side by side make "
                     "one d_model × d_model W_Q, and the same for W_K, W_V and W_O, so count all the heads.",
}
HINT = ("Each head gets d_k = d_model / h columns of Q, K and V; the heads' outputs are concatenated side by side "
        "back to d_model columns; W_Q, W_K, W_V and W_O are each d_model × d_model, with a bias of d_model each.")


def _param_count(d_model: int, bias: bool) -> int:
    """Trainable parameters of one multi-head attention layer whose h heads of d_k = d_model / h
    together span d_model: W_Q, W_K, W_V, W_O (d_model × d_model each) and, with bias, their 4 bias
    vectors (d_model each). The number of heads does not change it."""
    return 4 * d_model * d_model + (4 * d_model if bias else 0)


def generate(rng: np.random.Generator) -> dict:
    d_model = int(rng.choice(D_MODELS))
    h = int(rng.choice([h for h in HEADS if d_model % h == 0]))
    n = int(rng.integers(4, 33))  # 4 .. 32 tokens
    ask = str(rng.choice(ASKS))
    return {"ask": ask, "d_model": d_model, "h": h, "n": n}


def _d_k(p: dict) -> int:
    check_heads(p["d_model"], p["h"])
    return p["d_model"] // p["h"]


def _answer(p: dict):
    d, h, n, d_k = p["d_model"], p["h"], p["n"], _d_k(p)
    return {
        "d_k": d_k,
        "q_head_shape": (n, d_k),
        "concat_shape": (n, h * d_k),
        "params_bias": _param_count(d, True),
        "params_no_bias": _param_count(d, False),
    }[p["ask"]]


def _candidates(p: dict) -> dict:
    d, h, n, d_k = p["d_model"], p["h"], p["n"], _d_k(p)
    ask = p["ask"]
    c: dict = dict.fromkeys(EXPLAIN)
    if ask == "d_k":
        c["d_model_instead_of_d_k"] = d
        c["multiplied_by_h"] = d * h
    elif ask == "q_head_shape":
        c["d_model_instead_of_d_k"] = (n, d)
        c["multiplied_by_h"] = (n, d * h)
        c["transposed"] = (d_k, n)
        c["all_heads_stacked"] = (h, n, d_k)
    elif ask == "concat_shape":
        c["multiplied_by_h"] = (n, d * h)
        c["transposed"] = (d, n)
        c["one_head_width"] = (n, d_k)
        c["all_heads_stacked"] = (h, n, d_k)
        c["stacked_rows"] = (h * n, d_k)
    else:
        bias = ask == "params_bias"
        c["multiplied_by_h"] = h * _param_count(d, bias)
        c["forgot_w_o"] = 3 * d * d + (3 * d if bias else 0)
        if bias:
            c["biases_omitted"] = _param_count(d, False)
        else:
            c["biases_counted"] = _param_count(d, True)
        c["one_head_only"] = 4 * d * d_k + (4 * d_k if bias else 0)
    return c


def _mistakes(p: dict) -> dict:
    """The typical wrong answers, in MISTAKES order; None where one equals the right answer or an
    earlier mistake's, or does not apply to this ask."""
    return distinct(_candidates(p), _answer(p), rel=REL_EXACT, abs_=ABS_EXACT)  # shapes too: exact


MISTAKES = typed_mistakes(_mistakes, EXPLAIN)


def _n(x: int) -> str:
    return f"{x:,}"


def prompt(p: dict) -> str:
    d, h, n = p["d_model"], p["h"], p["n"]
    intro = (f"A multi-head self-attention layer has d_model = {d} and h = {h} heads, and reads n = {n} tokens: "
             f"its input X is {n} × {d}. ")
    shape_form = f" Give the shape as rows x columns (type it like {SHAPE_EXAMPLE})."
    return intro + {
        "d_k": "What is d_k, the length of one head's query, key and value vectors? Give one whole number.",
        "q_head_shape": "What is the shape of one head's query matrix Q_i = X·W_Q^i?" + shape_form,
        "concat_shape": "The h heads' outputs are concatenated before the output projection W_O. What is the shape "
                        "of that concatenation?" + shape_form,
        "params_bias": "How many trainable parameters does this attention layer have? Count its projection matrices "
                       "and their bias vectors (no layer norm, no feed-forward network), as in "
                       f"torch.nn.MultiheadAttention({d}, {h}, bias=True). Give one whole number (like "
                       f"{WHOLE_NUMBER_EXAMPLES[0]} or {WHOLE_NUMBER_EXAMPLES[1]}).",
        "params_no_bias": "How many trainable parameters does this attention layer have? Count its projection "
                          "matrices; this layer has no bias vectors (no layer norm, no feed-forward network either), "
                          f"as in torch.nn.MultiheadAttention({d}, {h}, bias=False). Give one whole number (like "
                          f"{WHOLE_NUMBER_EXAMPLES[0]} or {WHOLE_NUMBER_EXAMPLES[1]}).",
    }[p["ask"]]


def answer_form(p: dict) -> dict:
    return {"kind": "shape"} if p["ask"] in SHAPE_ASKS else {"kind": "number"}


def solve(p: dict) -> str:
    return format_answer(_answer(p))


def worked_solution(p: dict) -> str:
    d, h, n, d_k = p["d_model"], p["h"], p["n"], _d_k(p)
    ask = p["ask"]
    lines = [f"d_k = d_model / h = {d} / {h} = {d_k}."]
    if ask == "q_head_shape":
        lines.append(f"W_Q^i is d_model × d_k = {d} × {d_k}, so Q_i = X·W_Q^i is ({n} × {d})·({d} × {d_k}) "
                     f"= {n} × {d_k}: one row per token, d_k columns.")
    elif ask == "concat_shape":
        lines.append(f"Each head's output is n × d_k = {n} × {d_k}.")
        lines.append(f"{h} of them side by side give {n} × ({h}·{d_k}) = {n} × {d}, which is n × d_model; "
                     f"W_O ({d} × {d}) maps it to the layer's output, {n} × {d}.")
    elif ask in ("params_bias", "params_no_bias"):
        lines.append(f"The h heads' W_Q^i ({d} × {d_k} each) side by side make one W_Q of {d} × {d}; the same holds "
                     f"for W_K, W_V, and W_O is {d} × {d} too.")
        lines.append(f"Weights: 4 × {d} × {d} = 4 × {_n(d * d)} = {_n(4 * d * d)}.")
        if ask == "params_bias":
            lines.append(f"Biases: 4 vectors of {d} = {_n(4 * d)}.")
            lines.append(f"Total: {_n(4 * d * d)} + {_n(4 * d)} = {_n(_param_count(d, True))}.")
        else:
            lines.append(f"No biases (bias=False): the total is {_n(_param_count(d, False))}.")
        lines.append(f"The number of tokens (n = {n}) does not change it: the same weights serve every token.")
    return "\n".join(lines)


def grade(p: dict, answer):
    if p["ask"] in SHAPE_ASKS:
        return grade_shape(_answer(p), answer, lambda: _mistakes(p), EXPLAIN, hint=HINT)
    return grade_number(_answer(p), answer, lambda: _mistakes(p), EXPLAIN, rel=REL_EXACT, abs_=ABS_EXACT, hint=HINT)
