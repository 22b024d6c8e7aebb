"""Widgets the pages share: matrix editors (text or grid) and the seed controls.

A page's matrices live in st.session_state[prefix] as text, the canonical copy; the editors are
recreated (a new `version` in their keys) whenever a button loads new matrices, so a widget never
fights the state it was created from."""

from __future__ import annotations

import numpy as np
import pandas as pd
import streamlit as st

from app.plain import plain
from core.matrix_text import MatrixInputError, format_matrix, read_matrix
from core.url_params import read_seed


def init_matrices(prefix: str, matrices: dict[str, np.ndarray]) -> None:
    """Set the page's matrices once per session (the defaults, or an example from the URL's seed)."""
    if prefix not in st.session_state:
        st.session_state[prefix] = {"texts": {}, "version": 0}
        load_matrices(prefix, matrices)


def load_matrices(prefix: str, matrices: dict[str, np.ndarray]) -> None:
    """Replace the page's matrices (a button callback: the editors are recreated with the new values)."""
    state = st.session_state[prefix]
    state["texts"] = {name: format_matrix(m) for name, m in matrices.items()}
    state["version"] += 1


def _grid_frame(text: str) -> pd.DataFrame:
    try:
        m = read_matrix(text)
    except MatrixInputError:
        m = np.zeros((1, 1))
    return pd.DataFrame(m, columns=[str(j + 1) for j in range(m.shape[1])])


def matrix_editor(prefix: str, name: str, help_text: str, grid: bool, results: str | None = None) -> np.ndarray | None:
    """One matrix: a text area (or a grid). Returns the matrix, or None after showing what to fix.
    `results`: the key of the st.fragment that draws what follows from the matrices; a valid edit in the
    text area then reruns only that fragment (see `_edited`)."""
    state = st.session_state[prefix]
    key = f"{prefix}_{name}_{state['version']}"
    bad = state.setdefault("bad", set())
    if grid:
        frame_key = f"{key}_frame"
        if frame_key not in st.session_state:  # the grid's starting data stays fixed while it is edited
            st.session_state[frame_key] = _grid_frame(state["texts"][name])
        st.caption(f"**{name}** · {help_text}")
        edited = st.data_editor(st.session_state[frame_key], key=f"{key}_grid", num_rows="dynamic",
                                hide_index=True, width="stretch")
        value = edited.astype(object).where(edited.notna(), None).values.tolist()
    else:
        value = st.text_area(name, value=state["texts"][name], key=f"{key}_text", help=help_text,
                             height=max(68, 40 + 26 * (state["texts"][name].count("\n") + 1)),
                             on_change=_edited if results else None, args=(prefix, name, f"{key}_text", results))
    try:
        matrix = read_matrix(value, name)
    except MatrixInputError as err:
        st.error(plain(str(err)), icon=":material/edit:")
        bad.add(name)
        return None
    bad.discard(name)
    state["texts"][name] = value if isinstance(value, str) else format_matrix(matrix)
    return matrix


def _edited(prefix: str, name: str, key: str, results: str) -> None:
    """A text area's on_change. An edit that reads as a matrix, in a box that shows no error and keeps its
    number of lines, reruns only the `results` fragment: the inputs are not sent again, so the browser
    redraws only what changed. Any other edit reruns the page as before, which shows or clears the error
    under the box."""
    state, text = st.session_state[prefix], st.session_state[key]
    if name in state["bad"] or text.count("\n") != state["texts"][name].count("\n"):
        return
    try:
        read_matrix(text, name)
    except MatrixInputError:
        return
    state["texts"][name] = text
    st.rerun(results)


def typed_matrices(prefix: str, names) -> dict[str, np.ndarray] | None:
    """The matrices the editors hold, for a fragment that runs without them: None while an editor shows
    an error (the editors, drawn before, say what to fix)."""
    state = st.session_state[prefix]
    if state.get("bad"):
        return None
    return {name: read_matrix(state["texts"][name], name) for name in names}


def switch_editor(prefix: str) -> bool:
    """Text or grid editing; switching recreates the editors from the canonical text."""
    def bump():
        st.session_state[prefix]["version"] += 1

    mode = st.segmented_control("Edit matrices as", ["Text", "Grid"], default="Text", key=f"{prefix}_mode",
                                required=True, on_change=bump)
    return mode == "Grid"


def seed_from_url(default: int | None = None) -> int | None:
    """The `seed` query parameter, so a shared link shows the class the same numbers. A seed that is not
    one whole number from 0 to 999,999 is dropped from the URL with a message, and `default` is used."""
    seed, message = read_seed(st.query_params.get_all("seed"))
    if message:
        st.warning(plain(message), icon=":material/link_off:")
        st.query_params.pop("seed", None)
    return default if seed is None else seed
