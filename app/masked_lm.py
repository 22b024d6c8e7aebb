"""Page 4: the masked language model. The top-k predictions for each [MASK], the cross-entropy loss of a
target word, which heads attend to the mask, and BERT's 80/10/10 masking procedure with a seed (which
needs only a tokenizer, so it works when no masked-LM model can be loaded)."""

import random

import pandas as pd
import streamlit as st

from app.export import export_panel, lecture_pack_button
from app.figures import bar_chart
from app.models import DEFAULT_MASKED_LM, bundled_tokenizer, masked_lm, model_picker
from app.plain import plain
from app.presenter import is_presenting
from app.widgets import seed_from_url
from core.export_steps import heads_panel, mask_panel, mlm_steps
from core.matrix_text import format_number
from core.mlm import TOP_K, heads_on_mask, mask_procedure, predict_masks, target_loss
from core.text import InputError

LECTURE_SENTENCE = "I am having a [MASK] day. So I need to take a break."  # lecture 9: [MASK] -> "bad"
LECTURE_TARGET = "bad"
MASKING_SENTENCE = "I am having a bad day. So I need to take a break."
DEFAULT_SEED = 2  # for the default sentence: one token -> [MASK], one -> a random word piece
ACTION_NAMES = {"mask": "→ [MASK] (80%)", "random": "→ random word piece (10%)", "keep": "kept unchanged (10%)"}

st.session_state.setdefault("mlm_seed", seed_from_url(DEFAULT_SEED))


def warn(messages) -> None:
    for message in messages:
        st.warning(plain(message), icon=":material/info:")


def chart(fig, key: str) -> None:
    st.plotly_chart(fig, key=key, width="content", config={"displayModeBar": False})


def revealed(text: str) -> bool:
    """Outside presenter mode always; in it, once 'Reveal' was pressed for this very sentence."""
    if not is_presenting() or st.session_state.get("mlm_revealed_for") == text:
        return True
    st.button("Reveal the predictions and the loss", key="mlm_reveal", icon=":material/visibility:",
              on_click=lambda: st.session_state.update(mlm_revealed_for=text))
    return False


def draw_predictions(loaded, text: str, k: int) -> None:
    """Sections 1-3: predictions, the loss of a target word, the heads on the mask."""
    try:
        pred = predict_masks(loaded, text, k)
    except InputError as err:
        st.warning(plain(err), icon=":material/edit:")
        return
    warn(pred.notices)
    st.caption("The tokens the model read ([CLS] and [SEP] added):")
    st.code(" ".join(pred.tokens), language=None, wrap_lines=True)

    st.subheader("1. Predictions for each [MASK]", anchor=False)
    st.markdown(f"At a mask the model gives a probability to every one of its {loaded.vocab_size:,} word pieces "
                f"(a softmax over the vocabulary); the bars are the {len(pred.masks[0].top_tokens)} most probable.")
    show = revealed(pred.text)
    if show:
        cols = st.columns(min(len(pred.masks), 2))
        for i, mask in enumerate(pred.masks):
            with cols[i % len(cols)]:
                chart(bar_chart(mask.top_tokens, mask.top_probs, f"mask {mask.number} (token {mask.index})",
                                large=is_presenting()), f"mlm_top_{mask.number}")
                export_panel(mask_panel(mask), key=f"mlm_top_{mask.number}", bars=True)

    number = 1
    if len(pred.masks) > 1:
        if st.session_state.get("mlm_mask") not in range(1, len(pred.masks) + 1):
            st.session_state.pop("mlm_mask", None)  # the sentence now has fewer masks
        number = st.selectbox("Mask for the loss and the heads", [m.number for m in pred.masks], key="mlm_mask",
                              format_func=lambda n: f"mask {n} (token {pred.masks[n - 1].index})")
    mask = pred.masks[number - 1]

    st.subheader("2. The loss of a target word", anchor=False)
    st.latex(r"L = -\sum_i p_i \log \hat p_i = -\log \hat p(\text{target})")
    st.markdown("The truth p is 1 on the target word and 0 elsewhere, so only the target's term is left: the loss "
                "is 0 when the model gives the target probability 1 and grows without bound as it falls to 0.")
    target = st.text_input("Target word", value=LECTURE_TARGET, key="mlm_target",
                           help="The word you think belongs at the mask; it must be one word piece.")
    if show:
        try:
            loss = target_loss(pred, number, target)
        except InputError as err:
            st.warning(plain(err), icon=":material/edit:")
        else:
            st.latex(rf"L = -\ln {format_number(loss.prob, 6)} = {format_number(loss.nats, 4)}"
                     r"\ \text{nats}")
            st.dataframe(pd.DataFrame([{
                "target word piece": loss.token, "p̂(target)": format_number(loss.prob, 6), "rank": loss.rank,
                "loss −ln p̂ (nats)": format_number(loss.nats, 4), "−log₂ p̂ (bits)": format_number(loss.bits, 4),
                "model's first choice": loss.top_token, "its p̂": format_number(loss.top_prob, 4)}],
                index=[f"mask {number}"]), width="stretch")
            st.caption("Natural log, as in BERT's training (torch's cross_entropy). The lecture writes the binary "
                       "form with (1 − p_i) log(1 − p̂_i) terms; over a softmax, BERT's loss keeps only −log p̂(target).")

    st.subheader("3. Which heads look at the mask", anchor=False)
    st.markdown(f"For every layer and head: the attention the other tokens pay to mask {number}, averaged over their "
                f"rows (the mask's column of the attention matrix, its own row left out). Spread evenly, each of "
                f"the {len(pred.tokens)} tokens would get 1/{len(pred.tokens)}.")
    heads = heads_on_mask(pred.attentions, mask.index, top=8)
    chart(bar_chart([f"layer {h.layer + 1}, head {h.head + 1}" for h in heads], [h.share for h in heads],
                    f"mean attention to mask {number}, top {len(heads)} of {loaded.n_layers * loaded.n_heads} heads",
                    x_max=None, large=is_presenting()), "mlm_heads")
    export_panel(heads_panel(heads, number), key="mlm_heads", bars=True, x_max=None)
    if show:
        lecture_pack_button("Masked language model", mlm_steps(pred.masks, heads, number), "mlm",
                            inputs={"model": loaded.name, "sentence": text, "top k": k, "target word": target})


def new_seed() -> None:
    st.session_state.mlm_seed = random.randrange(10_000)


def draw_masking(tokenizer, from_model: bool) -> None:
    """Section 4: BERT's pre-training corruption of a sentence, reproducible from its seed."""
    st.subheader(("4. " if from_model else "") + "BERT's 80/10/10 masking procedure", anchor=False)
    st.markdown("In pre-training BERT picks 15% of the word pieces for the model to predict; of those, 80% are "
                "replaced by [MASK], 10% by a random word piece and 10% are left unchanged, so the model cannot "
                "learn that only [MASK] positions matter.")
    c = st.columns([4, 1, 1], vertical_alignment="bottom")
    text = c[0].text_input("Sentence to corrupt", value=MASKING_SENTENCE, key="mlm_mask_text")
    seed = c[1].number_input("Seed", 0, 999_999, key="mlm_seed", disabled=is_presenting(),
                             help="The same seed picks the same tokens and the same actions, on any machine.")
    if not is_presenting():
        c[2].button("New seed", icon=":material/casino:", on_click=new_seed, width="stretch")
    try:
        result = mask_procedure(text, tokenizer, int(seed))
    except InputError as err:
        st.warning(plain(err), icon=":material/edit:")
        return
    warn(result.notices)
    if not from_model:
        st.caption("Tokenizer: BERT's uncased WordPiece vocabulary, read from the bundled all-MiniLM-L6-v2 "
                   "(no masked-LM model is loaded).")
    counts = result.counts
    st.markdown(f"{result.n_candidates} word pieces may be chosen ([CLS] and [SEP] never are); 15% of "
                f"{result.n_candidates} rounds to **{result.n_chosen}**. Seed {result.seed}: "
                f"**{counts['mask']}** → [MASK], **{counts['random']}** → a random word piece, "
                f"**{counts['keep']}** kept. The model is trained to predict the original at all {result.n_chosen}.")
    st.code("original:    " + " ".join(result.tokens) + "\nmodel reads: " + " ".join(result.corrupted),
            language=None, wrap_lines=True)
    chosen = [r for r in result.records if r.chosen]
    st.dataframe(pd.DataFrame({
        "position": [r.index for r in chosen], "original": [r.original for r in chosen],
        "draw u": [format_number(r.draw, 3) for r in chosen], "action": [ACTION_NAMES[r.action] for r in chosen],
        "model reads": [r.result for r in chosen]}).set_index("position"), width="stretch")
    st.caption("u < 0.8: [MASK]; 0.8 ≤ u < 0.9: a random word piece; u ≥ 0.9: unchanged (Devlin et al. 2019, §3.1).")


st.title("Masked language model")
st.caption("BERT is pre-trained to fill in hidden words: it reads the whole sentence at once, with [MASK] where a "
           "word is missing, and gives every word piece of its vocabulary a probability for each gap. "
           "Lecture 9's example: “I am having a [MASK] day. So I need to take a break” → “bad”.")
with st.expander("Model and sentence", expanded=True):
    c = st.columns([2, 3, 1])
    with c[0]:
        name = model_picker("mlm_model", DEFAULT_MASKED_LM, label="Masked-LM model")
    sentence = c[1].text_input("Sentence with [MASK]", value=LECTURE_SENTENCE, key="mlm_sentence",
                               help="Write [MASK] for each word to predict (at most 8).")
    k = c[2].number_input("top k", 1, 50, TOP_K, key="mlm_k")

loaded = masked_lm(name)
if loaded is None:
    st.info("Without a masked-LM model this page shows no predictions, loss or heads (it never shows predictions "
            "from a head that was not trained). The masking procedure below still works: it needs only a tokenizer.",
            icon=":material/info:")
else:
    draw_predictions(loaded, sentence, int(k))

draw_masking(loaded.tokenizer if loaded is not None else bundled_tokenizer(), loaded is not None)
