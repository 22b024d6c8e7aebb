"""exercises.mistakes: distinct, per_variant and typed_mistakes."""

from __future__ import annotations

import numpy as np

from exercises.mistakes import distinct, per_variant, typed_mistakes


def test_distinct_keeps_each_mistake_the_grader_can_tell_apart():
    got = distinct({"a": 0.5004, "b": 0.7, "c": 0.7001, "d": None, "e": [1, 2], "f": 0.9}, 0.5)
    assert got == {"a": None, "b": 0.7, "c": None, "d": None, "e": [1, 2], "f": 0.9}  # a: right; c: as b
    assert list(got) == ["a", "b", "c", "d", "e", "f"]
    # a dropped value never hides a later one: only the kept ones count as earlier
    assert distinct({"x": 1.0, "y": 1.0}, 2.0) == {"x": 1.0, "y": None}
    # names: that order, names missing from candidates None, candidates not named left out
    assert distinct({"b": 3.0, "a": 3.0, "z": 9.0}, 1.0, names=["a", "b", "c"]) == {"a": 3.0, "b": None, "c": None}
    arrays = distinct({"m": np.eye(2), "t": np.eye(2).T, "s": np.ones(3)}, np.zeros((2, 2)))
    assert arrays["m"] is not None and arrays["t"] is None and arrays["s"] is not None


def test_distinct_tolerances_shapes_and_option_indices():
    assert distinct({"near": 770.0}, 768.0) == {"near": None}  # within 1 %
    assert distinct({"near": 770.0}, 768.0, rel=0.0, abs_=1e-6) == {"near": 770.0}
    shapes = {"one": (768,), "swapped": (768, 20), "same": (20, 768), "again": (768,), "close": (20, 770)}
    assert distinct(shapes, (20, 768), rel=0.0, abs_=1e-6) == {
        "one": (768,), "swapped": (768, 20), "same": None, "again": None, "close": (20, 770)}
    # option indices: distinct ones are never close at the default tolerances
    assert distinct({"a": 1, "b": 0, "c": 1, "d": 2}, 0) == {"a": 1, "b": None, "c": None, "d": 2}


def test_per_variant_works_a_variant_out_once():
    calls = []

    @per_variant
    def doubled(p: dict) -> dict:
        """Doubles x."""
        calls.append(p)
        p["x"] = [2 * v for v in p["x"]]  # fn has its own copy of the params
        return {"x": p["x"]}

    p = {"x": [1, 2], "name": "a"}
    first = doubled(p)
    assert first == {"x": [2, 4]} and p == {"x": [1, 2], "name": "a"}
    assert doubled({"name": "a", "x": [1, 2]}) is first  # same params, any key order: the shared result
    assert len(calls) == 1 and doubled.cache_info().hits == 1
    assert doubled({"x": [1, 3], "name": "a"}) == {"x": [2, 6]} and len(calls) == 2
    assert doubled.__name__ == "doubled" and doubled.__doc__ == "Doubles x."
    doubled.cache_clear()
    doubled(p)
    assert len(calls) == 3


def test_typed_mistakes_builds_mistakes():
    def values(p: dict) -> dict:
        return {"sum": p["a"] + p["b"] + 0.5, "none": None, "pair": [p["a"], p["b"]], "option": 1}

    mistakes = typed_mistakes(values, ["sum", "none", "pair"])
    assert list(mistakes) == ["sum", "none", "pair"]
    p = {"a": 1, "b": 2}
    assert mistakes["sum"](p) == "3.5" and mistakes["none"](p) is None and mistakes["pair"](p) == "1 2"
    assert [f.__name__ for f in mistakes.values()] == ["sum", "none", "pair"]
    options = ["cat", "dog"]
    chosen = typed_mistakes(values, ["option", "none"], lambda p, i: options[i])
    assert chosen["option"](p) == "dog" and chosen["none"](p) is None

