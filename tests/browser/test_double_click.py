"""Real clicks on page 6's Submit in Chromium, on a server of its own (its own SQLite gradebook): a double
click (two clicks 60 ms apart) and a burst of five clicks 30 ms apart each store one attempt and move
the try counter by one."""

from __future__ import annotations

import re
import textwrap

import pytest
from playwright.sync_api import expect

from exercises import assignments as assignment_files
from exercises import practice
from exercises.store import Store
from tests.browser import harness
from tests.browser.harness import wait_settled
from tests.browser.test_exercises import sign_in

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    folder = tmp_path_factory.mktemp("double-click")
    (folder / "assignments").mkdir()
    (folder / "assignments" / "practice.toml").write_text(textwrap.dedent("""
        id = "practice"
        tries = 3
        [[exercise]]
        family = "softmax_row"
    """))
    db = folder / "gradebook.sqlite3"
    env = {"ATTENTION_LAB_DB": str(db), "ATTENTION_LAB_ASSIGNMENTS": str(folder / "assignments"),
           "ATTENTION_LAB_CLASS_CODE": "", "DATABASE_URL": ""}
    with harness.serve(folder / "server.log", env) as url:
        yield {"url": url, "db": db, "folder": folder / "assignments"}


def clicks(page, n: int, gap_ms: int) -> None:
    """n real mouse clicks on Submit, gap_ms apart (mouse events at the button's centre, as a person's)."""
    button = page.get_by_role("button", name="Submit")
    button.scroll_into_view_if_needed()  # as a person scrolls to it: mouse events land only inside the window
    box = button.bounding_box()
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    for i in range(n):
        if i:
            page.wait_for_timeout(gap_ms)
        page.mouse.click(x, y)


def test_a_double_click_and_a_burst_of_five_clicks_are_one_try_each(page, server, monkeypatch):
    monkeypatch.setenv("ATTENTION_LAB_ASSIGNMENTS", str(server["folder"]))
    assignment = assignment_files.load()[0][0]
    n = len(practice.exercise("dora", assignment, 0).params["scores"])
    first, second = " ".join(["0.9"] * n), " ".join(["0.8"] * n)  # readable and wrong: each costs a try

    sign_in(page, server["url"], "dora")
    expect(page.get_by_text("Try 1 of 3")).to_be_visible()
    page.get_by_label(re.compile(r"^Your answer")).fill(first)
    clicks(page, 2, 60)
    wait_settled(page)
    expect(page.get_by_text("Try 2 of 3")).to_be_visible()

    page.get_by_label(re.compile(r"^Your answer")).fill(second)
    clicks(page, 5, 30)
    wait_settled(page)
    expect(page.get_by_text("Try 3 of 3")).to_be_visible()
    expect(page.get_by_text("Worked solution")).to_have_count(0)  # five clicks did not use every try

    store = Store(f"sqlite:///{server['db']}")
    rows = store.attempts("dora", "practice")
    store.close()
    assert [(a.answer, a.valid) for a in rows] == [(first, True), (second, True)]
