"""Stripped copies of page 1 for benchmarks/page1_variants.py: the app's own shell (streamlit_app.py: page
config, the sidebar's links, the presenter switch) with app/self_attention.py replaced by a page that keeps
one part of page 1, to time what each part adds to an edit of X. Each page shows roundtrip.py's answer
("token 2 attends most to ...") for the X typed in its "X" box.

- floor: a text area X and the answer (a full rerun per edit).
- floorfrag: the same inside an st.fragment (the edit reruns only the fragment).
- keyedmin: X outside, the answer in a keyed fragment rerun from X's on_change (page 1's double run).
- widgets: floorfrag below page 1's ~25 input elements (an expander, the seed row, three more matrix
  boxes, the switches: none of them wired), outside the fragment.
- kwidgets: widgets with X outside the fragment and the keyed rerun, as page 1 does.
- content: floorfrag plus what page 1's fragment draws after the answer (the answer box, the step
  controls, step 1 with its formula, heat table and Export popover, the lecture pack).

Issue 10's last route to 1.5x (page1_onepiece.py): the four matrices as ONE component inside the fragment,
each step as ONE element (st.markdown of HTML, the formula as MathML). Each keeps the answer box as page 1 draws it.
- onestep: content (X a text area in the fragment, no other inputs) with each step one element; the step
  controls, Export popovers and lecture pack kept.
- component: page 1's other inputs outside the fragment (the expander, seed row, ICE #1 button, switches,
  token names; not wired), the component in the fragment, then page 1's results as today.
- component+onestep: component with each step one element: the candidate for page 1.
- component+onestep+katex: the same, each step in two elements (heading, KaTeX formula, shapes and meaning
  in one st.markdown; the heat tables in one st.html): what MathML saves over KaTeX.
- component+onestep+view: the same, each step's HTML set by a second small component (page1_onepiece.py's
  step_view: innerHTML, no markdown parse).
- component+onestep+view-inputs: component+onestep+view without page 1's other inputs (as if the seed row,
  switches and token names lived inside the component too); step controls, Export popovers, pack kept.
- componentfloor: floorfrag with the component in place of the text area (what the component costs).
- componentonly: the route's bound: the component, the answer box and the one-element steps, nothing else
  (no other inputs, step controls, Export popovers or lecture pack).
- componentonly+view: componentonly with the step drawn by step_view.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

_IMPORTS = '''import streamlit as st
from core.attention import self_attention
from core.examples import ice1
from core.matrix_text import read_matrix
from core.steps import most_attended

X0 = "1 2 3 -1\\n1 0 0 0"


def answer(x):
    m = ice1()
    return most_attended(self_attention(x, m["W_Q"], m["W_K"], m["W_V"]).weights, ["token 1", "token 2"])[1]


'''
_SEED_ROW = '''st.title("Self-attention, step by step")
st.caption("Type the token embeddings X and the weights W_Q, W_K, W_V; every step below follows from them.")
with st.expander("Inputs: X, W_Q, W_K, W_V", expanded=True):
    top = st.columns([1.2, 1, 1, 1, 1, 1.3, 1.3], vertical_alignment="bottom")
    with top[0]:
        st.segmented_control("Edit matrices as", ["Text", "Grid"], default="Text", key="mode", required=True)
    top[1].number_input("Seed", 0, 999_999, key="seed")
    top[2].number_input("tokens n", 1, 8, 3, key="n")
    top[3].number_input("d_model", 1, 8, 4, key="dm")
    top[4].number_input("d_k", 1, 8, 3, key="dk")
    top[5].button("Load seed", width="stretch")
    top[6].button("New seed", icon=":material/casino:", width="stretch")
    st.button("Back to the lecture's ICE #1", type="tertiary")
'''
_MATRIX_BOXES = '''    cols = st.columns(4)
    for col, name in zip(cols, ["W_Q0", "W_K0", "W_V0"], strict=False):
        col.text_area(name, value="1 0 1\\n0 1 0\\n1 1 0\\n0 0 1", height=144)
'''
_SWITCHES = '''    opts = st.columns([1, 1, 3])
    opts[0].toggle("Scale by √d_k", value=True)
    opts[1].toggle("Causal mask", value=False)
    opts[2].text_input("Token names (optional)", placeholder="e.g. the cat sat")
'''
_WIDGETS = _SEED_ROW + _MATRIX_BOXES + _SWITCHES  # page 1's inputs but X
_FRAGMENT = '''@st.fragment
def body():
    x = read_matrix(st.text_area("X", value=X0))
    st.success("**Answer:** " + answer(x))


body()
'''
_KEYED = '''st.text_area("X", value=X0, key="x", on_change=lambda: st.rerun("res"))


@st.fragment(key="res")
def body():
    st.success("**Answer:** " + answer(read_matrix(st.session_state.x)))


body()
'''
_CONTENT = '''from app.export import lecture_pack_button
from app.steps import draw_steps
from core.examples import ICE1_QUESTION, token_labels
from core.overflow import checked_self_attention
from core.steps import attention_steps


@st.fragment
def body():
    x = read_matrix(st.text_area("X", value=X0))
    m = ice1()
    mats = {"X": x, "W_Q": m["W_Q"], "W_K": m["W_K"], "W_V": m["W_V"]}
    result = checked_self_attention(*mats.values(), scale=True, causal=False)
    labels = token_labels("", x.shape[0])
    with st.container(border=True):
        st.markdown(f"**ICE #1 asks:** {ICE1_QUESTION}")
        sentences = most_attended(result.weights, labels)
        st.success("**Answer:** " + sentences[1] + ".", icon=":material/check_circle:")
        st.caption(" · ".join(sentences))
    draw_steps(steps := attention_steps(result, labels, x=x), key="sa")
    lecture_pack_button("Self-attention, step by step", steps, "sa", walkthrough=True, inputs=mats)


body()
'''
_INPUTS = _SEED_ROW + _SWITCHES  # page 1's inputs but the four matrix boxes
_PIECES = Path(__file__).with_name("page1_onepiece.py").read_text().split('"""', 2)[2]  # no docstring: magic shows it
_RESULTS = '''
from app.export import lecture_pack_button
from core.examples import ICE1_QUESTION, token_labels
from core.overflow import checked_self_attention
from core.steps import attention_steps
{steps_import}


@st.fragment
def body():
    mats = {mats}
    result = checked_self_attention(*mats.values(), scale=True, causal=False)
    labels = token_labels("", mats["X"].shape[0])
    with st.container(border=True):
        st.markdown(f"**ICE #1 asks:** {{ICE1_QUESTION}}")
        sentences = most_attended(result.weights, labels)
        st.success("**Answer:** " + sentences[1] + ".", icon=":material/check_circle:")
        st.caption(" · ".join(sentences))
    draw_steps(steps := attention_steps(result, labels, x=mats["X"]), key="sa"{steps_args})
    {pack}lecture_pack_button("Self-attention, step by step", steps, "sa", walkthrough=True, inputs=mats)


body()
'''
_BOX = '{"X": read_matrix(st.text_area("X", value=X0)), **{k: v for k, v in ice1().items() if k != "X"}}'


def _route(component: bool, onestep: bool, inputs: bool, steps_args: str = "", pack: str = "") -> str:
    """Page 1's results in one fragment, X in a text area or the matrices in the component (inputs: page 1's
    other inputs outside the fragment), its steps as today or one element each."""
    return (_IMPORTS + _PIECES + "\n\n" + (_INPUTS if inputs else "")
            + _RESULTS.format(steps_import="" if onestep else "from app.steps import draw_steps",
                              mats="typed()" if component else _BOX, steps_args=steps_args, pack=pack))


PAGES = {
    "floor": _IMPORTS + 'st.success("**Answer:** " + answer(read_matrix(st.text_area("X", value=X0))))\n',
    "floorfrag": _IMPORTS + _FRAGMENT,
    "keyedmin": _IMPORTS + _KEYED,
    "widgets": _IMPORTS + _WIDGETS + "\n\n" + _FRAGMENT,
    "kwidgets": _IMPORTS + _WIDGETS + _KEYED,
    "content": _IMPORTS + _CONTENT,
    "onestep": _route(component=False, onestep=True, inputs=False),
    "component": _route(component=True, onestep=False, inputs=True),
    "component+onestep": _route(component=True, onestep=True, inputs=True),
    "component+onestep+katex": _route(component=True, onestep=True, inputs=True, steps_args=', how="katex"'),
    "component+onestep+view": _route(component=True, onestep=True, inputs=True, steps_args=', how="view"'),
    "component+onestep+view-inputs": _route(component=True, onestep=True, inputs=False, steps_args=', how="view"'),
    "componentfloor": _IMPORTS + _PIECES + "\n\n" + _FRAGMENT.replace('read_matrix(st.text_area("X", value=X0))', 'typed()["X"]'),
    "componentonly": _route(component=True, onestep=True, inputs=False, steps_args=", controls=False", pack="if 0: "),
    "componentonly+view": _route(component=True, onestep=True, inputs=False, steps_args=', controls=False, how="view"',
                                 pack="if 0: "),
}


def make(repo: Path, folder: Path, names=tuple(PAGES)) -> dict[str, Path]:
    """A `git archive` copy of repo's HEAD per name in `folder`, page 1 replaced by PAGES[name]."""
    copies = {}
    for name in names:
        copy = folder / name
        copy.mkdir(parents=True)
        archive = subprocess.run(["git", "-C", str(repo), "archive", "HEAD"], capture_output=True, check=True).stdout
        subprocess.run(["tar", "-x", "-C", str(copy)], input=archive, check=True)
        (copy / "app" / "self_attention.py").write_text(PAGES[name])
        copies[name] = copy
    return copies
