"""Export through the real page: page 1's QKᵀ for ICE #1 downloads as CSV, PNG and SVG from its Export
popover and shows its LaTeX, and the lecture pack downloads as a ZIP that holds what its README lists."""

from __future__ import annotations

import csv
import io
import zipfile
from xml.etree import ElementTree

import pytest
from PIL import Image
from playwright.sync_api import expect

from core.export import readme_files
from tests.browser.harness import wait_settled

pytestmark = pytest.mark.browser


def open_scores_export(page, app_url):
    page.goto(app_url + "/self-attention")
    page.get_by_text("Show all steps").click()
    heading = page.get_by_role("heading", name="Scores Q·Kᵀ")
    step = page.locator('[data-testid="stVerticalBlock"]', has=heading).last  # the step's own bordered box
    expect(step).to_be_visible()
    wait_settled(page)
    step.get_by_role("button", name="Export").click()
    popover = page.locator('[data-testid="stPopoverBody"]')
    expect(popover.get_by_role("button", name="CSV")).to_be_visible()
    return popover


def download(page, popover, name: str) -> tuple[str, bytes]:
    with page.expect_download() as info:
        popover.get_by_role("button", name=name).click()
    d = info.value
    return d.suggested_filename, open(d.path(), "rb").read()


def test_qk_exports_as_csv_png_svg_and_latex(page, app_url):
    popover = open_scores_export(page, app_url)
    expect(popover.locator("code")).to_contain_text("\\begin{bmatrix}")
    expect(popover.locator("code")).to_contain_text("-22 & -6")
    expect(popover.locator("code")).to_contain_text("-20 & 588")

    name, data = download(page, popover, "CSV")
    assert name == "QKT.csv"
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows[0] == ["", "token 1", "token 2"]
    assert [[float(v) for v in r[1:]] for r in rows[1:]] == [[-22, -6], [-20, 588]]

    name, data = download(page, popover, "PNG")
    assert name == "QKT.png"
    img = Image.open(io.BytesIO(data))
    img.verify()
    assert img.format == "PNG" and img.size[0] >= 300 and img.size[1] >= 200

    name, data = download(page, popover, "SVG")
    assert name == "QKT.svg"
    root = ElementTree.fromstring(data)
    assert root.tag.endswith("svg") and int(root.get("width")) * 2 == img.size[0]
    assert int(root.get("height")) * 2 == img.size[1]
    expect(page.locator('[data-testid="stException"]')).to_have_count(0)


def test_lecture_pack_holds_what_its_readme_lists(page, app_url):
    page.goto(app_url + "/self-attention")
    page.get_by_text("Show all steps").click()
    button = page.get_by_role("button", name="Lecture pack (ZIP): 7 steps")
    expect(button).to_be_visible()
    wait_settled(page)
    with page.expect_download() as info:
        button.click()
    z = zipfile.ZipFile(io.BytesIO(open(info.value.path(), "rb").read()))
    readme = z.read("README.md").decode("utf-8")
    assert sorted(readme_files(readme)) == sorted(z.namelist())
    assert "1 2 3 -1" in readme and "3 -4 -7 5" in readme  # ICE #1's X, the input that rebuilds it
    rows = list(csv.reader(io.StringIO(z.read("04-scores/1-QKT.csv").decode("utf-8-sig"))))
    assert [[float(v) for v in r[1:]] for r in rows[1:]] == [[-22, -6], [-20, 588]]
    assert z.read("04-scores/formula.tex").decode().strip() == r"S = Q\,K^\top"


LOAD = 180_000  # ms: the first run of a model page loads torch and the model in the server


def popover_of(page, key: str):
    """Open the Export popover of the panel exported under `key` (its button carries st-key-<key>_export)."""
    page.locator(f".st-key-{key}_export").get_by_role("button", name="Export").click()
    body = page.locator('[data-testid="stPopoverBody"]')
    expect(body.get_by_role("button", name="CSV")).to_be_visible()
    return body


def test_cosine_matrix_of_page_5_exports(page, app_url):
    page.goto(app_url + "/embeddings")
    main = page.locator('[data-testid="stMain"]')
    expect(main.get_by_role("button", name="Lecture pack (ZIP): 3 steps")).to_be_visible(timeout=LOAD)
    wait_settled(page, timeout=60)
    body = popover_of(page, "emb_cosine")
    name, data = download(page, body, "CSV")
    assert name == "cosine-similarity-Mean-pooling.csv"
    cols, *rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    m = [[float(v) for v in r[1:]] for r in rows]
    assert cols[1:] == ["1", "2", "3", "4", "5"] and len(m) == 5
    assert all(abs(m[i][i] - 1) < 1e-6 and abs(m[i][j] - m[j][i]) < 1e-6 for i in range(5) for j in range(5))
    _, svg = download(page, body, "SVG")
    assert ElementTree.fromstring(svg).get("width")
    page.keyboard.press("Escape")
    with page.expect_download() as info:
        main.get_by_role("button", name="Lecture pack (ZIP): 3 steps").click()
    z = zipfile.ZipFile(io.BytesIO(open(info.value.path(), "rb").read()))
    assert sorted(readme_files(z.read("README.md").decode("utf-8"))) == sorted(z.namelist())
    assert "03-cosine/1-cosine-similarity-Mean-pooling.csv" in z.namelist()
    expect(page.locator('[data-testid="stException"]')).to_have_count(0)


def test_mask_predictions_of_page_4_export_as_bars(page, app_url, tmp_path):
    from tests.tiny_models import save_tiny_bert

    save_tiny_bert(tmp_path / "tiny-mlm")
    page.goto(app_url + "/masked-lm")
    main = page.locator('[data-testid="stMain"]')
    expect(main.get_by_role("heading", name="BERT's 80/10/10 masking procedure")).to_be_visible(timeout=LOAD)
    field = page.get_by_label("Masked-LM model", exact=True)
    field.fill(str(tmp_path / "tiny-mlm"))
    field.press("Enter")
    expect(main.get_by_role("heading", name="1. Predictions for each [MASK]")).to_be_visible(timeout=LOAD)
    wait_settled(page, timeout=60)
    body = popover_of(page, "mlm_top_1")
    _, data = download(page, body, "CSV")
    cols, *rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    probs = [float(r[1]) for r in rows]
    assert cols == ["", "probability"] and len(rows) == 10 and probs == sorted(probs, reverse=True)
    _, png = download(page, body, "PNG")
    _, svg = download(page, body, "SVG")
    root = ElementTree.fromstring(svg)
    assert Image.open(io.BytesIO(png)).size == (2 * int(root.get("width")), 2 * int(root.get("height")))
    texts = [t.text for t in root.iter("{http://www.w3.org/2000/svg}text")]
    assert [r[0] for r in rows][0] in texts  # the most probable word piece labels the first bar
    expect(page.locator('[data-testid="stException"]')).to_have_count(0)
