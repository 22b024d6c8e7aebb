"""AppTest: pages 4 (masked language model) and 5 (sentence embeddings), offline.

Page 5 runs on the bundled all-MiniLM-L6-v2. Page 4's default, bert-base-uncased, cannot load with
HF_HUB_OFFLINE=1 and no cached copy: the page says so and how to get one, and its masking procedure still
works on BERT's WordPiece tokenizer read from the bundled model. Its predictions are tested on a tiny
BertForMaskedLM saved into a folder (random weights: these tests check what the page shows, not language)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from core.model_names import DEFAULT_SETTING
from tests.apptest import open_page, texts
from tests.heat_tables import page_tables
from tests.tiny_models import save_tiny_bert

APP = str(Path(__file__).resolve().parents[1] / "streamlit_app.py")
MLM, EMB = "app/masked_lm.py", "app/embeddings.py"
SCRIPT = "<script>alert(1)</script>"
LONG = "The cat sat on the mat. " * 420  # a 10,080-character paste
LONG_CHARS = f"{len(LONG.strip()):,}"  # what the notice counts: 10,079, its last space stripped


@pytest.fixture(autouse=True)
def offline(monkeypatch, tiny):
    """No test here may reach the hub: a hub id fails at once instead of after a network timeout. The
    server's list of models: the default one and the tiny model's folder."""
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("ATTENTION_LAB_MODELS", f"{DEFAULT_SETTING}, {tiny}")


def warnings(at: AppTest) -> str:
    """The warnings' text as shown (texts() drops the markdown escapes of typed text)."""
    return texts(at.warning)


def markdown_bodies(at: AppTest) -> list[str]:
    """Everything rendered as markdown: where typed text must arrive escaped."""
    return [e.value for kind in ("markdown", "caption", "warning", "info", "error", "success", "subheader", "title")
            for e in getattr(at, kind)]


def assert_no_raw_markup(at: AppTest) -> None:
    for body in markdown_bodies(at):
        assert "<script>" not in body and "</script>" not in body, body


def charts(at: AppTest) -> list[dict]:
    return [json.loads(c.proto.spec) for c in at.get("plotly_chart")]


def chart_titles(at: AppTest) -> list[str]:
    return [c["layout"]["title"]["text"] for c in charts(at)]


def cosine_table(at: AppTest) -> dict:
    """Section 3's cosine-similarity matrix: a heat table (core/heat_table.py), not a chart."""
    return next(t for c, t in page_tables(at).items() if c.startswith("cosine similarity"))


def numbers(table: dict) -> list[list[float]]:
    return [[float(c) for c in row] for row in table["cells"]]


def button(at: AppTest, label: str):
    return at.button[[b.label for b in at.button].index(label)]


# --- page 5: sentence embeddings -----------------------------------------------------------------


def test_page5_shapes_poolings_and_cosine_heatmap():
    at = open_page(EMB)
    metrics = {m.label: m.value for m in at.metric}
    assert metrics == {"last hidden state": "18 × 384", "CLS pooling": "384", "mean pooling": "384",
                       "max pooling": "384"}
    assert [s.value for s in at.subheader] == [
        "1. The last hidden state: one vector per token", "2. Pooling: from n token vectors to one sentence vector",
        "3. Cosine similarity between sentences", "4. The lecture's dimension question (ICE #3) and pooling table"]
    (hidden,) = charts(at)  # 18 tokens: a chart; the pooled vectors and the cosines: heat tables
    assert len(hidden["data"][0]["z"]) == 18 and len(hidden["data"][0]["z"][0]) == 10
    assert hidden["layout"]["yaxis"]["ticktext"][0] == "[CLS]"
    pooled = page_tables(at)["pooled: first 10 of 384 dimensions"]
    assert pooled["rows"] == ["CLS", "mean", "max"] and len(pooled["cols"]) == 10
    # CLS pooling is the first token's row (the chart keeps 4 decimals, the table 4 significant decimals)
    assert numbers(pooled)[0] == pytest.approx(hidden["data"][0]["z"][0], abs=1e-4)
    cosine = cosine_table(at)
    z = numbers(cosine)
    assert len(z) == 5 and all(z[i][i] == pytest.approx(1.0) for i in range(5))
    assert z[0][1] > z[0][2]  # "a man is playing a guitar" is nearer "someone is playing an instrument"
    assert cosine["caption"] == "cosine similarity, Mean pooling"
    assert cosine["figcaption"].startswith("Most similar: ")


def test_page5_pooling_switch_and_table():
    at = open_page(EMB)
    at.get("button_group")[0].set_value("cls").run()
    assert not at.exception
    assert cosine_table(at)["caption"] == "cosine similarity, CLS pooling"
    table = next(df.value for df in at.dataframe if "STSb" in df.value.columns)
    assert table.loc["MEAN"].tolist() == ["80.78", "87.44"] and table.loc["CLS"].tolist() == ["79.80", "86.62"]
    assert "arXiv:1908.10084, Table 6" in texts(at.caption)


def test_page5_ice3_answered_from_the_real_tokenization():
    at = open_page(EMB)
    assert "option 4" in texts(at.success) and "20 × 768 = 15360" in texts(at.success)
    info = texts(at.info)
    assert "18 sub-tokens (2 of them [CLS] and [SEP]), not the 20 the slide assumes" in info
    assert "d = 384" in info and "18 × 384 = 6912" in info
    ice = next(df.value for df in at.dataframe if "lecture (BERT-base)" in df.value.columns)
    assert ice["your sentence, this model"].tolist() == ["384", "384", "18 × 384 = 6912"]
    # another sentence: the answer follows its tokenization
    at.text_input(key="emb_sentence").input("The cat sat.").run()
    ice = next(df.value for df in at.dataframe if "lecture (BERT-base)" in df.value.columns)
    assert ice["your sentence, this model"].tolist()[2] == "6 × 384 = 2304"  # [CLS] the cat sat . [SEP]


def test_page5_padding_demo_on_request():
    at = open_page(EMB)
    at.toggle(key="emb_padding").set_value(True).run()
    assert not at.exception
    demo = next(df.value for df in at.dataframe if "[PAD] added" in df.value.columns)
    assert demo["[PAD] added"].tolist() == [9, 10, 10, 9, 0]
    assert demo["cos(mean, mean counting [PAD])"].iloc[-1] == pytest.approx(1.0)  # the longest has no [PAD]


@pytest.mark.parametrize("text, message", [
    ("", "The sentence is empty"),
    ("    ", "has only spaces"),
    ("\t \u200b ", "has only spaces"),
])
def test_page5_blank_sentence_says_what_to_type(text, message):
    at = open_page(EMB)
    at.text_input(key="emb_sentence").input(text).run()
    assert not at.exception
    assert message in warnings(at)
    assert not at.metric
    assert not charts(at) and len(cosine_table(at)["rows"]) == 5, "the cosine heatmap of the sentences below still shows"
    assert "Type a sentence in section 1" in texts(at.info)


def test_page5_long_paste_is_cut_visibly():
    at = open_page(EMB)
    at.text_input(key="emb_sentence").input(LONG).run()
    assert not at.exception
    warning = warnings(at)
    assert f"has {LONG_CHARS} characters; only the first 1,999 are used" in warning
    assert "the model reads at most" in warning  # and then cut to the model's token limit
    n, d = at.metric[0].value.split(" × ")
    assert int(n) <= 512 and d == "384"
    assert "first 24 of" in texts(at.caption)


@pytest.mark.parametrize("text, expect", [
    ("I love pizza 🍕 and the sea 🌊", "[UNK]"),
    ("Привет, мир. 你好世界", None),
    (f"{SCRIPT} and </script> *not bold* ##ing $x$ :red[x]", None),
])
def test_page5_emoji_scripts_and_markup(text, expect):
    at = open_page(EMB)
    at.text_input(key="emb_sentence").input(text).run()
    assert not at.exception
    assert text in [t.value for t in at.text], "the sentence is shown as plain text, character for character"
    assert at.metric, "shapes still shown"
    if expect:
        assert expect in warnings(at)
    assert_no_raw_markup(at)


def test_page5_sentences_box_bad_input():
    at = open_page(EMB)
    at.text_area(key="emb_sentences").input("   \n\n  ").run()
    assert not at.exception
    assert "There are no sentences" in warnings(at)
    at.text_area(key="emb_sentences").input(f"{SCRIPT}\n{LONG}\nA dog.\n" + "x\n" * 20).run()
    assert not at.exception
    warning = warnings(at)
    assert "only the first 12 are compared" in warning and f"Sentence 2 has {LONG_CHARS} characters" in warning
    sentences = next(df.value for df in at.dataframe if "sentence" in df.value.columns and "tokens" in df.value.columns)
    assert sentences["sentence"].iloc[0] == SCRIPT
    assert len(cosine_table(at)["cells"]) == 12
    assert_no_raw_markup(at)


def test_page5_unknown_model_says_how_to_fix():
    at = open_page(EMB)
    at.text_input(key="emb_model").input("./models/no/such/folder").run()
    assert not at.exception
    assert "no such folder" in texts(at.error) and "Fix:" in texts(at.error)
    assert not at.metric and not charts(at)


def test_page5_presenter_mode_hides_the_ice3_answer():
    at = open_page(EMB, present="1")
    assert not at.success and "6912" not in texts(at.info)
    button(at, "Reveal the answer").click().run()
    assert "option 4" in texts(at.success) and "18 × 384 = 6912" in texts(at.info)
    assert charts(at)[0]["layout"]["height"] > 1000, "large heatmaps for the projector"


# --- page 4: masked language model, no model -------------------------------------------------------


def test_page4_without_a_masked_lm_says_how_to_get_one_and_still_masks():
    from app.models import _load
    _load.clear()  # a failure cached by an earlier run in this process would have another reason
    at = open_page(MLM)
    error = texts(at.error)
    assert "'bert-base-uncased'" in error and "HF_HUB_OFFLINE is set" in error
    assert "python -m core.models download bert-base-uncased ./models/bert-base-uncased --mlm" in error
    assert "never shows predictions from a head that was not trained" in texts(at.info)
    assert "masking procedure below still works" in texts(at.info)
    assert not charts(at), "no predictions, no heads"
    assert [s.value for s in at.subheader] == ["BERT's 80/10/10 masking procedure"]
    code = at.code[0].value
    assert code.startswith("original:    [CLS] i am having a bad day . so i need to take a break . [SEP]")
    assert "model reads: [CLS] i am [MASK]" not in code
    chosen = at.dataframe[0].value
    assert len(chosen) == 2 and set(chosen.columns) == {"original", "draw u", "action", "model reads"}
    assert sorted(chosen["action"].str.split(" ").str[1]) == ["[MASK]", "random"]  # the default seed shows both
    assert "bundled all-MiniLM-L6-v2" in texts(at.caption)


def test_page4_masking_seed_is_reproducible():
    at = open_page(MLM)
    first = at.code[0].value
    at.number_input(key="mlm_seed").set_value(7).run()
    seven = at.code[0].value
    assert seven != first
    again = open_page(MLM, seed="7")
    assert again.number_input(key="mlm_seed").value == 7 and again.code[0].value == seven


@pytest.mark.parametrize("text, message", [
    ("", "The sentence is empty"),
    ("   ", "has only spaces"),
    ("[CLS] [SEP]", "no word piece to mask"),
])
def test_page4_masking_bad_input(text, message):
    at = open_page(MLM)
    at.text_input(key="mlm_mask_text").input(text).run()
    assert not at.exception
    assert message in warnings(at)


def test_page4_masking_long_paste_and_markup():
    at = open_page(MLM)
    at.text_input(key="mlm_mask_text").input(LONG).run()
    assert not at.exception
    warning = warnings(at)
    assert f"has {LONG_CHARS} characters" in warning and "only the first 512 are used" in warning
    at.text_input(key="mlm_mask_text").input(f"{SCRIPT} the cat 🐈 sat").run()
    assert not at.exception
    assert "< script > alert ( 1 ) < / script >" in at.code[0].value
    assert_no_raw_markup(at)


# --- page 4 with a (tiny) masked-LM model -----------------------------------------------------------


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    folder = tmp_path_factory.mktemp("tiny-mlm")
    save_tiny_bert(folder)
    return str(folder)


def with_model(folder: str, sentence: str = "the cat [MASK] on the mat .", **query) -> AppTest:
    """Page 4 on the tiny model, with a target word in its vocabulary (the lecture's 'bad' is not)."""
    at = open_page(MLM, **query)
    at.text_input(key="mlm_model").input(folder).run()
    at.text_input(key="mlm_target").input("sat").run()
    at.text_input(key="mlm_sentence").input(sentence).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_page4_predictions_probabilities_and_loss(tiny):
    from core.mlm import predict_masks, target_loss
    from core.models import load_masked_lm

    at = with_model(tiny)
    assert not at.error and not at.warning
    assert at.code[0].value == "[CLS] the cat [MASK] on the mat . [SEP]"
    assert chart_titles(at) == ["mask 1 (token 3)", "mean attention to mask 1, top 4 of 4 heads"]
    pred = predict_masks(load_masked_lm(tiny), "the cat [MASK] on the mat .", 10)
    bars = charts(at)[0]
    assert bars["layout"]["yaxis"]["ticktext"] == list(pred.masks[0].top_tokens)
    assert bars["data"][0]["x"] == pytest.approx(pred.masks[0].top_probs.tolist())
    assert sum(bars["data"][0]["x"]) < 1  # the top 10 of 26 word pieces

    loss = target_loss(pred, 1, "sat")
    row = at.dataframe[0].value.iloc[0]
    assert row["target word piece"] == "sat" and row["rank"] == loss.rank
    assert float(row["loss −ln p̂ (nats)"]) == pytest.approx(loss.nats, abs=1e-4)
    assert float(row["p̂(target)"]) == pytest.approx(loss.prob, rel=1e-4)
    assert any(f"= {row['loss −ln p̂ (nats)']}" in latex.value for latex in at.latex)

    at.number_input(key="mlm_k").set_value(3).run()
    assert len(charts(at)[0]["data"][0]["x"]) == 3


def test_page4_two_masks_and_the_mask_picker(tiny):
    at = with_model(tiny, "the [MASK] sat on the [MASK] .")
    assert chart_titles(at)[:2] == ["mask 1 (token 2)", "mask 2 (token 6)"]
    at.selectbox(key="mlm_mask").set_value(2).run()
    assert at.dataframe[0].value.index.tolist() == ["mask 2"]
    assert chart_titles(at)[2].startswith("mean attention to mask 2")
    at.text_input(key="mlm_sentence").input("the cat [MASK] .").run()  # fewer masks than the picked one
    assert not at.exception and at.dataframe[0].value.index.tolist() == ["mask 1"]


@pytest.mark.parametrize("sentence, message", [
    ("the cat sat on the mat .", "There is no [MASK] in the sentence"),
    ("", "The sentence is empty"),
    ("   ", "has only spaces"),
])
def test_page4_sentence_without_a_usable_mask(tiny, sentence, message):
    at = with_model(tiny, sentence)
    assert message in warnings(at)
    assert not charts(at)
    assert at.code and at.code[-1].value.startswith("original:"), "the masking procedure still shows"


def test_page4_mask_inside_a_word_is_explained(tiny):
    at = with_model(tiny, "the cat play[MASK] on the mat .")
    warning = warnings(at)
    assert "Mask 1 is glued to the letters beside it ('play[MASK]')" in warning
    assert "put spaces around [MASK]" in warning
    assert chart_titles(at)[0] == "mask 1 (token 4)", "it still predicts, for the gap the tokenizer made"


@pytest.mark.parametrize("target, message", [
    ("playing", "splits it into 2 word pieces (play, ##ing)"),
    ("zebra", "not in the vocabulary"),
    ("the cat", "is 2 words"),
    ("", "The target word is empty"),
])
def test_page4_target_word_problems(tiny, target, message):
    at = with_model(tiny)
    at.text_input(key="mlm_target").input(target).run()
    assert not at.exception
    assert message in warnings(at)
    assert chart_titles(at)[0] == "mask 1 (token 3)", "the predictions stay"


def test_page4_long_paste_emoji_and_markup(tiny):
    at = with_model(tiny, "the cat [MASK] on the mat . " + LONG)
    warning = warnings(at)
    assert f"has {len('the cat [MASK] on the mat . ' + LONG.strip()):,} characters; only the first" in warning
    assert "the model reads at most 64, so the rest was cut off" in warning
    assert chart_titles(at)[0] == "mask 1 (token 3)"
    at.text_input(key="mlm_sentence").input(f"{SCRIPT} the 🐈 [MASK] </script> *x* .").run()
    assert not at.exception
    assert "[UNK]" in warnings(at)
    assert charts(at), "predictions still shown"
    assert_no_raw_markup(at)


def test_page4_model_without_a_masked_lm_head_shows_no_predictions():
    at = open_page(MLM)
    at.text_input(key="mlm_model").input("bundled:all-MiniLM-L6-v2").run()
    assert not at.exception
    assert "has no masked-LM head" in texts(at.error)
    assert not charts(at)
    assert at.code[0].value.startswith("original:")


def test_page4_presenter_mode_hides_predictions_and_loss_until_revealed(tiny):
    at = with_model(tiny, seed="11", present="1")
    assert at.toggle(key="present").value is True
    titles = chart_titles(at)
    assert not any(t.startswith("mask 1") for t in titles), "predictions hidden"
    assert not at.latex[1:] and not any("target word piece" in df.value.columns for df in at.dataframe), \
        "loss hidden"
    assert at.number_input(key="mlm_seed").disabled and at.number_input(key="mlm_seed").value == 11
    assert "New seed" not in [b.label for b in at.button]
    button(at, "Reveal the predictions and the loss").click().run()
    assert chart_titles(at)[0] == "mask 1 (token 3)"
    assert charts(at)[0]["layout"]["height"] >= 70 + 44 * 10, "large bars for the projector"
    assert "target word piece" in at.dataframe[0].value.columns
    # a new sentence is hidden again until revealed
    at.text_input(key="mlm_sentence").input("the [MASK] sat .").run()
    assert not any(t.startswith("mask 1") for t in chart_titles(at))
