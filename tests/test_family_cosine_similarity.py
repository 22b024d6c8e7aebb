"""The cosine_similarity family: check_family, worked variants of both asks with every mistake named,
typed forms, the lecture's Instacart products, and the answers against torch over many seeds."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from exercises.base import check_family
from exercises.families import cosine_similarity as cs

ROOT = Path(__file__).resolve().parents[1]

COSINE = {"ask": "cosine", "u": [1, 2, 2], "v": [2, 0, 1]}  # u·v = 4, |u| = 3, |v| = √5
# q = [3, 0, -3]: Strawberries has the largest cosine, Clementines the largest dot product, Bananas is the
# nearest, Mandarins points away
CLOSEST = {"ask": "closest", "query": [3, 0, -3], "names": ["Bananas", "Mandarins", "Clementines", "Strawberries"],
           "candidates": [[1, 0, -5], [-4, 0, 2], [7, -3, -6], [7, 1, -5]]}


pytestmark = pytest.mark.usefixtures("one_torch_thread")  # tests/conftest.py


def test_passes_check_family():
    check_family(cs)


def test_cosine_of_the_worked_variant():
    assert cs.solve(COSINE) == "0.5963"  # 4 / (3 × 2.2361)
    assert "u = [1, 2, 2] and v = [2, 0, 1]" in cs.prompt(COSINE)
    assert cs.answer_form(COSINE) == {"kind": "number"}
    assert cs.tables(COSINE) == {"u": [1, 2, 2], "v": [2, 0, 1]}
    steps = cs.worked_solution(COSINE)
    assert "u·v = (1)·(2) + (2)·(0) + (2)·(1) = 4." in steps and "|u| = √9 = 3" in steps
    assert "cos(u, v) = 4 / (3 × 2.2361) = 0.5963." in steps
    for typed in ["0.5963", "0.596", ".596", "≈ 0.596", "0.59628", "4/6.7082", "59.63e-2"]:
        assert cs.grade(COSINE, typed).score == 1, typed
    assert cs.grade(COSINE, "0.59").score == 0  # 1% off


@pytest.mark.parametrize("name,typed", [
    ("dot_product", "4"),
    ("divided_by_squared_norms", "0.0889"),    # 4 / (9 × 5)
    ("euclidean_distance", "2.449"),           # |(-1, 2, 1)| = √6
    ("cosine_distance", "0.4037"),
    ("angle_instead_of_cosine", "53.4"),       # degrees
    ("angle_in_radians", "0.932"),
])
def test_each_cosine_mistake_is_named(name, typed):
    for answer in (cs.MISTAKES[name](COSINE), typed):
        fb = cs.grade(COSINE, answer)
        assert fb.valid and fb.score == 0 and fb.mistake == name, (answer, fb)
        assert fb.message.startswith(cs.EXPLAIN[name]) and fb.hint == cs.HINT


def test_closest_of_the_worked_variant():
    assert cs.solve(CLOSEST) == "Strawberries"
    assert cs.answer_form(CLOSEST) == {"kind": "choice", "options": CLOSEST["names"]}
    text = cs.prompt(CLOSEST)
    assert "q = [3, 0, -3]" in text and "D) Strawberries: [7, 1, -5]" in text and "\"orange\"" in text
    assert cs.tables(CLOSEST)["Clementines"] == [7, -3, -6]
    steps = cs.worked_solution(CLOSEST)
    assert "Strawberries: q·c = 36, |c| = 8.6603, cosine = 0.9798." in steps
    assert "The largest cosine is 0.9798: Strawberries." in steps
    for typed in ["Strawberries", "strawberries", "D", "d)", "(d)", "4", "D) Strawberries"]:
        assert cs.grade(CLOSEST, typed).score == 1, typed
    assert not cs.grade(CLOSEST, "E").valid and not cs.grade(CLOSEST, "oranges").valid


@pytest.mark.parametrize("name,option,letter", [
    ("largest_dot_product", "Clementines", "C"),   # q·c = 39 > 36, but cosine 0.9481 < 0.9798
    ("nearest_euclidean", "Bananas", "A"),         # |c − q| = 2.83
    ("least_similar", "Mandarins", "B"),           # cosine −0.9487
])
def test_each_closest_mistake_is_named(name, option, letter):
    assert cs.MISTAKES[name](CLOSEST) == option
    for answer in (option, letter):
        fb = cs.grade(CLOSEST, answer)
        assert fb.valid and fb.score == 0 and fb.mistake == name
        assert fb.message.startswith(cs.EXPLAIN[name]) and fb.hint == cs.HINT


def test_mistakes_of_the_other_ask_are_none():
    assert all(cs.MISTAKES[n](COSINE) is None for n in ("largest_dot_product", "nearest_euclidean", "least_similar"))
    assert all(cs.MISTAKES[n](CLOSEST) is None for n in ("dot_product", "euclidean_distance", "angle_in_radians"))
    three = {"ask": "closest", "query": [2, 2], "names": ["Navel Oranges", "Strawberries", "Clementines"],
             "candidates": [[5, 3], [2, 1], [9, 3]]}
    assert cs.solve(three) == "Navel Oranges"
    assert cs.MISTAKES["largest_dot_product"](three) == "Clementines"
    assert cs.MISTAKES["nearest_euclidean"](three) == "Strawberries"
    assert cs.MISTAKES["least_similar"](three) is None  # Clementines again: it is already largest_dot_product


def test_products_are_the_lectures():
    """Lecture 9: 'Converted Products for Search Query "Orange"': Navel Oranges, Clementines, Mandarins,
    Bananas, Strawberries."""
    seed = ROOT.parent / "shared" / "seeds" / "000_189d6490a7b97c38.txt"
    if seed.is_file():  # the lecture text, where this checkout has it beside it
        text = seed.read_text()
        assert 'Converted Products for Search Query "Orange"' in text
        assert all(name in text for name in cs.PRODUCTS)


def test_answers_against_torch():
    asks = set()
    for seed in range(400):
        p = cs.generate(np.random.default_rng(seed))
        asks.add(p["ask"])
        if p["ask"] == "cosine":
            u, v = torch.tensor(p["u"], dtype=torch.float64), torch.tensor(p["v"], dtype=torch.float64)
            ref = F.cosine_similarity(u, v, dim=0).item()
            assert float(cs.solve(p)) == pytest.approx(ref, abs=5e-5)
            assert 3 <= len(p["u"]) <= 4 and all(isinstance(x, int) for x in p["u"] + p["v"])
            continue
        q = torch.tensor(p["query"], dtype=torch.float64)
        c = torch.tensor(p["candidates"], dtype=torch.float64)
        cos = F.cosine_similarity(c, q[None, :], dim=1)
        assert cs.solve(p) == p["names"][int(cos.argmax())]
        # the slips each pick another product, named by the mistake
        dot_pick, near_pick = int((c @ q).argmax()), int(torch.cdist(c, q[None, :])[:, 0].argmin())
        assert len({int(cos.argmax()), dot_pick, near_pick}) == 3
        assert cs.MISTAKES["largest_dot_product"](p) == p["names"][dot_pick]
        assert cs.MISTAKES["nearest_euclidean"](p) == p["names"][near_pick]
        if len(p["names"]) == 4:
            assert cs.MISTAKES["least_similar"](p) == p["names"][int(cos.argmin())]
        assert sorted(p["names"]) == sorted(set(p["names"])) and set(p["names"]) <= set(cs.PRODUCTS)
        assert 2 <= len(p["query"]) <= 3 and 3 <= len(p["names"]) <= 4
    assert asks == {"cosine", "closest"}


def test_options_are_shuffled():
    right_positions = set()
    for seed in range(100):
        p = cs.generate(np.random.default_rng(seed))
        if p["ask"] == "closest":
            right_positions.add(p["names"].index(cs.solve(p)))
    assert right_positions == {0, 1, 2, 3}
