"""The concepts family: check_family, the lecture's own answer to each question, every wrong option's
mistake named with its explanation, the shuffles, the typed forms of a choice, and junk refused."""

from __future__ import annotations

import json

import numpy as np
import pytest
import torch

from exercises.base import check_family, choice_label
from exercises.families import concepts as fam

# The lecture's answer to each question, with the slide's wording (lectures 8 and 9 in shared/seeds).
LECTURE_ANSWERS = {
    # "ICE: Supervised or Un-supervised? 1 Are the above two tasks supervised or un-supervised?" -> "self-supervised"
    "self_supervised": "Self-supervised",
    # "Data set! English Wikipedia and book corpus documents!"
    "pretraining_data": "English Wikipedia and book corpus",
    # "Loss Function for MLM mimicks which type of classic ML model?" -> "Cross-Entropy"
    "mlm_loss_model": "Classification",
    # "Next-sentence prediction: ... Use both positive and negative labels. How are these generated?"
    # (Devlin et al. 2019: 50% the actual next sentence, IsNext; 50% a random sentence from the corpus, NotNext)
    "nsp_labels": "a random sentence from the corpus",
    # ICE: "What kind of deep learning architecture would support this problem? 1 SBERT 2 LSTM to LSTM sequence
    # model 3 GPT-2 4 Feed Forward Neural Network": the generative ones, 2 and 3
    "nl_to_sql": "LSTM-to-LSTM sequence model or GPT-2",
    # ICE: "Why does pooling of the output need to be done for sequence classification (e.g. emotion detection)?
    # 1 Reduces the dimensionality 2 Averages context from all the tokens 3 Computational concerns for training
    # the fine-tuned model 4 All of the above"
    "why_pooling": "All of the above",
    # "1 Pick Base pre-trained Architecture 2 Extract output from pre-training 3 Add fine-tuning layers
    # 4 Set training schedule, hyper-parameters, etc"
    "fine_tuning_order": "Pick a base pre-trained model → extract its output (CLS or mean pooling) → add "
                         "fine-tuning layers → set the training schedule",
    # "3 Add fine-tuning layers: ... construct one or more dense layers ... Add the output layer and its activation
    # (typically softmax for classification tasks)."
    "fine_tuning_step": "Add fine-tuning layers",
    # Figure 1: "The two BERT networks have tied weights (siamese network structure)."
    "siamese_shares": "tied weights",
    # "Pooling Strategy for SBERT", STSb: MEAN 87.44, MAX 69.92, CLS 86.62
    "pooling_best_stsb": "MEAN pooling",
    "pooling_worst_stsb": "MAX pooling",
    # "Self-Attention: Communication between tokens, better understanding of context for each token
    #  FFN: Deeper representation of each token. Each token reasons internally, deeper thinking."
    "attention_vs_ffn": "Self-attention lets the tokens communicate",
    # "What if there was no self-attention: Reduces to a Deep Neural Network or Recurrent Neural Network"
    "no_self_attention": "deep network applied to each token on its own",
    # "What if there was no FFN: The deeper learning and deeper representations would be missed"
    "no_ffn": "deeper representation is missed",
    # "a) Extract embedding from the first token, CLS"; "the CLS token (Start token) embedding (also called the
    # pooled embedding)"
    "cls_token": "first token's last-layer vector (the pooled embedding)",
    # Vaswani et al. 2017, 3.2.1: large dot products push the softmax "into regions where it has extremely small
    # gradients. To counteract this effect, we scale the dot products by 1/√d_k."
    "scale_sqrt_dk": "tiny gradients",
    # "Advantages of sBERT: More optimized for Sentence Similarity Search."
    "sbert_advantage": "optimized for sentence-similarity search",
}
POOLING_STSB = {"MEAN pooling": 87.44, "MAX pooling": 69.92, "CLS token": 86.62}  # lecture 9, Table 6 of the paper


def test_passes_check_family():
    check_family(fam)


def test_every_question_has_the_lectures_answer():
    assert set(LECTURE_ANSWERS) == set(fam.QUESTIONS)
    for qid, words in LECTURE_ANSWERS.items():
        p = fam.FIXED[qid]
        assert words in fam.solve(p), qid
        assert fam.grade(p, fam.solve(p)).correct
        assert fam.solve(p) in fam.answer_form(p)["options"]
        assert 3 <= len(p["options"]) <= 4
        worked = fam.worked_solution(p)
        assert fam.solve(p) in worked and fam.QUESTIONS[qid]["source"] in worked


def test_right_option_does_not_give_itself_away_by_length():
    """Picking the longest (or the shortest) option must not score well: over the FIXED variants the right
    option is the longest in at most 4 questions and the shortest in about as many, and it is never more than
    1.25× the length of the longest wrong option. A tie counts as both longest and shortest (the four
    orderings of fine_tuning_order are all one length)."""
    longest, shortest = [], []
    for qid in fam.QIDS:
        p = fam.FIXED[qid]
        right = fam.solve(p)
        wrong = [len(o) for o in p["options"] if o != right]
        assert len(right) <= 1.25 * max(wrong), (qid, len(right), max(wrong))
        if len(right) >= max(wrong):
            longest.append(qid)
        if len(right) <= min(wrong):
            shortest.append(qid)
    assert len(longest) <= 4, longest
    assert abs(len(longest) - len(shortest)) <= 2, (longest, shortest)


def test_pooling_answers_follow_the_lectures_table():
    assert fam.solve(fam.FIXED["pooling_best_stsb"]) == max(POOLING_STSB, key=POOLING_STSB.get)
    assert fam.solve(fam.FIXED["pooling_worst_stsb"]) == min(POOLING_STSB, key=POOLING_STSB.get)
    for name in ("cls_best", "max_best", "cls_worst", "mean_worst", "pooling_makes_no_difference"):
        text = fam.EXPLAIN[name]
        assert all(f"{v:.2f}" in " ".join(fam.EXPLAIN.values()) for v in POOLING_STSB.values())
        assert any(f"{v:.2f}" in text for v in POOLING_STSB.values()), name


def test_why_pooling_numbers_and_slide_order():
    # the ICE before it: 20 sub-tokens, 768 each: the last hidden layer holds 15,360 numbers, the pooled one 768
    assert 20 * 768 == 15360 and "15,360" in fam.QUESTIONS["why_pooling"]["why"]
    assert sorted(fam.FIXED["why_pooling"]["options"][:3]) == sorted([
        "Reduces the dimensionality", "Averages context from all the tokens",
        "Computational concerns for training the fine-tuned model"])
    assert fam.FIXED["why_pooling"]["options"][3] == "All of the above"  # last, as on the slide
    assert fam.grade(fam.FIXED["why_pooling"], "4").correct and fam.grade(fam.FIXED["why_pooling"], "D").correct
    # the main reason: one fixed-size vector, whatever the number of tokens
    assert "any number of tokens" in fam.QUESTIONS["why_pooling"]["why"]
    assert "fixed size" in fam.QUESTIONS["why_pooling"]["why"]


def test_scaling_by_sqrt_dk_keeps_the_spread_of_scores_near_1():
    """The reason the scale_sqrt_dk answer gives, checked in torch: q·k of d_k-dim unit-normal vectors has a
    spread of about √d_k, and the softmax of unscaled scores is nearly one-hot with smaller gradients."""
    g = torch.Generator().manual_seed(0)
    d_k = 256
    q, k = torch.randn(4000, d_k, generator=g), torch.randn(4000, d_k, generator=g)
    scores = (q * k).sum(-1)                                        # [4000]
    assert scores.std().item() == pytest.approx(d_k ** 0.5, rel=0.1)
    assert (scores / d_k ** 0.5).std().item() == pytest.approx(1.0, rel=0.1)
    row = torch.randn(8, generator=g) * d_k ** 0.5                  # one query's unscaled scores
    grads = []
    for x in (row, row / d_k ** 0.5):
        x = x.clone().requires_grad_(True)
        torch.softmax(x, -1).max().backward()
        grads.append(x.grad.abs().sum().item())
    assert torch.softmax(row, -1).max().item() > 0.99 and grads[0] < grads[1]


def test_each_wrong_option_names_its_mistake():
    named = set()
    for qid, q in fam.QUESTIONS.items():
        p = fam.FIXED[qid]
        for text, name in q["wrong"].items():
            letter = choice_label(p["options"].index(text))
            for typed in (text, letter):
                fb = fam.grade(p, typed)
                assert fb.valid and fb.score == 0 and fb.hint == fam.hint(p)
                if name is None:
                    assert fb.mistake is None and fb.message == "Not correct."
                else:
                    assert fb.mistake == name and fb.message == fam.EXPLAIN[name], (qid, name)
            if name is not None:
                assert fam.MISTAKES[name](p) == text
                named.add(name)
        for name in set(fam.EXPLAIN) - set(q["wrong"].values()):
            assert fam.MISTAKES[name](p) is None  # another question's mistake
    assert named == set(fam.EXPLAIN)


def test_shared_mistake_names_across_questions():
    # swapping what self-attention and the FFN do is one misconception, asked three ways
    for qid in ("attention_vs_ffn", "no_self_attention", "no_ffn"):
        assert "swapped_roles" in fam.QUESTIONS[qid]["wrong"].values()
        p = fam.FIXED[qid]
        assert fam.grade(p, fam.MISTAKES["swapped_roles"](p)).mistake == "swapped_roles"


def test_options_are_shuffled_per_variant():
    positions: dict[str, set[int]] = {qid: set() for qid in fam.QIDS}
    for seed in range(600):
        p = fam.generate(np.random.default_rng(seed))
        q = fam.QUESTIONS[p["question"]]
        assert sorted(p["options"]) == sorted([q["right"], *q["wrong"]])
        assert json.loads(json.dumps(p)) == p
        positions[p["question"]].add(p["options"].index(q["right"]))
        if q["keep_last"]:
            assert p["options"][-1] == q["keep_last"]
    for qid, seen in positions.items():
        q = fam.QUESTIONS[qid]
        if q["keep_last"]:
            assert seen == {len(q["wrong"])}  # "All of the above" stays last, below the options it sums up
        else:
            assert len(seen) >= 3, qid  # the right option moves around


def test_typed_forms_of_a_choice():
    p = {"question": "siamese_shares", "options": [
        "Their input: each BERT reads both sentences, joined by a [SEP] token",
        "Their weights: the BERTs have tied weights, one encoder for both sentences",
        "Nothing: each sentence has its own BERT, with its own separately trained weights",
        "Their output: both BERTs emit one shared embedding for the sentence pair"]}
    right = p["options"][1]
    for typed in ["B", "b", "B)", "(b)", "2", "2)", right, right.upper(), f"  {right.lower()}  ", f"B) {right}", 2]:
        assert fam.grade(p, typed).correct, typed
    assert fam.grade(p, "a").mistake == "cross_encoder"
    assert fam.grade(p, "3").mistake == "separate_weights"
    assert fam.grade(p, "D) Their output: both BERTs emit one shared embedding for the sentence pair").mistake == \
        "same_output"
    assert "A) Their input" in fam.prompt(p) and fam.prompt(p).endswith("or its text.")
    assert "The answer is B) Their weights" in fam.worked_solution(p)
    for typed in ["option 2", "Option B", "option: b", "answer 2", "#2", "their weights: the BERTs have tied weights, "
                  "one encoder for both sentences."]:
        assert fam.grade(p, typed).correct, typed
    assert not fam.grade(p, "option 9").valid


# Words that name (or give away) each question's right option: a wrong option's feedback holds none of them,
# nor the right option's text.
GIVEAWAYS = {
    "self_supervised": ["self-supervised", "self supervised", "raw text", "from the text"],
    "pretraining_data": ["wikipedia", "book", "unlabelled", "unlabeled", "plain text", "raw text"],
    "mlm_loss_model": ["classif", "cross-entropy", "cross entropy", "softmax over the vocabulary"],
    "nsp_labels": ["random sentence", "half the time", "50%", "isnext", "notnext", "real next sentence"],
    "nl_to_sql": ["lstm", "gpt", "sequence-to-sequence", "sequence model", "encoder–decoder", "encoder-decoder",
                  "token by token", "generat"],
    "why_pooling": ["all of the above", "all three", "each reason", "every reason", "so the answer"],
    "fine_tuning_order": ["pick a base pre-trained model →"],
    "fine_tuning_step": ["add fine-tuning layers", "dense layer", "softmax output"],
    "siamese_shares": ["tied", "weights are shared", "share their weights", "one encoder", "same encoder"],
    "pooling_best_stsb": ["mean"],
    "pooling_worst_stsb": ["max"],
    "attention_vs_ffn": ["lets the tokens communicate", "communication between tokens", "deepen", "deeper"],
    "no_self_attention": ["deep network applied", "deep neural network", "no longer communicate"],
    "no_ffn": ["deeper", "representation is missed"],
    "cls_token": ["whole input", "pooled embedding", "first token", "stands for"],
    "scale_sqrt_dk": ["one-hot", "gradient", "grow"],
    "sbert_advantage": ["similarity search", "optimized for"],
}


def test_wrong_choice_feedback_never_names_the_right_option():
    """Every wrong option of every question, in every FIXED variant: its feedback says why it is wrong and
    neither quotes the right option nor uses a word that names it (GIVEAWAYS); the hint quotes no option."""
    assert set(GIVEAWAYS) == set(fam.QUESTIONS)
    checked = 0
    for qid, p in fam.FIXED.items():
        right = fam.solve(p)
        for option in p["options"]:
            if option == right:
                continue
            fb = fam.grade(p, option)
            assert fb.valid and fb.score == 0
            assert right.casefold() not in (fb.hint or "").casefold(), (qid, option)  # the hint may nudge
            low = fb.message.casefold()
            assert right.casefold() not in low, (qid, option)
            named = [w for w in GIVEAWAYS[qid] if w in low]
            assert not named, (qid, option, named, fb.message)
            checked += 1
    assert checked == sum(len(q["wrong"]) for q in fam.QUESTIONS.values()) == 51


def test_fixed_variants_shuffle_their_options():
    """The right option's place in the FIXED variants varies (it was first in 16 of 17 when they kept the
    slides' order); "All of the above" stays last; the order is the same on every run."""
    places = [fam.FIXED[q]["options"].index(fam.solve(fam.FIXED[q])) for q in fam.QIDS]
    assert places.count(0) <= 6 and len(set(places)) == 4, places
    assert fam.FIXED == {q: fam._fixed(q) for q in fam.QIDS}


@pytest.mark.parametrize("junk", ["", "   ", None, "banana", "9" * 10_000, "42", "0", "5", "e", "z", "(q)",
                                  "weights", "A) Nothing: each sentence has its own BERT, with its own separately "
                                  "trained weights"])  # label and text disagree (it is option D)
def test_junk_is_invalid(junk):
    fb = fam.grade(fam.FIXED["siamese_shares"], junk)
    assert not fb.valid and fb.score == 0 and fb.mistake is None and fb.message

