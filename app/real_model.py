"""Page 3: attention in a real model: tokens, heads, head statistics, one head traced, bertviz."""

import pandas as pd
import streamlit as st

from app.attention_views import bertviz_frame, heads_grid
from app.export import export_panel, lecture_pack_button
from app.figures import heatmap
from app.models import encode, encoder, model_picker
from app.plain import plain
from app.presenter import is_presenting
from app.steps import draw_steps
from core.bertviz_html import assets_missing, head_view_html, model_view_html, sentence_b_start
from core.examples import distinct_labels
from core.export_steps import head_panel, real_model_steps
from core.heads import COLUMNS, head_stats, table
from core.steps import attention_steps
from core.text import InputError, check_sentence, unknown_notice
from core.trace import trace_head

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

one, grid, stats_tab, trace_tab, viz = st.tabs(
    ["One head", f"All heads of layer {layer}", "Head statistics", "Trace one head", "bertviz"])
with one:
    st.markdown(f"Layer {layer}, head {head}. Row i: how much token i attends to each token (each row sums to 1).")
    st.plotly_chart(heatmap(weights, tokens, tokens, f"layer {layer}, head {head}", large=is_presenting()),
                    key="rm_one", width="content", config={"displayModeBar": False})
    export_panel(head_panel(weights, tokens, layer, head), key="rm_one")
with grid:
    st.markdown(f"The {n_heads} heads of layer {layer}, each with its own pattern. Darker: more attention.")
    st.plotly_chart(heads_grid(enc.attentions[layer - 1], tokens), key="rm_grid", width="stretch",
                    config={"displayModeBar": False, "staticPlot": True})
with stats_tab:
    stats = head_stats(enc.attentions, tokens)
    sort_by = st.selectbox("Sort heads by", [c for c in COLUMNS if c not in ("layer", "head")], key="rm_sort",
                           help="entropy: how spread out a head's attention is (0: all on one token). cls, sep, self, "
                                "prev, next: the average share of each row that goes to [CLS], [SEP], the token "
                                "itself, the previous and the next token.")
    st.dataframe(pd.DataFrame(table(stats, sort_by=sort_by)), width="stretch", hide_index=True,
                 column_config={c: st.column_config.NumberColumn(format="%.3f") for c in COLUMNS[2:-1]})
    labelled = pd.Series(stats.label.ravel()).replace("", pd.NA).dropna().value_counts()
    st.caption("Labelled heads: " + (", ".join(f"{k} × {v}" for k, v in labelled.items()) or "none"))
with trace_tab:
    st.markdown(f"Recompute layer {layer}, head {head} from the model's own hidden states and weights, "
                "with the formulas of page 1, and compare with the attention the model reports.")
    tr = trace_head(loaded, enc, layer - 1, head - 1)
    ok = tr.max_abs_diff < 1e-4
    (st.success if ok else st.error)(
        f"max |recomputed − reported| = {tr.max_abs_diff:.2e} over all {n}×{n} weights"
        + (": the recomputation equals what the model reports." if ok else ": they differ."),
        icon=":material/check_circle:" if ok else ":material/error:")
    token = st.selectbox("Token", range(n), format_func=lambda i: f"{i}: {tokens[i]}", key="rm_token")
    st.dataframe(pd.DataFrame({"key token": tokens, "score q·k": tr.attention.scores[token],
                               "scaled": tr.attention.scaled[token], "weight": tr.attention.weights[token],
                               "model's weight": tr.reported[token]}), width="stretch",
                 column_config={c: st.column_config.NumberColumn(format="%.4f")
                                for c in ("score q·k", "scaled", "weight", "model's weight")})
    if st.toggle("Show every step of this head, as on page 1", key="rm_trace_steps",
                 help="Q, K, V, the scores, the scaling, the softmax and the output with their heatmaps and "
                      "numbers: drawn on request, since on long inputs they are many numbers."):
        draw_steps(attention_steps(tr.attention, labels, x=tr.x, head=str(head)), key="rm_trace")
with viz:
    missing = assets_missing()
    if missing:
        st.warning("bertviz's JavaScript is not installed (" + ", ".join(missing) + "): run "
                   "`./scripts/install_assets.sh` (the set-up commands do), then reload.", icon=":material/download:")
    elif st.toggle("Draw bertviz's head view and model view", key="rm_bertviz",
                   help="bertviz's own views, served from this app with no internet. Heavier than the views "
                        "above on long inputs, so they are drawn on request."):
        b_start = sentence_b_start(tokens)
        st.markdown("**Head view** (lines from each token to the tokens it attends to; pick heads by colour)")
        bertviz_frame(head_view_html(enc.attentions, tokens, sentence_b_start=b_start, layer=layer - 1),
                      height=min(2400, 140 + 22 * (n if b_start is None else max(b_start, n - b_start))))
        st.markdown("**Model view** (every layer and head; click a thumbnail to enlarge it)")
        bertviz_frame(model_view_html(enc.attentions, tokens, sentence_b_start=b_start),
                      height=110 + 165 * n_layers)
lecture_pack_button("Attention in a real model", real_model_steps(weights, tokens, layer, head, tr if st.session_state.get("rm_trace_steps") else None), "rm", inputs={"model": name, "sentence A": text_a, "sentence B": text_b, "layer": layer, "head": head})
