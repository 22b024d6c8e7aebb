"""Every example value a student is shown beside an answer box: the page's labels and placeholders and the
parsers' messages ("type a number, like ..."). Gathered here so that a test can hold each one against
every family's answers (tests/test_examples.py): an example must never be the answer to a variant.

The values are chosen so that no family produces them (at 200 seeds and every FIXED variant, within the
graders' 1% tolerance): numbers no answer comes near, a shape whose sizes no family uses. Shapes 20 x 768 and
matrices like 1 2; 3 4 were the examples once: 20 x 768 is the lecture's own answer, and 1, 2, 3, 4 are
answers too (counts, d_k). core.matrix_text's messages, which the matrix parser passes on, use these numbers
as well.
"""

from __future__ import annotations

NUMBER_EXAMPLES = ("-6.5", "17/4")  # a decimal and a fraction
WHOLE_NUMBER_EXAMPLES = ("43,210", "43210")  # a large count, with and without a thousands separator
PERCENT_EXAMPLE = ("0.55", "55%")  # a probability typed plainly, and as a percentage
VECTOR_EXAMPLE = "-2.5 9.5 11.5"
MATRIX_EXAMPLE = "9.5 -2.5; 6.5 11.5"
MATRIX_LINES = "9.5 -2.5\n6.5 11.5"  # the same matrix, one row per line
SHAPE_EXAMPLE = "37 x 50"
SHAPE_EXAMPLE_TUPLE = "(37, 50)"

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
    if kind not in LABELS:
        return "Your answer"
    return f"Your answer ({LABELS[kind].format(n=form.get('n', '')).strip()})"


def shown() -> list[str]:
    """Every example string above, for the leak test."""
    return [*NUMBER_EXAMPLES, *WHOLE_NUMBER_EXAMPLES, *PERCENT_EXAMPLE, VECTOR_EXAMPLE, MATRIX_EXAMPLE, MATRIX_LINES, SHAPE_EXAMPLE,
            SHAPE_EXAMPLE_TUPLE, *LABELS.values(), MATRIX_PLACEHOLDER]
