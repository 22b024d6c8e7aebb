"""A corpus of hostile and careless input, and a tally of what the suite feeds through pages and
functions with it. The tests in test_hostile*.py send every string here wherever a person can type,
and count three failures: an exception that escaped (a traceback in the page), a leak (the right answer
or a server path in what is shown), and a lost or doubled submission. The tally prints at the end of
the run (conftest.py), so a closing note can quote it.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

CORPUS: tuple[str, ...] = (
    # empty and invisible
    "", " ", "\t\n", "\u00a0", "\u200b", "\ufeff",
    # control characters
    "\x00", "1\x002", "\x1b[31m1\x1b[0m", "\r\n\r\n", "\x7f", "\u202e1 2", "1\x0b2", "\x08\x08",
    # long
    "9" * 10_001, "1 " * 6000, "a" * 100_000, "[" * 5000, "(" * 5000, "-" * 3000, "0." + "0" * 5000 + "1",
    # numbers a parser may choke on
    "1e309", "-1e309", "1e-400", "nan", "NaN", "inf", "-inf", "∞", "1/0", "0/0", "0x10", "1_000",
    "١٢٣", "①", "½", "--1", "1..2", "1e", "e5", "9" * 400, "1e99999999999", "-0", "+-1", "10**10**10",
    # markup and templates
    "<script>alert(1)</script>", "<img src=x onerror=alert(1)>", "**bold** _x_ `code` [l](javascript:alert(1))",
    "$$\\begin{bmatrix}$$", ":material/warning:", "<!--", "]]></x>", "{{7*7}}", "${7*7}", "</textarea><b>",
    # SQL and shells
    "'; DROP TABLE attempts; --", "\" OR 1=1 --", "$(reboot)", "`id`",
    # paths
    "../../../../etc/passwd", "/etc/shadow", "~", "~root", "C:\\Windows\\system32", "file:///etc/passwd",
    "/dev/zero", "\\\\server\\share",
    # unicode
    "𝐚𝐥𝐢𝐜𝐞", "ａｌｉｃｅ", "ALİCE", "🙂" * 100, "\ud800", "é" * 5000, "مرحبا", "Z̴̡̧a̵l̷g̸o",
    # matrix-shaped
    "[[1,2],[3,4]", "[[1,2],[3]]", "1 2; 3", "[" + "1," * 10_000 + "1]", ";;;;", "[[[[1]]]]",
    "1e300 1e300; 1e300 1e300", "1 2\n\n\n3 4", "[[1,2],,[3,4]]",
    # structured text
    '{"a": 1}', "null", "true", "[]", "None", "__import__('os')",
)


TALLY: Counter = Counter()


def tally(where: str, inputs: int, exceptions: int = 0, leaks: int = 0, lost: int = 0) -> None:
    """Count `inputs` hostile inputs fed through `where`, and what went wrong with them."""
    TALLY[where, "inputs"] += inputs
    TALLY[where, "exceptions"] += exceptions
    TALLY[where, "leaks"] += leaks
    TALLY[where, "lost"] += lost


def summary() -> list[str]:
    """One line per place fed, and a total line; [] when nothing was fed."""
    places = sorted({w for w, _ in TALLY})
    if not places:
        return []
    lines = []
    total = Counter()
    for w in places:
        row = {k: TALLY[w, k] for k in ("inputs", "exceptions", "leaks", "lost")}
        total.update(row)
        lines.append(f"{w}: {row['inputs']} inputs, {row['exceptions']} exceptions, {row['leaks']} leaks, "
                     f"{row['lost']} lost")
    lines.append(f"total: {total['inputs']} hostile inputs, {total['exceptions']} exceptions, {total['leaks']} leaks, "
                 f"{total['lost']} lost or doubled submissions")
    return lines


SERVER_MARKERS = (str(ROOT), "/root", "site-packages", "Traceback", "/usr/lib", "/etc/")


def server_leaks(shown: str, typed: str = "") -> list[str]:
    """Which server details appear in `shown` that the person did not type themselves."""
    return [m for m in SERVER_MARKERS if m in shown and m not in typed]
