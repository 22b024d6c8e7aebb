"""Reading the URL's query parameters a page uses (`?seed=42`, `?present=1`): anything else than one
plain value in range (a negative or huge number, text, Unicode digits, the parameter twice with
different values) gives the default and a message that says what to write instead."""

from __future__ import annotations

import re

SEED_MAX = 999_999
_DIGITS = re.compile(r"[0-9]{1,7}")  # ASCII only: int() would also read '١٢' or '１２'
_ON = {"1", "true", "yes", "on"}
_OFF = {"0", "false", "no", "off", ""}


def _shown(raw: str) -> str:
    return repr(raw if len(raw) <= 20 else raw[:20] + "…")


def _one(values: list[str], name: str) -> tuple[str | None, str | None]:
    """The parameter's one value (None when absent), or a message when it is given twice differently."""
    values = [str(v) for v in values]
    if not values:
        return None, None
    if len(set(values)) > 1:
        return None, f"The link gives {name} {len(values)} times with different values"
    return values[0].strip(), None


def read_seed(values: list[str], hi: int = SEED_MAX) -> tuple[int | None, str | None]:
    """(seed, message): the seed when the link gives one whole number from 0 to hi, else (None, why)."""
    raw, message = _one(values, "seed")
    if raw is not None and _DIGITS.fullmatch(raw) and int(raw) <= hi:
        return int(raw), None
    if raw is not None:
        message = f"The link's seed {_shown(raw)} is not a whole number from 0 to {hi:,}"
    if message is None:
        return None, None
    return None, (f"{message}, so the page shows its default example. "
                  f"Fix: write ?seed= with a number from 0 to {hi}, e.g. ?seed=42.")


def read_flag(values: list[str], name: str) -> tuple[bool | None, str | None]:
    """(on, message) for a switch such as ?present=1: None and a message for anything but 1/0,
    true/false, yes/no, on/off."""
    raw, message = _one(values, name)
    if raw is not None and raw.lower() in _ON | _OFF:
        return raw.lower() in _ON, None
    if raw is not None:
        message = f"The link's {name} {_shown(raw)} is neither on nor off"
    if message is None:
        return None, None
    return None, f"{message}, so it is off. Fix: write ?{name}=1 to turn it on, or leave it out."
