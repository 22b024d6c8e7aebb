"""core.heads against a slow loop spec (hypothesis draws the attention maps), hand-built heads that must
get each label, and the bundled MiniLM on a real sentence."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core.heads import BROAD, BROAD_ENTROPY, COLUMNS, PATTERN_SHARE, PATTERNS, head_stats, label_for, table

SETTINGS = settings(max_examples=60, deadline=None)
WORDS = ["the", "cat", "sat", "on", "mat", "."]


# ---------------------------------------------------------------------------------------------
# the spec: one head, loops over rows and columns, math.log, no numpy


def spec(p: list[list[float]], tokens: list[str]) -> dict[str, float]:
    n = len(p)
    rows = range(n)
    entropy = sum(-sum(x * math.log(x) for x in p[i] if x > 0) for i in rows) / n
    return {
        "entropy": entropy,
        "entropy_norm": entropy / math.log(n) if n > 1 else 0.0,
        "cls": sum(p[i][j] for i in rows for j in rows if tokens[j] in ("[CLS]", "<s>")) / n,
        "sep": sum(p[i][j] for i in rows for j in rows if tokens[j] in ("[SEP]", "</s>")) / n,
        "self": sum(p[i][i] for i in rows) / n,
        "prev": sum(p[i][i - 1] for i in range(1, n)) / (n - 1) if n > 1 else 0.0,
        "next": sum(p[i][i + 1] for i in range(n - 1)) / (n - 1) if n > 1 else 0.0,
    }


@st.composite
def attention_maps(draw):
    """[L, h, n, n] row-softmaxed random scores (some rows sharply peaked, some with exact zeros) and n tokens."""
    L, h, n = draw(st.integers(1, 3)), draw(st.integers(1, 3)), draw(st.integers(1, 7))
    seed = draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    scores = rng.normal(0, draw(st.sampled_from([0.1, 1.0, 5.0, 30.0])), size=(L, h, n, n))
    if draw(st.booleans()):
        scores[rng.random(scores.shape) < 0.3] = -np.inf  # exact zeros: 0 log 0 must count as 0
        scores[..., 0] = np.maximum(scores[..., 0], 0.0)  # keep every row finite somewhere
    e = np.exp(scores - scores.max(axis=-1, keepdims=True))
    a = e / e.sum(axis=-1, keepdims=True)
    vocab = ["[CLS]", "[SEP]", "<s>", "</s>", *WORDS]
    tokens = draw(st.lists(st.sampled_from(vocab), min_size=n, max_size=n))
    return a, tokens


@SETTINGS
@given(attention_maps())
def test_every_statistic_equals_the_loop_spec(case):
    a, tokens = case
    stats = head_stats(a, tokens)
    L, h = a.shape[:2]
    assert stats.shape == (L, h) and stats.n_tokens == len(tokens)
    for i in range(L):
        for j in range(h):
            expected = spec(a[i, j].tolist(), tokens)
            for name, value in expected.items():
                tol = 1e-5 if name.startswith("entropy") else 1e-12  # entropy's logs are float32
                assert getattr(stats, name)[i, j] == pytest.approx(value, abs=tol), name
            shares = {k: expected[k] for k in PATTERNS.values()}
            assert stats.label[i, j] == label_for(expected["entropy_norm"], shares)
    for name in ("entropy_norm", "cls", "sep", "self", "prev", "next"):
        values = getattr(stats, name)
        assert ((values >= -1e-12) & (values <= 1 + 1e-12)).all(), name


# ---------------------------------------------------------------------------------------------
# heads built by hand


def one_head(p) -> np.ndarray:
    return np.asarray(p, dtype=float)[None, None]  # [n, n] -> [1, 1, n, n]


TOKENS = ["[CLS]", "the", "cat", "sat", "on", "mat", "[SEP]"]
N = len(TOKENS)


def on_key(j_of_i) -> np.ndarray:
    """Every row i puts all its weight on key j_of_i(i)."""
    p = np.zeros((N, N))
    for i in range(N):
        p[i, j_of_i(i)] = 1.0
    return p


@pytest.mark.parametrize("p, label, stat", [
    (on_key(lambda i: max(i - 1, 0)), "attends to previous token", "prev"),
    (on_key(lambda i: min(i + 1, N - 1)), "attends to next token", "next"),
    (on_key(lambda i: i), "attends to itself", "self"),
    (on_key(lambda i: N - 1), "[SEP] sink", "sep"),
    (on_key(lambda i: 0), "[CLS] sink", "cls"),
    (np.full((N, N), 1 / N), BROAD, "entropy_norm"),
])
def test_hand_built_heads_get_their_label(p, label, stat):
    stats = head_stats(one_head(p), TOKENS)
    assert stats.label[0, 0] == label
    assert getattr(stats, stat)[0, 0] == pytest.approx(1.0)


def test_perfect_previous_token_head_numbers():
    stats = head_stats(one_head(on_key(lambda i: max(i - 1, 0))), TOKENS)
    assert stats.prev[0, 0] == 1.0 and stats.next[0, 0] == 0.0
    assert stats.self[0, 0] == pytest.approx(1 / N)  # only row 0 (no previous token) stays on itself
    assert stats.entropy[0, 0] == 0.0 and stats.entropy_norm[0, 0] == 0.0


def test_uniform_head_has_the_largest_entropy():
    stats = head_stats(one_head(np.full((N, N), 1 / N)), TOKENS)
    assert stats.entropy[0, 0] == pytest.approx(math.log(N))
    assert stats.cls[0, 0] == stats.sep[0, 0] == stats.self[0, 0] == pytest.approx(1 / N)


def test_no_clear_pattern_gets_no_label():
    p = np.full((N, N), 0.0)
    p[:, 1], p[:, 2] = 0.6, 0.4  # everyone on "the" and "cat": low entropy, no named pattern
    assert head_stats(one_head(p), TOKENS).label[0, 0] == ""


def test_two_separators_in_a_pair_add_up():
    tokens = ["[CLS]", "the", "[SEP]", "cat", "[SEP]"]
    p = np.zeros((5, 5))
    p[:, 2], p[:, 4] = 0.3, 0.7
    stats = head_stats(one_head(p), tokens)
    assert stats.sep[0, 0] == pytest.approx(1.0) and stats.label[0, 0] == "[SEP] sink"
    roberta = head_stats(one_head(p), ["<s>", "the", "</s>", "cat", "</s>"])
    assert roberta.sep[0, 0] == pytest.approx(1.0)
    custom = head_stats(one_head(p), ["<CLS>", "the", "<SEP>", "cat", "<SEP>"], sep_tokens=("<SEP>",))
    assert custom.sep[0, 0] == pytest.approx(1.0)


def test_label_precedence():
    zero = dict.fromkeys(PATTERNS.values(), 0.0)
    assert label_for(0.99, zero) == BROAD  # uniform-ish, no pattern
    assert label_for(BROAD_ENTROPY - 1e-9, zero) == ""
    assert label_for(0.95, {**zero, "prev": PATTERN_SHARE}) == "attends to previous token"  # a pattern beats broad
    assert label_for(0.1, {**zero, "self": 0.55, "sep": 0.6}) == "[SEP] sink"  # the larger share wins
    assert label_for(0.1, {**zero, "prev": 0.5, "cls": 0.5}) == "attends to previous token"  # ties: listed first
    assert label_for(0.1, {**zero, "cls": PATTERN_SHARE - 1e-9}) == ""


def test_one_token_has_no_neighbours():
    stats = head_stats(np.ones((2, 3, 1, 1)), ["[CLS]"])
    assert (stats.prev == 0).all() and (stats.next == 0).all() and (stats.entropy_norm == 0).all()
    assert (stats.self == 1).all() and (stats.cls == 1).all() and (stats.label == "attends to itself").all()


@pytest.mark.parametrize("a, tokens, match", [
    (np.full((2, 3, 3), 1 / 3), ["a"] * 3, r"\[layers, heads, n, n\]"),
    (np.full((1, 1, 3, 3), 1 / 3), ["a"] * 2, "2 tokens given"),
    (np.full((1, 1, 3, 3), 1.0), ["a"] * 3, "probability distribution"),
    (np.full((1, 1, 2, 2), [[2.0, -1.0]]), ["a"] * 2, "probability distribution"),
])
def test_bad_input_is_refused_with_a_message(a, tokens, match):
    with pytest.raises(ValueError, match=match):
        head_stats(a, tokens)


def test_table_rows_and_sorting():
    a = np.stack([np.stack([on_key(lambda i: max(i - 1, 0)), np.full((N, N), 1 / N)]),
                  np.stack([on_key(lambda i: 0), on_key(lambda i: N - 1)])])  # [2, 2, N, N]
    stats = head_stats(a, TOKENS)
    rows = table(stats)
    assert [tuple(r) for r in rows] == [COLUMNS] * 4
    assert [(r["layer"], r["head"], r["label"]) for r in rows] == [
        (1, 1, "attends to previous token"), (1, 2, BROAD), (2, 1, "[CLS] sink"), (2, 2, "[SEP] sink")]
    assert all(type(r[c]) is float for r in rows for c in COLUMNS[2:-1])  # plain floats: JSON-safe
    assert [(r["layer"], r["head"]) for r in table(stats, sort_by="prev")][0] == (1, 1)
    assert [(r["layer"], r["head"]) for r in table(stats, sort_by="entropy")][0] == (1, 2)
    assert [r["label"] for r in table(stats, sort_by="label")] == [
        "[CLS] sink", "[SEP] sink", "attends to previous token", BROAD]
    assert [r["head"] for r in table(stats, sort_by="head")] == [1, 1, 2, 2]
    with pytest.raises(ValueError, match="Cannot sort by 'colour'"):
        table(stats, sort_by="colour")


# ---------------------------------------------------------------------------------------------
# a real model


@pytest.mark.parametrize("text, pair", [("The cat sat on the mat because it was tired.", None),
                                        ("The cat sat on the mat.", "It was tired.")])
def test_bundled_minilm_heads(minilm, text, pair):
    from core.models import run
    enc = run(minilm, text, pair)
    stats = head_stats(enc.attentions, enc.tokens)
    assert stats.shape == (6, 12)
    for name in ("entropy_norm", "cls", "sep", "self", "prev", "next"):
        values = getattr(stats, name)
        assert ((values >= 0) & (values <= 1 + 1e-6)).all(), name
    assert (stats.entropy <= math.log(len(enc.tokens)) + 1e-6).all()
    labelled = {(i + 1, j + 1): str(stats.label[i, j]) for i in range(6) for j in range(12) if stats.label[i, j]}
    print(f"\n{enc.tokens}\nlabelled heads (layer, head), counted from 1: {labelled}")
    assert labelled, "no head of MiniLM got a label"
    # MiniLM's layer 1, head 3 is a textbook previous-token head
    assert labelled.get((1, 3)) == "attends to previous token" and stats.prev[0, 2] > 0.95
