"""What every exercise family is built on, in one place to import from: reading typed answers
(exercises.parse, exercises.choices), comparing them (exercises.compare), grading them
(exercises.grading), writing them (exercises.formatting), a family's mistakes (exercises.mistakes),
choosing a student's variant (exercises.variants), and the self-test each family must pass
(exercises.contract). This module only re-exports their names.

The family contract (DESIGN.md, "Contracts"): a family is a module with ID, TITLE, TOPIC,
`generate(rng) -> params` (JSON-safe), `prompt(params) -> str`, `solve(params)`,
`grade(params, answer) -> Feedback` and MISTAKES, a dict from a mistake's name to a function of params
that returns the typical wrong answer (or None where, for those params, it would be graded right or
equal an earlier mistake's). `check_family(module)` holds a family to all of it.

Optional attributes, used by the Exercises page and the dashboard when present (check_family checks
each one a family has):

    answer_form(params) -> dict   which input the page shows: {"kind": "number"}, {"kind": "vector", "n": 3},
                                  {"kind": "matrix", "rows": 3, "cols": 3}, {"kind": "shape"},
                                  {"kind": "choice", "options": [str, ...]} (solve's answer is one of them;
                                  a generated variant has at least MIN_OPTIONS = 4 options; a FIXED one with
                                  fewer gets fewer tries, exercises.choices). Without it the page shows a
                                  text box.
    tables(params) -> dict        named matrices or vectors the prompt refers to ("X", "W_Q"), shown as tables
                                  under it: {name: list of rows (lists of numbers)} or {name: list of numbers}.
    HINT (str) or hint(params)    the hint shown after a wrong try (grade also puts it in Feedback.hint).
    worked_solution(params) -> str  plain-text steps, lines split by "\n", shown after the last allowed
                                  try or a right answer, never before.
    steps(params) -> list[core.steps.Step]  the page 1 walk-through for these numbers (attention families).
    FIXED: dict[str, params]      named fixed variants an assignment can ask for (e.g. "lecture": ICE #1's
                                  own matrices); each passes the same checks as a generated one.

Every text a family returns (prompt, messages, hints, worked solutions, options) is plain text: the page
escapes markdown, so write formulas in Unicode (√d_k, Qᵀ, ·, ×), never LaTeX or markdown.

Grading never raises. A parser raises only AnswerError (a format error: the input could not be read),
and the grade_* helpers turn it into Feedback(valid=False, ...), which costs the student no attempt.

Accepted input, by parser:
    parse_number   3   -0.25   .5   1/3   2.5e-3   3 × 10^-2   −1 (Unicode minus)   ≈ 0.33   ~0.33
                   15,360 (commas only in exact thousands groups)   55% (only when percent_ok: 0.55)
    parse_vector   0.2 0.3 0.5   0.2, 0.3, 0.5   [0.2, 0.3, 0.5]   (0.2, 0.3, 0.5)   one number per line
    parse_matrix   1 2; 3 4   [[1, 2], [3, 4]]   one row per line   rows from a grid editor (core.matrix_text)
    parse_probability  a number in 0..1, or a percentage in 0..100%; outside that it is unreadable
    parse_shape    7 x 13   7×13   7 by 13   (7, 13)   [7, 13]   7,13   13   (13,)
    parse_choice   the option's text (any case), its number 1..n ("4", "option 4"), or its letter a / D) / (c)
                   when lettered
Numbers compare with `close`: |a - b| <= max(abs_, rel * max(|a|, |b|)), rel 1e-2 and abs 1e-3 by default.

What families share beyond grading (a family's own maths stays in the family):
    distinct(candidates, right)    the mistakes' values in order, None where one equals the right answer or an
                                   earlier one (unless_close each in turn); names= fixes the order
    @per_variant                   a function of params memoised on their JSON text (the mistakes, which every
                                   MISTAKES entry and every grade of a wrong answer ask for again)
    typed_mistakes(fn, names)      MISTAKES from that function: each entry writes its value as typed
    bracketed(values)              a vector or matrix written inline in a prompt: [1, 2] or [[1, 2], [3, 4]]
"""

from exercises.choices import MIN_OPTIONS, choice_label, format_choices, grade_choice, parse_choice, reduced_score
from exercises.compare import ABS, REL, cells_close, close, unless_close
from exercises.contract import GARBAGE, REQUIRED, check_family
from exercises.feedback import CORRECT, NOT_CORRECT, AnswerError, Feedback, invalid
from exercises.formatting import bracketed, format_answer
from exercises.grading import Mistakes, grade_matrix, grade_number, grade_shape, grade_vector
from exercises.mistakes import PER_VARIANT_CACHE, distinct, per_variant, typed_mistakes
from exercises.parse import (
    MAX_CHARS,
    MAX_NUMBER_CHARS,
    MAX_SHAPE_DIMS,
    parse_matrix,
    parse_number,
    parse_probability,
    parse_shape,
    parse_vector,
)
from exercises.variants import variant_seed

__all__ = [
    "ABS", "CORRECT", "GARBAGE", "MAX_CHARS", "MAX_NUMBER_CHARS", "MAX_SHAPE_DIMS", "NOT_CORRECT", "PER_VARIANT_CACHE",
    "REL", "REQUIRED", "AnswerError", "Feedback", "Mistakes", "bracketed", "cells_close", "check_family",
    "MIN_OPTIONS", "choice_label", "close", "distinct", "format_answer", "format_choices", "grade_choice",
    "grade_matrix", "grade_number", "grade_shape", "grade_vector", "invalid", "parse_choice", "parse_matrix",
    "parse_number", "parse_probability", "parse_shape", "parse_vector", "per_variant", "reduced_score",
    "typed_mistakes", "unless_close", "variant_seed",
]
