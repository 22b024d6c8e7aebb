"""A family's MISTAKES: distinct wrong answers (distinct), worked out once per variant (per_variant), as the
student types them (typed_mistakes)."""

from __future__ import annotations

import functools
import json
from collections.abc import Callable, Iterable, Mapping
from typing import TypeVar

from exercises.compare import ABS, REL, unless_close
from exercises.formatting import format_answer

T = TypeVar("T")
PER_VARIANT_CACHE = 256  # variants per_variant remembers (each function its own)


def distinct(candidates: Mapping[str, object], right, *, names: Iterable[str] | None = None,
             rel: float = REL, abs_: float = ABS) -> dict:
    """Each mistake's value in order, None where a grader could not tell it from `right` or from an
    earlier one kept (unless_close, in turn): what a family's MISTAKES entries must return.

    The order is `names` (a name missing from candidates is None) or else candidates' own. Values are
    numbers, arrays, shapes or option indices (distinct indices are never close at the default
    tolerances); whole numbers that must match exactly (shapes, counts) want rel=0 and a tiny abs_."""
    out: dict = {}
    for name in (candidates if names is None else names):
        out[name] = unless_close(candidates.get(name), right, *out.values(), rel=rel, abs_=abs_)
    return out


def per_variant(fn: Callable[[dict], T]) -> Callable[[dict], T]:
    """Decorator: fn(params) worked out once per variant, memoised (the last PER_VARIANT_CACHE) on the
    params' JSON text, json.dumps(p, sort_keys=True); fn gets its own copy of the params (read back from
    that text). For a family's mistakes, which each MISTAKES entry and each grade of a wrong answer ask
    for again. Callers share the result: read it, never change it."""

    @functools.lru_cache(maxsize=PER_VARIANT_CACHE)
    def cached(key: str):
        return fn(json.loads(key))

    @functools.wraps(fn)
    def of_params(p: dict):
        return cached(json.dumps(p, sort_keys=True))

    of_params.cache_info = cached.cache_info
    of_params.cache_clear = cached.cache_clear
    return of_params


def typed_mistakes(mistakes: Callable[[dict], Mapping], names: Iterable[str],
                   typed: Callable[[dict, object], str] | None = None) -> dict[str, Callable[[dict], str | None]]:
    """A family's MISTAKES: {name: function of params -> mistakes(params)[name] as the student types it,
    or None where that value is None}. typed(params, value) writes a value (an option index as the
    option's text, say); without it, format_answer(value). Each function's __name__ is its mistake's."""

    def entry(name: str) -> Callable[[dict], str | None]:
        def wrong(p: dict) -> str | None:
            value = mistakes(p)[name]
            if value is None:
                return None
            return format_answer(value) if typed is None else typed(p, value)

        wrong.__name__ = wrong.__qualname__ = name
        return wrong

    return {name: entry(name) for name in names}
