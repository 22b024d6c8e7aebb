"""A page's matrices as files: CSV, LaTeX, and a lecture pack (one ZIP of a walk-through's steps).

Pure text and bytes, built only when a person asks for them (app/export.py hands these functions to
st.download_button as callables). Labels may be typed by a person: every format escapes them its own
way (CSV quotes them and defuses spreadsheet formulas, LaTeX escapes its special characters), and
characters no file should hold (control, format and lone surrogate code points) are dropped first.
Images are in core/export_images.py. This module never imports streamlit or torch.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
import zipfile
from collections.abc import Mapping, Sequence

import numpy as np

from core.export_images import heatmap_png, heatmap_svg
from core.matrix_text import format_matrix, format_number
from core.steps import Panel, Step

DECIMALS = 4  # the numbers as the pages' tables show them (app/steps.py: format_number(v, 4))
_DROP = {"Cc", "Cf", "Cs", "Co", "Cn"}  # control, format (RTL override, zero width), surrogate, private, unassigned


def clean(text) -> str:
    """A label as every export writes it: the text without invisible or unencodable code points."""
    return "".join(ch for ch in str(text) if unicodedata.category(ch) not in _DROP)


# --- CSV ---------------------------------------------------------------------------------------------

_FORMULA = ("=", "+", "-", "@")  # a cell starting with one of these is a formula to Excel and LibreOffice


def csv_cell(label) -> str:
    """A label for a spreadsheet: cleaned, and led by ' when it would start a formula (=1+1, @SUM, -2+3)."""
    text = clean(label)
    return "'" + text if text.startswith(_FORMULA) else text


def csv_number(value: float) -> str:
    """Full precision (the shortest text that reads back to the same float); -inf stays '-inf'."""
    v = float(value)
    if not np.isfinite(v):
        return "-inf" if v < 0 else ("inf" if v > 0 else "nan")
    return str(int(v)) if v.is_integer() and abs(v) < 1e15 else repr(v)


def panel_csv(panel: Panel) -> str:
    """The matrix with its labels: a header of column labels, then one row per row label."""
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\r\n")  # RFC 4180
    w.writerow([""] + [csv_cell(c) for c in panel.col_labels])
    for label, row in zip(panel.row_labels, np.asarray(panel.matrix, dtype=float), strict=True):
        w.writerow([csv_cell(label)] + [csv_number(v) for v in row])
    return out.getvalue()


def csv_bytes(panel: Panel) -> bytes:
    """UTF-8 with a byte-order mark, so a spreadsheet reads token labels such as 'QKᵀ' or 'é' right."""
    return panel_csv(panel).encode("utf-8-sig")


# --- LaTeX -------------------------------------------------------------------------------------------

_TEX_TEXT = {"\\": r"\textbackslash{}", "{": r"\{", "}": r"\}", "$": r"\$", "&": r"\&", "#": r"\#",
             "%": r"\%", "_": r"\_", "^": r"\textasciicircum{}", "~": r"\textasciitilde{}",
             "<": r"\textless{}", ">": r"\textgreater{}"}


_ACCENTS = set("\u0300\u0301\u0302\u0303\u0304\u0306\u0307\u0308\u030a\u030b\u030c")  # the ones KaTeX reads


def latex_text(text) -> str:
    """Text for \\text{...}: LaTeX's special characters escaped, line breaks and invisibles dropped, and
    combining diacritics (U+0300-U+036F) kept only where KaTeX can place them: one it knows, on a letter
    or digit (after NFC has composed what it can: e + U+0301 is é)."""
    out: list[str] = []
    base = False  # the last character kept is a letter or digit (or an accent on one)
    for ch in unicodedata.normalize("NFC", clean(text)):
        if "\u0300" <= ch <= "\u036f":
            if base and ch in _ACCENTS:
                out.append(ch)
            continue
        out.append(_TEX_TEXT.get(ch, ch))
        base = unicodedata.category(ch)[0] in "LN"
    return "".join(out)


def latex_number(value: float, decimals: int = DECIMALS) -> str:
    """The number as the page shows it: -22, 0.8808, 3.5 \\times 10^{-153}; -inf is -\\infty."""
    v = float(value)
    if not np.isfinite(v):
        return r"-\infty" if v < 0 else (r"\infty" if v > 0 else r"\mathrm{NaN}")
    text = format_number(v, decimals)
    m = re.fullmatch(r"(-?[\d.]+)e([+-]\d+)", text)
    if m:
        mantissa, exponent = m.group(1), int(m.group(2))
        return (f"{mantissa} \\times " if mantissa not in ("1", "-1") else ("-" if mantissa == "-1" else "")) \
            + f"10^{{{exponent}}}"
    return text


def latex_bmatrix(matrix, decimals: int = DECIMALS) -> str:
    """A bmatrix of the numbers as shown, one row per line."""
    m = np.atleast_2d(np.asarray(matrix, dtype=float))
    rows = [" & ".join(latex_number(v, decimals) for v in row) for row in m]
    return "\\begin{bmatrix}\n" + " \\\\\n".join(rows) + "\n\\end{bmatrix}"


def latex_labelled(panel: Panel, decimals: int = DECIMALS) -> str:
    """The matrix with its row and column labels, as an array (labels in \\text, escaped)."""
    m = np.atleast_2d(np.asarray(panel.matrix, dtype=float))
    head = " & ".join([""] + [rf"\text{{{latex_text(c)}}}" for c in panel.col_labels])
    rows = [" & ".join([rf"\text{{{latex_text(r)}}}"] + [latex_number(v, decimals) for v in row])
            for r, row in zip(panel.row_labels, m, strict=True)]
    return ("\\begin{array}{l|" + "r" * m.shape[1] + "}\n" + head + " \\\\ \\hline\n"
            + " \\\\\n".join(rows) + "\n\\end{array}")


def panel_latex(panel: Panel, decimals: int = DECIMALS) -> str:
    """What "Copy as LaTeX" gives: a comment naming the matrix, then its bmatrix (for amsmath;
    past 10 columns LaTeX needs \\setcounter{MaxMatrixCols}{n}, which the comment says)."""
    n_rows, n_cols = np.atleast_2d(np.asarray(panel.matrix)).shape
    note = f"% {clean(panel.caption)} ({n_rows}×{n_cols})"
    if n_cols > 10:
        note += f"; in LaTeX put \\setcounter{{MaxMatrixCols}}{{{n_cols}}} in the preamble"
    return note + "\n" + latex_bmatrix(panel.matrix, decimals)


# --- the lecture pack --------------------------------------------------------------------------------

def slug(text, fallback: str = "matrix") -> str:
    """A file name from a caption: 'QKᵀ/√d_k' -> 'QKT-d_k'; ASCII letters, digits, '-' and '_' only."""
    ascii_text = unicodedata.normalize("NFKD", clean(text)).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^A-Za-z0-9_]+", "-", ascii_text).strip("-_")[:40] or fallback


def _input_text(value) -> str:
    if isinstance(value, np.ndarray):
        return "\n" + "\n".join("    " + line for line in format_matrix(value, 6).splitlines())
    return " " + clean(value)


def pack_files(steps: Sequence[Step], *, images: bool = True) -> dict[str, bytes]:
    """Every file of the pack but README.md and walkthrough.tex: per step its formula, per panel its
    CSV, LaTeX and (with images) SVG and PNG, in folders numbered like the page's steps."""
    files: dict[str, bytes] = {}
    for number, step in enumerate(steps, start=1):
        folder = f"{number:02d}-{slug(step.key or step.title, 'step')}"
        files[f"{folder}/formula.tex"] = (step.latex + "\n").encode("utf-8")
        for i, panel in enumerate(step.panels, start=1):
            base = f"{folder}/{i}-{slug(panel.caption)}"
            files[base + ".csv"] = csv_bytes(panel)
            files[base + ".tex"] = (panel_latex(panel) + "\n\n" + latex_labelled(panel) + "\n").encode("utf-8")
            if images:
                files[base + ".svg"] = heatmap_svg(panel.matrix, panel.row_labels, panel.col_labels,
                                                   clean(panel.caption)).encode("utf-8")
                files[base + ".png"] = heatmap_png(panel.matrix, panel.row_labels, panel.col_labels,
                                                   clean(panel.caption))
    return files


def walkthrough_tex(title: str, steps: Sequence[Step]) -> str:
    """A Beamer deck, one frame per step: its formula, then each matrix with its caption."""
    widest = max((np.atleast_2d(p.matrix).shape[1] for s in steps for p in s.panels), default=1)
    out = [r"% The walk-through as slides; compile with lualatex or xelatex (labels may hold Unicode).",
           r"\documentclass{beamer}", r"\usepackage{amsmath}",
           rf"\setcounter{{MaxMatrixCols}}{{{max(10, widest)}}}",
           rf"\title{{{latex_text(title)}}}", r"\begin{document}", r"\frame{\titlepage}"]
    for number, step in enumerate(steps, start=1):
        out.append(rf"\begin{{frame}}{{{number}. {latex_text(step.title)}}}")
        out.append(rf"\[ {step.latex} \]")
        out.append(latex_text(step.meaning))
        for panel in step.panels:
            small = np.atleast_2d(panel.matrix).shape[1] > 6
            out.append((r"{\tiny" if small else "{") + rf"\[ \text{{{latex_text(panel.caption)}}} = "
                       + latex_bmatrix(panel.matrix) + r" \]}")
        out.append(r"\end{frame}")
    out.append(r"\end{document}")
    return "\n".join(out) + "\n"


def readme(title: str, inputs: Mapping[str, object], seed: int | None, files: Sequence[str],
           steps: Sequence[Step]) -> str:
    """The pack's README: what it is, the inputs and seed that rebuild it, and every file it holds."""
    lines = [f"# {clean(title)}: lecture pack", "",
             "Every step that was on screen, with its formula and its matrices, to rebuild the walk-through in "
             "slides. CSV files hold the numbers at full precision (-inf where the causal mask hides a score); "
             ".tex files hold the numbers as the page shows them (4 decimals), once as a bmatrix and once with "
             "the row and column labels. walkthrough.tex is a Beamer deck of all steps.", "",
             "## Inputs", ""]
    lines.append(f"- seed: {seed if seed is not None else 'none (the inputs below were typed or are the defaults)'}")
    lines += [f"- {clean(name)}:{_input_text(value)}" for name, value in inputs.items()]
    lines += ["", "## Steps", ""]
    lines += [f"{i}. {clean(s.title)}: {s.shapes}" for i, s in enumerate(steps, start=1)]
    lines += ["", "## Files", ""]
    lines += [f"- {name}" for name in files]
    return "\n".join(lines) + "\n"


def lecture_pack(title: str, steps: Sequence[Step], inputs: Mapping[str, object] | None = None,
                 seed: int | None = None, *, images: bool = True) -> bytes:
    """One ZIP: README.md (inputs, seed, the list of files), walkthrough.tex, and each step's files.
    Deterministic: the same steps give the same bytes (every entry dated 1980-01-01)."""
    files = pack_files(steps, images=images)
    files["walkthrough.tex"] = walkthrough_tex(title, steps).encode("utf-8")
    names = ["README.md", *sorted(files)]
    files["README.md"] = readme(title, inputs or {}, seed, names, steps).encode("utf-8")
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for name in names:
            z.writestr(zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0)), files[name],
                       compress_type=zipfile.ZIP_DEFLATED)
    return out.getvalue()


def readme_files(readme_text: str) -> list[str]:
    """The file names a pack's README lists (its '## Files' section)."""
    section = readme_text.split("## Files", 1)[1]
    return [line[2:] for line in section.splitlines() if line.startswith("- ")]
