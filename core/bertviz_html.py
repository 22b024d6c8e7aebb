"""bertviz's head view and model view as self-contained HTML that needs no internet and runs no
typed text.

bertviz (jessevig/bertviz) builds its views as HTML whose scripts come from a CDN (require.js, d3,
jquery) and whose data, tokens included, is JSON pasted into a <script>. Here:
  1. the CDN addresses point at local copies the app serves (scripts/install_assets.sh puts them in
     static/vendor/, served at /app/static/vendor/);
  2. the data JSON has '<', '>' and '&' written as \\u003c, \\u003e, \\u0026, so a token such as
     '</script>' cannot end the script early (the view still shows it, since bertviz draws tokens
     as text);
  3. attention weights are rounded to 3 decimals before they are serialized: bertviz writes float32
     values at full repr length, which is most of its bytes and much of its slowness on long inputs.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np

# bertviz's own script tag for require.js and its require.config paths for d3 and jquery (CDN addresses)
_REQUIRE_TAG = re.compile(r'<script src="[^"]*/require(?:\.min)?\.js"></script>')
_PATHS = re.compile(r"\b(d3|jquery)(\s*:\s*)'[^']*'")
VENDOR_URL = "/app/static/vendor"
VENDOR_DIR = Path(__file__).resolve().parents[1] / "static" / "vendor"
VENDOR_FILES = ("require.js", "d3.min.js", "jquery.min.js")
DECIMALS = 3


def assets_missing(vendor_dir: Path = VENDOR_DIR) -> list[str]:
    """The local JavaScript files the views need that are not installed (run scripts/install_assets.sh)."""
    return [f for f in VENDOR_FILES if not (vendor_dir / f).is_file()]


def _as_bertviz_attention(attentions: np.ndarray):
    """[L, h, n, n] numpy -> bertviz's input: a tuple of L torch tensors [1, h, n, n], rounded."""
    import torch

    a = np.round(np.asarray(attentions, dtype=np.float64), DECIMALS)  # float64: 0.123 prints as 0.123
    return tuple(torch.from_numpy(layer[None]) for layer in a)


def _offline(html: str, template: str, vendor_url: str) -> str:
    """Point the CDN at the local copies and escape the JSON that bertviz pasted into its script."""
    parts = template.split("PYTHON_PARAMS")  # the marker appears twice: in code and in a comment
    start = html.index(parts[0]) + len(parts[0])
    end = html.index(parts[1], start)
    params = html[start:end]
    safe = params.replace("&", "\\u0026").replace("<", "\\u003c").replace(">", "\\u003e")
    html = html.replace(params, safe)  # every copy, the one in the comment included
    return localize_scripts(html, vendor_url)


def localize_scripts(html: str, vendor_url: str = VENDOR_URL) -> str:
    """bertviz's HTML with its require.js tag and its d3 / jquery paths pointing at vendor_url instead of
    a CDN. A bertviz release whose HTML has another shape fails loudly here, never silently online."""
    html, n_tags = _REQUIRE_TAG.subn(f'<script src="{vendor_url}/require.js"></script>', html)
    files = {"d3": "d3.min", "jquery": "jquery.min"}  # require.js adds the .js
    html, n_paths = _PATHS.subn(lambda m: f"{m.group(1)}{m.group(2)}'{vendor_url}/{files[m.group(1)]}'", html)
    if n_tags != 1 or n_paths != 2:
        raise RuntimeError(f"bertviz's HTML has {n_tags} require.js tag(s) and {n_paths} d3/jquery path(s), "
                           "not 1 and 2: update core/bertviz_html.py for this bertviz version.")
    return html


def _view(kind: str, attentions, tokens, sentence_b_start, vendor_url, **kwargs) -> str:
    import bertviz

    fn = {"head": bertviz.head_view, "model": bertviz.model_view}[kind]
    tokens = [str(t) for t in tokens]
    out = fn(_as_bertviz_attention(attentions), tokens, sentence_b_start=sentence_b_start,
             html_action="return", **kwargs)
    template = (Path(bertviz.__file__).parent / f"{kind}_view.js").read_text()
    return _offline(out.data, template, vendor_url)


def head_view_html(attentions, tokens, *, sentence_b_start: int | None = None, layer: int | None = None,
                   heads: list[int] | None = None, vendor_url: str = VENDOR_URL) -> str:
    # [L, h, n, n], n tokens -> HTML
    """bertviz's head view (lines from each token to the tokens it attends to, one colour per head)."""
    return _view("head", attentions, tokens, sentence_b_start, vendor_url, layer=layer, heads=heads)


def model_view_html(attentions, tokens, *, sentence_b_start: int | None = None,
                    include_layers: list[int] | None = None, vendor_url: str = VENDOR_URL) -> str:
    # [L, h, n, n], n tokens -> HTML
    """bertviz's model view (a thumbnail of every layer and head)."""
    return _view("model", attentions, tokens, sentence_b_start, vendor_url, include_layers=include_layers)


def sentence_b_start(tokens, sep_tokens=("[SEP]", "</s>")) -> int | None:
    """Index of the first token of sentence B in a pair ([CLS] A [SEP] B [SEP]), None for one sentence."""
    seps = [i for i, t in enumerate(tokens) if t in sep_tokens]
    return seps[0] + 1 if len(seps) > 1 and seps[0] + 1 < len(tokens) else None
