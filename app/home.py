"""Home: what Attention Lab is and where to start. Imports nothing heavier than streamlit."""

import streamlit as st

st.title("Attention Lab")
st.markdown(
    "Learn how transformer attention works **by doing it**: type the matrices, step through every "
    "formula, and check each number yourself. Every number on these pages is computed by `core/`, "
    "which the test suite holds against PyTorch, transformers and sentence-transformers."
)

left, right = st.columns(2)
with left:
    st.subheader("Learn")
    st.page_link("app/self_attention.py", label="1 · Self-attention, step by step", icon=":material/grid_on:")
    st.caption("X, W_Q, W_K, W_V → Q, K, V → QKᵀ → ÷√d_k → mask → softmax → A·V. "
               "Starts on the lecture's ICE #1 and answers it.")
    st.page_link("app/multi_head.py", label="2 · Multi-head attention & the encoder block", icon=":material/view_column:")
    st.caption("Split into heads, attend, concatenate, W_O, add & norm, FFN, add & norm, "
               "with positional encoding and the shape at every arrow.")
    st.page_link("app/real_model.py", label="3 · Attention in a real model", icon=":material/hub:")
    st.caption("A real BERT-family encoder on your sentence: every head, head statistics, one head "
               "recomputed by hand, and bertviz's views, offline.")
    st.page_link("app/masked_lm.py", label="4 · Masked language model", icon=":material/text_select_start:")
    st.caption("[MASK] predictions, the cross-entropy of a target word, and BERT's 80/10/10 masking.")
    st.page_link("app/embeddings.py", label="5 · Sentence embeddings (sBERT)", icon=":material/scatter_plot:")
    st.caption("CLS, mean and max pooling, cosine similarity, and the lecture's dimension question.")
with right:
    st.subheader("Practice")
    st.page_link("app/exercises_page.py", label="6 · Exercises", icon=":material/edit_note:")
    st.caption("Sign in, answer your own variant of each exercise (numbers, fractions, matrices, shapes, "
               "choices), get feedback that names your mistake, a hint, and the worked solution.")
    st.subheader("For instructors")
    st.page_link("app/instructor.py", label="Instructor dashboard", icon=":material/school:")
    st.caption("The roster and scores, the mistakes each exercise drew, a CSV for the LMS gradebook, and a "
               "preview of any exercise at any seed (password protected).")
    st.markdown(
        "Turn on **Presenter mode** in the sidebar (or add `?present=1` to the URL): large type, a fixed "
        "seed the whole class shares, and each step's numbers hidden until you reveal them."
    )
