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
