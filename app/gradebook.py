"""What the Exercises page and the instructor dashboard share: the gradebook store (one per process),
the server's settings (class code, instructor password), and drawing an exercise.

Settings come from an environment variable, else Streamlit secrets (.streamlit/secrets.toml):

    ATTENTION_LAB_ROSTER                roster                the roster CSV: students sign in with personal codes
    ATTENTION_LAB_CLASS_CODE            class_code            without a roster, students type it to sign in
    ATTENTION_LAB_INSTRUCTOR_PASSWORD   instructor_password   the dashboard's password (unset: dashboard closed)
    DATABASE_URL / ATTENTION_LAB_DB     (see exercises/store/)
    ATTENTION_LAB_DB_TIMEOUT            seconds one gradebook operation may take (default 10)
    ATTENTION_LAB_ASSIGNMENTS           (see exercises/assignments.py)
"""

from __future__ import annotations

import functools
import os
from html import escape

import streamlit as st

from app.plain import plain
from core.matrix_text import format_number
from exercises.base import Feedback
from exercises.practice import Exercise
from exercises.store import GradebookError, Store, resolve_url


@st.cache_resource(show_spinner=False)
def _store(url: str | None) -> Store:
    return Store(url)


_opened: dict[str, Store] = {}  # what _store returned, by URL: a dict lookup on every run instead of a cache call


def store() -> Store:
    """The process's gradebook (a connection pool shared by every session), keyed by the URL the settings
    name now. A Store that could not be made is not kept: the next call tries again."""
    url = resolve_url()
    if (found := _opened.get(url)) is None:
        found = _opened[url] = _store(url)
    return found


def cannot_reach(err: Exception):
    """Say the gradebook cannot be reached and stop the page: nothing is lost, and the next run tries
    again (a failed connection is not cached)."""
    what = str(err) if isinstance(err, GradebookError) else f"The gradebook cannot be reached ({type(err).__name__})."
    st.error(plain(f"{what} Nothing already saved was lost. Reload the page in a minute, or check DATABASE_URL / "
                   f"ATTENTION_LAB_DB."), icon=":material/cloud_off:")
    st.stop()


def store_or_stop() -> Store:
    """The gradebook, or cannot_reach()."""
    try:
        return store()
    except Exception as err:  # an unreachable PostgreSQL, an unwritable SQLite folder, bad credentials
        cannot_reach(err)


def warn_if_not_writable(gradebook: Store) -> None:
    """The dashboard's notice when students' answers cannot be saved now (checked on every load: once
    the file or the database is fixed, the notice goes, with no restart)."""
    if problem := gradebook.writable_problem():
        st.error(plain(f"{problem} Students' answers cannot be saved until it is fixed: give the app's user write "
                       f"permission on the SQLite file and its folder, or INSERT rights on the PostgreSQL tables. "
                       f"No restart is needed."), icon=":material/edit_off:")


def setting(env: str, secret: str) -> str | None:
    """An environment variable, else a Streamlit secret, else None (blank counts as unset)."""
    value = os.environ.get(env)
    if not value:
        try:
            value = st.secrets.get(secret)
        except Exception:  # no secrets file, or one that cannot be read: the setting is unset
            value = None
    return str(value) if value else None


def class_code() -> str | None:
    return setting("ATTENTION_LAB_CLASS_CODE", "class_code")


def roster_path() -> str | None:
    return setting("ATTENTION_LAB_ROSTER", "roster")


def instructor_password() -> str | None:
    return setting("ATTENTION_LAB_INSTRUCTOR_PASSWORD", "instructor_password")


def _matrix_rows(rows) -> list[list]:
    return [rows] if rows and not isinstance(rows[0], (list, tuple)) else rows


def _markdown_table(header: str, cells: list[list[str]]) -> str:
    """A table as one Markdown element (an HTML table in the page): rows and columns numbered from 1,
    `header` above it. One element instead of a DataFrame's: the page draws the exercise on every
    Submit, and st.table's conversion to Arrow was the largest part of that run."""
    lines = [header, "", "| | " + " | ".join(str(j + 1) for j in range(len(cells[0]))) + " |",
             "|---|" + "---:|" * len(cells[0])]
    lines += [f"| **{i + 1}** | " + " | ".join(row) + " |" for i, row in enumerate(cells)]
    return "\n".join(lines)


def _html_table(name: str, rows: tuple) -> str:
    """One matrix as an HTML table, rows and columns numbered from 1, its name above (all escaped)."""
    head = "".join(f"<th>{j + 1}</th>" for j in range(len(rows[0])))
    body = "".join(f"<tr><th>{i + 1}</th>" + "".join(f"<td>{escape(format_number(float(v), 4))}</td>" for v in row)
                   + "</tr>" for i, row in enumerate(rows))
    return (f'<div><p><strong>{escape(name)}</strong></p><table><thead><tr><th></th>{head}</tr></thead>'
            f"<tbody>{body}</tbody></table></div>")


@functools.lru_cache(maxsize=4096)
def _prompt_tables(tables: tuple) -> str:
    """The prompt's matrices side by side, as one element (memoised: the same exercise is drawn on every
    run). One element rather than a column, a name and an st.table each: the page draws the exercise on
    every Submit, and st.table's conversion to Arrow was the largest part of that run."""
    return ('<div style="display: flex; flex-wrap: wrap; gap: 0 3rem">'
            + "".join(_html_table(name, rows) for name, rows in tables) + "</div>")


_prompts: dict[tuple, str] = {}  # the prompt's markdown by (family, seed, variant): its params follow from them
PROMPTS_KEPT = 20_000


def prompt_markdown(ex: Exercise) -> str:
    """The question and the matrices it refers to, as markdown with HTML tables (the question's own markdown
    escaped: plain text). Memoised: page 6 draws the same exercise on every Submit."""
    key = (ex.family.ID, ex.seed, ex.item.variant)
    if (found := _prompts.get(key)) is None:
        found = plain(ex.prompt())
        if tables := ex.tables():
            found += "\n\n" + _prompt_tables(tuple((name, tuple(map(tuple, _matrix_rows(rows))))
                                                    for name, rows in tables.items()))
        if len(_prompts) >= PROMPTS_KEPT:
            _prompts.clear()
        _prompts[key] = found
    return found


def draw_prompt(ex: Exercise, title: str | None = None, status: str = "") -> None:
    """The question and the matrices it refers to (plain text: nothing in it is read as markdown), as one
    element: with `title` (plain text) as its heading above and `status` (markdown) below, when given.
    One element rather than a subheader, the prompt and a caption: page 6 redraws it on every Submit."""
    body = prompt_markdown(ex)
    if title is not None:
        body = f"### {plain(title)}\n\n{body}"
    if status:
        body = f"{body}\n\n{status}"
    st.markdown(body, unsafe_allow_html=True, anchors=False)  # the tables' HTML is built and escaped here


def cells_table(cells: list[list[bool]]) -> str:
    """Which entries of a matrix or vector answer are right (✓) and wrong (✗), as a Markdown table."""
    return _markdown_table("", [["✓" if ok else "✗" for ok in row] for row in cells])


def draw_feedback(fb: Feedback, hint: str | None = None) -> None:
    """The feedback of an answer; `hint` (plain text) below it in the same element, when given."""
    more = f"\n\n:material/lightbulb: **Hint:** {plain(hint)}" if hint else ""
    if not fb.valid:
        st.warning(plain(fb.message) + "  \n*Not counted as a try.*" + more, icon=":material/edit:")
    elif fb.correct:
        st.success(plain(fb.message) + more, icon=":material/check_circle:")
    else:  # with the cells it got right (✓) and wrong (✗), in the same element
        score = f" (score {fb.score:.0%})" if fb.score > 0 else ""
        cells = "\n\n" + cells_table(fb.cells) if fb.cells else ""
        st.error(plain(fb.message) + score + cells + more, icon=":material/cancel:")
