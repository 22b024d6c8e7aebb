"""Page 1: self-attention, step by step, on the lecture's ICE #1 or any small matrices."""

import random

import streamlit as st

from app.export import lecture_pack_button
from app.plain import plain
from app.presenter import is_presenting
from app.steps import draw_steps
from app.widgets import init_matrices, load_matrices, matrix_editor, seed_from_url, switch_editor, typed_matrices
from core.examples import ICE1_QUESTION, ice1, random_self_attention, token_labels
from core.overflow import checked_self_attention
from core.steps import attention_steps, most_attended

P = "sa"  # this page's session-state prefix
RESULTS = "sa_results"  # the fragment below the inputs: an edit of an input reruns only it
NAMES = ("X", "W_Q", "W_K", "W_V")
url_seed = seed_from_url()
init_matrices(P, ice1() if url_seed is None else random_self_attention(url_seed))
st.session_state.setdefault("sa_seed", url_seed if url_seed is not None else 0)

st.title("Self-attention, step by step")
st.caption("Type the token embeddings X and the weights W_Q, W_K, W_V; every step below follows from them. "
           "Defaults: ICE #1 of lecture 8.")


def load_ice1():
    load_matrices(P, ice1())
    st.query_params.pop("seed", None)


def load_seed(new: bool):
    if new:
        st.session_state.sa_seed = random.randrange(10_000)
    load_matrices(P, random_self_attention(int(st.session_state.sa_seed), st.session_state.sa_n,
                                           st.session_state.sa_dmodel, st.session_state.sa_dk))
    st.query_params["seed"] = str(st.session_state.sa_seed)


def rerun_results():
    st.rerun(RESULTS)


with st.expander("Inputs: X, W_Q, W_K, W_V", expanded=not is_presenting()):
    top = st.columns([1.2, 1, 1, 1, 1, 1.3, 1.3], vertical_alignment="bottom")
    with top[0]:
        grid = switch_editor(P)
    top[1].number_input("Seed", 0, 999_999, key="sa_seed", disabled=is_presenting(),
                        help="The same seed gives the same random example, on any machine.")
    top[2].number_input("tokens n", 1, 8, 3, key="sa_n")
    top[3].number_input("d_model", 1, 8, 4, key="sa_dmodel")
    top[4].number_input("d_k", 1, 8, 3, key="sa_dk")
    top[5].button("Load seed", on_click=load_seed, args=(False,), width="stretch")
    if is_presenting():
        top[6].button("ICE #1 (lecture)", on_click=load_ice1, width="stretch")
    else:
        top[6].button("New seed", icon=":material/casino:", on_click=load_seed, args=(True,), width="stretch",
                      help="A new seed and new small integer matrices.")
        st.button("Back to the lecture's ICE #1", on_click=load_ice1, type="tertiary")

    cols = st.columns(4)
    helps = {"X": "tokens × d_model: one row per token", "W_Q": "d_model × d_k", "W_K": "d_model × d_k",
             "W_V": "d_model × d_v"}
    for col, name in zip(cols, helps, strict=True):
        with col:
            matrix_editor(P, name, helps[name], grid, results=RESULTS)
    opts = st.columns([1, 1, 3])
    opts[0].toggle("Scale by √d_k", value=True, key="sa_scale", on_change=rerun_results,
                   help="“Attention Is All You Need” divides the scores by √d_k; some classes skip it.")
    opts[1].toggle("Causal mask", value=False, key="sa_causal", on_change=rerun_results,
                   help="Decoder-style: each token may only attend to itself and earlier tokens.")
    opts[2].text_input("Token names (optional)", key="sa_names", placeholder="e.g. the cat sat", on_change=rerun_results,
                       help="Labels for the rows of X, separated by spaces or commas.")


@st.fragment(key=RESULTS)
def results():
    """The answer first (its element leaves first), then the steps. Reads the inputs from the session state,
    so a valid edit reruns only this fragment: the browser redraws neither the inputs nor the sidebar."""
    mats = typed_matrices(P, NAMES)
    if mats is None:
        st.info("Fix the matrix above to see the steps.", icon=":material/arrow_upward:")
        return
    scale, causal, names = st.session_state.sa_scale, st.session_state.sa_causal, st.session_state.sa_names
    try:
        result = checked_self_attention(*mats.values(), scale=scale, causal=causal)
    except ValueError as err:
        st.error(plain(str(err)), icon=":material/straighten:")
        return

    labels = token_labels(names, mats["X"].shape[0])
    with st.container(border=True):
        st.markdown(f"**ICE #1 asks:** {ICE1_QUESTION}")
        sentences = most_attended(result.weights, labels)
        if is_presenting() and not st.session_state.get("sa_answer_shown"):
            st.button("Reveal the answer", on_click=lambda: st.session_state.update(sa_answer_shown=True))
        else:
            st.success("**Answer:** " + sentences[min(1, len(sentences) - 1)] + ".", icon=":material/check_circle:")
            if len(sentences) > 2:
                st.caption(" · ".join(sentences))

    draw_steps(steps := attention_steps(result, labels, x=mats["X"]), key=P)
    lecture_pack_button("Self-attention, step by step", steps, P, walkthrough=True, seed=st.query_params.get("seed"),
                        inputs={**mats, "scale by √d_k": scale, "causal mask": causal, "token names": names})


results()
