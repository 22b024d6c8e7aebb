"""Concept questions from lectures 8 and 9, multiple choice, the options shuffled per variant.

Each question has the lecture's answer, quoted in SOURCE, and three (or two) wrong options; a wrong
option that stands for a misconception names a mistake, explained in EXPLAIN. A mistake name may serve
several questions (the same misconception asked two ways, e.g. swapping what self-attention and the FFN
do); EXPLAIN says why an option is wrong and never names the right one. generate picks a question and
shuffles its options; each FIXED variant (one per question) is shuffled too, by a seed made from the
question's id; params hold the question's id and the options in the order shown, so a stored variant
shows what the student saw.

Where a slide poses a question without printing its answer (the NL-to-SQL architecture, why pooling, how
next-sentence pairs are made) the answer follows the lecture's own material or the paper it quotes
(Devlin et al. 2019 for BERT, Reimers & Gurevych 2019 for sBERT, Vaswani et al. 2017 for √d_k); SOURCE
says which.
"""

from __future__ import annotations

import hashlib

import numpy as np

from exercises.choices import format_choices, grade_choice
from exercises.contract import GARBAGE as BASE_GARBAGE
from exercises.families.concepts_bank import QUESTIONS

ID = "concepts"
TITLE = "Concepts: BERT pre-training, sBERT, fine-tuning, attention"
TOPIC = "concepts"

# Options that name no option: an out-of-range number or letter, besides base's junk.
GARBAGE = BASE_GARBAGE + ("42", "0", "z", "(q)", "banana split")


QIDS = tuple(QUESTIONS)

EXPLAIN = {  # why each wrong option is wrong, never naming (or quoting) the right one
    "human_labels": "No one labels BERT's pre-training data by hand: billions of words of text could never be "
                    "annotated word by word and pair by pair.",
    "no_targets": "Clustering has no target to predict, but both tasks do: every example has a known right answer "
                  "(the hidden word; whether B follows A) that the prediction is compared with.",
    "reinforcement": "There is no reward or environment here: each prediction is compared with a known right answer "
                     "through a loss, word by word and pair by pair.",
    "nli_is_pretraining": "SNLI's labelled sentence pairs are what sBERT is fine-tuned on, after BERT's pre-training; "
                          "a few hundred thousand pairs are far too few to pre-train on.",
    "labelled_data": "Labelled sets like sentiment reviews are for fine-tuning, after pre-training: they are far too "
                     "small, and too costly to label, to pre-train on.",
    "regression_loss": "The MLM predicts no embedding to compare by squared error: at a mask its output is a "
                       "probability for each word of the vocabulary, and the target is one of those words.",
    "clustering": "Clustering has no right answer to learn from; the MLM is trained against the original word at "
                  "each mask, a known target.",
    "contrastive_loss": "The MLM does not rank whole sentences against each other: its loss is computed at each "
                        "masked position, for the one word hidden there.",
    "confuses_mlm": "Masking 15% of the words is the masked-LM task; it says nothing about whether sentence B "
                    "follows sentence A, which is what next-sentence prediction learns.",
    "embedding_not_generation": "SBERT turns a sentence into one fixed-size embedding, good for similarity search; "
                                "an SQL query is not a vector but a new text of its own, of any length.",
    "feed_forward_fixed_size": "A feed-forward network maps a fixed-size input to a fixed-size output; an SQL query "
                               "has no fixed size: its length depends on the question.",
    "classifier_not_generator": "A classifier picks one label from a fixed set; there is no fixed set of SQL queries "
                                "to pick from: each question needs a query of its own.",
    "only_dimensionality": "Pooling does reduce the dimensionality (the ICE's 15,360 numbers become 768), but this "
                           "option leaves out what pooling does to the content of the classifier's input, and to "
                           "the cost of training: read the other options again.",
    "only_context": "Mean pooling does average the context of all the tokens, but CLS pooling averages nothing and is "
                    "pooling too: this option leaves out what every kind of pooling does to the size of the "
                    "classifier's input.",
    "only_computation": "Pooling does make the fine-tuned layers cheaper to train, but this option leaves out what "
                        "pooling does to the size and the content of the classifier's input.",
    "layers_before_pooling": "The fine-tuning layers take the pooled output as their input, so they cannot be added "
                             "before that output is extracted.",
    "schedule_first": "The training schedule and hyper-parameters train a network: they cannot be set before the "
                      "network they train exists.",
    "output_before_model": "The output to extract (CLS or mean pooling) is a pre-trained model's output: there is "
                           "none before a model is picked.",
    "schedule_before_layers": "The optimizer, hyper-parameters and schedule train a finished network; right after "
                              "the output is extracted, the network that would classify does not exist yet.",
    "pretrain_again": "The lecture's methodology has no second round of masked-LM pre-training: the task's labelled "
                      "data is used for the classification task itself.",
    "separate_weights": "If each sentence had its own, separately trained BERT, the two embeddings would live in "
                        "different spaces and their cosine similarity would mean nothing.",
    "cross_encoder": "Reading both sentences together, joined by [SEP], is plain BERT as a cross-encoder; in sBERT "
                     "each BERT reads one sentence only, so that each sentence gets an embedding of its own.",
    "same_output": "The outputs differ: sBERT gives one embedding per sentence, u and v, and then compares them.",
    "cls_best": "CLS scored 86.62 on STSb: close to the top of the table, but not the top.",
    "max_best": "MAX pooling scored 69.92 on STSb, far below the other two strategies.",
    "pooling_makes_no_difference": "The strategies are far apart on STSb: one scored 69.92, the other two 86.62 and "
                                   "87.44.",
    "cls_worst": "In sBERT's pooling table CLS scored 86.62 on STSb, near the top. (The very low 16.50 for CLS is "
                 "plain BERT's CLS vector in Table 1, without sBERT's training.)",
    "mean_worst": "MEAN pooling scored 87.44 on STSb, the best of the three, not the worst.",
    "swapped_roles": "The FFN is applied to each token's vector on its own, with the same weights at every position: "
                     "it cannot move information from one token to another, so it is not the part that shares "
                     "context.",
    "ffn_mixes_tokens": "The FFN does not mix tokens: it is applied to each token's vector on its own, with the same "
                        "weights at every position.",
    "attention_is_position": "Positions come from the positional encoding added to the input embeddings, not from "
                             "self-attention.",
    "ffn_only_reshapes": "The FFN does more than resize: its two layers with a nonlinearity between them compute new "
                         "features for each token, and they hold most of a layer's parameters.",
    "cls_is_mask": "The masked word is marked by [MASK], a token of its own; [CLS] is never the masked word.",
    "cls_is_sep": "Sentences are separated by [SEP], a token of its own, placed between them and at the end.",
    "cls_is_label": "[CLS] holds no label or class name: it is an input token like the others, with a 768-wide vector "
                    "in every layer.",
    "scaling_normalises": "The softmax makes each row add up to 1 whether the scores are scaled or not, so dividing "
                          "by √d_k cannot be what makes the rows sum to 1.",
    "scaling_for_speed": "Dividing by √d_k adds a step and saves none: the matrix products cost the same with or "
                         "without it.",
    "scaling_is_mean": "An average over the d_k dimensions would divide by d_k, not by its square root.",
    "sbert_generates": "sBERT generates no text: it is an encoder that gives one embedding per sentence.",
    "no_pretraining": "sBERT does not start from scratch: it starts from pre-trained BERT and fine-tunes it (on NLI "
                      "data).",
    "bert_cls_good": "Plain BERT's CLS vector does poorly when sentences are compared: 29.19 on average in the sBERT "
                     "paper's Table 1, against 74.89 for SBERT-NLI-base.",
}

HINT = "Go back to the lecture slide on this topic: the answer is in its wording or its table."


def _all_options(q: dict) -> list[str]:
    return [q["right"], *q["wrong"]]


def generate(rng: np.random.Generator) -> dict:
    qid = QIDS[int(rng.integers(len(QIDS)))]
    q = QUESTIONS[qid]
    options = [o for o in _all_options(q) if o != q["keep_last"]]
    options = [options[int(i)] for i in rng.permutation(len(options))]
    if q["keep_last"] is not None:
        options.append(q["keep_last"])
    return {"question": qid, "options": options}


def _fixed(qid: str) -> dict:
    """The question with its options shuffled like a generated variant's, by a seed made from its id (the
    same order for everyone, on every machine; "All of the above" stays last)."""
    q = QUESTIONS[qid]
    rng = np.random.default_rng(int.from_bytes(hashlib.sha256(f"concepts/{qid}".encode()).digest()[:8], "big"))
    options = [o for o in _all_options(q) if o != q["keep_last"]]
    options = [options[int(i)] for i in rng.permutation(len(options))]
    return {"question": qid, "options": options + ([q["keep_last"]] if q["keep_last"] else [])}


FIXED = {qid: _fixed(qid) for qid in QIDS}


def _question(p: dict) -> dict:
    return QUESTIONS[p["question"]]


def _right_index(p: dict) -> int:
    return p["options"].index(_question(p)["right"])


def _mistake_indices(p: dict) -> dict[str, int | None]:
    """Each mistake name -> the index of the option that stands for it in this variant, or None."""
    by_name = {name: text for text, name in _question(p)["wrong"].items() if name is not None}
    return {name: (p["options"].index(by_name[name]) if name in by_name and by_name[name] in p["options"] else None)
            for name in EXPLAIN}


def _typed(name: str):
    def wrong(p: dict) -> str | None:
        i = _mistake_indices(p)[name]
        return None if i is None else p["options"][i]
    wrong.__name__ = name
    return wrong


MISTAKES = {name: _typed(name) for name in EXPLAIN}


def prompt(p: dict) -> str:
    n = len(p["options"])
    last = chr(ord("A") + n - 1)
    return (f"{_question(p)['stem']}\n{format_choices(p['options'])}\n"
            f"Answer with the letter (A–{last}), the option's number (1–{n}) or its text.")


def answer_form(p: dict) -> dict:
    return {"kind": "choice", "options": list(p["options"])}


def hint(p: dict) -> str:
    return _question(p)["hint"]


def solve(p: dict) -> str:
    return _question(p)["right"]


def worked_solution(p: dict) -> str:
    q = _question(p)
    letter = chr(ord("A") + _right_index(p))
    return "\n".join([f"The answer is {letter}) {q['right']}.", f"Why: {q['why']}", f"Source: {q['source']}"])


def grade(p: dict, answer):
    return grade_choice(_right_index(p), answer, p["options"], lambda: _mistake_indices(p), EXPLAIN, hint=hint(p))
