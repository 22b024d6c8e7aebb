"""The exercise bank: families (exercises/families), answer parsing and grading (base), assignments
(assignments), what a page calls to show and grade a student's exercise (practice), and the gradebook
(store).

REGISTRY lists every family module, in the order of the lectures' topics; BY_ID maps ID -> module.
"""

from importlib import import_module
from types import ModuleType

FAMILIES = (
    "softmax_row",
)

REGISTRY: list[ModuleType] = [import_module(f"exercises.families.{name}") for name in FAMILIES]
BY_ID: dict[str, ModuleType] = {m.ID: m for m in REGISTRY}
