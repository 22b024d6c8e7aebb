"""The question bank of the concepts family (exercises/families/concepts.py): each question's stem, the
lecture's answer, the wrong options (text -> the mistake it stands for, or None), the lecture's words,
why the answer is right and a hint. Data only: the family shuffles, grades and explains (EXPLAIN, in
concepts.py, says why each wrong option is wrong)."""

from __future__ import annotations


def _q(stem: str, right: str, wrong: dict[str, str | None], source: str, why: str, hint: str,
       keep_last: str | None = None) -> dict:
    """A question: its stem, the right option, the wrong ones (text -> mistake name or None), the
    lecture's words, why the answer is right, a hint; keep_last: an option shown last in every shuffle."""
    return {"stem": stem, "right": right, "wrong": wrong, "source": source, "why": why, "hint": hint,
            "keep_last": keep_last}


QUESTIONS: dict[str, dict] = {
    "self_supervised": _q(
        "BERT is pre-trained on two tasks: the masked LM (mask a word in the middle of a sentence and have BERT "
        "predict it) and next-sentence prediction (predict whether sentence B follows sentence A). Are these two "
        "tasks supervised or unsupervised?",
        "Self-supervised: the labels come from the raw text itself, not from annotators",
        {"Supervised: human annotators label each masked word and each sentence pair by hand": "human_labels",
         "Unsupervised: as in clustering, there is no target at all for the model to predict": "no_targets",
         "Reinforcement learning: BERT earns a reward each time its guess is right": "reinforcement"},
        "Lecture 9, 'ICE: Supervised or Un-supervised? Are the above two tasks supervised or un-supervised?' "
        "answered on the next slide: \"self-supervised\". Data set: 'English Wikipedia and book corpus documents!'",
        "The targets are made from raw text by hiding part of it, so no person labels anything, yet the model "
        "is trained against a known right answer.",
        "Where do the right answers of the two tasks come from? Does anyone write them?"),
    "pretraining_data": _q(
        "What data is BERT pre-trained on, according to the lecture?",
        "Unlabelled text: English Wikipedia and book corpus documents",
        {"Sentence pairs labelled by people as entailment, contradiction or neutral (SNLI)": "nli_is_pretraining",
         "Movie-review snippets labelled with their sentiment": "labelled_data",
         "Natural-language questions paired with the SQL queries that answer them": None},
        "Lecture 8 and 9, 'BERT pre-training', 'Data set! English Wikipedia and book corpus documents!'",
        "Both pre-training tasks make their own labels from plain text, so any large text corpus will do.",
        "The pre-training tasks need no labels: what kind of data is then enough?"),
    "mlm_loss_model": _q(
        "The loss function for the masked language model (MLM) mimics which type of classic ML model?",
        "Classification: a softmax over the vocabulary at each mask, with cross-entropy",
        {"Regression: the squared error between the predicted and the true word's embedding": "regression_loss",
         "Clustering: the masked word is assigned to the cluster of the words around it": "clustering",
         "Ranking: the true sentence must score above random ones, as in a contrastive loss": "contrastive_loss"},
        "Lecture 8 and 9, 'Loss Function for MLM mimicks which type of classic ML model?' answered "
        "'Cross-Entropy', L(p, p̂) = −Σ_i [p_i log(p̂_i) + (1 − p_i) log(1 − p̂_i)]",
        "The output at a mask is a softmax over the vocabulary, one class per word, and the loss is the "
        "cross-entropy of classification: −log p̂(original word).",
        "What does the model output at a mask, and which loss goes with that kind of output?"),
    "nsp_labels": _q(
        "Next-sentence prediction trains BERT with both positive and negative sentence pairs. How are they made?",
        "From the text: B is A's real next sentence half the time, a random sentence from the corpus otherwise",
        {"Annotators read pairs of sentences and label whether the second one follows the first": "human_labels",
         "A positive pair keeps sentence A intact; a negative pair is A with 15% of its words masked": "confuses_mlm",
         "A positive pair is A with its real next sentence; a negative one shuffles that sentence's words": None},
        "Lecture 8 and 9, 'Next-sentence prediction: Predict the next sentence - Use both positive and negative "
        "labels. How are these generated?' Devlin et al. 2019, section 3.1: '50% of the time B is the actual "
        "next sentence that follows A (labeled as IsNext), and 50% of the time it is a random sentence from the "
        "corpus (labeled as NotNext)'",
        "The pairs come from the documents themselves: the real next sentence (IsNext) or a random one "
        "(NotNext), half and half, which is why the task is self-supervised.",
        "The task is self-supervised: how can the text itself give both kinds of pairs?"),
    "nl_to_sql": _q(
        "We want to convert a natural-language question, like \"Which quarter in the past 5 years had the most "
        "sales of fashion products?\", into an SQL query (\"SELECT ... FROM ... WHERE ...\"). What kind of deep "
        "learning architecture supports this problem?",
        "An LSTM-to-LSTM sequence model or GPT-2, which generate the query token by token",
        {"SBERT: its siamese BERT encoder turns the question into a single sentence embedding":
             "embedding_not_generation",
         "A feed-forward neural network over the question's averaged word vectors": "feed_forward_fixed_size",
         "Fine-tuned BERT: its [CLS] embedding feeds a softmax classification layer": "classifier_not_generator"},
        "Lecture 8 ICE #2 / lecture 9 ICE #1, options '1 SBERT 2 LSTM to LSTM sequence model 3 GPT-2 4 Feed "
        "Forward Neural Network': the two generative ones (2 and 3) can produce the query, so they are joined "
        "in one option here",
        "The answer is itself a sequence of tokens of any length, so the model must generate text: an encoder–"
        "decoder (LSTM to LSTM) or a decoder like GPT-2. SBERT and a classifier give one fixed-size output.",
        "Is the output one label, one vector, or a new sequence of tokens?"),
    "why_pooling": _q(
        "Why does pooling of the output need to be done for sequence classification (e.g. emotion detection)?",
        "All of the above",
        {"Reduces the dimensionality": "only_dimensionality",
         "Averages context from all the tokens": "only_context",
         "Computational concerns for training the fine-tuned model": "only_computation"},
        "Lecture 8 ICE #4 / lecture 9 ICE #3, options '1 Reduces the dimensionality 2 Averages context from all "
        "the tokens 3 Computational concerns for training the fine-tuned model 4 All of the above'; with the "
        "previous ICE's numbers, pooling turns 20 × 768 = 15,360 numbers into 768",
        "The main reason: a sentence has any number of tokens, but the classification layers need one input of "
        "a fixed size; pooling turns the last hidden layer, n × 768, into one 768-wide vector whatever n is. "
        "Each listed reason holds too: for the ICE's 20 tokens, 20 × 768 = 15,360 numbers become 768 (fewer "
        "dimensions), mean pooling averages the context of every token, and a 768-wide input keeps the "
        "fine-tuned layers small and fast to train.",
        "Count the numbers in the last hidden layer of a 20-token input (768 each) and after pooling.",
        keep_last="All of the above"),
    "fine_tuning_order": _q(
        "The lecture gives a four-step methodology for fine-tuning a transformer for a classification task. "
        "In which order do the steps come?",
        "Pick a base pre-trained model → extract its output (CLS or mean pooling) → add fine-tuning layers → "
        "set the training schedule and hyper-parameters",
        {"Pick a base pre-trained model → add fine-tuning layers → extract its output (CLS or mean pooling) → "
         "set the training schedule and hyper-parameters": "layers_before_pooling",
         "Set the training schedule and hyper-parameters → pick a base pre-trained model → extract its output "
         "(CLS or mean pooling) → add fine-tuning layers": "schedule_first",
         "Extract the output (CLS or mean pooling) → pick a base pre-trained model → add fine-tuning layers → "
         "set the training schedule and hyper-parameters": "output_before_model"},
        "Lecture 8 and 9, 'Fine-Tuning Transformers for down-stream tasks': '1 Pick Base pre-trained "
        "Architecture 2 Extract output from pre-training 3 Add fine-tuning layers 4 Set training schedule, "
        "hyper-parameters, etc'",
        "Each step needs the one before: the pooled output comes from a chosen model, the new layers start "
        "from the pooled embedding, and the optimizer and schedule train the finished network.",
        "What does each step start from? The fine-tuning layers take the pooled embedding as their input."),
    "fine_tuning_step": _q(
        "In the lecture's fine-tuning methodology, what comes right after extracting the output of the "
        "pre-trained model (the CLS embedding, or mean pooling)?",
        "Add fine-tuning layers: dense layers on the pooled embedding, and a softmax output",
        {"Set up the optimizer (e.g. Adam), the hyper-parameters and the training schedule": "schedule_before_layers",
         "Continue BERT's masked-LM pre-training on the task's own labelled data before classifying": "pretrain_again",
         "Pick the base pre-trained model, e.g. bert-base-uncased from Hugging Face": "output_before_model"},
        "Lecture 8 and 9: '3 Add fine-tuning layers: ... starting with the pooled embeddings, construct one or "
        "more dense layers (Feed-Forward NN style) ... Add the output layer and its activation (typically "
        "softmax for classification tasks).'",
        "Step 3 builds the classifier on the pooled embedding; only then is there a network to set an "
        "optimizer and schedule for (step 4).",
        "Step 2 gives one pooled embedding: what must be built on it before training can start?"),
    "siamese_shares": _q(
        "sBERT uses a siamese (\"twin\") architecture: one BERT for each of the two sentences. What do the two "
        "BERT networks share?",
        "Their weights: the BERTs have tied weights, one encoder for both sentences",
        {"Nothing: each sentence has its own BERT, with its own separately trained weights": "separate_weights",
         "Their input: each BERT reads both sentences, joined by a [SEP] token": "cross_encoder",
         "Their output: both BERTs emit one shared embedding for the sentence pair": "same_output"},
        "Lecture 9, sBERT Figure 1: 'The two BERT networks have tied weights (siamese network structure).'",
        "Tied weights mean one encoder: each sentence is embedded on its own by the same BERT, so embeddings "
        "of different sentences can be compared (cosine similarity).",
        "Look at the caption of the sBERT figure: what is 'tied' between the two networks?"),
    "pooling_best_stsb": _q(
        "In the Sentence-BERT paper's comparison of pooling strategies (lecture 9, 'Pooling Strategy for "
        "SBERT'), which pooling strategy scored best on STSb?",
        "MEAN pooling",
        {"CLS token": "cls_best",
         "MAX pooling": "max_best",
         "They all scored within one point of each other": "pooling_makes_no_difference"},
        "Lecture 9, 'Pooling Strategy for SBERT', STSb column: MEAN 87.44, MAX 69.92, CLS 86.62 (Reimers & "
        "Gurevych 2019, Table 6)",
        "MEAN 87.44 is best, CLS 86.62 a close second and MAX 69.92 far behind.",
        "Compare the three numbers of the STSb column: MEAN, MAX and CLS."),
    "pooling_worst_stsb": _q(
        "In the Sentence-BERT paper's comparison of pooling strategies (lecture 9, 'Pooling Strategy for "
        "SBERT'), which pooling strategy scored worst on STSb?",
        "MAX pooling",
        {"CLS token": "cls_worst",
         "MEAN pooling": "mean_worst",
         "They all scored within one point of each other": "pooling_makes_no_difference"},
        "Lecture 9, 'Pooling Strategy for SBERT', STSb column: MEAN 87.44, MAX 69.92, CLS 86.62 (Reimers & "
        "Gurevych 2019, Table 6)",
        "MAX 69.92 is far below CLS 86.62 and MEAN 87.44.",
        "Compare the three numbers of the STSb column of the pooling table (not the table of untrained BERT)."),
    "attention_vs_ffn": _q(
        "In a transformer encoder layer, what does self-attention do, as opposed to the feed-forward network "
        "(FFN)?",
        "Self-attention lets the tokens communicate; the FFN deepens each token's representation on its own",
        {"The FFN lets the tokens exchange context; self-attention deepens each token's representation on its own":
             "swapped_roles",
         "Both mix information across the tokens; the FFN simply does it with more parameters": "ffn_mixes_tokens",
         "Self-attention adds each token's position in the sentence; the FFN does all the rest":
             "attention_is_position"},
        "Lecture 8, 'Self-Attention vs FFN': 'Self-Attention: Communication between tokens, better understanding "
        "of context for each token. FFN: Deeper representation of each token. Each token reasons internally, "
        "deeper thinking.'",
        "Attention weights mix the value vectors of all tokens into each token's output; the FFN is applied "
        "to each token's vector separately.",
        "Which of the two looks at other tokens, and which works on one token's vector at a time?"),
    "no_self_attention": _q(
        "What would a transformer encoder become without its self-attention, keeping only the FFNs?",
        "A deep network applied to each token on its own: tokens no longer communicate",
        {"Almost the same model: the FFN would still mix information across the tokens": "ffn_mixes_tokens",
         "A model that keeps the context but loses each token's deeper representation": "swapped_roles",
         "A model that loses each token's position, which self-attention used to supply": "attention_is_position"},
        "Lecture 8, 'Self-Attention vs FFN': 'What if there was no self-attention: Reduces to a Deep Neural "
        "Network or Recurrent Neural Network'",
        "Self-attention is the only place tokens exchange information; without it each token goes through "
        "the FFNs alone, a deep neural network per token. (The slide adds 'or Recurrent Neural Network': an "
        "RNN does pass information between tokens, through its recurrence, which the FFNs lack; that is what a "
        "model would need to bring the communication back.)",
        "Which part of the layer is the communication between tokens?"),
    "no_ffn": _q(
        "What would a transformer encoder lose without its feed-forward networks (FFN), keeping self-attention?",
        "The deeper learning: context is still shared, but the deeper representation is missed",
        {"The communication between tokens: each token could attend only to itself, not to the others":
             "swapped_roles",
         "Nothing important: the FFN only resizes the vectors as they pass from one layer to the next":
             "ffn_only_reshapes",
         "The softmax that turns each row of attention scores into weights adding up to 1": None},
        "Lecture 8, 'Self-Attention vs FFN': 'What if there was no FFN: The deeper learning and deeper "
        "representations would be missed'",
        "The FFN is each token's own 'internal reasoning'; attention still mixes context without it.",
        "Self-attention mixes tokens. What does the FFN add to each token?"),
    "cls_token": _q(
        "When BERT is fine-tuned for classification (e.g. emotion detection), what is the [CLS] token's "
        "embedding used for?",
        "To stand for the whole input: the first token's last-layer vector (the pooled embedding)",
        {"To mark the masked word that the model must predict, as in the masked-LM task": "cls_is_mask",
         "To separate the two sentences of a pair, so BERT knows where the second one starts": "cls_is_sep",
         "To hold the name of the predicted class, written out as a word in the vocabulary": "cls_is_label"},
        "Lecture 8 and 9, fine-tuning step 2: 'a) Extract embedding from the first token, CLS'; ICE on emotion "
        "detection: 'You can either use the CLS token (Start token) embedding (also called the pooled "
        "embedding) or you can take the average of the embeddings'",
        "[CLS] is added at the start of every input; through attention its last-layer vector takes in the "
        "whole sentence, so it serves as the sentence's single 768-wide embedding.",
        "Fine-tuning step 2 offers two ways to get one vector for the input: what are they?"),
    "scale_sqrt_dk": _q(
        "Why does scaled dot-product attention divide the scores Q·Kᵀ by √d_k before the softmax?",
        "Dot products grow with d_k and push the softmax to near one-hot, with tiny gradients",
        {"To make each row of attention weights add up to 1, as a probability distribution must":
             "scaling_normalises",
         "To shrink the scores so that the matrix products of attention become cheaper to compute":
             "scaling_for_speed",
         "To average the scores over the d_k dimensions, so every head is on the same scale": "scaling_is_mean"},
        "Vaswani et al. 2017, section 3.2.1: 'for large values of d_k, the dot products grow large in "
        "magnitude, pushing the softmax function into regions where it has extremely small gradients. To "
        "counteract this effect, we scale the dot products by 1/√d_k.' (the scaled attention of lecture 8's "
        "walk-through)",
        "A sum of d_k products of unit-variance numbers has variance d_k, so its spread grows like √d_k; "
        "dividing by √d_k brings the spread back to about 1.",
        "What happens to softmax([10, 20, 30]) compared with softmax([1, 2, 3])?"),
    "sbert_advantage": _q(
        "What is sBERT's advantage over plain BERT, according to the lecture?",
        "It is more optimized for sentence-similarity search",
        {"It generates text as well, so it can answer questions in full sentences": "sbert_generates",
         "It needs no pre-training: it learns sentence embeddings from scratch on NLI data": "no_pretraining",
         "None: plain BERT's CLS vector already gives better sentence similarities": "bert_cls_good"},
        "Lecture 8 and 9, 'Advantages of sBERT: More optimized for Sentence Similarity Search.'; Table 1: BERT "
        "CLS-vector averages 29.19 against SBERT-NLI-base's 74.89",
        "sBERT fine-tunes BERT in a siamese setup so that the cosine of two sentence embeddings tracks their "
        "similarity; plain BERT's CLS vector does poorly at this (29.19 average in Table 1).",
        "Look at the sBERT slides: what is it 'more optimized for'?"),
}
