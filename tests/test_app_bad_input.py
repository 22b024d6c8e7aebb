"""AppTest: bad input on pages 1-5 (URL parameters, numbers too large for a step, model names) shows a
message and the defaults, never an exception, and nothing the page shows names the server's files."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from core.examples import ice1
from core.matrix_text import format_matrix
from core.model_names import DEFAULT_SETTING
from tests.apptest import open_page, texts
from tests.test_app_exercises import env, open_dashboard, sign_in  # noqa: F401 (env is a fixture)

REPO = Path(__file__).resolve().parents[1]
KINDS = ("title", "markdown", "caption", "error", "warning", "info", "success", "exception", "subheader", "code",
         "text", "latex", "header", "json", "table", "dataframe")  # what the page writes, not what was typed
SERVER_PATHS = [str(REPO), str(Path.home()), sys.prefix, "/root", "shadow", "/etc", "site-packages", "Traceback"]


def everything(at: AppTest) -> str:
    """Every text and table the page writes (the typed values of inputs left out)."""
    out = []
    for kind in KINDS:
        for e in getattr(at, kind):
            out.append(str(getattr(e, "value", "")))
            out.append(str(getattr(e, "label", "")))
    return " ".join(out)


def assert_safe(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]
    shown = everything(at)
    leaks = [p for p in SERVER_PATHS if p and p != "/" and p in shown]
    assert not leaks, leaks


# --- ?seed= and ?present= on pages 1, 2 and 4 ----------------------------------------------------

BAD_SEEDS = ["-1", "1000000", "9" * 5000, "abc", "", "1.5", "١٢٣", "１２", "4\x00", "<b>x</b>", "../x"]


@pytest.mark.parametrize("seed", BAD_SEEDS)
def test_page1_bad_seed_shows_a_message_and_the_lecture_example(seed):
    at = open_page("app/self_attention.py", seed=seed)
    assert_safe(at)
    assert "is not a whole number from 0 to 999,999" in texts(at.warning)
    assert at.number_input(key="sa_seed").value == 0
    assert at.text_area[0].value == format_matrix(ice1()["X"])
    assert "seed" not in at.query_params


def test_page1_seed_box_shows_the_seed_the_matrices_come_from():
    at = open_page("app/self_attention.py", seed="999999")
    assert_safe(at)
    assert at.number_input(key="sa_seed").value == 999_999 and not at.warning
    again = open_page("app/self_attention.py")
    again.number_input(key="sa_seed").set_value(999_999).run()
    again.button[[b.label for b in again.button].index("Load seed")].click().run()
    assert [t.value for t in again.text_area] == [t.value for t in at.text_area]


def test_page1_repeated_seed():
    at = AppTest.from_file(str(REPO / "streamlit_app.py"), default_timeout=120)
    at.query_params["seed"] = ["3", "4"]
    at.run()
    at.switch_page("app/self_attention.py").run()
    assert_safe(at)
    assert "seed 2 times with different values" in texts(at.warning)


@pytest.mark.parametrize("seed", ["-1", "1000000", "x"])
def test_page2_bad_seed_uses_seed_0(seed):
    at = open_page("app/multi_head.py", seed=seed)
    assert_safe(at)
    assert "is not a whole number" in texts(at.warning) and at.number_input(key="mh_seed").value == 0
    assert at.subheader  # the walk-through is drawn


def test_page4_bad_seed_uses_the_pages_default(offline):
    at = open_page("app/masked_lm.py", timeout=240, seed="-5")
    assert_safe(at)
    assert "is not a whole number" in texts(at.warning) and at.number_input(key="mlm_seed").value == 2


@pytest.mark.parametrize("present", ["maybe", "2", "x" * 3000])
def test_bad_present_flag_is_off_with_a_message(present):
    at = open_page(present=present)  # the first page opened says so, once
    assert_safe(at)
    assert "neither on nor off" in texts(at.warning) and not at.sidebar.toggle[0].value
    at.switch_page("app/self_attention.py").run()
    assert_safe(at)
    assert not at.sidebar.toggle[0].value and not at.number_input(key="sa_seed").disabled


# --- numbers too large for a step -----------------------------------------------------------------


def test_page1_overflow_names_the_step_and_shows_no_weights():
    at = open_page("app/self_attention.py")
    at.text_area[0].input("1e300 1e300 1e300 1e300\n3 -4 -7 5").run()
    assert_safe(at)
    errors = texts(at.error)
    assert "too large for the scores Q·Kᵀ" in errors and "entries of X up to about" in errors
    assert not at.subheader and "probability" not in everything(at).lower()


def test_page2_overflow_in_typed_embeddings():
    at = open_page("app/multi_head.py")
    at.segmented_control(key="mh_source").set_value("Typed").run()
    at.text_area[0].input("\n".join(["1e300 " * 8] * 4)).run()
    assert_safe(at)
    assert "too large for the scores Q·Kᵀ of head 1" in texts(at.error) and not at.subheader


# --- the model box on pages 3-5 -------------------------------------------------------------------

MODEL_PROBES = ["/etc/shadow", "/root", "~", "~/", "app", "./core", "../", "models/../../../etc/shadow", "/proc/self/environ",
                "x" * 10_000, "bert\x00base", "gpt2", "<b>x</b>"]
BOXES = [("app/real_model.py", "rm_model"), ("app/masked_lm.py", "mlm_model"), ("app/embeddings.py", "emb_model")]


@pytest.fixture
def offline(monkeypatch, tmp_path):
    """No hub; the server's list: the default one and a folder holding a link to /root."""
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    (tmp_path / "shared").mkdir()
    (tmp_path / "shared" / "out").symlink_to("/root")
    monkeypatch.setenv("ATTENTION_LAB_MODELS", f"{DEFAULT_SETTING}, {tmp_path / 'shared'}")
    return tmp_path / "shared" / "out"


@pytest.mark.parametrize("page, key", BOXES)
def test_model_box_probes_get_one_message_and_no_paths(offline, page, key):
    at = open_page(page, timeout=240)
    refusals = set()
    for name in MODEL_PROBES + [str(offline), str(offline) + "/.bashrc"]:
        at.text_input(key=key).input(name).run()
        assert_safe(at)
        error = texts(at.error)
        assert "Fix:" in error, (name, error)
        if "does not offer" in error:
            refusals.add(error)
    assert len(refusals) == 1, refusals  # every refused name, existing or not, gets the same words
    at.text_input(key=key).input("x" * 10_000).run()
    assert "10,000 characters long" in texts(at.error)
    at.text_input(key=key).input("bert\x00base").run()
    assert "control character" in texts(at.error)


def test_a_folder_under_models_that_is_missing_says_so_without_the_path(offline):
    at = open_page("app/embeddings.py", timeout=240)
    at.text_input(key="emb_model").input("models/nothing-here").run()
    assert_safe(at)
    assert "Model 'models/nothing-here': no such folder" in texts(at.error)


# --- bad assignment files: page 6 and the dashboard ----------------------------------------------


def bad_files(folder: Path) -> int:
    """One file of each bad kind beside the good ones; returns how many."""
    ex = '[[exercise]]\nfamily = "softmax_row"\n'
    (folder / "list.toml").write_text('[[exercise]]\nfamily = ["softmax_row"]')
    (folder / "table.toml").write_text("[[exercise]]\nfamily = {a = 1}")
    (folder / "variant.toml").write_text('[[exercise]]\nfamily = "attention_weights"\nvariant = ["lecture"]')
    (folder / "deep.toml").write_text("x = " + "[" * 5000 + "]" * 5000)
    (folder / "bom.toml").write_bytes(b"\xef\xbb\xbf" + ex.encode())
    (folder / "latin1.toml").write_bytes('title = "Café"\n'.encode("latin-1") + ex.encode())
    (folder / "big.toml").write_bytes(b"#" * 1_000_001)
    os.mkfifo(folder / "x.toml")
    (folder / "dir.toml").mkdir()
    (folder / "zero.toml").symlink_to("/dev/zero")
    (folder / "dup.toml").write_text('id = "practice"\n' + ex)
    return 11


@pytest.mark.usefixtures("env")
def test_bad_assignment_files_take_neither_page6_nor_the_dashboard_down():
    n = bad_files(Path(os.environ["ATTENTION_LAB_ASSIGNMENTS"]))
    at = sign_in()
    assert_safe(at)
    assert "Some assignment files could not be read" in texts(at.warning)
    assert at.text_input(key="ex_in_practice_0")  # the good assignment is there to answer
    dash = open_dashboard("s3cret")
    assert_safe(dash)
    problems = [w for w in texts(dash.warning).split("Fix:")]
    assert len(problems) - 1 == n
    for name in ("list.toml", "deep.toml", "bom.toml", "latin1.toml", "big.toml", "x.toml", "dir.toml", "zero.toml",
                 "dup.toml"):
        assert name in texts(dash.warning)


@pytest.mark.usefixtures("env")
@pytest.mark.parametrize("wanted", ["nope", "x" * 5000, "<b>x</b>", "../lecture8"])
def test_page6_unknown_assignment_in_the_link_shows_the_first_with_a_message(wanted):
    at = open_page("app/exercises_page.py", assignment=wanted)
    at.text_input[0].input("alice")
    at.button(key="FormSubmitter:signin-Sign in").click().run()
    assert_safe(at)
    assert "names an assignment that is not here" in texts(at.info)
    assert at.selectbox(key="ex_assignment").value == "practice"


def test_the_models_secret_is_the_list_when_the_variable_is_unset(monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.delenv("ATTENTION_LAB_MODELS", raising=False)
    at = AppTest.from_file(str(REPO / "streamlit_app.py"), default_timeout=240)
    at.secrets["models"] = ["bundled:all-MiniLM-L6-v2"]
    at.run()
    at.switch_page("app/embeddings.py").run()
    assert_safe(at)
    assert not at.error  # the bundled model is on the list
    at.text_input(key="emb_model").input("models/anything").run()
    assert_safe(at)
    assert "does not offer that model. Fix: pick one of bundled:all-MiniLM-L6-v2, or ask" in texts(at.error)
