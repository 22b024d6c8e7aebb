"""What grading returns: Feedback (valid, score, message, mistake, cells, hint), and AnswerError, the one
error a parser raises (typed input that could not be read; it costs no try)."""

from __future__ import annotations

from dataclasses import dataclass

from core.errors import UserError

CORRECT = "Correct."
NOT_CORRECT = "Not correct."


@dataclass(frozen=True)
class Feedback:
    """The result of grading one answer.

    valid:   False when the input could not be read (a format error): it costs no attempt, score is 0,
             mistake is None and message says what to fix.
    score:   0..1. 1 is fully right; a matrix or vector answer earns the fraction of right cells.
    message: plain text (no markdown) for the student: "Correct.", what to fix, or the named mistake.
    mistake: the MISTAKES key this answer was recognized as, or None.
    cells:   matrix and vector answers (valid and of the right shape): a nested list of booleans, one
             row per matrix row (a vector is one row), True where the cell is right; otherwise None.
    hint:    a hint the page may show after a wrong try (None when the answer is right or unread).
    right:   True for a right answer whose score was reduced (a choice after wrong tries:
             exercises.choices.reduced_score); None otherwise, when a score of 1 is what makes it right.
    """

    valid: bool
    score: float
    message: str
    mistake: str | None = None
    cells: list[list[bool]] | None = None
    hint: str | None = None
    right: bool | None = None

    def __post_init__(self):
        if not isinstance(self.message, str) or not self.message:
            raise ValueError("Feedback.message must be a non-empty str")
        if not (0.0 <= self.score <= 1.0):
            raise ValueError(f"Feedback.score must be within 0..1, not {self.score!r}")
        if not self.valid and (self.score != 0 or self.mistake is not None):
            raise ValueError("invalid Feedback has score 0 and no mistake")

    @property
    def correct(self) -> bool:
        """The answer is right (its score may have been reduced by wrong tries before it)."""
        return self.valid and (self.score >= 1.0 if self.right is None else self.right)

    def to_dict(self) -> dict:
        """JSON-safe, for the gradebook."""
        return {"valid": self.valid, "score": float(self.score), "message": self.message, "mistake": self.mistake,
                "cells": self.cells, "hint": self.hint, "right": self.right}


class AnswerError(UserError):
    """Typed input that could not be read; str(error) says what to fix. Costs no attempt."""


def invalid(message: str) -> Feedback:
    return Feedback(valid=False, score=0.0, message=message)
