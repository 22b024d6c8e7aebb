"""The hostile corpus (tests/hostile.py) through every function a person's text reaches: the matrix
and sentence parsers, every exercise family's grade, the student id check and the assignment loader.
Each may refuse the input with its own message; none may raise anything else, and no feedback to a
wrong or unreadable answer may contain the right answer."""

from __future__ import annotations

import numpy as np
import pytest

from core.matrix_text import MatrixInputError, parse_matrix
from core.text import InputError, check_sentence, find_masks, split_sentences
from exercises import REGISTRY, identity
from exercises import assignments as assignment_files
from exercises.base import Feedback, format_answer
from tests.hostile import CORPUS, tally

VALID_ASSIGNMENT = 'id = "ok"\ntitle = "Fine"\n[[exercise]]\nfamily = "softmax_row"\n'


def _escaped(fn, allowed: type[Exception], text: str) -> bool:
    try:
        fn(text)
    except allowed:
        return False
    except Exception:  # noqa: BLE001 - anything else is a traceback in the page
        return True
    return False


@pytest.mark.parametrize("name, fn, allowed", [
    ("core.matrix_text.parse_matrix", parse_matrix, MatrixInputError),
    ("core.text.check_sentence", check_sentence, InputError),
    ("core.text.split_sentences", split_sentences, InputError),
    ("core.text.find_masks", find_masks, InputError),
])
def test_parsers_refuse_with_their_own_error(name, fn, allowed):
    escaped = [text[:40] for text in CORPUS if _escaped(fn, allowed, text)]
    tally(name, len(CORPUS), exceptions=len(escaped))
    assert not escaped


def _variants(family) -> list[dict]:
    fixed = [dict(p) for p in getattr(family, "FIXED", {}).values()]
    return fixed + [family.generate(np.random.default_rng(seed)) for seed in range(3)]


@pytest.mark.parametrize("family", REGISTRY, ids=lambda f: f.ID)
def test_every_family_grades_hostile_answers_without_raising_or_leaking(family):
    exceptions, leaks, fed = [], [], 0
    for params in _variants(family):
        right = family.solve(params)
        right_text = right if isinstance(right, str) else format_answer(right)
        for text in CORPUS:
            fed += 1
            try:
                fb = family.grade(params, text)
            except Exception as err:  # noqa: BLE001
                exceptions.append((text[:30], repr(err)[:80]))
                continue
            if not isinstance(fb, Feedback) or (not fb.valid and fb.score != 0):
                exceptions.append((text[:30], f"bad feedback {fb!r}"[:80]))
            elif fb.score < 1 and len(right_text) >= 4 and right_text in fb.message and right_text not in text:
                leaks.append((text[:30], right_text))
    tally(f"exercises.{family.ID}.grade", fed, exceptions=len(exceptions), leaks=len(leaks))
    assert not exceptions
    assert not leaks


def test_student_ids_are_refused_or_kept_as_typed():
    """A student id is refused with a message, or kept exactly as typed (lower case, spaces around it
    dropped): never folded into someone else's id."""
    exceptions, folded = [], []
    for text in CORPUS:
        try:
            sid = identity.normalize_student_id(text)
        except identity.SignInError:
            continue
        except Exception as err:  # noqa: BLE001
            exceptions.append((text[:30], repr(err)[:80]))
            continue
        if sid != text.strip().lower() or not sid.isascii():
            folded.append((text[:30], sid))
    tally("exercises.identity.normalize_student_id", len(CORPUS), exceptions=len(exceptions), leaks=len(folded))
    assert not exceptions
    assert not folded


def test_assignment_loader_reports_each_bad_file_and_loads_the_rest(tmp_path, monkeypatch):
    """Each corpus string as a whole assignment file, and as its title, family and variant: the loader
    never raises, and the good file beside them always loads."""
    monkeypatch.setenv("ATTENTION_LAB_ASSIGNMENTS", str(tmp_path))
    (tmp_path / "ok.toml").write_text(VALID_ASSIGNMENT)
    exceptions, missing, fed = [], 0, 0
    bodies = []
    for text in CORPUS:
        bodies.append(text)
        quoted = text.replace("\\", "\\\\").replace('"', '\\"')
        bodies.append(f'title = "{quoted}"\n[[exercise]]\nfamily = "softmax_row"\n')
        bodies.append(f'[[exercise]]\nfamily = "{quoted}"\n')
        bodies.append(f'[[exercise]]\nfamily = "softmax_row"\nvariant = "{quoted}"\n')
    wrong = ('["softmax_row"]', "{a = 1}", "1", "true", "1.5", "1979-05-27T07:32:00Z", "[[1]]", "[" * 5000 + "]" * 5000,
             "-1", "99999999999999999999", '"x"')
    for key in ("id", "title", "description", "tries", "hints_after"):
        bodies += [f'{key} = {v}\n[[exercise]]\nfamily = "softmax_row"\n' for v in wrong]
    for key in ("family", "variant", "count", "tries", "hints_after"):
        bodies += [f'[[exercise]]\nfamily = "softmax_row"\n{key} = {v}\n'.replace(
            'family = "softmax_row"\nfamily', "family") for v in wrong]
    bodies += ["exercise = 1", "exercise = [1, 2]", 'exercise = "x"', "[exercise]\nfamily = 1", "a.b.c.d = 1\n" * 3]
    for i, body in enumerate(bodies):
        path = tmp_path / "bad.toml"
        try:
            path.write_text(body, encoding="utf-8", errors="surrogatepass")
        except OSError:
            continue
        fed += 1
        try:
            found, _problems = assignment_files.load()
        except Exception as err:  # noqa: BLE001
            exceptions.append((i, body[:30], repr(err)[:80]))
            continue
        missing += "ok" not in {a.id for a in found}
    tally("exercises.assignments.load", fed, exceptions=len(exceptions) + missing)
    assert not exceptions
    assert not missing
