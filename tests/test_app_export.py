"""app/export.py on page 1 (AppTest): a closed Export popover under every matrix on screen and one lecture
pack per page, nothing built until asked (closed popovers are empty, downloads are deferred callables),
the LaTeX of an opened popover, and no export of numbers presenter mode still hides."""

from __future__ import annotations

import numpy as np

from core import examples
from core.attention import self_attention
from core.export import panel_latex
from core.steps import attention_steps
from tests.apptest import open_page

PAGE = "app/self_attention.py"
CAPTIONS = ["Q", "K", "V", "QKᵀ", "QKᵀ/√d_k", "attention weights", "output"]


def blocks(node, kind: str) -> list:
    """Every block of `kind` (e.g. 'popover') under node, in page order."""
    found = []
    for child in getattr(node, "children", {}).values():
        if getattr(child, "type", None) == kind:
            found.append(child)
        found += blocks(child, kind)
    return found


def popover_labels(at) -> list[str]:
    return [b.proto.popover.label for b in blocks(at.main, "popover")]


def test_every_matrix_on_screen_has_a_closed_export_and_the_pack_is_deferred():
    at = open_page(PAGE)
    assert popover_labels(at) == ["Export Q"]
    [pack] = at.get("download_button")
    assert pack.label == "Lecture pack (ZIP): 1 step"
    at.button(key="sa_next").click().run()
    assert at.get("download_button")[0].label == "Lecture pack (ZIP): 2 steps"

    at.toggle(key="sa_all").set_value(True).run()
    assert popover_labels(at) == [f"Export {c}" for c in CAPTIONS]
    assert all(not b.children for b in blocks(at.main, "popover"))  # closed: nothing built inside
    assert len(at.code) == 0
    [pack] = at.get("download_button")
    assert pack.label == "Lecture pack (ZIP): 7 steps" and pack.proto.HasField("deferred_file_id")


def test_an_opened_export_offers_csv_png_svg_and_the_latex():
    at = open_page(PAGE)
    at.toggle(key="sa_all").set_value(True).run()
    at.session_state["sa_scores_QKᵀ_export"] = True  # what opening the popover does
    at.run()
    assert not at.exception
    labels = [b.label for b in at.get("download_button")]
    assert labels == ["CSV", "PNG", "SVG", "Lecture pack (ZIP): 7 steps"]
    assert all(b.proto.HasField("deferred_file_id") for b in at.get("download_button"))  # built on click only
    e = examples.ice1()
    scores = attention_steps(self_attention(e["X"], e["W_Q"], e["W_K"], e["W_V"]), ["token 1", "token 2"])[0]
    assert np.array_equal(scores.panels[0].matrix, [[-22, -6], [-20, 588]])
    [code] = at.code
    assert code.value == panel_latex(scores.panels[0]) and code.language == "latex"


def test_presenter_mode_exports_only_revealed_numbers():
    at = open_page(PAGE, present="1")
    at.toggle(key="sa_all").set_value(True).run()
    assert popover_labels(at) == []
    at.button(key="sa_reveal_scores_btn").click().run()
    assert popover_labels(at) == ["Export QKᵀ"]


def test_pages_3_and_5_export_their_matrices(monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    at = open_page("app/real_model.py", timeout=180)
    assert "Export layer 1, head 1" in popover_labels(at)
    assert at.get("download_button")[-1].label == "Lecture pack (ZIP): 1 step"
    at.session_state["rm_one_export"] = True
    at.run()
    [code] = at.code
    assert code.value.startswith("% layer 1, head 1 (13×13); in LaTeX put \\setcounter{MaxMatrixCols}{13}")
    at.session_state["rm_tab"] = "Trace one head"  # page 3's tabs are lazy: the trace runs in its own
    at.run()
    assert at.get("download_button")[-1].label == "Lecture pack (ZIP): 1 step"
    at.toggle(key="rm_trace_steps").set_value(True).run()  # the traced steps join the pack
    assert at.get("download_button")[-1].label == "Lecture pack (ZIP): 8 steps"

    at = open_page("app/embeddings.py", timeout=180)
    assert popover_labels(at) == ["Export last hidden state", "Export pooled vectors",
                                  "Export cosine similarity, Mean pooling"]
    assert [b.label for b in at.get("download_button")] == ["Lecture pack (ZIP): 3 steps"]
