"""Page 5: sentence embeddings (Sentence-BERT). The last hidden state (tokens × d) of a typed sentence,
CLS / mean / max pooling side by side, cosine similarity between sentences, and the lecture's ICE #3
dimension question answered from a real tokenization."""

import numpy as np
import pandas as pd
import streamlit as st

from app.export import export_panel, lecture_pack_button
from app.figures import heatmap
from app.models import DEFAULT_ENCODER, encode, encoder, model_picker
from app.plain import plain
from app.presenter import is_presenting
from core.embeddings import (
    ICE3_OPTIONS,
    ICE3_SENTENCE,
    LECTURE_ICE3,
    POOLING_CAPTION,
    POOLING_CITATION,
    POOLING_TABLE,
    ice3_from_text,
    padding_demo,
    pool,
    similarity,
)
from core.export_steps import cosine_step, hidden_state_steps
from core.text import InputError, check_sentence, split_sentences, unknown_notice

SHOW_TOKENS, SHOW_DIMS = 24, 10  # the hidden-state heatmap shows this corner of [n, d]
DEFAULT_SENTENCES = "\n".join([
    "A man is playing a guitar.",
    "Someone is playing an instrument.",
    "The weather is lovely today.",
    "It is sunny and warm outside.",
    "I am looking forward to today! It's going to be a big day",
])
POOLING_NAMES = {"mean": "Mean", "cls": "CLS", "max": "Max"}
PACK = []  # the steps this rerun drew, for the lecture pack at the end of the page


def warn(messages) -> None:
    for message in messages:
        st.warning(plain(message), icon=":material/info:")


def draw_hidden_state(loaded, name: str, text: str):
    """Section 1 and 2: one sentence, its tokens, the last hidden state and the three poolings.
    Returns the checked sentence (for ICE #3), or None after saying what to type."""
    try:
        checked = check_sentence(text)
    except InputError as err:
        st.warning(plain(err), icon=":material/edit:")
        return None
    enc = encode(name, checked.text)  # core.models.run, cached per (model, text)
    pooled = pool(enc.last_hidden_state)
    n, d = enc.last_hidden_state.shape
    PACK.extend(hidden := hidden_state_steps(enc.last_hidden_state, enc.tokens, pooled))
    notices = list(checked.notices)
    if enc.truncated:
        notices.append(f"The sentence has {enc.n_input_tokens} tokens; the model reads at most {enc.max_length}, "
                       f"so only the first {enc.max_length} are used.")
    if (unk := unknown_notice(enc.tokens, loaded.tokenizer.unk_token)) is not None:
        notices.append(unk)
    warn(notices)
    st.caption("What the model read:")
    st.text(checked.text)

    st.subheader("1. The last hidden state: one vector per token", anchor=False)
    st.markdown("Row i is token i after every layer of the encoder: d numbers that describe that token "
                "*in the context of the whole sentence*.")
    m = st.columns(4)
    m[0].metric("last hidden state", f"{n} × {d}", help="tokens × d: n tokens ([CLS] and [SEP] included), d numbers each")
    m[1].metric("CLS pooling", f"{pooled.cls.shape[0]}")
    m[2].metric("mean pooling", f"{pooled.mean.shape[0]}")
    m[3].metric("max pooling", f"{pooled.max.shape[0]}")
    left, right = st.columns([3, 1])
    with left:
        rows = min(n, SHOW_TOKENS)
        dims = min(d, SHOW_DIMS)
        st.plotly_chart(heatmap(enc.last_hidden_state[:rows, :dims], enc.tokens[:rows], range(dims),
                                f"last hidden state: first {dims} of {d} dimensions", annotate=True,
                                large=is_presenting()),
                        key="emb_hidden", width="content", config={"displayModeBar": False})
        export_panel(hidden[0].panels[0], key="emb_hidden")
        if n > rows:
            st.caption(f"The first {rows} of {n} tokens are drawn; all {n} are pooled.")
    with right:
        st.dataframe(pd.DataFrame({"token": enc.tokens, "id": enc.input_ids}), height=360, width="stretch")

    st.subheader("2. Pooling: from n token vectors to one sentence vector", anchor=False)
    st.markdown(f"Each pooling turns the {n} × {d} matrix into one vector of {d} numbers, whatever the sentence's "
                "length, so sentences can be compared.")
    c = st.columns(3)
    c[0].markdown("**CLS**")
    c[0].latex(r"u = h_{[\mathrm{CLS}]} = h_0")
    c[0].caption("The first token's vector: BERT's classification token, trained by next-sentence prediction.")
    c[1].markdown("**Mean** (padding-aware)")
    c[1].latex(r"u = \frac{\sum_i m_i\, h_i}{\sum_i m_i}")
    c[1].caption("The average over the sentence's own tokens (m_i = 1); [PAD] positions (m_i = 0) are left out. "
                 "Sentence-BERT's default.")
    c[2].markdown("**Max**")
    c[2].latex(r"u_k = \max_{i:\, m_i = 1} h_{ik}")
    c[2].caption("Per dimension k, the largest value over the tokens: each number keeps its strongest token.")
    dims = min(d, SHOW_DIMS)
    st.plotly_chart(heatmap(np.stack([pooled.cls, pooled.mean, pooled.max])[:, :dims], ["CLS", "mean", "max"],
                            range(dims), f"pooled: first {dims} of {d} dimensions", annotate=True,
                            large=is_presenting()),
                    key="emb_pooled", width="content", config={"displayModeBar": False})
    export_panel(hidden[1].panels[0], key="emb_pooled")
    st.caption("Check it against the heatmap above: the CLS row is the first token's row, the mean row the "
               "column averages, the max row the column maxima (over all tokens, not only those drawn).")
    return checked


def draw_similarity(loaded, text: str, pooling: str) -> None:
    """Section 3: the cosine-similarity matrix of several sentences."""
    try:
        sentences, notices = split_sentences(text)
        result = similarity(loaded, sentences, pooling)
    except InputError as err:
        st.warning(plain(err), icon=":material/edit:")
        return
    warn(list(notices) + list(result.notices))
    labels = [str(i) for i in range(1, len(result.sentences) + 1)]
    PACK.append(cosine := cosine_step(result.cosine, POOLING_NAMES[pooling], result.sentences))
    left, right = st.columns([1, 1.2])
    with left:
        st.plotly_chart(heatmap(result.cosine, labels, labels, f"cosine similarity, {POOLING_NAMES[pooling]} pooling",
                                large=is_presenting()),
                        key="emb_cosine", width="content", config={"displayModeBar": False})
        export_panel(cosine.panels[0], key="emb_cosine")
    with right:
        st.dataframe(pd.DataFrame({"sentence": result.sentences, "tokens": result.n_tokens}, index=labels),
                     width="stretch")
    st.markdown("Cell (i, j) is cos(u_i, u_j) = u_i · u_j / (|u_i| |u_j|): 1 when the two sentence vectors "
                "point the same way (similar meaning), near 0 when they are unrelated.")
    with st.expander("Why mean pooling must skip [PAD]"):
        if not st.toggle("Compare mean pooling with and without [PAD]", key="emb_padding"):
            return
        demo = padding_demo(loaded, result.sentences)
        st.markdown(f"In a batch every sentence is padded to the longest one ({demo.n_padded} tokens). Counting "
                    "the [PAD] vectors in the mean pulls a short sentence's vector away from its true mean; "
                    "the last column is 1 only when a sentence needs no padding.")
        st.dataframe(pd.DataFrame({"sentence": demo.sentences, "own tokens": demo.n_real,
                                   "[PAD] added": demo.n_padded - demo.n_real,
                                   "cos(mean, mean counting [PAD])": demo.agreement.round(4)}, index=labels),
                     width="stretch")


def draw_ice3(loaded, checked) -> None:
    """ICE #3 of lecture 8: the lecture's answer, and the same from the typed sentence's real tokenization."""
    st.markdown("**ICE #3 (lecture 8): BERT embeddings and emotion detection.** The sentence *“I am looking "
                "forward to today! It's going to be a big day”* has 13 words; word-piece tokenization gives "
                "20 sub-tokens, and each token's embedding has 768 dimensions. What is the dimension of "
                "(a) the pooled embedding, (b) the CLS embedding, (c) the whole last hidden layer?")
    st.markdown("\n".join(f"{i}. {plain(option)}" for i, option in enumerate(ICE3_OPTIONS, start=1)))
    if is_presenting() and not st.session_state.get("emb_ice3_shown"):
        st.button("Reveal the answer", key="emb_ice3_reveal",
                  on_click=lambda: st.session_state.update(emb_ice3_shown=True))
        return
    lec = LECTURE_ICE3
    st.success(f"**Lecture's answer: option {lec['answer_option']}**: (a) {lec['pooled']}, (b) {lec['cls']}, "
               f"(c) {lec['n_tokens']} × {lec['d']} = {lec['total']}.", icon=":material/check_circle:")
    if checked is None:
        st.info("Type a sentence in section 1 to answer it from a real tokenization.")
        return
    ice = ice3_from_text(loaded, checked.text)
    st.dataframe(pd.DataFrame(
        {"lecture (BERT-base)": [str(lec["pooled"]), str(lec["cls"]), f"{lec['n_tokens']} × {lec['d']} = {lec['total']}"],
         "your sentence, this model": [str(ice.pooled), str(ice.cls), f"{ice.n_tokens} × {ice.d} = {ice.total}"]},
        index=["(a) pooled", "(b) CLS", "(c) last hidden layer"]), width="stretch")
    same = checked.text == ICE3_SENTENCE
    which = "the lecture's own sentence" if same else "your sentence"
    st.info(f"From the real tokenization: {which} has {ice.n_words} words and becomes {ice.n_tokens} sub-tokens "
            f"({ice.n_special} of them [CLS] and [SEP])"
            + (f", not the {lec['n_tokens']} the slide assumes" if same and ice.n_tokens != lec["n_tokens"] else "")
            + f"; the model {plain(loaded.name)} has d = {ice.d}"
            + (f" (BERT-base has {lec['d']})" if ice.d != lec["d"] else "")
            + f". So the answers here are {ice.pooled}, {ice.cls} and {ice.n_tokens} × {ice.d} = {ice.total}: "
            "the pooled and CLS vectors have d numbers whatever the length; the hidden layer has d per token.",
            icon=":material/calculate:")


def draw_pooling_table() -> None:
    st.markdown("**Which pooling works best?** The lecture's table: Spearman correlation × 100 on the STS "
                "benchmark's development set (higher is better).")
    st.dataframe(pd.DataFrame([{"pooling": r["pooling"], "NLI": f"{r['nli']:.2f}", "STSb": f"{r['stsb']:.2f}"}
                               for r in POOLING_TABLE])
                 .set_index("pooling"), width="stretch")
    st.caption(POOLING_CAPTION + " Source: " + POOLING_CITATION)


st.title("Sentence embeddings (sBERT)")
st.caption("A sentence encoder gives every token a vector (the last hidden state), then pools them into one "
           "vector per sentence; sentences that mean similar things get vectors that point the same way. "
           "Default model: the bundled all-MiniLM-L6-v2, a Sentence-BERT model that works offline.")
with st.expander("Model and sentence", expanded=True):
    name = model_picker("emb_model", DEFAULT_ENCODER)
    sentence = st.text_input("Sentence", value=ICE3_SENTENCE, key="emb_sentence",
                             help="Any sentence; the default is the one of the lecture's ICE #3.")
loaded = encoder(name)
if loaded is None:
    st.stop()

checked = draw_hidden_state(loaded, name, sentence)

st.subheader("3. Cosine similarity between sentences", anchor=False)
c = st.columns([2.4, 1.2])
sentences = c[0].text_area("Sentences, one per line", value=DEFAULT_SENTENCES, key="emb_sentences", height=150)
pooling = c[1].segmented_control("Pooling", list(POOLING_NAMES), default="mean", key="emb_pooling",
                                 format_func=POOLING_NAMES.get, required=True)
draw_similarity(loaded, sentences, pooling)

lecture_pack_button("Sentence embeddings", PACK, "emb",
                    inputs={"model": loaded.name, "sentence": sentence, "sentences": sentences, "pooling": pooling})

st.subheader("4. The lecture's dimension question (ICE #3) and pooling table", anchor=False)
left, right = st.columns([1.4, 1])
with left:
    draw_ice3(loaded, checked)
with right:
    draw_pooling_table()
