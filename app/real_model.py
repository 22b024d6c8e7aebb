"""Page 3: attention in a real model: tokens, heads, head statistics, one head traced, bertviz."""

import pandas as pd
import streamlit as st

from app.export import lecture_pack_button
from app.head_tabs import draw_bertviz, draw_stats, draw_trace
from app.head_view import draw_head, draw_layer
from app.models import encode, encoder, model_picker
from app.plain import plain
from app.presenter import is_presenting
from core.examples import distinct_labels
from core.export_steps import real_model_steps
from core.text import InputError, check_sentence, unknown_notice

st.title("Attention in a real model")
st.caption("A BERT-family encoder reads your sentence (or a pair A/B, as in BERT's next-sentence task). "
           "Every layer has several heads; each head is the attention of page 1, with weights the model learned.")

with st.expander("Input: model and sentences", expanded=not is_presenting()):
    name = model_picker("rm_model")
    text_a = st.text_area("Sentence A", "The cat sat on the mat because it was tired.", key="rm_a", height=80)
    text_b = st.text_input("Sentence B (optional: makes a pair, [CLS] A [SEP] B [SEP])", "", key="rm_b")

loaded = encoder(name)
if loaded is None:
    st.stop()
try:
    a = check_sentence(text_a, what="sentence A")
    b = check_sentence(text_b, what="sentence B") if text_b.strip() else None
except InputError as err:
    st.error(plain(str(err)), icon=":material/edit:")
    st.stop()
for notice in a.notices + (b.notices if b else ()):
    st.warning(plain(notice), icon=":material/content_cut:")

enc = encode(name, a.text, b.text if b else None)
if enc.truncated:
    st.warning(plain(f"The input is {enc.n_input_tokens} tokens long, but {name} reads at most {enc.max_length}: "
                     f"only the first {enc.max_length} tokens are used below."), icon=":material/content_cut:")
if note := unknown_notice(enc.tokens, loaded.tokenizer.unk_token):
    st.info(plain(note), icon=":material/help:")

tokens = enc.tokens
labels = distinct_labels(tokens)  # tables need distinct names: 'the', 'the (2)'
n_layers, n_heads, n = enc.attentions.shape[0], enc.attentions.shape[1], len(tokens)
st.markdown(f"**{n} tokens** · {n_layers} layers × {n_heads} heads · d_model = {loaded.d_model}, "
            f"d_k = {loaded.d_head} per head")
st.dataframe(pd.DataFrame([tokens, [str(i) for i in enc.input_ids]], index=["token", "id"]), width="stretch")

c1, c2 = st.columns(2)
layer = c1.selectbox("Layer", range(1, n_layers + 1), key="rm_layer")
head = c2.selectbox("Head", range(1, n_heads + 1), key="rm_head")
weights = enc.attentions[layer - 1, head - 1]

# Lazy tabs: only the open tab runs and is sent, so a new sentence draws one heatmap, not five views.
one, grid, stats_tab, trace_tab, viz = st.tabs(
    ["One head", "All heads of this layer", "Head statistics", "Trace one head", "bertviz"], key="rm_tab",
    on_change="rerun")
with one:
    if one.open:
        draw_head(weights, tokens, layer, head, large=is_presenting())
with grid:
    if grid.open:
        draw_layer(enc.attentions[layer - 1], tokens, layer)
with stats_tab:
    if stats_tab.open:
        draw_stats(enc.attentions, tokens)
trace = None  # the traced head, while its tab is open
with trace_tab:
    if trace_tab.open:
        trace = draw_trace(loaded, enc, layer, head, labels)
with viz:
    if viz.open:
        draw_bertviz(enc.attentions, tokens, layer)
steps_on_screen = trace is not None and st.session_state.get("rm_trace_steps")
lecture_pack_button("Attention in a real model", real_model_steps(weights, tokens, layer, head,
                                                                  trace if steps_on_screen else None), "rm",
                    inputs={"model": name, "sentence A": text_a, "sentence B": text_b, "layer": layer, "head": head})
