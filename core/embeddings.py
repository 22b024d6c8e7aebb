"""Sentence embeddings (Sentence-BERT): from the last hidden state [n, d] to one vector [d] per sentence.

    pool(h, mask)                  CLS, mean and max pooling of one sentence, padding-aware
    batch_pool(h, mask, ...)       the same for a padded batch [m, n, d]; count_padding=True is the classic slip
    cosine_matrix(vectors)         [m, d] -> [m, m] cosine similarities
    similarity(loaded, sentences)  embeddings of several sentences and their cosine matrix
    padding_demo(loaded, sentences)    mean pooling of a padded batch with and without counting [PAD]
    ice3_dimensions(n, d), ice3_from_text(loaded, text)   the lecture's dimension question
    POOLING_TABLE                  the lecture's pooling-strategy table (Sentence-BERT, Table 6)

all-MiniLM-L6-v2 is a sentence-transformers model: Transformer -> mean Pooling -> Normalize, so its
sentence embedding is the mean-pooled vector divided by its length. Cosine similarity ignores length,
so the cosine matrix is the same with or without that last step.

Shapes: n tokens, d numbers per token (d_model), m sentences. The math is numpy; only similarity(),
padding_demo() and ice3_from_text() run a model, through core.models (imported when they are called,
so the rest of this module loads without torch).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from core.text import MAX_SENTENCES, InputError, check_sentence, unknown_notice

POOLINGS = ("cls", "mean", "max")

# ---------------------------------------------------------------------------------------------
# pooling


@dataclass(frozen=True, eq=False)
class Pooled:
    cls: np.ndarray    # [d] the first token's vector ([CLS])
    mean: np.ndarray   # [d] the average over the tokens the mask keeps
    max: np.ndarray    # [d] per dimension, the largest value over the tokens the mask keeps
    n_tokens: int      # n, padding included
    n_kept: int        # tokens with mask 1 (== n_tokens without a mask)
    d: int

    @property
    def shapes(self) -> dict[str, tuple[int, ...]]:
        return {"last_hidden_state": (self.n_tokens, self.d), "cls": (self.d,), "mean": (self.d,),
                "max": (self.d,)}

    def get(self, pooling: str) -> np.ndarray:
        if pooling not in POOLINGS:
            raise ValueError(f"pooling must be one of {', '.join(POOLINGS)}; got {pooling!r}.")
        return getattr(self, pooling)


def _mask(attention_mask, n: int) -> np.ndarray:  # -> [n] bool
    if attention_mask is None:
        return np.ones(n, dtype=bool)
    m = np.asarray(attention_mask)
    if m.shape != (n,):
        raise ValueError(f"attention_mask must have shape ({n},), one entry per token; got {m.shape}.")
    if not m.any():
        raise ValueError("attention_mask keeps no token: there is nothing to pool.")
    return m.astype(bool)


def pool(last_hidden_state: np.ndarray, attention_mask: np.ndarray | None = None) -> Pooled:  # [n, d], [n]
    """CLS, mean and max pooling of one sentence's last hidden state.

    cls  = h[0]                                    (the first token, whatever the mask)
    mean = sum_i m_i h[i] / sum_i m_i              (padding, m_i = 0, is left out)
    max  = max over i with m_i = 1 of h[i]         (padding set to -inf first, so it never wins)"""
    h = np.asarray(last_hidden_state, dtype=float)
    if h.ndim != 2 or h.shape[0] < 1:
        raise ValueError(f"last_hidden_state must have shape [n, d] with n >= 1; got {h.shape}.")
    keep = _mask(attention_mask, h.shape[0])                       # [n]
    mean = h[keep].sum(axis=0) / keep.sum()                        # [n_kept, d] -> [d]
    mx = np.where(keep[:, None], h, -np.inf).max(axis=0)           # [n, d] -> [d]
    return Pooled(cls=h[0].copy(), mean=mean, max=mx, n_tokens=h.shape[0], n_kept=int(keep.sum()), d=h.shape[1])


def batch_pool(last_hidden_state: np.ndarray, attention_mask: np.ndarray, pooling: str = "mean",
               count_padding: bool = False) -> np.ndarray:  # [m, n, d], [m, n] -> [m, d]
    """Pool every sentence of a padded batch. count_padding=True ignores the mask (every position,
    [PAD] included, counts): the mistake that makes a short sentence's embedding depend on the
    longest sentence it was batched with."""
    h = np.asarray(last_hidden_state, dtype=float)
    m = np.asarray(attention_mask)
    if h.ndim != 3 or m.shape != h.shape[:2]:
        raise ValueError(f"expected last_hidden_state [m, n, d] and attention_mask [m, n]; got {h.shape}, {m.shape}.")
    rows = [pool(h[i], None if count_padding else m[i]).get(pooling) for i in range(len(h))]
    return np.stack(rows) if rows else np.zeros((0, h.shape[-1]))


def cosine_matrix(vectors: np.ndarray) -> np.ndarray:  # [m, d] -> [m, m]
    """cos(u, v) = u . v / (|u| |v|) for every pair of rows; 1 on the diagonal."""
    v = np.asarray(vectors, dtype=float)
    if v.ndim != 2:
        raise ValueError(f"vectors must have shape [m, d]; got {v.shape}.")
    norms = np.linalg.norm(v, axis=1)                              # [m]
    if (norms == 0).any():
        raise ValueError(f"vector {int(np.argmax(norms == 0))} is all zeros: its cosine similarity is undefined.")
    unit = v / norms[:, None]                                      # [m, d]
    return np.clip(unit @ unit.T, -1.0, 1.0)                       # [m, d] x [d, m] -> [m, m]


# ---------------------------------------------------------------------------------------------
# with a model


@dataclass(frozen=True, eq=False)
class SimilarityResult:
    sentences: list[str]
    tokens: list[list[str]]     # each sentence's own tokens (no padding), special tokens included
    n_tokens: np.ndarray        # [m] int
    d: int
    pooling: str                # "mean", "cls" or "max"
    embeddings: np.ndarray      # [m, d] pooled, not normalized
    cosine: np.ndarray          # [m, m]
    notices: tuple[str, ...]

    @property
    def normalized(self) -> np.ndarray:  # [m, d], what SentenceTransformer.encode returns for mean pooling
        return self.embeddings / np.linalg.norm(self.embeddings, axis=1, keepdims=True)


def _checked(sentences) -> tuple[list[str], list[str]]:
    if isinstance(sentences, str):
        sentences = [sentences]
    sentences = list(sentences)
    if not sentences:
        raise InputError("There are no sentences. Type one sentence per line, e.g. 'The cat sat on the mat.'")
    if len(sentences) > MAX_SENTENCES:
        raise InputError(f"There are {len(sentences)} sentences; compare at most {MAX_SENTENCES} at once.")
    texts, notices = [], []
    for number, s in enumerate(sentences, start=1):
        checked = check_sentence(s, what=f"sentence {number}")
        texts.append(checked.text)
        notices += checked.notices
    return texts, notices


def _encode(loaded, sentences):
    from core.models import run_batch  # torch, only when a model runs
    texts, notices = _checked(sentences)
    batch = run_batch(loaded, texts)
    for i in np.flatnonzero(batch.truncated):
        notices.append(f"Sentence {i + 1} is longer than the model's {batch.max_length} tokens; the rest was cut.")
    own = [[t for t, keep in zip(row, mask, strict=True) if keep]           # each sentence without its [PAD]s
           for row, mask in zip(batch.tokens, batch.attention_mask, strict=True)]
    for i, toks in enumerate(own):
        if (unk := unknown_notice(toks, loaded.tokenizer.unk_token)) is not None:
            notices.append(f"Sentence {i + 1}: {unk}")
    return texts, batch, own, notices


def similarity(loaded, sentences: list[str], pooling: str = "mean") -> SimilarityResult:
    """Embed each sentence (one padded batch, padding-aware pooling) and compare every pair by cosine."""
    if pooling not in POOLINGS:
        raise ValueError(f"pooling must be one of {', '.join(POOLINGS)}; got {pooling!r}.")
    texts, batch, own, notices = _encode(loaded, sentences)
    emb = batch_pool(batch.last_hidden_state, batch.attention_mask, pooling)   # [m, n, d] -> [m, d]
    return SimilarityResult(sentences=texts, tokens=own, n_tokens=batch.attention_mask.sum(axis=1),
                            d=emb.shape[1], pooling=pooling, embeddings=emb, cosine=cosine_matrix(emb),
                            notices=tuple(notices))


@dataclass(frozen=True, eq=False)
class PaddingDemo:
    sentences: list[str]
    tokens: list[list[str]]          # padded to one length n: [PAD] where a sentence is shorter
    attention_mask: np.ndarray       # [m, n]
    n_real: np.ndarray               # [m] tokens of the sentence itself
    n_padded: int                    # n, the batch's length
    mean: np.ndarray                 # [m, d] padding left out (right)
    mean_with_padding: np.ndarray    # [m, d] padding counted (the mistake)
    cosine: np.ndarray               # [m, m] from mean
    cosine_with_padding: np.ndarray  # [m, m] from mean_with_padding
    agreement: np.ndarray            # [m] cos(mean_i, mean_with_padding_i): 1 for the longest sentence
    notices: tuple[str, ...]


def padding_demo(loaded, sentences: list[str]) -> PaddingDemo:
    """Run the sentences as one padded batch and mean-pool each twice: leaving the [PAD] positions out
    (what sentence-transformers does) and counting them (the mistake). The longest sentence has no
    padding, so both agree for it; the shorter a sentence, the more [PAD] vectors pull its mean away."""
    texts, batch, _, notices = _encode(loaded, sentences)
    right = batch_pool(batch.last_hidden_state, batch.attention_mask, "mean")                        # [m, d]
    wrong = batch_pool(batch.last_hidden_state, batch.attention_mask, "mean", count_padding=True)    # [m, d]
    agreement = np.array([cosine_matrix(np.stack([r, w]))[0, 1] for r, w in zip(right, wrong, strict=True)])
    return PaddingDemo(sentences=texts, tokens=batch.tokens, attention_mask=batch.attention_mask,
                       n_real=batch.attention_mask.sum(axis=1), n_padded=batch.attention_mask.shape[1],
                       mean=right, mean_with_padding=wrong, cosine=cosine_matrix(right),
                       cosine_with_padding=cosine_matrix(wrong), agreement=agreement, notices=tuple(notices))


# ---------------------------------------------------------------------------------------------
# the lecture's dimension question (ICE #3 in lecture 8's slides; numbered ICE #2 in lecture 9's)

ICE3_SENTENCE = "I am looking forward to today! It's going to be a big day"
ICE3_OPTIONS = ("768, 15630 and 768", "768, 768 and 768", "15360, 768 and 15630", "768, 768 and 15360")
ICE3_ANSWER = 4  # the option number: pooled 768, CLS 768, last hidden layer 20 x 768 = 15360
LECTURE_ICE3 = {"sentence": ICE3_SENTENCE, "n_words": 13, "n_tokens": 20, "d": 768,
                "pooled": 768, "cls": 768, "total": 15360, "answer_option": ICE3_ANSWER}


def ice3_dimensions(n_tokens: int, d: int) -> dict:
    """(a) the pooled embedding has d numbers, (b) the CLS embedding d, (c) the last hidden layer
    n_tokens x d in total: one d-vector per token."""
    if n_tokens < 1 or d < 1:
        raise ValueError("n_tokens and d must be at least 1.")
    return {"n_tokens": n_tokens, "d": d, "pooled": d, "cls": d, "total": n_tokens * d, "shape": (n_tokens, d)}


@dataclass(frozen=True)
class Ice3:
    text: str
    tokens: tuple[str, ...]   # what goes into the model: [CLS] ... [SEP]
    n_words: int              # words separated by spaces, as the lecture counts them
    n_tokens: int             # sub-tokens into the model, [CLS] and [SEP] included
    n_special: int            # how many of them are special tokens ([CLS], [SEP])
    d: int                    # the model's d_model
    pooled: int               # d
    cls: int                  # d
    total: int                # n_tokens * d
    truncated: bool

    @property
    def counts_special_tokens(self) -> bool:
        return True  # n_tokens counts everything the model reads, as the lecture's "20 sub-tokens as input"


def ice3_from_text(loaded, text: str) -> Ice3:
    """The ICE's three answers for text with the loaded model's real tokenization and d_model.
    n_tokens counts the special tokens: they are part of the input, and the last hidden layer has a
    vector for each of them."""
    from core.models import run  # torch, only when a model runs
    checked = check_sentence(text)
    enc = run(loaded, checked.text)
    special = set(loaded.tokenizer.all_special_tokens)
    n, d = len(enc.tokens), enc.last_hidden_state.shape[1]
    dims = ice3_dimensions(n, d)
    return Ice3(text=checked.text, tokens=tuple(enc.tokens), n_words=len(checked.text.split()), n_tokens=n,
                n_special=sum(t in special for t in enc.tokens), d=d, pooled=dims["pooled"], cls=dims["cls"],
                total=dims["total"], truncated=enc.truncated or checked.truncated)


# ---------------------------------------------------------------------------------------------
# the lecture's pooling table

POOLING_CITATION = ("N. Reimers and I. Gurevych, \"Sentence-BERT: Sentence Embeddings using Siamese BERT-Networks\", "
                    "EMNLP 2019, arXiv:1908.10084, Table 6.")
POOLING_CAPTION = ("SBERT trained on NLI data with the classification objective (NLI column) or on the STS benchmark "
                   "with the regression objective (STSb column); both evaluated on the STSb development set: "
                   "Spearman rank correlation x 100 between cosine similarity and the gold scores.")
POOLING_TABLE = (
    {"pooling": "MEAN", "nli": 80.78, "stsb": 87.44},
    {"pooling": "MAX", "nli": 79.07, "stsb": 69.92},
    {"pooling": "CLS", "nli": 79.80, "stsb": 86.62},
)
