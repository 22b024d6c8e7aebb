"""exercises.base re-exports what families and pages import: every name in __all__ is the object of the
module it comes from (exercises.parse, .choices, .compare, .grading, .feedback, .formatting, .mistakes,
.variants, .contract). Each module's own tests are in tests/test_<module>.py."""

from __future__ import annotations

import importlib

from exercises import base

MODULES = ("parse", "choices", "compare", "grading", "feedback", "formatting", "mistakes", "variants", "contract")


def test_every_name_is_re_exported_from_its_module():
    homes = {}
    for name in MODULES:
        module = importlib.import_module(f"exercises.{name}")
        for attr in base.__all__:
            if attr in vars(module) and module.__name__ == f"exercises.{name}":
                obj = vars(module)[attr]
                if getattr(obj, "__module__", module.__name__) == module.__name__ or not callable(obj):
                    homes.setdefault(attr, module.__name__)
    assert set(base.__all__) == set(homes), set(base.__all__) - set(homes)
    for attr, home in homes.items():
        assert getattr(base, attr) is getattr(importlib.import_module(home), attr), attr


def test_what_other_code_imports_from_base():
    from exercises.base import (  # noqa: F401  the pages, practice, the dashboard and the tests
        CORRECT,
        AnswerError,
        Feedback,
        check_family,
        choice_label,
        format_answer,
        invalid,
        parse_matrix,
        parse_number,
        variant_seed,
    )


def test_what_nothing_used_is_gone():
    for gone in ("parse_word", "grade_word", "variant_rng", "MAX_WORD_CHARS"):
        assert not hasattr(base, gone), gone
