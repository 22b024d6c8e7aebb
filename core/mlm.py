"""The masked language model: predictions for each [MASK], the loss of a target word, BERT's 80/10/10
masking procedure, and the heads that attend to a mask.

    predict_masks(loaded, text, k)      one forward pass; per mask the top-k word pieces, softmax over the vocabulary
    target_loss(pred, number, word)     cross-entropy of a target word at one mask: -log p(target)
    mask_procedure(text, tokenizer, seed)   BERT's pre-training corruption (needs a tokenizer, no model)
    heads_on_mask(attentions, index)    the heads whose attention goes most to the mask
    try_load_masked_lm(name)            a masked-LM model, or the message that says how to get one

The loss. At a masked position the model gives p_hat = softmax(logits), one probability per vocabulary
entry, and the truth p is one-hot on the original token. Cross-entropy -sum_i p_i log p_hat_i is then
-log p_hat(target), in nats (natural log), as in BERT and torch.nn.functional.cross_entropy. The lecture
writes the binary form -sum_i [p_i log p_hat_i + (1 - p_i) log(1 - p_hat_i)]; for a softmax over the
vocabulary the (1 - p_i) terms are not part of BERT's loss.

Shapes: L layers, h heads, n tokens, V vocabulary entries. Layers and heads are indexed from 0, as in
attentions[layer, head]. This module imports torch; only the masked-LM page imports it.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import NamedTuple

import numpy as np
import torch

from core.models import LoadedModel, ModelLoadError, load_masked_lm
from core.text import InputError, check_sentence, find_masks, unknown_notice

DEFAULT_MLM = "bert-base-uncased"
DEFAULT_MLM_FOLDER = "./models/bert-base-uncased"
TOP_K = 10

# BERT's masking procedure (Devlin et al. 2019, section 3.1 and appendix A.1)
MASK_RATE = 0.15
P_MASK, P_RANDOM, P_KEEP = 0.8, 0.1, 0.1
ACTIONS = ("mask", "random", "keep")


# ---------------------------------------------------------------------------------------------
# predictions


@dataclass(frozen=True, eq=False)
class MaskPrediction:
    number: int              # 1 for the first [MASK] in the sentence, 2 for the second, ...
    index: int               # its position in tokens (0 is [CLS])
    top_ids: np.ndarray      # [k] int64, most probable first
    top_tokens: tuple[str, ...]
    top_probs: np.ndarray    # [k] float64, sorted descending
    log_probs: np.ndarray    # [V] float64, log softmax over the vocabulary at this position

    def prob_of_id(self, token_id: int) -> float:
        return float(np.exp(self.log_probs[token_id]))


@dataclass(frozen=True, eq=False)
class MaskPredictions:
    text: str                       # what the model read (masks spelled as the tokenizer's mask token)
    tokens: list[str]               # n tokens, special tokens included
    input_ids: np.ndarray           # [n] int64
    attentions: np.ndarray          # [L, h, n, n] float32; row i: query token i, column j: key token j
    masks: tuple[MaskPrediction, ...]
    notices: tuple[str, ...]        # plain text: truncation, [mask] spelled otherwise, glued masks, [UNK]s
    truncated: bool                 # the text (characters or tokens) was cut
    tokenizer: object

    def prob_of(self, mask_number: int, token: str) -> float:
        """p(token) at mask mask_number (1-based); token is one vocabulary entry, e.g. 'sat' or '##s'."""
        token_id = self.tokenizer.convert_tokens_to_ids(token)
        if token_id is None or (token_id == self.tokenizer.unk_token_id and token != self.tokenizer.unk_token):
            raise InputError(f"'{token}' is not in the model's vocabulary.")
        return self._mask(mask_number).prob_of_id(token_id)

    def _mask(self, mask_number: int) -> MaskPrediction:
        if not 1 <= mask_number <= len(self.masks):
            raise InputError(f"There is no mask {mask_number}; the sentence has {len(self.masks)} "
                             f"(numbered 1 to {len(self.masks)}).")
        return self.masks[mask_number - 1]


def predict_masks(loaded: LoadedModel, text: str, k: int = TOP_K) -> MaskPredictions:
    """Run the masked-LM once on text and give, for every mask, the k most probable word pieces.

    The probabilities are softmax(logits) over the whole vocabulary at the mask's position, in float64.
    Raises InputError (with what to type) for empty text or no mask, ValueError for a model without a
    trained masked-LM head (load it with core.models.load_masked_lm)."""
    if not loaded.masked_lm:
        raise ValueError(f"Model '{loaded.name}' was not loaded with its masked-LM head; its predictions would "
                         "mean nothing. Load it with core.models.load_masked_lm.")
    tok = loaded.tokenizer
    checked = check_sentence(text)
    search = find_masks(checked.text, tok.mask_token)
    notices = list(checked.notices) + list(search.notices)
    n_input = len(tok(search.text, truncation=False, verbose=False)["input_ids"])
    enc = tok(search.text, truncation=True, max_length=loaded.max_length, return_tensors="pt")  # [1, n]
    with torch.inference_mode():
        out = loaded.model(**enc, output_attentions=True)
    ids = enc["input_ids"][0]                                        # [n]
    positions = (ids == tok.mask_token_id).nonzero().flatten().tolist()
    if n_input > loaded.max_length:
        notices.append(f"The sentence has {n_input} tokens; the model reads at most {loaded.max_length}, so the "
                       f"rest was cut off" + (f" with {search.count - len(positions)} of its masks." if
                                              len(positions) < search.count else "."))
    if not positions:
        raise InputError(f"Every {tok.mask_token} lies beyond the model's limit of {loaded.max_length} tokens. "
                         f"Move a {tok.mask_token} nearer the start, or shorten the sentence.")
    log_probs = torch.log_softmax(out.logits[0].double(), dim=-1)    # [n, V] float64
    k = max(1, min(int(k), log_probs.shape[-1]))
    masks = []
    for number, index in enumerate(positions, start=1):
        lp = log_probs[index].numpy()                                # [V]
        top = np.argsort(-lp, kind="stable")[:k]                     # [k]
        masks.append(MaskPrediction(number=number, index=index, top_ids=top.astype(np.int64),
                                    top_tokens=tuple(tok.convert_ids_to_tokens(top.tolist())),
                                    top_probs=np.exp(lp[top]), log_probs=lp))
    tokens = tok.convert_ids_to_tokens(ids.tolist())
    if (unk := unknown_notice(tokens, tok.unk_token)) is not None:
        notices.append(unk)
    return MaskPredictions(
        text=search.text, tokens=tokens, input_ids=ids.numpy().astype(np.int64),
        attentions=torch.stack(out.attentions)[:, 0].float().numpy(),  # L x [1, h, n, n] -> [L, h, n, n]
        masks=tuple(masks), notices=tuple(notices), truncated=checked.truncated or n_input > loaded.max_length,
        tokenizer=tok)


# ---------------------------------------------------------------------------------------------
# the loss of a target word


@dataclass(frozen=True)
class TargetLoss:
    mask_number: int
    word: str          # as typed (stripped)
    token: str         # the one word piece it tokenizes to (lower-cased by an uncased tokenizer)
    token_id: int
    prob: float        # p_hat(target) at the mask
    rank: int          # 1 = the model's top prediction
    nats: float        # the loss: -ln p, what BERT minimises
    bits: float        # -log2 p
    log10: float       # -log10 p: not the loss (a common slip is to use log base 10)
    top_token: str     # the model's own first choice, for comparison
    top_prob: float

    @property
    def loss(self) -> float:
        return self.nats


def target_loss(predictions: MaskPredictions, mask_number: int, target_word: str, tokenizer=None) -> TargetLoss:
    """Cross-entropy -log p(target) at mask mask_number (1-based) for a word the user typed.

    One [MASK] predicts one word piece, so the word must tokenize to exactly one piece; otherwise
    InputError says which pieces it became."""
    tok = tokenizer if tokenizer is not None else predictions.tokenizer
    pred = predictions._mask(mask_number)
    word = check_sentence(target_word, max_chars=100, what="target word").text
    pieces = tok.tokenize(" " + word)  # as a word after a space: RoBERTa's BPE marks it (Ġsat); WordPiece ignores it
    if len(word.split()) > 1:
        raise InputError(f"'{word}' is {len(word.split())} words. Type one word: mask {mask_number} stands for one "
                         "word piece.")
    if not pieces:
        raise InputError(f"'{word}' gives no word piece at all (the tokenizer drops its characters). Type a word.")
    if len(pieces) > 1:
        raise InputError(
            f"'{word}' is not one token: the tokenizer splits it into {len(pieces)} word pieces "
            f"({', '.join(pieces)}). One {tok.mask_token} predicts exactly one word piece, so its loss is "
            f"defined only for a word that is a single piece. Type such a word, or write one {tok.mask_token} "
            "per piece in the sentence.")
    token = pieces[0]
    if token in tok.all_special_tokens:
        what = "not in the vocabulary" if token == tok.unk_token else "a special token"
        raise InputError(f"'{word}' is {what} (it becomes {token}). Type an ordinary word.")
    token_id = int(tok.convert_tokens_to_ids(token))
    lp = float(pred.log_probs[token_id])
    nats = -lp
    return TargetLoss(
        mask_number=mask_number, word=word, token=token, token_id=token_id, prob=math.exp(lp),
        rank=1 + int(np.sum(pred.log_probs > lp)), nats=nats, bits=nats / math.log(2), log10=nats / math.log(10),
        top_token=pred.top_tokens[0], top_prob=float(pred.top_probs[0]))


# ---------------------------------------------------------------------------------------------
# BERT's 80/10/10 masking procedure


@dataclass(frozen=True)
class MaskedToken:
    index: int
    original: str
    special: bool               # [CLS], [SEP], [PAD], ...: never chosen
    chosen: bool                # one of the ~15% the model must predict (the loss is computed here)
    action: str | None          # "mask", "random", "keep", or None when not chosen
    result: str                 # the token the model reads
    draw: float | None          # the uniform number u that picked the action (u < 0.8 mask, < 0.9 random, else keep)


@dataclass(frozen=True)
class MaskingResult:
    tokens: tuple[str, ...]     # the original sequence, special tokens included
    corrupted: tuple[str, ...]  # what the model reads in pre-training
    records: tuple[MaskedToken, ...]
    seed: int
    rate: float
    n_candidates: int           # tokens that may be chosen (all but the special tokens)
    n_chosen: int
    notices: tuple[str, ...]

    @property
    def counts(self) -> dict[str, int]:
        return {a: sum(1 for r in self.records if r.action == a) for a in ACTIONS}


@lru_cache(maxsize=8)
def _random_pool(tokenizer) -> np.ndarray:
    """Ids a "random" replacement is drawn from: the vocabulary without special tokens and without
    BERT's placeholder entries [unused0] .. [unused993] (any vocabulary entry written [like_this])."""
    special = set(tokenizer.all_special_ids)
    ids = [i for t, i in tokenizer.get_vocab().items()
           if i not in special and not re.fullmatch(r"\[[^\[\]\s]+\]", t)]
    return np.array(sorted(ids), dtype=np.int64)


def _token_limit(tokenizer) -> int:
    limit = getattr(tokenizer, "model_max_length", None) or 512
    return int(limit) if limit < 100_000 else 512  # tokenizers without a limit declare a huge number


def mask_procedure(tokens_or_text, tokenizer, seed: int, rate: float = MASK_RATE) -> MaskingResult:
    """BERT's pre-training corruption of one sequence, reproducible from seed. Needs only a tokenizer.

    tokens_or_text is a sentence (tokenized here, [CLS]/[SEP] added) or a list of tokens. With
    rng = numpy.random.default_rng(seed):
    1. choose round(rate * m) of the m non-special tokens (at least 1; halves round up), all equally
       likely, without replacement: rng.choice. Special tokens ([CLS], [SEP], [PAD], [MASK]) are never chosen.
    2. for each chosen token, in reading order, draw u = rng.random(), independently per token:
       u < 0.8 -> [MASK] (80%), 0.8 <= u < 0.9 -> a random token (10%), u >= 0.9 -> unchanged (10%).
       BERT's create_pretraining_data.py draws the same probabilities in two steps (0.8, then 0.5 of the rest).
    3. a random token is rng.integers over the vocabulary without special tokens and [unusedN] placeholders
       (it can, rarely, be the original token itself, as in BERT).
    The model is trained to predict the original token at every chosen position, the unchanged ones included.
    BERT itself counts [CLS]/[SEP] in the 15% and caps the number at 20 per sequence; here the rate
    applies to the tokens that can be chosen, with no cap."""
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise InputError(f"The seed must be a whole number 0 or larger; got {seed!r}.")
    if not 0 < rate <= 1:
        raise InputError(f"The masking rate must be above 0 and at most 1 (BERT uses {MASK_RATE}); got {rate}.")
    notices: list[str] = []
    if isinstance(tokens_or_text, str):
        checked = check_sentence(tokens_or_text)
        notices += checked.notices
        limit = _token_limit(tokenizer)
        n_input = len(tokenizer(checked.text, truncation=False, verbose=False)["input_ids"])
        ids = tokenizer(checked.text, truncation=True, max_length=limit)["input_ids"]
        tokens = tokenizer.convert_ids_to_tokens(ids)
        if n_input > limit:
            notices.append(f"The sentence has {n_input} tokens; only the first {limit} are used.")
    else:
        tokens = [str(t) for t in tokens_or_text]
    special = set(tokenizer.all_special_tokens)
    candidates = [i for i, t in enumerate(tokens) if t not in special]
    if not candidates:
        raise InputError("There is no word piece to mask (only special tokens). Type a sentence, "
                         "e.g. 'The cat sat on the mat.'")
    n_chosen = max(1, math.floor(rate * len(candidates) + 0.5))

    rng = np.random.default_rng(int(seed))
    chosen = sorted(int(i) for i in rng.choice(candidates, size=n_chosen, replace=False))  # 1.
    pool = _random_pool(tokenizer)
    picked: dict[int, tuple[str, str, float]] = {}
    for i in chosen:                                                                          # 2.
        u = float(rng.random())
        if u < P_MASK:
            picked[i] = ("mask", tokenizer.mask_token, u)
        elif u < P_MASK + P_RANDOM:                                                           # 3.
            picked[i] = ("random", tokenizer.convert_ids_to_tokens(int(pool[rng.integers(len(pool))])), u)
        else:
            picked[i] = ("keep", tokens[i], u)
    records = tuple(
        MaskedToken(index=i, original=t, special=t in special, chosen=i in picked,
                    action=picked[i][0] if i in picked else None,
                    result=picked[i][1] if i in picked else t,
                    draw=picked[i][2] if i in picked else None)
        for i, t in enumerate(tokens))
    return MaskingResult(tokens=tuple(tokens), corrupted=tuple(r.result for r in records), records=records,
                         seed=int(seed), rate=float(rate), n_candidates=len(candidates), n_chosen=n_chosen,
                         notices=tuple(notices))


# ---------------------------------------------------------------------------------------------
# which heads look at the mask


class HeadShare(NamedTuple):
    layer: int    # from 0
    head: int     # from 0
    share: float  # mean attention the other tokens pay to the mask


def heads_on_mask(attentions: np.ndarray, mask_index: int, top: int | None = 10) -> list[HeadShare]:
    """Heads ranked by how much attention goes TO the mask: for layer l, head h,

        share[l, h] = mean over query tokens i != mask_index of attentions[l, h, i, mask_index]

    i.e. the column of the mask, averaged over every other token's row (special tokens' rows included;
    the mask's own row is left out, since attending to oneself says nothing about the mask). Largest
    first; ties keep layer-then-head order. attentions: [L, h, n, n]; top=None gives every head."""
    a = np.asarray(attentions, dtype=float)
    if a.ndim != 4 or a.shape[2] != a.shape[3]:
        raise ValueError(f"attentions must have shape [layers, heads, n, n]; got {a.shape}.")
    n = a.shape[-1]
    if not 0 <= mask_index < n:
        raise ValueError(f"mask_index {mask_index} is outside the {n} tokens.")
    if n < 2:
        raise ValueError("With one token there is no other token to attend to the mask.")
    others = np.arange(n) != mask_index                     # [n]
    share = a[:, :, others, mask_index].mean(axis=-1)       # [L, h, n-1] -> [L, h]
    order = np.argsort(-share.ravel(), kind="stable")      # [L*h], layer-major
    rows = [HeadShare(int(f // share.shape[1]), int(f % share.shape[1]), float(share.ravel()[f])) for f in order]
    return rows if top is None else rows[:top]


# ---------------------------------------------------------------------------------------------
# loading, for the page


@dataclass(frozen=True, eq=False)
class MlmChoice:
    loaded: LoadedModel | None   # None: no masked-LM could be loaded
    message: str | None          # plain text for the page when loaded is None


def no_mlm_message(name: str, error: Exception | str) -> str:
    """What the page says when no masked-LM model loads: why, and how to get one."""
    command = f"python -m core.models download {DEFAULT_MLM} {DEFAULT_MLM_FOLDER} --mlm"
    how = "" if command in str(error) else (
        f" How to get one: on a machine with internet run '{command}', copy that folder here and type "
        f"{DEFAULT_MLM_FOLDER} as the model.")
    return (f"No masked-language model could be loaded from '{name}', so this page shows no predictions "
            f"(it never shows predictions from a head that was not trained). Why: {error}{how} "
            "The 80/10/10 masking procedure still works: it needs only a tokenizer.")


def try_load_masked_lm(name: str = DEFAULT_MLM) -> MlmChoice:
    """load_masked_lm(name), or the message that explains why not and how to get one."""
    try:
        return MlmChoice(load_masked_lm(name), None)
    except ModelLoadError as e:
        return MlmChoice(None, no_mlm_message(name, e))
