"""bertviz's views made offline and safe: local scripts only, typed text cannot end a <script>."""

import json
import re

import numpy as np
import pytest

from core.bertviz_html import (
    VENDOR_FILES,
    VENDOR_URL,
    assets_missing,
    head_view_html,
    model_view_html,
    sentence_b_start,
)

PROBE = ["[CLS]", "</script><script>alert(1)</script>", "a&b", "<b>x</b>", "[SEP]"]


def attentions(layers=2, heads=3, n=5, seed=0):  # n = len(PROBE)
    a = np.random.default_rng(seed).random((layers, heads, n, n))
    return a / a.sum(-1, keepdims=True)


@pytest.mark.parametrize("view", [head_view_html, model_view_html])
def test_no_cdn_and_local_scripts(view):
    html = view(attentions(), PROBE)
    assert "cdnjs" not in html
    # the only address left is a credit in a comment of bertviz's script, never fetched
    assert all("github.com/tensorflow/tensor2tensor" in url for url in re.findall(r"https?://\S+", html))
    assert f'src="{VENDOR_URL}/require.js"' in html
    assert f"'{VENDOR_URL}/d3.min'" in html and f"'{VENDOR_URL}/jquery.min'" in html


@pytest.mark.parametrize("view", [head_view_html, model_view_html])
def test_typed_text_cannot_end_the_script(view):
    html = view(attentions(), PROBE)
    # the only script tags are bertviz's own two (require.js and the view)
    assert html.count("<script") == 2 and html.count("</script>") == 2
    assert "<b>x</b>" not in html and "a&b" not in html
    # the data is still the same tokens: the escapes are JSON's own
    params = re.search(r"const params = (\{.*?\}); //", html).group(1)
    data = json.loads(params)
    assert data["attention"][0]["left_text"] == PROBE


def test_weights_rounded_for_size():
    html = head_view_html(attentions(), PROBE)
    data = json.loads(re.search(r"const params = (\{.*?\}); //", html).group(1))
    values = np.array(data["attention"][0]["attn"], dtype=float)
    np.testing.assert_allclose(values, np.round(attentions(), 3))
    assert values.shape == (2, 3, 5, 5)


def test_sentence_b_start():
    assert sentence_b_start(["[CLS]", "a", "[SEP]", "b", "c", "[SEP]"]) == 3
    assert sentence_b_start(["[CLS]", "a", "[SEP]"]) is None
    assert sentence_b_start(["<s>", "a", "</s>", "</s>", "b", "</s>"]) == 3


def test_assets_missing_names_what_to_install(tmp_path):
    assert assets_missing(tmp_path) == list(VENDOR_FILES)


def test_unexpected_bertviz_html_fails_loudly():
    from core.bertviz_html import localize_scripts

    with pytest.raises(RuntimeError, match="update core/bertviz_html.py"):
        localize_scripts("<script src='https://example.invalid/other.js'></script>")
