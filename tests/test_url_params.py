"""Query parameters the pages read (core/url_params.py): one plain value in range, else a message."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from core.url_params import SEED_MAX, read_flag, read_seed


@pytest.mark.parametrize("values, seed", [([], None), (["0"], 0), (["42"], 42), ([" 7 "], 7), (["999999"], 999_999),
                                          (["42", "42"], 42), (["007"], 7)])
def test_good_seeds(values, seed):
    assert read_seed(values) == (seed, None)


BAD_SEEDS = [["-1"], ["1000000"], ["9" * 5000], ["abc"], [""], ["1.5"], ["1e3"], ["١٢٣"], ["１２"], ["0x10"],
             ["4\x00"], ["+5"], ["1", "2"], ["<script>"], ["²"]]


@pytest.mark.parametrize("values", BAD_SEEDS)
def test_bad_seeds_give_the_default_and_say_what_to_write(values):
    seed, message = read_seed(values)
    assert seed is None and "Fix: write ?seed= with a number from 0 to 999999" in message
    assert len(message) < 250


@given(st.lists(st.text(max_size=30), max_size=3))
def test_fuzz_seed_is_in_range_or_refused(values):
    seed, message = read_seed(values)
    assert (seed is None) or (0 <= seed <= SEED_MAX and message is None)
    assert seed is not None or message is not None or not values


@pytest.mark.parametrize("values, on", [([], None), (["1"], True), (["TRUE"], True), (["on"], True), (["0"], False),
                                        (["no"], False), ([""], False)])
def test_flags(values, on):
    assert read_flag(values, "present") == (on, None)


@pytest.mark.parametrize("values", [["2"], ["maybe"], ["1", "0"], ["x" * 10_000]])
def test_bad_flags_are_off_with_a_message(values):
    on, message = read_flag(values, "present")
    assert on is None and "?present=1" in message and len(message) < 200
