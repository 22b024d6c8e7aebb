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

The folder is ATTENTION_LAB_ASSIGNMENTS when set, else `assignments/` next to the app. Every file is
read on its own (exercises/toml_files.py): one that is not a regular file (a folder, pipe, device, a link
out of the folder), over 1 MB, not UTF-8, starts with a BOM, nests too deeply, is not TOML or has a
value of the wrong type is reported (file, what is wrong, how to fix it) and skipped; the others load.

Positions are the order of the expanded exercises (0, 1, 2, ...). A student's variant is drawn from
(student id, assignment id, position); an instructor who reorders or inserts exercises in an assignment
students have started changes what later positions hold, so add new exercises at the end.
"""

from __future__ import annotations

import os
import re
import stat
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

from core.errors import UserError
from exercises import toml_files

DEFAULT_FOLDER = Path(__file__).resolve().parent.parent / "assignments"
MAX_COUNT = 20
MAX_TRIES = 20
MAX_ENTRIES = 200
_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$")


class AssignmentError(UserError):
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


def _show(value) -> str:
    """A value as the message shows it: short text quoted, anything else by its kind (a 5,000-deep
    array or a 1 MB string never goes into a message whole)."""
    if isinstance(value, str):
        return repr(value) if len(value) <= 40 else repr(value[:40]) + "…"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value) if len(repr(value)) <= 40 else "a very long number"
    if isinstance(value, list):
        return "a list [...]"
    if isinstance(value, dict):
        return "a table {...}"
    return f"a {type(value).__name__}"


def _keys(keys) -> str:
    return ", ".join(_show(k).strip("'") for k in sorted(keys)[:5]) + (" …" if len(keys) > 5 else "")


def _int(data: dict, key: str, default: int, lo: int, hi: int, where: str) -> int:
    value = data.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int) or not lo <= value <= hi:
        raise AssignmentError(f"{where}: {key} must be a whole number from {lo} to {hi}, not {_show(value)}. "
                              f"Fix: write e.g. {key} = {max(lo, min(default, hi))}.")
    return value


def _text(data: dict, key: str, default: str, where: str, most: int) -> str:
    value = data.get(key, default)
    if not isinstance(value, str) or len(value) > most:
        raise AssignmentError(f"{where}: {key} must be text of at most {most:,} characters, not {_show(value)}. "
                              f'Fix: write it in quotes, e.g. {key} = "Week 1".')
    return value.strip()


def parse(text: str, name: str, registry: dict[str, ModuleType]) -> Assignment:
    """One assignment from TOML text; `name` is the file name (its stem is the default id)."""
    try:
        data = toml_files.loads(text, name)
    except toml_files.TomlFileError as e:
        raise AssignmentError(str(e)) from None
    return from_data(data, name, registry)


def from_data(data: dict, name: str, registry: dict[str, ModuleType]) -> Assignment:
    """One assignment from a parsed TOML file; every key's type and range is checked."""
    known = {"id", "title", "description", "tries", "hints_after", "exercise"}
    unknown = set(data) - known
    if unknown:
        raise AssignmentError(f"{name}: unknown setting {_keys(unknown)}. Fix: remove it or correct its spelling "
                              f"(known: {', '.join(sorted(known))}).")
    aid = data.get("id", Path(name).stem)
    if not isinstance(aid, str) or not _ID.match(aid):
        raise AssignmentError(f"{name}: id must be 1-64 letters, digits, - or _, starting with a letter or digit, "
                              f'not {_show(aid)}. Fix: write e.g. id = "week1".')
    title = _text(data, "title", aid, name, 200) or aid
    description = _text(data, "description", "", name, 5000)
    tries = _int(data, "tries", 3, 1, MAX_TRIES, name)
    hints_after = _int(data, "hints_after", 1, 0, MAX_TRIES, name)
    entries = data.get("exercise")
    if not isinstance(entries, list) or not entries:
        raise AssignmentError(f'{name}: no exercises. Fix: add at least one [[exercise]] with family = "...".')
    if len(entries) > MAX_ENTRIES:
        raise AssignmentError(f"{name}: {len(entries)} [[exercise]] entries; at most {MAX_ENTRIES}. "
                              "Fix: split it into several assignments.")
    items: list[Item] = []
    for n, entry in enumerate(entries, 1):
        where = f"{name}, exercise {n}"
        if not isinstance(entry, dict):
            raise AssignmentError(f"{where}: is {_show(entry)}. Fix: write it as an [[exercise]] table.")
        extra = set(entry) - {"family", "variant", "count", "tries", "hints_after"}
        if extra:
            raise AssignmentError(f"{where}: unknown setting {_keys(extra)}. Fix: remove it or correct its "
                                  "spelling (known: family, variant, count, tries, hints_after).")
        family_id = entry.get("family")
        if not isinstance(family_id, str) or family_id not in registry:
            raise AssignmentError(f"{where}: family {_show(family_id)} is not one of {', '.join(sorted(registry))}. "
                                  'Fix: write one of them in quotes, e.g. family = "softmax_row".')
        variant = entry.get("variant")
        if variant is not None:
            fixed = getattr(registry[family_id], "FIXED", {})
            if not isinstance(variant, str) or variant not in fixed:
                choices = ", ".join(sorted(fixed)) or "none"
                raise AssignmentError(f"{where}: {family_id} has no variant {_show(variant)} (it has: {choices}). "
                                      "Fix: use one of those in quotes, or leave variant out for a variant per "
                                      "student.")
        count = _int(entry, "count", 1, 1, MAX_COUNT, where)
        item_tries = _int(entry, "tries", tries, 1, MAX_TRIES, where)
        item_hints = _int(entry, "hints_after", hints_after, 0, MAX_TRIES, where)
        for _ in range(count):
            items.append(Item(len(items), family_id, variant, item_tries, item_hints))
    return Assignment(aid, title, description, tuple(items), name)


# A file read before is not read again while its stat is unchanged (with the app's own registry; any
# other registry, a test's, reads every time): the page loads the assignments on every run. Racy-clean, as git does it: a file changed within the last
# RECHECK_S seconds (file times are kept only as finely as the kernel's clock tick) is read every time.
RECHECK_S = 2.0
_cache: dict[str, tuple[tuple, Assignment | str]] = {}
_cache_lock = threading.Lock()


def _fingerprint(file: Path) -> tuple | None:
    """What changes when the file (or, for a link, the link or its target) is edited, replaced, renamed
    over or has its permissions changed; None when it cannot be told (then it is read)."""
    try:
        link = os.lstat(file)
        target = os.stat(file) if stat.S_ISLNK(link.st_mode) else link
    except OSError:
        return None
    if max(link.st_mtime_ns, target.st_mtime_ns) / 1e9 > time.time() - RECHECK_S:
        return None  # changed a moment ago: a second edit in the same clock tick would leave the same stat
    return tuple((s.st_dev, s.st_ino, s.st_mode, s.st_size, s.st_mtime_ns, s.st_ctime_ns) for s in (link, target))


def _read_one(file: Path, where: Path, registry: dict[str, ModuleType]) -> Assignment | str:
    """One file: its assignment, or the error message that reports it."""
    try:
        return from_data(toml_files.read(file, where), file.name, registry)
    except (toml_files.TomlFileError, AssignmentError) as e:
        return str(e)
    except Exception as e:  # a bug of ours must not take the page down: report the file, keep the others
        return (f"{file.name}: could not be read ({type(e).__name__}). Fix: compare it with "
                "the example at the top of exercises/assignments.py.")


def _read_cached(file: Path, where: Path, registry: dict[str, ModuleType]) -> Assignment | str:
    from exercises import BY_ID

    if registry is not BY_ID:
        return _read_one(file, where, registry)
    key = str(file.absolute())
    fingerprint = _fingerprint(file)
    with _cache_lock:
        hit = _cache.get(key)
    if fingerprint is not None and hit is not None and hit[0] == fingerprint:
        return hit[1]
    result = _read_one(file, where, registry)
    if fingerprint is not None and fingerprint == _fingerprint(file):  # unchanged while it was read
        with _cache_lock:
            _cache[key] = (fingerprint, result)
    return result


def load(path: Path | None = None, registry: dict[str, ModuleType] | None = None
         ) -> tuple[list[Assignment], list[str]]:
    """Every *.toml in the folder, sorted by file name: (assignments, error messages). Two files with
    one id: the second is an error. A file unchanged since it was last read is not read again."""
    if registry is None:
        from exercises import BY_ID as registry
    where = path or folder()
    found: list[Assignment] = []
    errors: list[str] = []
    if not where.is_dir():
        return [], [f"The assignments folder {where} does not exist."]
    for file in sorted(where.glob("*.toml")):
        a = _read_cached(file, where, registry)
        if isinstance(a, str):
            errors.append(a)
            continue
        other = next((b for b in found if b.id == a.id), None)
        if other is not None:
            errors.append(f"{file.name}: id {a.id!r} is already used by {other.path}. "
                          "Fix: give each assignment its own id (the id line, or the file name when there is none).")
            continue
        found.append(a)
    return found, errors
