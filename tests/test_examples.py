"""exercises.examples: no example a student is shown is the answer to any variant.

The examples are every string exercises.examples gathers (the page's labels and placeholders), and every
example inside a message or prompt: the text after "like" or "e.g." and "(X rather than Y)", in the messages
the parsers give (core.matrix_text's included, which parse_matrix passes on) for a battery of bad inputs, in
every family's prompt at 200 seeds and every FIXED variant, and in the shipped assignments' descriptions.

The answers are every family's solve() at 200 seeds and every FIXED variant. An example leaks when
  - a number in it is within the graders' tolerance (1%) of a number answer, of a number in a choice answer
    made of numbers ("768, 768 and 15360"), or equals a dimension of a shape answer; or
  - read as a shape, a vector or a matrix it is a whole shape, vector or matrix answer.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import numpy as np
import pytest

from exercises import REGISTRY, examples
from exercises.compare import close
from exercises.feedback import AnswerError
from exercises.formatting import format_answer
from exercises.parse import parse_matrix, parse_number, parse_probability, parse_shape, parse_vector

ROOT = Path(__file__).resolve().parent.parent
SEEDS = range(200)
_NUMBER = re.compile(r"(?<![\w.])[-−]?\d+(?:[.,]\d+)*(?:e[-+]?\d+)?(?:/\d+)?%?")
_NUMERIC_OPTION = re.compile(r"[\d,\s]+(?:and[\d,\s]+)?")


def _variants(family) -> list[dict]:
    return [family.generate(np.random.default_rng(s)) for s in SEEDS] + list(getattr(family, "FIXED", {}).values())


def _answers() -> dict:
    out = {"numbers": [], "dims": set(), "shapes": set(), "vectors": [], "matrices": [], "variants": 0}
    for family in REGISTRY:
        for p in _variants(family):
            out["variants"] += 1
            kind, answer = family.answer_form(p)["kind"], family.solve(p)
            typed = answer if isinstance(answer, str) else format_answer(answer)
            if kind == "number":
                out["numbers"].append(parse_number(typed))
            elif kind == "shape":
                shape = parse_shape(typed)
                out["shapes"].add(shape)
                out["dims"].update(shape)
            elif kind == "vector":
                out["vectors"].append(parse_vector(typed))
                if family.ID == "embedding_dims":  # its three numbers are answers one by one elsewhere too
                    out["numbers"].extend(parse_vector(typed).tolist())
            elif kind == "matrix":
                out["matrices"].append(parse_matrix(typed))
            elif kind == "choice" and _NUMERIC_OPTION.fullmatch(answer):
                out["numbers"].extend(float(t) for t in re.findall(r"\d+", answer))
    return out


ANSWERS = _answers()

BAD_INPUTS = ("", "banana", "1,5", "25%", "1 2 3; 4 5", "[[1, 2]", "[1, [2]]", "(1, 2", "x", "0 x 3", "2.5 x 3",
              "1 ((2)) 3", "99999999999999 x 2", "[1] 2", "a b; c d", "1 2\n3 4\nfoo", ",", "3 x", "()", "[[]]")


def _messages() -> list[str]:
    out = []
    parsers = [parse_number, parse_probability, parse_vector, parse_matrix, parse_shape,
               lambda t: parse_number(t, percent_ok=False)]
    for parser in parsers:
        for bad in (*BAD_INPUTS, None, 3.5j, "9" * 5000, "101%", "-5%"):
            try:
                parser(bad)
            except AnswerError as e:
                out.append(str(e))
            except TypeError:
                pass
    return out


def _fragments(text: str) -> list[str]:
    """The examples inside a text: what follows 'like' or 'e.g.' up to the end of the clause, each side of
    ' or ' apart, and both sides of '(X rather than Y)'."""
    out = []
    for m in re.finditer(r"\b(?:like|e\.g\.)\s+(?=[-−\d\[(])(.+?)(?=\)\s*(?:[.:;,]|$)|\.\s|\.$|;\s|:\s|\n|$)", text):
        out.extend(part.strip(" ,") for part in m.group(1).split(" or "))
    for m in re.finditer(r"\(([^()]+?) rather than ([^()]+?)\)", text):
        out.extend([m.group(1), m.group(2)])
    return [f for f in out if any(c.isdigit() for c in f)]


def _shown_examples() -> list[str]:
    texts = [*examples.shown(), *_messages()]
    for family in REGISTRY:
        texts.extend(family.prompt(p) for p in _variants(family))
    for path in sorted((ROOT / "assignments").glob("*.toml")):
        texts.append(tomllib.loads(path.read_text(encoding="utf-8")).get("description", ""))
    found = list(examples.shown())
    for text in texts:
        found.extend(_fragments(text))
    return sorted(set(found))


EXAMPLES = _shown_examples()


def _numbers(example: str) -> list[float]:
    out = []
    for token in _NUMBER.findall(example.replace("\n", " ")):
        try:
            out.append(parse_number(token, percent_ok=True))
            if token.endswith("%"):
                out.append(parse_number(token[:-1]))
        except AnswerError:
            out.extend(float(t) for t in re.findall(r"\d+(?:\.\d+)?", token))
    return out


def leaks(example: str) -> list[str]:
    """What in `example` is an answer (empty when nothing is)."""
    found = []
    for x in _numbers(example):
        if any(close(x, a) for a in ANSWERS["numbers"]):
            found.append(f"{x:g} is a number answer")
        if float(x).is_integer() and int(x) in ANSWERS["dims"]:
            found.append(f"{x:g} is a dimension of a shape answer")
    try:
        if parse_shape(example) in ANSWERS["shapes"]:
            found.append("it is a shape answer")
    except AnswerError:
        pass
    for key, parser in (("vectors", parse_vector), ("matrices", parse_matrix)):
        try:
            value = parser(example)
        except AnswerError:
            continue
        if any(a.shape == value.shape and np.all(close(a, value)) for a in ANSWERS[key]):
            found.append(f"it is a {key[:-1]} answer")
    return found


def test_the_examples_are_gathered():
    """The page's own labels, placeholders and the parsers' examples are among what is checked, and the
    counts in the README's figures hold: variants x example strings."""
    for text in (examples.SHAPE_EXAMPLE, examples.MATRIX_EXAMPLE, examples.VECTOR_EXAMPLE, *examples.NUMBER_EXAMPLES,
                 *examples.PERCENT_EXAMPLE):
        assert text in EXAMPLES
    assert ANSWERS["variants"] == 200 * len(REGISTRY) + sum(len(getattr(f, "FIXED", {})) for f in REGISTRY)
    assert len(EXAMPLES) >= 15


@pytest.mark.parametrize("example", EXAMPLES)
def test_no_example_is_an_answer(example):
    assert not leaks(example), (example, leaks(example))


@pytest.mark.parametrize("example, why", [
    ("20 x 768", "it is a shape answer"),  # the lecture's own answer, once the shape box's example
    ("768", "768 is a number answer"),
    ("1 2; 3 4", "2 is a number answer"),  # 2 negatives in a batch of 3
])
def test_the_check_catches_the_old_examples(example, why):
    assert why in leaks(example)


def test_the_page_labels_come_from_examples():
    assert examples.label({"kind": "shape"}) == f"Your answer (a shape, like {examples.SHAPE_EXAMPLE})"
    assert examples.label({"kind": "vector", "n": 3}) == "Your answer (3 numbers)"
    assert examples.label({"kind": "number"}) == "Your answer (a number)"
    assert examples.label({"kind": "matrix", "rows": 2, "cols": 3}) == "Your answer: a 2×3 matrix"
    assert examples.label({"kind": "text"}) == "Your answer"
    page = (ROOT / "app" / "exercises_page.py").read_text(encoding="utf-8")
    assert "examples.label(" in page and "examples.MATRIX_PLACEHOLDER" in page
    assert "768" not in page and "1 2\\n3 4" not in page
