"""Page 2: multi-head attention and the encoder block, with the shape at every arrow."""

import dataclasses

import streamlit as st

from app.export import lecture_pack_button
from app.plain import plain
from app.presenter import is_presenting
from app.steps import draw_steps
from app.widgets import init_matrices, load_matrices, matrix_editor, seed_from_url, switch_editor
from core.examples import random_encoder_params, random_tokens, token_labels
from core.overflow import checked_encoder
from core.steps import attention_steps, encoder_steps, shape_flow

P = "mh"
st.session_state.setdefault("mh_seed", seed_from_url(0))

st.title("Multi-head attention & the encoder block")
st.caption("One post-LN encoder block, as in BERT: positional encoding, h heads of attention, concat, W_O, "
           "add & norm, a feed-forward network, add & norm. Shapes at every arrow.")

with st.expander("Inputs: sizes, seed, embeddings and weights", expanded=not is_presenting()):
    c = st.columns([1, 1, 1, 1, 1.2, 1.6], vertical_alignment="bottom")
    d_model = c[0].number_input("d_model", 1, 16, 8, key="mh_d")
    n_heads = c[1].number_input("heads h", 1, 16, 2, key="mh_h")
    n_tokens = c[2].number_input("tokens n", 1, 10, 4, key="mh_n")
    seed = c[3].number_input("Seed", 0, 999_999, key="mh_seed", disabled=is_presenting(),
                             help="The same seed gives the same embeddings and weights, on any machine.")
    activation = c[4].selectbox("FFN activation", ["gelu", "relu"], key="mh_act", format_func=str.upper)
    source = c[5].segmented_control("Embeddings & weights", ["Seeded", "Typed"], default="Seeded",
                                    key="mh_source", required=True)
    o = st.columns([1, 1, 3])
    positional = o[0].toggle("Positional encoding", value=True, key="mh_pe")
    scale = o[1].toggle("Scale by √d_k", value=True, key="mh_scale")
    names = o[2].text_input("Token names (optional)", key="mh_names", placeholder="e.g. the cat sat on")

    try:
        params = random_encoder_params(seed, d_model, n_heads)
    except ValueError as err:
        st.error(plain(str(err)), icon=":material/call_split:")
        st.stop()
    embeddings = random_tokens(seed, n_tokens, d_model)

    if source == "Typed":
        seeded = {"embeddings": embeddings, "W_Q": params.w_q, "W_K": params.w_k, "W_V": params.w_v,
                  "W_O": params.w_o}
        init_matrices(P, seeded)
        t = st.columns([1.2, 3], vertical_alignment="bottom")
        with t[0]:
            grid = switch_editor(P)
        t[1].button("Fill with the seeded values for these sizes", on_click=load_matrices, args=(P, seeded))
        cols = st.columns(5)
        helps = {"embeddings": "tokens × d_model", "W_Q": "d_model × d_model", "W_K": "d_model × d_model",
                 "W_V": "d_model × d_model", "W_O": "d_model × d_model"}
        typed = {}
        for col, name in zip(cols, helps, strict=True):
            with col:
                typed[name] = matrix_editor(P, name, helps[name], grid)
        if any(m is None for m in typed.values()):
            st.info("Fix the matrix above to see the steps.", icon=":material/arrow_upward:")
            st.stop()
        embeddings = typed["embeddings"]
        params = dataclasses.replace(params, w_q=typed["W_Q"], w_k=typed["W_K"], w_v=typed["W_V"],
                                     w_o=typed["W_O"])

try:
    x, pe, block = checked_encoder(embeddings, params, n_heads, positional=positional, activation=activation,
                                   scale=scale)
except ValueError as err:
    st.error(plain(str(err)), icon=":material/straighten:")
    st.stop()

labels = token_labels(names, x.shape[0])
st.info("**Shapes:** " + shape_flow(block), icon=":material/route:")
draw_steps(steps := encoder_steps(block, labels, embeddings=embeddings if positional else None, pe=pe), key=P)
lecture_pack_button("Multi-head attention and the encoder block", steps, P, walkthrough=True, seed=seed,
                    inputs={"d_model": d_model, "heads h": n_heads, "tokens n": n_tokens, "FFN activation": activation,
                            "embeddings and weights": source, "positional encoding": positional, "scale by √d_k": scale,
                            "token names": names, "embeddings": embeddings, "W_Q": params.w_q, "W_K": params.w_k,
                            "W_V": params.w_v, "W_O": params.w_o})

with st.expander("Look inside one head: the step-by-step chain of page 1 for that head"):
    head = st.selectbox("Head", range(1, n_heads + 1), key="mh_head", format_func=lambda i: f"head {i}")
    draw_steps(attention_steps(block.attention.heads[head - 1], labels, head=str(head)), key="mh_head_steps")
