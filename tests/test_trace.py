"""core.trace: one head recomputed from hidden states and weights equals what the model reports.

Two references that do not share code with core.trace: the attentions the model itself returned
(core.models.run, output_attentions=True with eager attention), and torch forward hooks that record,
during the model's own forward pass, what each self-attention module received and the context
(all heads' A·V side by side) that went into the layer's output projection. Checked on the bundled
MiniLM (BERT layout) and on tiny random DistilBERT, ALBERT, ELECTRA, RoBERTa, XLM-R, CamemBERT and
Megatron-BERT models saved with a tokenizer into tmp_path and loaded through core.models like any local folder.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch
import transformers
from transformers import (
    AlbertConfig,
    AlbertModel,
    BertTokenizer,
    CamembertConfig,
    CamembertModel,
    DistilBertConfig,
    DistilBertForMaskedLM,
    DistilBertTokenizer,
    ElectraConfig,
    ElectraModel,
    GPT2Config,
    GPT2Model,
    MegatronBertConfig,
    MegatronBertModel,
    RobertaConfig,
    RobertaForMaskedLM,
    RobertaTokenizer,
    XLMRobertaConfig,
    XLMRobertaModel,
)

from core.models import Encoded, LoadedModel, load_encoder, load_masked_lm, run
from core.steps import attention_steps
from core.trace import attention_module, trace_head

TEXT = "The cat sat on the mat."
PAIR = ("The cat sat on the mat.", "It was tired.")
WORDS = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "the", "cat", "sat", "on", "mat", "a", "dog", "##s", ".",
         "it", "was", "tired"]
TINY = dict(hidden_size=32, num_hidden_layers=2, num_attention_heads=4, intermediate_size=64,
            max_position_embeddings=64, vocab_size=100)


# ---------------------------------------------------------------------------------------------
# the torch reference: what the model's own modules saw and produced


def output_projection(loaded, layer: int) -> torch.nn.Module:
    """The linear layer that mixes the heads' concatenated context with W_O, for sub-layer `layer`."""
    module, _, _ = attention_module(loaded, layer)
    if loaded.model_type == "distilbert":
        return module.out_lin
    if loaded.model_type == "albert":
        return module.dense
    return loaded.model.base_model.encoder.layer[layer].attention.output.dense


def torch_reference(loaded, text, pair=None) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """One forward pass of the model; per (sub-)layer, in the order they run: the input the self-attention
    module received [n, d] and the context that entered the output projection [n, d]. ALBERT's shared
    modules run once per layer, so hooks are placed once per module and record every call."""
    inputs, contexts, handles = [], [], []

    def record_input(module, args, kwargs):
        x = args[0] if args else kwargs["hidden_states"]
        inputs.append(x[0].detach().double().numpy())

    def record_context(module, args):
        contexts.append(args[0][0].detach().double().numpy())

    L = loaded.n_layers * getattr(loaded.model.config, "inner_group_num", 1)
    modules = {id(m): m for t in range(L) for m in [attention_module(loaded, t)[0]]}
    projections = {id(m): m for m in (output_projection(loaded, t) for t in range(L))}
    handles += [m.register_forward_pre_hook(record_input, with_kwargs=True) for m in modules.values()]
    handles += [m.register_forward_pre_hook(record_context) for m in projections.values()]
    try:
        enc = loaded.tokenizer(text, pair, return_tensors="pt")
        with torch.no_grad():
            loaded.model(**enc)
    finally:
        for handle in handles:
            handle.remove()
    assert len(inputs) == len(contexts) == L
    return inputs, contexts


def check_trace(loaded, enc: Encoded, reference, layer: int, head: int, atol: float = 1e-5):
    inputs, contexts = reference
    tr = trace_head(loaded, enc, layer, head)
    n, d_head = len(enc.tokens), loaded.d_head
    cols = slice(head * d_head, (head + 1) * d_head)
    # 1) the weights equal the model's reported attentions
    assert tr.max_abs_diff < atol, (layer, head, tr.max_abs_diff)
    np.testing.assert_allclose(tr.attention.weights, enc.attentions[layer, head], atol=atol)
    assert tr.max_abs_diff == pytest.approx(float(np.abs(tr.attention.weights - tr.reported).max()))
    # 2) the input and q, k, v equal what the model's own modules computed
    np.testing.assert_allclose(tr.x, inputs[layer], atol=atol)
    module, names, _ = attention_module(loaded, layer)
    x = torch.as_tensor(inputs[layer])
    for name, ours in zip(names, (tr.attention.q, tr.attention.k, tr.attention.v), strict=True):
        lin = getattr(module, name)  # torch's own Linear formula, in float64, without touching the model
        theirs = torch.nn.functional.linear(x, lin.weight.double(), lin.bias.double())[:, cols]  # [n, d_head]
        np.testing.assert_allclose(ours, theirs.detach().numpy(), atol=atol)
    # 3) the head's output equals its columns of the context that went into W_O
    np.testing.assert_allclose(tr.attention.output, contexts[layer][:, cols], atol=atol)
    # shapes, dtypes and the pieces a page shows
    assert (tr.layer, tr.head, tr.columns, tr.d_head) == (layer, head, (cols.start, cols.stop), d_head)
    assert tr.tokens == tuple(enc.tokens) and tr.attention.scale and not tr.attention.causal
    for field in ("hidden", "x", "w_q", "w_k", "w_v", "b_q", "b_k", "b_v", "reported"):
        assert getattr(tr, field).dtype == np.float64, field
    for a in (tr.attention.q, tr.attention.weights, tr.attention.output):
        assert a.dtype == np.float64
    assert tr.hidden.shape == tr.x.shape == (n, loaded.d_model)
    assert tr.w_q.shape == (loaded.d_model, d_head) and tr.b_q.shape == (d_head,)
    assert tr.attention.weights.shape == (n, n) and tr.attention.output.shape == (n, d_head)
    np.testing.assert_allclose(tr.attention.q, tr.x @ tr.w_q + tr.b_q, atol=1e-12)
    np.testing.assert_array_equal(tr.hidden, enc.hidden_states[layer].astype(np.float64))
    return tr


# ---------------------------------------------------------------------------------------------
# the bundled MiniLM (BERT layout)


@pytest.mark.parametrize("text, pair", [(TEXT, None), PAIR], ids=["sentence", "pair"])
def test_minilm_heads_recompute_exactly(minilm, text, pair):
    enc = run(minilm, text, pair)
    reference = torch_reference(minilm, text, pair)
    for layer, head in [(0, 0), (0, 2), (2, 7), (3, 5), (5, 0), (5, 11)]:
        tr = check_trace(minilm, enc, reference, layer, head)
        assert not tr.pre_ln
        np.testing.assert_array_equal(tr.x, tr.hidden)


def test_minilm_every_head_of_a_pair(minilm):
    enc = run(minilm, *PAIR)
    diffs = [trace_head(minilm, enc, layer, head).max_abs_diff for layer in range(6) for head in range(12)]
    assert max(diffs) < 1e-5


def test_trace_feeds_page_one_steps(minilm):
    enc = run(minilm, TEXT)
    tr = trace_head(minilm, enc, 0, 2)
    steps = attention_steps(tr.attention, tr.tokens, x=tr.x, head="3")
    assert [s.key for s in steps] == ["q", "k", "v", "scores", "scaled", "weights", "output"]
    assert "√32" in steps[4].meaning
    # MiniLM's layer 0, head 2 attends to the previous token: "cat" (row 2) looks at "the"
    assert np.argmax(tr.attention.weights[2]) == 1


# ---------------------------------------------------------------------------------------------
# tiny random models of the other layouts, through core.models like any local folder


def bert_tokenizer(folder: Path, cls=BertTokenizer):
    folder.mkdir(parents=True, exist_ok=True)
    vocab = folder / "vocab.txt"
    vocab.write_text("\n".join(WORDS) + "\n")
    return cls(vocab=str(vocab))


def roberta_tokenizer(folder: Path):
    """A byte-level BPE over single letters plus a few merges: enough for <s> the cat ... </s>."""
    letters = list("abcdefghijklmnopqrstuvwxyz.,Ġ")
    merged = ["th", "the", "Ġc", "Ġca", "Ġcat"]
    vocab = {w: i for i, w in enumerate(["<s>", "<pad>", "</s>", "<unk>", "<mask>", *letters, *merged])}
    return RobertaTokenizer(vocab=vocab, merges=[("t", "h"), ("th", "e"), ("Ġ", "c"), ("Ġc", "a"), ("Ġca", "t")])


def save(folder: Path, model, tokenizer) -> str:
    model.eval().save_pretrained(folder)
    tokenizer.save_pretrained(folder)
    return str(folder)


def tiny_distilbert(folder):
    config = DistilBertConfig(dim=32, n_layers=2, n_heads=4, hidden_dim=64, max_position_embeddings=64,
                              vocab_size=100)
    return save(folder, DistilBertForMaskedLM(config), bert_tokenizer(folder, DistilBertTokenizer))


def tiny_albert(folder, **kw):
    config = AlbertConfig(embedding_size=16, **{**TINY, **kw})  # embedding 16 -> hidden 32 before layer 0
    return save(folder, AlbertModel(config), bert_tokenizer(folder))


def tiny_electra(folder):
    config = ElectraConfig(embedding_size=16, **TINY)
    return save(folder, ElectraModel(config), bert_tokenizer(folder))


def tiny_roberta(folder, config_cls=RobertaConfig, model_cls=RobertaForMaskedLM):
    return save(folder, model_cls(config_cls(**TINY)), roberta_tokenizer(folder))


def tiny_megatron(folder):
    return save(folder, MegatronBertModel(MegatronBertConfig(**TINY)), bert_tokenizer(folder))


@pytest.mark.parametrize("build, kind, mlm", [
    (tiny_distilbert, "distilbert", True),
    (tiny_albert, "albert", False),
    (lambda f: tiny_albert(f, num_hidden_layers=4, num_hidden_groups=2), "albert", False),
    (tiny_electra, "electra", False),
    (tiny_roberta, "roberta", True),
    (lambda f: tiny_roberta(f, XLMRobertaConfig, XLMRobertaModel), "xlm-roberta", False),
    (lambda f: tiny_roberta(f, CamembertConfig, CamembertModel), "camembert", False),
    (tiny_megatron, "megatron-bert", False),
], ids=["distilbert", "albert", "albert-2-groups", "electra", "roberta-mlm", "xlm-roberta", "camembert",
        "megatron-bert"])
def test_tiny_models_of_every_layout(tmp_path, build, kind, mlm):
    transformers.logging.set_verbosity_error()
    torch.manual_seed(0)
    folder = build(tmp_path / kind)
    loaded = load_masked_lm(folder) if mlm else load_encoder(folder)
    assert loaded.model_type == kind and loaded.n_heads == 4 and loaded.d_model == 32
    for text, pair in [("the cat sat on the mat.", None), ("the cat sat.", "a dog sat.")]:
        enc = run(loaded, text, pair)
        reference = torch_reference(loaded, text, pair)
        L = enc.attentions.shape[0]
        assert L == loaded.n_layers
        for layer in range(L):
            for head in (0, 3):
                tr = check_trace(loaded, enc, reference, layer, head)
                assert tr.pre_ln == (kind == "megatron-bert")
        if kind == "megatron-bert":  # pre-LN: the projections see LayerNorm(hidden), not hidden
            assert not np.allclose(tr.x, tr.hidden, atol=1e-3)


def test_albert_with_inner_groups(tmp_path):
    """inner_group_num = 2: every layer runs two AlbertLayers, each reports an attention map, so the
    maps (and the hidden states) count sub-layers; trace_head's layer indexes them the same way."""
    transformers.logging.set_verbosity_error()
    torch.manual_seed(0)
    loaded = load_encoder(tiny_albert(tmp_path / "albert", inner_group_num=2))
    enc = run(loaded, "the cat sat on the mat.")
    assert enc.attentions.shape[0] == 4 and loaded.n_layers == 2
    reference = torch_reference(loaded, "the cat sat on the mat.")
    for layer in range(4):
        check_trace(loaded, enc, reference, layer, 1)


# ---------------------------------------------------------------------------------------------
# clear errors


def test_out_of_range_layer_and_head(minilm):
    enc = run(minilm, TEXT)
    for layer in (-1, 6):
        with pytest.raises(ValueError, match=rf"Layer {layer} does not exist: this model has 6 layers, numbered 0 to 5"):
            trace_head(minilm, enc, layer, 0)
    for layer, head in ((1.0, 0), (0, "2"), (True, 0)):
        with pytest.raises(ValueError, match="must be a whole number counted from 0"):
            trace_head(minilm, enc, layer, head)
    for head in (-1, 12):
        with pytest.raises(ValueError, match=rf"Head {head} does not exist: each layer has 12 heads, numbered 0 to 11"):
            trace_head(minilm, enc, 0, head)
    assert trace_head(minilm, enc, np.int64(5), np.int64(11)).layer == 5  # numpy integers from a widget are fine


def test_results_of_another_model_are_refused(minilm, tmp_path):
    loaded = load_encoder(tiny_electra(tmp_path / "electra"))
    with pytest.raises(ValueError, match="do not come from model"):
        trace_head(minilm, run(loaded, "the cat"), 0, 0)


def test_unsupported_model_type_is_refused():
    """A GPT-2 (a decoder: core.models would not load it) dressed as a LoadedModel."""
    config = GPT2Config(n_embd=32, n_layer=2, n_head=4, n_positions=64, vocab_size=100)
    model = GPT2Model._from_config(config, attn_implementation="eager").eval()
    ids = torch.tensor([[5, 6, 7]])
    with torch.no_grad():
        out = model(ids, output_attentions=True, output_hidden_states=True)
    loaded = LoadedModel(name="tiny-gpt2", source="memory", model_type="gpt2", masked_lm=False, tokenizer=None,
                         model=model, n_layers=2, n_heads=4, d_model=32, max_length=64, vocab_size=100)
    hidden = torch.stack(out.hidden_states)[:, 0].numpy()
    enc = Encoded(input_ids=ids[0].numpy(), tokens=["a", "b", "c"],
                  attentions=torch.stack(out.attentions)[:, 0].numpy(), hidden_states=hidden,
                  last_hidden_state=hidden[-1], truncated=False, n_input_tokens=3, max_length=64)
    with pytest.raises(ValueError, match="Tracing one head is not supported for model type gpt2: .*bert"):
        trace_head(loaded, enc, 0, 0)
