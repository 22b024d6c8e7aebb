"""Every example value a student is shown beside an answer box: the page's labels and placeholders and the
parsers' messages ("type a number, like ..."). Gathered here so that a test can hold each one against
every family's answers (tests/test_examples.py): an example must never be the answer to a variant.

The values are chosen so that no family produces them: numbers with 3 significant digits outside every
family's answers, a shape whose sizes no family uses.
"""

from __future__ import annotations

NUMBER_EXAMPLES = ("0.25", "1/4")  # a decimal and a fraction
PERCENT_EXAMPLE = ("0.25", "25%")  # a probability typed plainly, and as a percentage
VECTOR_EXAMPLE = "0.2 0.3 0.5"
MATRIX_EXAMPLE = "1 2; 3 4"
MATRIX_LINES = "1 2\n3 4"  # the same matrix, one row per line
SHAPE_EXAMPLE = "20 x 768"
SHAPE_EXAMPLE_TUPLE = "(20, 768)"

# the Exercises page: what each kind of answer box is labelled (the page appends nothing that holds a value)
LABELS = {
    "number": "a number",
    "vector": "{n} numbers",  # .format(n=...) with the vector's length
    "shape": f"a shape, like {SHAPE_EXAMPLE}",
    "matrix": "a {rows}×{cols} matrix",
}
MATRIX_PLACEHOLDER = "one row per line, like\n" + MATRIX_LINES


def label(form: dict) -> str:
    """The label of a text answer box for an answer_form: 'Your answer (a number)'."""
    kind = form.get("kind")
    if kind == "matrix":
        return "Your answer: " + LABELS["matrix"].format(rows=form["rows"], cols=form["cols"])
    what = LABELS.get(kind, "your answer")
    return f"Your answer ({what.format(n=form.get('n', '')).strip()})"


def shown() -> list[str]:
    """Every example string above, for the leak test."""
    return [*NUMBER_EXAMPLES, *PERCENT_EXAMPLE, VECTOR_EXAMPLE, MATRIX_EXAMPLE, MATRIX_LINES, SHAPE_EXAMPLE,
            SHAPE_EXAMPLE_TUPLE, *LABELS.values(), MATRIX_PLACEHOLDER]
