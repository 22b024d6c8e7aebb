"""exercises.contract: check_family passes on a toy family built from the shared pieces and fails, saying
why, on broken ones."""

from __future__ import annotations

import types

import pytest

from exercises.choices import grade_choice
from exercises.compare import unless_close
from exercises.contract import check_family
from exercises.feedback import Feedback
from exercises.grading import grade_number
from exercises.mistakes import distinct, per_variant, typed_mistakes


def toy_family(**overrides) -> types.ModuleType:
    """a + b, with the mistake a * b; overrides break one part of the contract."""
    m = types.ModuleType("toy_family")
    m.ID, m.TITLE, m.TOPIC = "toy", "Toy sum", "testing"
    m.generate = lambda rng: {"a": int(rng.integers(1, 10)), "b": int(rng.integers(1, 10))}
    m.prompt = lambda p: f"{p['a']} + {p['b']} = ?"
    m.solve = lambda p: p["a"] + p["b"]  # a value: check_family also grades its typed form
    m.MISTAKES = {"product": lambda p: unless_close(p["a"] * p["b"], p["a"] + p["b"])}
    m.grade = lambda p, answer: grade_number(p["a"] + p["b"], answer, {"product": p["a"] * p["b"]},
                                             {"product": "You multiplied."})
    for k, v in overrides.items():
        setattr(m, k, v)
    return m


def test_check_family_accepts_the_toy():
    check_family(toy_family(), seeds=range(50))


_counter = iter(range(10**9))

BROKEN = {
    "mistake equals the right answer": (
        {"MISTAKES": {"same": lambda p: str(p["a"] + p["b"])}},
        r"mistake 'same' \('\d+'\) scores 1.0: it equals the right answer here, so MISTAKES\['same'\] should return None"),
    "non-deterministic generate": (
        {"generate": lambda rng: {"a": 1 + next(_counter) % 9, "b": 2}},
        r"toy \(seed 0\): generate is not deterministic"),
    "numpy in params": (
        {"generate": lambda rng: {"a": rng.integers(1, 10), "b": 2}}, r"params are not JSON-safe"),
    "tuple in params": (
        {"generate": lambda rng: {"a": 1, "b": 2, "pair": (1, 2)}}, r"params change in a JSON round trip"),
    "mistake not named": (
        {"grade": lambda p, a: grade_number(p["a"] + p["b"], a, {}, {})},
        r"mistake 'product' \(\d+\) is graded as mistake=None"),
    "grade raises on garbage": (
        {"grade": lambda p, a: toy_family().grade(p, a) if a != "banana" else Feedback(True, float(a), "ok")},
        r"grade of garbage .* raised"),
    "garbage graded valid": (
        {"grade": lambda p, a: Feedback(True, 0.0, "Not correct.") if a == "banana" else
            grade_number(p["a"] + p["b"], a, {"product": p["a"] * p["b"]}, {})},
        r"garbage 'banana' must be invalid"),
    "wrong solve": ({"solve": lambda p: p["a"] - p["b"] - 100}, r"grade of solve's answer -?\d+ is valid=True, score=0"),
    "missing prompt": ({"prompt": None}, r"prompt raised TypeError"),
    "empty prompt": ({"prompt": lambda p: " "}, r"prompt\(params\) must return a non-empty str"),
    "grade returns a dict": ({"grade": lambda p, a: {"score": 1}}, r"returned dict, not Feedback"),
    "empty TITLE": ({"TITLE": ""}, r"TITLE must be a non-empty str"),
    "MISTAKES not functions": ({"MISTAKES": {"product": 3}}, r"MISTAKES must map names"),
}


@pytest.mark.parametrize("case", BROKEN)
def test_check_family_fails_with_a_clear_message(case):
    overrides, message = BROKEN[case]
    with pytest.raises(AssertionError, match=message):
        check_family(toy_family(**overrides), seeds=range(20))


def test_check_family_lists_missing_attributes():
    m = toy_family()
    del m.grade, m.MISTAKES
    with pytest.raises(AssertionError, match="lacks MISTAKES, grade"):
        check_family(m)


def test_check_family_garbage_is_per_family():
    options = ["query", "key", "value", "banana"]  # an option that base's junk happens to name
    words = toy_family(generate=lambda rng: {"w": "query"}, prompt=lambda p: "Which vector asks?",
                       solve=lambda p: "query", MISTAKES={"key": lambda p: "key"},
                       grade=lambda p, a: grade_choice(0, a, options, {"key": 1}, {"key": "Keys answer."}))
    with pytest.raises(AssertionError, match="garbage 'banana' must be invalid"):
        check_family(words, seeds=range(3))
    words.GARBAGE = ("", "  ", "42", "[[1,2", None, "x" * 10_000)
    check_family(words, seeds=range(3))


def test_check_family_accepts_a_toy_built_from_the_shared_pieces():
    m = toy_family()

    @per_variant
    def mistakes(p: dict) -> dict:
        return distinct({"product": p["a"] * p["b"], "difference": p["a"] - p["b"]}, p["a"] + p["b"])

    m.MISTAKES = typed_mistakes(mistakes, ["product", "difference"])
    m.grade = lambda p, answer: grade_number(p["a"] + p["b"], answer, lambda: mistakes(p),
                                             {"product": "You multiplied.", "difference": "You subtracted."})
    check_family(m, seeds=range(50))
    p = {"a": 2, "b": 2}  # 2 · 2 = 2 + 2: no product mistake here
    assert m.MISTAKES["product"](p) is None and m.MISTAKES["difference"](p) == "0"

