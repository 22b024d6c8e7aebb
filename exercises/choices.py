"""Multiple-choice items: how options are shown, read back and graded.

An option may be typed as its text (any case, spaces collapsed), its number ("4", "option 4"), its
letter when lettered ("d", "D)", "(d)"), or a label and its text ("B) the keys").
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping, Sequence

import numpy as np

from exercises.feedback import CORRECT, NOT_CORRECT, AnswerError, Feedback, invalid
from exercises.grading import Mistakes, _explain, _mistakes
from exercises.parse import _shown, _text

MIN_OPTIONS = 4  # a generated choice offers at least this many (check_family); fewer get fewer tries (choice_tries)


def _norm_words(text: str) -> str:
    return " ".join(unicodedata.normalize("NFKC", text).casefold().split())


_SURROUNDING = "\"'`“”‘’«».,;:!?()[]{}<>"


_LABEL = re.compile(r"^\(?\s*([a-z]|\d{1,3})\s*[).:]?$")
_WORD_BEFORE = re.compile(r"^(?:option|choice|answer|number|no\.?|#)\s*[:#]?\s*(?=\S)")  # "option 4", "answer: b"
_LABEL_THEN_TEXT = re.compile(r"^\(?\s*([a-z]|\d{1,3})\s*[).:]\s*(.+)$")


def _loose(text: str) -> str:
    """Option text compared loosely: surrounding punctuation, commas and the spaces around them dropped."""
    return re.sub(r"\s*,\s*|\s+", " ", text.strip(_SURROUNDING + " ")).replace(" ", "")


def choice_label(index: int) -> str:
    """0 -> 'A', 1 -> 'B', ...: how a lettered option is shown."""
    return chr(ord("A") + index)


def format_choices(options: Sequence[str], lettered: bool = True) -> str:
    """Options as a prompt shows them, one per line: 'A) ...' (or '1) ...')."""
    return "\n".join(f"{choice_label(i) if lettered else i + 1}) {o}" for i, o in enumerate(options))


def parse_choice(text, options: Sequence[str], lettered: bool = True) -> int:
    """One of `options` -> its index (0-based). Accepted: the option's text (any case, spaces
    collapsed; commas, thousands separators and spaces around them do not matter), its number 1..n
    ("4", "4)", "option 4"), its letter when lettered ("d", "D)", "(d)", "option D"), or a label followed
    by that option's text ("B) the keys"). An option text that is itself a number matches before option
    numbers. An int is read like the typed number (1-based)."""
    n = len(options)
    what = (f"one of the options: a letter A–{choice_label(n - 1)}, " if lettered else "one of the options: ") + \
        f"a number 1–{n}, or the option's text"
    if isinstance(text, (int, np.integer)) and not isinstance(text, bool):
        text = str(int(text))
    t = _text(text, what)
    typed = _norm_words(t)
    normal = [_norm_words(o) for o in options]
    if typed in normal:
        return normal.index(typed)
    stripped = typed.strip(_SURROUNDING + " ")
    if stripped in normal:
        return normal.index(stripped)
    loose = [_loose(o) for o in normal]  # the text with its commas and spaces as typed: "768,768 and 15,360"
    if _loose(typed) in loose and loose.count(_loose(typed)) == 1:
        return loose.index(_loose(typed))
    typed = _WORD_BEFORE.sub("", typed)

    def label_index(label: str) -> int | None:
        if label.isdigit():
            i = int(label) - 1
        elif lettered:
            i = ord(label) - ord("a")
        else:
            return None
        return i if 0 <= i < n else None

    m = _LABEL.match(typed)
    if m:
        i = label_index(m.group(1))
        if i is None:
            raise AnswerError(f"Your answer '{_shown(t)}' names no option: type {what}.")
        return i
    m = _LABEL_THEN_TEXT.match(typed)
    if m:
        i = label_index(m.group(1))
        rest = m.group(2).strip(_SURROUNDING + " ")
        if i is not None and rest == normal[i].strip(_SURROUNDING + " "):
            return i
    raise AnswerError(f"Your answer '{_shown(t)}' is not one of the options: type {what}.")


def grade_choice(correct_index: int, text, options: Sequence[str], mistakes: Mistakes,
                 explain: Mapping[str, str], *, lettered: bool = True, hint: str | None = None) -> Feedback:
    """Multiple choice: 1 for the right option, else 0 (naming the mistake an option stands for)."""
    try:
        got = parse_choice(text, options, lettered=lettered)
    except AnswerError as e:
        return invalid(str(e))
    if got == correct_index:
        return Feedback(True, 1.0, CORRECT)
    for name, value in _mistakes(mistakes).items():
        if value is not None and value != correct_index and value == got:
            return Feedback(True, 0.0, _explain(explain, name), mistake=name, hint=hint)
    return Feedback(True, 0.0, NOT_CORRECT, hint=hint)


def reduced_score(fb: Feedback, form: dict, wrong_before: int) -> Feedback:
    """The feedback a choice item's answer earns after `wrong_before` wrong (valid) tries: a right answer
    scores 1 on the first try, 0.5 on the second, 0.25 on the third, halving with each wrong try before
    it (as PrairieLearn's multiple-choice questions do), so guessing through the options earns little.
    Any other kind of answer, a wrong or unreadable one, or a first try is returned unchanged."""
    if form.get("kind") != "choice" or not fb.valid or fb.score <= 0 or wrong_before <= 0:
        return fb
    score = fb.score / 2 ** int(wrong_before)
    tries = f"{wrong_before} wrong tr{'y' if wrong_before == 1 else 'ies'}"
    return Feedback(True, score, f"{fb.message} After {tries}, this answer earns {score * 100:g}% of the marks.",
                    fb.mistake, fb.cells, fb.hint, right=True)


def choice_tries(tries: int, form: dict) -> int:
    """The tries an item allows: the assignment's, except that a choice with fewer than MIN_OPTIONS options
    allows at most options − 2 (at least 1), so that nobody reaches the right option by trying them all."""
    if form.get("kind") != "choice" or len(form.get("options", ())) >= MIN_OPTIONS:
        return tries
    return max(1, min(tries, len(form["options"]) - 2))


CHOICE_PASS_MARK = 1e-12  # a choice scores 0 when wrong, 1, 0.5, 0.25, ... when right (reduced_score)


def pass_mark(form: dict, solved: float) -> float:
    """The best score at which an item counts as solved: `solved` (1, less rounding), except for a choice,
    where any score above 0 is a right answer (reduced by the wrong tries before it)."""
    return CHOICE_PASS_MARK if form.get("kind") == "choice" else solved
