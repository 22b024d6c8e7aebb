"""The family contract (DESIGN.md, "Contracts") and check_family, the self-test every family passes; see
exercises.base for the contract in words."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping
from types import ModuleType

import numpy as np

from exercises.choices import MIN_OPTIONS
from exercises.feedback import Feedback
from exercises.formatting import format_answer
from exercises.parse import parse_matrix, parse_vector

GARBAGE = ("", "   ", "banana", "[[1,2", "1/0", "∞", "nan", None, "9" * 10_000)
REQUIRED = ("ID", "TITLE", "TOPIC", "MISTAKES", "generate", "prompt", "solve", "grade")


def _call(what: str, fn: Callable, *args):
    try:
        return fn(*args)
    except Exception as e:  # any exception is a failure of the contract, reported with its context
        raise AssertionError(f"{what} raised {type(e).__name__}: {e}") from e


def _feedback(what: str, fb) -> Feedback:
    if not isinstance(fb, Feedback):
        raise AssertionError(f"{what} returned {type(fb).__name__}, not Feedback")
    return fb


def check_family(module: ModuleType, seeds: Iterable[int] = range(200)) -> None:
    """The self-test every family passes; AssertionError with a precise message when it does not.

    For each seed: generate(default_rng(seed)) is deterministic and its params survive a JSON round
    trip; prompt is a non-empty str; grade(params, solve(params)) is valid with score 1 (and so is
    the typed form, format_answer(solve(params)), when solve returns no str); each MISTAKES entry that
    is not None grades valid, below 1, named; each garbage input (module.GARBAGE where a family has more
    junk to try, else GARBAGE) is invalid with a message; a generated choice has at least MIN_OPTIONS
    options (a FIXED one may have fewer: exercises.choices.choice_tries gives it fewer tries).
    Nothing may raise.
    """
    name = getattr(module, "__name__", repr(module))
    missing = [a for a in REQUIRED if not hasattr(module, a)]
    if missing:
        raise AssertionError(f"family {name} lacks {', '.join(missing)}")
    for attr in ("ID", "TITLE", "TOPIC"):
        if not isinstance(getattr(module, attr), str) or not getattr(module, attr).strip():
            raise AssertionError(f"family {name}: {attr} must be a non-empty str")
    mistakes = module.MISTAKES
    if not isinstance(mistakes, Mapping) or not all(isinstance(k, str) and callable(f) for k, f in mistakes.items()):
        raise AssertionError(f"family {name}: MISTAKES must map names (str) to functions of params")
    garbage = tuple(getattr(module, "GARBAGE", GARBAGE))
    fid = module.ID
    fixed = getattr(module, "FIXED", {})
    if not isinstance(fixed, Mapping) or not all(isinstance(k, str) and isinstance(v, dict) for k, v in fixed.items()):
        raise AssertionError(f"family {name}: FIXED must map names (str) to params (dict)")
    for fixed_name, p in fixed.items():
        _check_params(module, f"{fid} (fixed {fixed_name!r})", p, mistakes, garbage, min_options=2)
    for seed in seeds:
        at = f"{fid} (seed {seed})"
        p = _call(f"{at}: generate", module.generate, np.random.default_rng(seed))
        try:
            text = json.dumps(p, allow_nan=False)
        except (TypeError, ValueError) as e:
            raise AssertionError(f"{at}: params are not JSON-safe ({e}); use int, float, str, bool, None, "
                                 f"lists and dicts with str keys") from None
        if json.loads(text) != p:
            raise AssertionError(f"{at}: params change in a JSON round trip (tuples become lists, int keys "
                                 f"become str): {p!r} -> {json.loads(text)!r}")
        p2 = _call(f"{at}: generate", module.generate, np.random.default_rng(seed))
        if p2 != p:
            raise AssertionError(f"{at}: generate is not deterministic: {p!r} then {p2!r}; draw every random "
                                 f"choice from the rng it is given")
        _check_params(module, at, p, mistakes, garbage)


def _check_params(module: ModuleType, at: str, p: dict, mistakes: Mapping, garbage: tuple,
                  min_options: int = MIN_OPTIONS) -> None:
    """check_family's checks of one variant (generated or fixed)."""
    try:
        text = json.dumps(p, allow_nan=False)
    except (TypeError, ValueError) as e:
        raise AssertionError(f"{at}: params are not JSON-safe ({e})") from None
    if json.loads(text) != p:
        raise AssertionError(f"{at}: params change in a JSON round trip: {p!r} -> {json.loads(text)!r}")
    shown = _call(f"{at}: prompt", module.prompt, p)
    if not isinstance(shown, str) or not shown.strip():
        raise AssertionError(f"{at}: prompt(params) must return a non-empty str, not {shown!r}")
    answer = _call(f"{at}: solve", module.solve, p)
    forms = [answer] if isinstance(answer, str) else [answer, _call(f"{at}: format_answer", format_answer, answer)]
    for form in forms:
        fb = _feedback(f"{at}: grade", _call(f"{at}: grade of solve {form!r}", module.grade, p, form))
        if not fb.valid or fb.score != 1:
            raise AssertionError(f"{at}: grade of solve's answer {form!r} is valid={fb.valid}, "
                                 f"score={fb.score}: {fb.message}")
    for mname, fn in mistakes.items():
        wrong = _call(f"{at}: MISTAKES[{mname!r}]", fn, p)
        if wrong is None:
            continue
        fb = _feedback(f"{at}: grade", _call(f"{at}: grade of mistake {mname!r} ({wrong!r})", module.grade,
                                             p, wrong))
        if not fb.valid:
            raise AssertionError(f"{at}: mistake {mname!r} ({wrong!r}) is graded invalid: {fb.message}")
        if fb.score >= 1:
            raise AssertionError(f"{at}: mistake {mname!r} ({wrong!r}) scores {fb.score}: it equals the right "
                                 f"answer here, so MISTAKES[{mname!r}] should return None for these params")
        if fb.mistake != mname:
            raise AssertionError(f"{at}: mistake {mname!r} ({wrong!r}) is graded as mistake={fb.mistake!r}: "
                                 f"grade must recognize it (or MISTAKES[{mname!r}] return None where it "
                                 f"equals another)")
    for junk in garbage:
        shown_junk = junk if junk is None or len(junk) <= 30 else junk[:30] + f"… ({len(junk)} chars)"
        fb = _feedback(f"{at}: grade", _call(f"{at}: grade of garbage {shown_junk!r}", module.grade, p, junk))
        if fb.valid or not fb.message.strip():
            raise AssertionError(f"{at}: garbage {shown_junk!r} must be invalid with a message, got "
                                 f"valid={fb.valid}, score={fb.score}, message={fb.message!r}")
    _check_optional(module, at, p, answer, min_options)


_KINDS = {"number": (), "vector": ("n",), "matrix": ("rows", "cols"), "shape": (), "choice": ("options",)}


def _check_optional(module: ModuleType, at: str, p: dict, answer, min_options: int = MIN_OPTIONS) -> None:
    """The optional attributes (see the module docstring), where the family has them."""
    if hasattr(module, "answer_form"):
        form = _call(f"{at}: answer_form", module.answer_form, p)
        if not isinstance(form, dict) or form.get("kind") not in _KINDS:
            raise AssertionError(f"{at}: answer_form must return a dict with kind one of {sorted(_KINDS)}, "
                                 f"not {form!r}")
        lacking = [k for k in _KINDS[form["kind"]] if k not in form]
        if lacking:
            raise AssertionError(f"{at}: answer_form of kind {form['kind']!r} lacks {', '.join(lacking)}")
        if form["kind"] == "choice":
            options = form["options"]
            if not (isinstance(options, list) and len(options) >= min_options and all(isinstance(o, str) and o.strip()
                                                                                       for o in options)):
                raise AssertionError(f"{at}: answer_form options must be a list of at least {min_options} non-empty "
                                     f"str (fewer can be guessed through in a few tries)")
            if len(set(options)) != len(options):
                raise AssertionError(f"{at}: answer_form options repeat: {options!r}")
            if not isinstance(answer, str) or answer not in options:
                raise AssertionError(f"{at}: solve's answer {answer!r} is not one of answer_form's options")
            for i, option in enumerate(options):  # what a radio button submits
                fb = module.grade(p, option)
                if not fb.valid:
                    raise AssertionError(f"{at}: option {i + 1} ({option!r}) is graded invalid: {fb.message}")
        if form["kind"] == "matrix":
            shape = parse_matrix(format_answer(answer) if not isinstance(answer, str) else answer).shape
            if shape != (form["rows"], form["cols"]):
                raise AssertionError(f"{at}: answer_form says {form['rows']}×{form['cols']}, solve gives {shape}")
        if form["kind"] == "vector" and parse_vector(answer).size != form["n"]:
            raise AssertionError(f"{at}: answer_form says n={form['n']}, solve gives {parse_vector(answer).size}")
    if hasattr(module, "tables"):
        tables = _call(f"{at}: tables", module.tables, p)
        if not isinstance(tables, dict) or not all(isinstance(k, str) for k in tables):
            raise AssertionError(f"{at}: tables must return a dict of name -> rows")
        for k, v in tables.items():
            try:
                a = np.asarray(v, dtype=float)
            except (TypeError, ValueError):
                raise AssertionError(f"{at}: table {k!r} is not numbers") from None
            if a.ndim not in (1, 2) or a.size == 0 or not np.all(np.isfinite(a)):
                raise AssertionError(f"{at}: table {k!r} must be a non-empty vector or matrix of finite numbers")
    for attr in ("worked_solution", "hint"):
        if hasattr(module, attr):
            out = _call(f"{at}: {attr}", getattr(module, attr), p)
            if not isinstance(out, str) or not out.strip():
                raise AssertionError(f"{at}: {attr}(params) must return a non-empty str")
    if hasattr(module, "HINT") and not (isinstance(module.HINT, str) and module.HINT.strip()):
        raise AssertionError(f"{at}: HINT must be a non-empty str")
    if hasattr(module, "steps"):
        steps = _call(f"{at}: steps", module.steps, p)
        if not isinstance(steps, list) or not steps:
            raise AssertionError(f"{at}: steps(params) must return a non-empty list of core.steps.Step")
