"""core/export.py: CSV that reads back to the very numbers (page 1's QKᵀ for ICE #1 is [[-22, -6], [-20, 588]]),
LaTeX that real KaTeX compiles (tests/katex, the version Streamlit draws st.latex with), hostile labels
that break neither, and a lecture pack that holds exactly what its README lists."""

from __future__ import annotations

import csv
import io
import json
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from core import examples
from core.attention import encoder_block, self_attention
from core.export import (
    clean,
    csv_bytes,
    csv_cell,
    latex_bmatrix,
    latex_labelled,
    latex_number,
    latex_text,
    lecture_pack,
    panel_csv,
    panel_latex,
    readme_files,
    walkthrough_tex,
)
from core.matrix_text import format_number
from core.steps import Panel, attention_steps, encoder_steps
from tests.hostile import CORPUS, tally

ROOT = Path(__file__).resolve().parents[1]
KATEX = ROOT / "tests" / "katex"
LABELS = ("token 1", "token 2")


def ice1_steps(**kw):
    e = examples.ice1()
    return attention_steps(self_attention(e["X"], e["W_Q"], e["W_K"], e["W_V"], **kw), LABELS, x=e["X"])


def panel_of(steps, key) -> Panel:
    return next(s for s in steps if s.key == key).panels[0]


def read_csv(data: bytes) -> tuple[list[str], list[str], np.ndarray]:
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    return rows[0][1:], [r[0] for r in rows[1:]], np.array([[float(v) for v in r[1:]] for r in rows[1:]])


def katex(expressions: list[str]) -> list[dict]:
    """Each expression rendered by real KaTeX in node (tests/katex/render.mjs)."""
    if shutil.which("node") is None or not (KATEX / "node_modules" / "katex").is_dir():
        pytest.fail("KaTeX is not installed: run ./scripts/install_test_katex.sh (./run_tests.sh does)")
    out = subprocess.run(["node", str(KATEX / "render.mjs")], input=json.dumps(expressions), capture_output=True,
                         text=True, timeout=120, check=True)
    return json.loads(out.stdout)


def assert_katex_compiles(expressions: list[str], *, warnings: bool = False) -> None:
    results = katex(expressions)
    bad = [(tex[:120], r["error"]) for tex, r in zip(expressions, results, strict=True) if not r["ok"]]
    assert not bad, bad
    if not warnings:
        noted = [(tex[:120], r["warnings"]) for tex, r in zip(expressions, results, strict=True) if r["warnings"]]
        assert not noted, noted


# --- CSV ---------------------------------------------------------------------------------------------

def test_ice1_scores_csv_parses_back():
    panel = panel_of(ice1_steps(), "scores")
    cols, rows, m = read_csv(csv_bytes(panel))
    assert cols == rows == list(LABELS)
    assert m.tolist() == [[-22, -6], [-20, 588]]
    df = pd.read_csv(io.BytesIO(csv_bytes(panel)), index_col=0)  # a spreadsheet-like reader agrees
    assert df.to_numpy().tolist() == [[-22, -6], [-20, 588]] and list(df.columns) == list(LABELS)


def test_causal_mask_exports_minus_inf():
    panel = panel_of(ice1_steps(causal=True), "masked")
    text = panel_csv(panel)
    assert text.splitlines()[1].endswith(",-inf")
    _, _, m = read_csv(csv_bytes(panel))
    assert m[0, 1] == -np.inf and np.array_equal(m, panel.matrix)
    assert r"-\infty" in latex_bmatrix(panel.matrix)


@settings(max_examples=60, deadline=None)
@given(arrays(np.float64, st.tuples(st.integers(1, 6), st.integers(1, 6)),
              elements=st.floats(allow_nan=False, allow_infinity=False, width=64)))
def test_csv_keeps_full_precision(m):
    panel = Panel("m", m, tuple(f"r{i}" for i in range(m.shape[0])), tuple(f"c{j}" for j in range(m.shape[1])))
    _, _, back = read_csv(csv_bytes(panel))
    assert np.array_equal(back, m)


@pytest.mark.parametrize("label", ["=1+1", "+SUM(A1)", "-2+3", "@SUM(A1:A2)", "=HYPERLINK(\"x\")"])
def test_csv_defuses_formulas_in_labels(label):
    assert csv_cell(label) == "'" + label
    cols, rows, _ = read_csv(csv_bytes(Panel("m", np.zeros((1, 1)), (label,), (label,))))
    assert cols == rows == ["'" + label]


def test_hostile_labels_keep_the_csv_shape():
    failures = 0
    for text in CORPUS:
        labels = (text, "b")
        try:
            cols, rows, m = read_csv(csv_bytes(Panel(text, np.eye(2), labels, labels)))
            ok = cols == rows == [csv_cell(text), "b"] and m.tolist() == [[1, 0], [0, 1]]
        except Exception:  # noqa: BLE001 - counted, then asserted
            ok = False
        failures += not ok
    tally("core.export.csv_bytes", len(CORPUS), exceptions=failures)
    assert failures == 0


# --- LaTeX -------------------------------------------------------------------------------------------

def test_latex_numbers_are_the_numbers_as_shown():
    assert latex_bmatrix([[-22, -6], [-20, 588]]) == "\\begin{bmatrix}\n-22 & -6 \\\\\n-20 & 588\n\\end{bmatrix}"
    assert latex_number(-np.inf) == r"-\infty"
    assert latex_number(3.548608521224946e-153) == r"3.5 \times 10^{-153}"
    assert latex_number(1e-5) == "10^{-5}" and latex_number(-1e-5) == "-10^{-5}"
    for v in (0.88079708, -12.701705922, 339.48195828, 1 / 3, 2.0):
        assert latex_number(v) == format_number(v, 4)


def test_every_panel_and_formula_of_pages_1_and_2_compiles_in_katex():
    exprs = []
    steps = ice1_steps() + ice1_steps(causal=True) + ice1_steps(scale=False)
    params = examples.random_encoder_params(3, 8, 2)
    from core.attention import positional_encoding

    x = examples.random_tokens(3, 4, 8)
    pe = positional_encoding(4, 8)
    steps += encoder_steps(encoder_block(x + pe, params, 2), ["a", "b", "c", "d"], embeddings=x, pe=pe)
    for step in steps:
        exprs.append(step.latex)
        for panel in step.panels:
            exprs += [panel_latex(panel), latex_labelled(panel)]
    assert_katex_compiles(exprs)


def test_wide_matrices_say_how_latex_takes_them():
    panel = Panel("wide", np.ones((2, 12)), ("a", "b"), tuple(str(j) for j in range(12)))
    assert r"\setcounter{MaxMatrixCols}{12}" in panel_latex(panel).splitlines()[0]
    assert_katex_compiles([panel_latex(panel)])


def test_hostile_labels_compile_in_katex():
    # the first 300 characters of each: labels on the pages are tokens or at most 12 typed characters, and
    # KaTeX takes seconds over a 100,000-character label without telling anything new
    corpus = [text[:300] for text in CORPUS]
    accents = ["\u0301x", "a \u0301", "{\u0301", "q\u0301\u0301", "e\u0301", "a\u0334b"]
    exprs = [rf"\text{{{latex_text(text)}}}" for text in (*corpus, *accents)]
    exprs += [latex_labelled(Panel(text, np.eye(2), (text, "b"), ("c", text))) for text in corpus]
    exprs += [panel_latex(Panel(text, np.eye(2), ("a", "b"), ("a", "b"))) for text in CORPUS]
    results = katex(exprs)
    failed = [tex[:60] for tex, r in zip(exprs, results, strict=True) if not r["ok"]]
    tally("core.export.latex", len(exprs), exceptions=len(failed))
    assert not failed


def test_latex_text_escapes_every_special_character():
    assert latex_text(r"a_b^c$d&e#f%g{h}i~j\k") == (r"a\_b\textasciicircum{}c\$d\&e\#f\%g\{h\}i\textasciitilde{}j"
                                                   r"\textbackslash{}k")
    assert latex_text("a\nb\x00c\u202ed") == "abcd"
    assert clean("\ud800x\ufeff") == "x"


# --- the lecture pack --------------------------------------------------------------------------------

def test_lecture_pack_holds_exactly_what_its_readme_lists():
    steps = ice1_steps(causal=True)
    data = lecture_pack("Self-attention", steps, {**examples.ice1(), "causal mask": True}, seed=7)
    z = zipfile.ZipFile(io.BytesIO(data))
    assert z.testzip() is None
    readme = z.read("README.md").decode("utf-8")
    assert readme_files(readme) == z.namelist()
    assert "- seed: 7" in readme and "    3 -4 -7 5" in readme and "- causal mask: True" in readme
    for i, step in enumerate(steps, start=1):
        folder = f"{i:02d}-{step.key}"
        assert z.read(f"{folder}/formula.tex").decode("utf-8").strip() == step.latex
        for j, panel in enumerate(step.panels, start=1):
            base = next(n[:-4] for n in z.namelist() if n.startswith(f"{folder}/{j}-") and n.endswith(".csv"))
            _, _, m = read_csv(z.read(base + ".csv"))
            assert np.array_equal(m, panel.matrix)
            assert latex_bmatrix(panel.matrix) in z.read(base + ".tex").decode("utf-8")
            assert {base + ext for ext in (".png", ".svg")} <= set(z.namelist())
    assert lecture_pack("Self-attention", steps, {"causal mask": True}, seed=7) == \
        lecture_pack("Self-attention", steps, {"causal mask": True}, seed=7)  # deterministic


def test_lecture_pack_of_hostile_inputs_is_a_valid_zip():
    for text in CORPUS[::7]:
        steps = attention_steps(self_attention(np.eye(2), np.eye(2), np.eye(2), np.eye(2)), (text, "b"))
        z = zipfile.ZipFile(io.BytesIO(lecture_pack(text, steps, {text: text, "X": np.eye(2)}, None, images=False)))
        assert readme_files(z.read("README.md").decode("utf-8")) == z.namelist()


def test_walkthrough_math_compiles_in_katex():
    tex = walkthrough_tex("ICE #1", ice1_steps(causal=True))
    assert tex.count(r"\begin{frame}") == tex.count(r"\end{frame}") == len(ice1_steps(causal=True))
    maths = [part.split(r"\]")[0] for part in tex.split(r"\[")[1:]]
    assert_katex_compiles(maths, warnings=True)  # captions such as QKᵀ are Unicode text: a note, not an error


def test_export_modules_import_neither_streamlit_nor_torch():
    code = ("import sys, core.export, core.export_images, core.export_steps; "
            "print(sorted(m for m in ('streamlit', 'torch', 'transformers') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True)
    assert out.stdout.strip() == "[]"
