"""Page 3's tabs that compute more than a heatmap: head statistics over every head, one head traced
through the model's own weights, and bertviz's views. Each runs only while its tab is open."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from app.attention_views import bertviz_frame
from app.steps import draw_steps
from core.bertviz_html import assets_missing, head_view_html, model_view_html, sentence_b_start
from core.heads import COLUMNS, head_stats, table
from core.steps import attention_steps
from core.trace import trace_head


def draw_stats(attentions, tokens) -> None:
    """Entropy, shares and label of every head [L, h, n, n], sortable."""
    stats = head_stats(attentions, tokens)
    sort_by = st.selectbox("Sort heads by", [c for c in COLUMNS if c not in ("layer", "head")], key="rm_sort",
                           help="entropy: how spread out a head's attention is (0: all on one token). cls, sep, self, "
                                "prev, next: the average share of each row that goes to [CLS], [SEP], the token "
                                "itself, the previous and the next token.")
    st.dataframe(pd.DataFrame(table(stats, sort_by=sort_by)), width="stretch", hide_index=True,
                 column_config={c: st.column_config.NumberColumn(format="%.3f") for c in COLUMNS[2:-1]})
    labelled = pd.Series(stats.label.ravel()).replace("", pd.NA).dropna().value_counts()
    st.caption("Labelled heads: " + (", ".join(f"{k} × {v}" for k, v in labelled.items()) or "none"))


def draw_trace(loaded, enc, layer: int, head: int, labels):
    """Layer `layer`, head `head` (from 1) recomputed from the model's weights, compared with what it
    reports; returns the core.trace.HeadTrace (its steps join page 3's lecture pack when shown)."""
    tokens, n = enc.tokens, len(enc.tokens)
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
    return tr


def draw_bertviz(attentions, tokens, layer: int) -> None:
    """bertviz's head view (of layer `layer`, from 1) and model view, on request."""
    n, n_layers = len(tokens), attentions.shape[0]
    missing = assets_missing()
    if missing:
        st.warning("bertviz's JavaScript is not installed (" + ", ".join(missing) + "): run "
                   "`./scripts/install_assets.sh` (the set-up commands do), then reload.", icon=":material/download:")
    elif st.toggle("Draw bertviz's head view and model view", key="rm_bertviz",
                   help="bertviz's own views, served from this app with no internet. Heavier than the views "
                        "above on long inputs, so they are drawn on request."):
        b_start = sentence_b_start(tokens)
        st.markdown("**Head view** (lines from each token to the tokens it attends to; pick heads by colour)")
        bertviz_frame(head_view_html(attentions, tokens, sentence_b_start=b_start, layer=layer - 1),
                      height=min(2400, 140 + 22 * (n if b_start is None else max(b_start, n - b_start))))
        st.markdown("**Model view** (every layer and head; click a thumbnail to enlarge it)")
        bertviz_frame(model_view_html(attentions, tokens, sentence_b_start=b_start),
                      height=110 + 165 * n_layers)
