"""Assignments: plain TOML files an instructor edits, one per assignment, in `assignments/`.

    id = "lecture8"                  # what the gradebook stores; letters, digits, - and _ (default: file name)
    title = "Lecture 8: self-attention, multi-head attention, BERT"
    description = "..."             # optional, shown above the exercises
    tries = 3                        # valid tries per exercise (an unreadable answer is not a try)
    hints_after = 1                  # wrong tries before the hint shows (0: from the start)

    [[exercise]]                     # in order; each entry becomes `count` exercises
    family = "attention_weights"     # an ID from exercises.REGISTRY
    variant = "lecture"              # optional: one of the family's FIXED variants (the same for everyone)
    count = 1                        # optional, default 1
    tries = 5                        # optional, overrides the assignment's
    hints_after = 0                  # optional, overrides the assignment's

The folder is ATTENTION_LAB_ASSIGNMENTS when set, else `assignments/` next to the app. A file that
cannot be read is reported (file, line, what is wrong) and skipped; the others still load.

Positions are the order of the expanded exercises (0, 1, 2, ...). A student's variant is drawn from
(student id, assignment id, position); an instructor who reorders or inserts exercises in an assignment
students have started changes what later positions hold, so add new exercises at the end.
"""

from __future__ import annotations

import os
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

DEFAULT_FOLDER = Path(__file__).resolve().parent.parent / "assignments"
MAX_COUNT = 20
MAX_TRIES = 20
_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$")


class AssignmentError(ValueError):
    """An assignment file that cannot be used; str(error) names the file and what to fix."""


@dataclass(frozen=True)
class Item:
    """One exercise of an assignment."""

    position: int
    family_id: str
    variant: str | None  # a FIXED variant's name, or None: drawn per student
    tries: int
    hints_after: int


@dataclass(frozen=True)
class Assignment:
    id: str
    title: str
    description: str
    items: tuple[Item, ...]
    path: str

    @property
    def size(self) -> int:
        return len(self.items)


def folder() -> Path:
    return Path(os.environ.get("ATTENTION_LAB_ASSIGNMENTS") or DEFAULT_FOLDER)


def _int(data: dict, key: str, default: int, lo: int, hi: int, where: str) -> int:
    value = data.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int) or not lo <= value <= hi:
        raise AssignmentError(f"{where}: {key} must be a whole number from {lo} to {hi}, not {value!r}")
    return value


def parse(text: str, name: str, registry: dict[str, ModuleType]) -> Assignment:
    """One assignment from TOML text; `name` is the file name (its stem is the default id)."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        raise AssignmentError(f"{name}: not valid TOML ({e})") from None
    known = {"id", "title", "description", "tries", "hints_after", "exercise"}
    unknown = sorted(set(data) - known)
    if unknown:
        raise AssignmentError(f"{name}: unknown setting {', '.join(unknown)} (known: {', '.join(sorted(known))})")
    aid = data.get("id", Path(name).stem)
    if not isinstance(aid, str) or not _ID.match(aid):
        raise AssignmentError(f"{name}: id must be 1-64 letters, digits, - or _, starting with a letter or digit, "
                              f"not {aid!r}")
    title = data.get("title", aid)
    description = data.get("description", "")
    if not isinstance(title, str) or not title.strip() or not isinstance(description, str):
        raise AssignmentError(f"{name}: title and description must be text")
    tries = _int(data, "tries", 3, 1, MAX_TRIES, name)
    hints_after = _int(data, "hints_after", 1, 0, MAX_TRIES, name)
    entries = data.get("exercise")
    if not isinstance(entries, list) or not entries:
        raise AssignmentError(f"{name}: no exercises: add at least one [[exercise]] with a family")
    items: list[Item] = []
    for n, entry in enumerate(entries, 1):
        where = f"{name}, exercise {n}"
        if not isinstance(entry, dict):
            raise AssignmentError(f"{where}: write it as an [[exercise]] table")
        extra = sorted(set(entry) - {"family", "variant", "count", "tries", "hints_after"})
        if extra:
            raise AssignmentError(f"{where}: unknown setting {', '.join(extra)}")
        family_id = entry.get("family")
        if family_id not in registry:
            raise AssignmentError(f"{where}: family {family_id!r} is not one of {', '.join(sorted(registry))}")
        variant = entry.get("variant")
        if variant is not None:
            fixed = getattr(registry[family_id], "FIXED", {})
            if variant not in fixed:
                choices = ", ".join(sorted(fixed)) or "none"
                raise AssignmentError(f"{where}: {family_id} has no variant {variant!r} (it has: {choices})")
        count = _int(entry, "count", 1, 1, MAX_COUNT, where)
        item_tries = _int(entry, "tries", tries, 1, MAX_TRIES, where)
        item_hints = _int(entry, "hints_after", hints_after, 0, MAX_TRIES, where)
        for _ in range(count):
            items.append(Item(len(items), family_id, variant, item_tries, item_hints))
    return Assignment(aid, title.strip(), description.strip(), tuple(items), name)


def load(path: Path | None = None, registry: dict[str, ModuleType] | None = None
         ) -> tuple[list[Assignment], list[str]]:
    """Every *.toml in the folder, sorted by file name: (assignments, error messages). Two files with
    one id: the second is an error."""
    if registry is None:
        from exercises import BY_ID as registry
    where = path or folder()
    found: list[Assignment] = []
    errors: list[str] = []
    if not where.is_dir():
        return [], [f"The assignments folder {where} does not exist."]
    for file in sorted(where.glob("*.toml")):
        try:
            a = parse(file.read_text(encoding="utf-8"), file.name, registry)
        except (OSError, UnicodeDecodeError) as e:
            errors.append(f"{file.name}: cannot be read ({e})")
            continue
        except AssignmentError as e:
            errors.append(str(e))
            continue
        if any(a.id == b.id for b in found):
            errors.append(f"{file.name}: id {a.id!r} is already used by another file; give each assignment its own id")
            continue
        found.append(a)
    return found, errors
