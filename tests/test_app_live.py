"""AppTest: the live view of the class's answers, on its own page (/live, app/live.py) and on the
dashboard's Live tab, behind the dashboard's password, with a real SQLite gradebook. It counts, and
nothing it sends names a student."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest

from exercises import assignments as assignment_files
from exercises import practice, submission
from tests.apptest import heavy_imports, open_page
from tests.apptest import texts as shown
from tests.hostile import server_leaks, tally
from tests.test_app_signin import env  # noqa: F401 (fixture)
from tests.test_hostile_pages import SEEDS
from tests.test_live_board import read_board

LIVE = "app/live.py"
STUDENTS = ("zoe_secret", "yann_hidden")


def board(at: AppTest) -> dict | None:
    """The live board (exercises/live_board.py) the run shows, read back; None when there is none."""
    bodies = [h.proto.body for h in at.get("html") if 'class="al-live' in h.proto.body]
    return read_board(bodies[0]) if bodies else None


def sent(at: AppTest) -> str:
    """Everything the page sends to the browser: every element's message, as text."""
    out = []

    def walk(node):
        if hasattr(node, "proto") and node.proto is not None:
            out.append(str(node.proto))
        for child in getattr(node, "children", {}).values():
            walk(child)

    walk(at._tree)
    return "\n".join(out)


def signed_in(page: str, **query) -> AppTest:
    at = open_page(page, **query)
    at.text_input[0].input("s3cret")
    at.button(key="FormSubmitter:instructor_signin-Open the dashboard").click().run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def answer_the_ice() -> str:
    """Both students answer the lecture's choice (position 1): one right, one wrong; the right answer."""
    assignment = assignment_files.load()[0][0]
    ex = practice.exercise(STUDENTS[0], assignment, 1)
    right = practice.solution(ex, None).answer
    wrong = next(o for o in ex.form()["options"] if o != right)
    for sid, typed in zip(STUDENTS, (right, wrong), strict=True):
        submission.submit(submission_store(), sid, assignment, 1, typed)
    return right


def submission_store():
    from app import gradebook

    return gradebook.store()


def test_the_live_page_is_closed_without_the_password(env):  # noqa: F811
    at = open_page(LIVE)
    assert board(at) is None and "Password" in [t.label for t in at.text_input]


def test_the_live_page_counts_the_class_and_names_nobody(env):  # noqa: F811
    right = answer_the_ice()
    at = signed_in(LIVE, assignment="practice", exercise="2")
    b = board(at)
    assert (b["counts"]["Submitted"], b["counts"]["Solved"]) == (2, 1)
    bars = b["bars"]
    assert len(bars) == 3 and sum(b.endswith(" · 1") for b in bars) == 2
    assert not any("✓" in b for b in bars) and "Answer:" not in b["text"]  # not revealed by default
    text = sent(at)
    assert not any(s in text for s in STUDENTS) and "zoe" not in text and "yann" not in text

    at.toggle(key="live_reveal").set_value(True).run()
    assert sum("✓" in b for b in board(at)["bars"]) == 1
    assert "Answer:" in board(at)["text"] and right in board(at)["text"]


def test_the_links_settings_and_hostile_ones(env):  # noqa: F811
    at = signed_in(LIVE, every="abc")
    assert "every=3" in shown(at.warning)
    at = signed_in(LIVE, assignment="<script>alert(1)</script>", exercise="99999999999999", every="-1")
    assert "every=3" in shown(at.warning) and "<script>" not in sent(at)
    assert at.selectbox(key="live_assignment").value == "practice" and at.selectbox(key="live_position_practice").value == 0
    at = signed_in(LIVE, assignment="practice", exercise="2", every="10")
    assert not at.warning and at.selectbox(key="live_position_practice").value == 1


def test_the_dashboard_has_a_live_tab(env):  # noqa: F811
    answer_the_ice()
    at = signed_in("app/instructor.py")
    assert [t.label for t in at.tabs][:2] == ["Roster", "Live"]
    assert board(at)["counts"]["Submitted"] == 0  # exercise 1: nobody yet
    at.selectbox(key="dash_live_position_practice").set_value(1).run()
    assert board(at)["counts"]["Submitted"] == 2


def test_the_live_page_never_imports_torch(env):  # noqa: F811
    assert heavy_imports([LIVE]) == []


def test_hostile_links(env):  # noqa: F811
    """The hostile corpus's strings a link can carry (test_hostile_pages.SEEDS) as the link's assignment,
    exercise and every: the page falls back to its defaults, raises nothing, and shows nothing of the server."""
    at = signed_in(LIVE)
    exceptions = leaks = 0
    for typed in SEEDS:
        for name in ("assignment", "exercise", "every"):
            at.query_params.clear()
            at.query_params[name] = typed
            at.run()
            exceptions += bool(at.exception)
            leaks += bool(server_leaks(sent(at)))
    tally("live page links", len(SEEDS) * 3, exceptions, leaks)
    assert (exceptions, leaks) == (0, 0)
    assert board(at) is not None and at.selectbox(key="live_assignment").value == "practice"


def test_one_snapshot_serves_every_view_for_a_second(tmp_path, monkeypatch):
    """app/live_view.shared_snapshot: views of the same exercise refreshing within SHARED_S share one
    snapshot (one pair of queries); after it, or for another exercise or gradebook, the counts are read again."""
    from app import live_view
    from exercises.store import Store
    from tests.test_live import CLASS

    now = [1000.0]
    monkeypatch.setattr(live_view, "_clock", lambda: now[0])
    store, other = Store(f"sqlite:///{tmp_path / 'a.sqlite3'}"), Store(f"sqlite:///{tmp_path / 'b.sqlite3'}")
    first = live_view.shared_snapshot(store, CLASS, 0)
    assert first.submitted == 0
    ex = practice.exercise("sam", CLASS, 0)
    submission.submit(store, "sam", CLASS, 0, practice.solution(ex, None).answer)
    now[0] += live_view.SHARED_S / 2
    assert live_view.shared_snapshot(store, CLASS, 0) is first  # another view, a moment later: the same one
    assert live_view.shared_snapshot(store, CLASS, 1).submitted == 0  # another exercise: its own
    assert live_view.shared_snapshot(other, CLASS, 0).submitted == 0  # another gradebook: its own
    now[0] += live_view.SHARED_S
    fresh = live_view.shared_snapshot(store, CLASS, 0)
    assert fresh is not first and (fresh.submitted, fresh.solved) == (1, 1)
    store.close()
    other.close()
