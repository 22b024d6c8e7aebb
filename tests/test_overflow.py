"""Numbers too large for a step (core/overflow.py): a message naming the step and the largest size that
works, never NaN weights; the advice is checked by running the steps at that size."""

import dataclasses

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core.attention import encoder_block, encoder_input, self_attention
from core.examples import ice1, random_encoder_params, random_tokens
from core.overflow import OverflowInputError, checked_encoder, checked_self_attention, first_overflow

M = ice1()


def refusal(*args, **kw) -> str:
    with pytest.raises(OverflowInputError) as err:
        checked_self_attention(*args, **kw)
    return str(err.value)


def test_the_issue_probe_names_qkt_and_a_size_that_works():
    x = np.full((3, 4), 1e300)
    message = refusal(x, M["W_Q"], M["W_K"], M["W_V"])
    assert message.startswith("The numbers are too large for the scores Q·Kᵀ")
    assert "entries of X up to about 1.7e+153 in size work" in message and "Fix:" in message
    ok = checked_self_attention(np.full((3, 4), 1.7e153), M["W_Q"], M["W_K"], M["W_V"])
    assert np.all(np.isfinite(ok.weights)) and np.allclose(ok.weights.sum(axis=1), 1)


@pytest.mark.parametrize("scale, causal", [(True, False), (False, True)])
def test_the_largest_size_that_works_works_and_twice_it_does_not(scale, causal):
    x = M["X"] * 1e200
    message = refusal(x, M["W_Q"], M["W_K"], M["W_V"], scale=scale, causal=causal)
    size = float(message.split("up to about ")[1].split(" ")[0])
    x_ok = M["X"] / np.max(np.abs(M["X"])) * size
    assert first_overflow(self_attention(x_ok, M["W_Q"], M["W_K"], M["W_V"], scale=scale, causal=causal)) is None
    with np.errstate(all="ignore"):
        bad = self_attention(x_ok * 2, M["W_Q"], M["W_K"], M["W_V"], scale=scale, causal=causal)
    assert first_overflow(bad) is not None


def test_a_huge_projection_names_q():
    message = refusal(M["X"], M["W_Q"] * 2e307, M["W_K"], M["W_V"])
    assert "too large for Q = X·W_Q" in message and "W_Q up to about" in message


def test_a_huge_value_matrix_names_the_output():
    message = refusal(M["X"], M["W_Q"], M["W_K"], M["W_V"] * 2e307)
    assert "too large for V = X·W_V" in message or "too large for the output" in message


def test_small_numbers_pass_unchanged():
    assert np.array_equal(checked_self_attention(**{k.lower(): v for k, v in M.items()}).weights,
                          self_attention(M["X"], M["W_Q"], M["W_K"], M["W_V"]).weights)


def test_shape_errors_come_before_overflow():
    with pytest.raises(ValueError, match="W_Q has 3 rows") as err:
        checked_self_attention(np.full((2, 4), 1e300), np.ones((3, 2)), np.ones((4, 2)), np.ones((4, 2)))
    assert not isinstance(err.value, OverflowInputError)


P = random_encoder_params(0, 8, 2)
E = random_tokens(0, 4, 8)


@pytest.mark.parametrize("embeddings, params, step, culprit", [
    (E * 1e300, P, "the scores Q·Kᵀ of head 1", "embeddings"),
    (E, dataclasses.replace(P, w_o=P.w_o * 1e307), "layer norm 1 (its variance)", "W_O"),
    (E, dataclasses.replace(P, w_v=P.w_v * 1e306), "layer norm 1 (its variance)", "W_V"),
])
def test_encoder_overflows_name_the_step(embeddings, params, step, culprit):
    with pytest.raises(OverflowInputError) as err:
        checked_encoder(embeddings, params, 2)
    message = str(err.value)
    assert f"too large for {step}" in message and f"entries of {culprit} up to about" in message


def test_encoder_passes_small_numbers():
    x, pe, block = checked_encoder(E, P, 2)
    reference = encoder_block(encoder_input(E)[0], P, 2)
    assert np.array_equal(block.output, reference.output) and pe is not None


@settings(max_examples=60, deadline=None)
@given(exponent=st.integers(0, 307), which=st.sampled_from(["X", "W_Q", "W_K", "W_V"]),
       scale=st.booleans(), causal=st.booleans())
def test_fuzz_never_nan_weights(exponent, which, scale, causal):
    m = dict(M, **{which: M[which] * 10.0 ** exponent})
    try:
        result = checked_self_attention(m["X"], m["W_Q"], m["W_K"], m["W_V"], scale=scale, causal=causal)
    except OverflowInputError as err:
        assert "Fix:" in str(err)
    else:
        assert np.all(np.isfinite(result.weights)) and np.all(np.isfinite(result.output))
