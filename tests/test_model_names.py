"""Which models a server may load (core/model_names.py): the issue's probes are refused with one message
that says nothing about the server's files; names are checked before they touch the file system."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from core import model_names
from core.model_names import ANYTHING, BUNDLED, ModelLoadError, ModelRef, policy, resolve, scrub

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture
def app(tmp_path):
    """An app folder with models/ holding one model folder, a link out of it, and a file beside it."""
    (tmp_path / "models" / "tiny").mkdir(parents=True)
    (tmp_path / "models" / "tiny" / "config.json").write_text("{}")
    (tmp_path / "models" / "out").symlink_to("/root")
    (tmp_path / "models" / "etc").symlink_to("/etc")
    (tmp_path / "secret").mkdir()
    (tmp_path / "models" / "sneaky").symlink_to(tmp_path / "secret")
    return tmp_path


def refusal_for(name, app_folder, setting=None) -> str:
    with pytest.raises(ModelLoadError) as err:
        resolve(name, policy(setting, app_folder), app_folder)
    return str(err.value)


PROBES = ["/etc/shadow", "/etc/passwd", "/root", "/root/", "~", "~/", "~root", "/", ".", "..", "app", "core",
          "./app", "../", "../../etc/passwd", "models/../../../../etc/shadow", "models/../app",
          "./models/../core", "models/out", "models/out/.bashrc", "models/etc/shadow", "models/sneaky",
          "gpt2", "openai-community/gpt2", "bundled:gpt-5", "bundled:", "C:\\Windows", "models\\tiny",
          "/proc/self/environ", "/dev/zero", "file:///etc/shadow", "http://example.com/x", "%2e%2e/etc"]


@pytest.mark.parametrize("name", PROBES)
def test_the_probes_get_one_message_that_reveals_nothing(app, name):
    message = refusal_for(name, app)
    assert message == refusal_for("no-such-model-anywhere", app)  # the same, whether or not the path exists
    assert message.startswith("This server does not offer that model. Fix: pick one of " + BUNDLED)
    for leak in (str(app), str(REPO), str(Path.home()), "/root", "shadow", "/etc", "secret"):
        assert leak not in message


@pytest.mark.parametrize("name, words", [("x" * 10_000, "10,000 characters long"), ("bert\x00base", "control character"),
                                         ("\x00", "control character"), ("models/tiny\n", None),
                                         ("bert\u200bbase", "control character"), ("  ", "No model named"),
                                         ("a\ud800", "control character")])
def test_length_and_characters_are_checked_first(app, name, words, monkeypatch):
    monkeypatch.setattr(model_names.os.path, "realpath", lambda p: pytest.fail("touched the file system"))
    monkeypatch.setattr(model_names.Path, "exists", lambda p: pytest.fail("touched the file system"))
    if words is None:  # spaces and new lines around a name are trimmed; it is then checked as usual
        with pytest.raises(BaseException, match="touched the file system"):
            resolve(name, policy(None, app), app)
        return
    with pytest.raises(ModelLoadError, match=words) as err:
        resolve(name, policy(None, app), app)
    assert len(str(err.value)) < 300
    with pytest.raises(ModelLoadError, match=words):  # with '*' too: no OSError, no ValueError
        resolve(name, ANYTHING)


@pytest.mark.parametrize("name, kind", [(BUNDLED, "bundled"), ("bert-base-uncased", "hub"),
                                        ("google-bert/bert-base-uncased", "hub"), ("distilbert-base-uncased", "hub")])
def test_the_default_list_offers_the_bundled_model_and_the_pages_hub_ids(app, name, kind):
    assert resolve(name, policy(None, app), app) == ModelRef(name, kind, name)


@pytest.mark.parametrize("name", ["models/tiny", "./models/tiny", "models/tiny/", "models/./tiny", "models/missing",
                                  "models"])
def test_folders_under_models_are_allowed(app, name):
    ref = resolve(name, policy(None, app), app)
    assert ref.kind == "folder" and ref.name == name
    assert Path(ref.source).is_relative_to(app / "models")


def test_a_link_inside_models_to_another_folder_inside_is_followed(app):
    (app / "models" / "alias").symlink_to(app / "models" / "tiny")
    assert resolve("models/alias", policy(None, app), app).source == str(app / "models" / "tiny")


def test_the_setting_replaces_the_list(app, tmp_path_factory):
    elsewhere = tmp_path_factory.mktemp("shared")
    (elsewhere / "bert").mkdir()
    setting = f"bert-base-uncased,\n{elsewhere}, ./models/tiny"
    allowed = policy(setting, app)
    assert resolve("bert-base-uncased", allowed, app).kind == "hub"
    assert resolve(f"{elsewhere}/bert", allowed, app).source == str(elsewhere / "bert")
    assert resolve("models/tiny", allowed, app).kind == "folder"
    for name in (BUNDLED, "distilbert-base-uncased", "models/out", "models"):
        assert refusal_for(name, app, setting).startswith("This server does not offer that model")
    assert "a folder under models/tiny/" in refusal_for("x", app, setting)


def test_star_allows_anything_as_before(tmp_path):
    (tmp_path / "m").mkdir()
    allowed = policy("*")
    assert resolve(str(tmp_path / "m"), allowed).source == str(tmp_path / "m")
    assert resolve("~", allowed).source == str(Path.home())
    assert resolve("gpt2", allowed).kind == "hub" and resolve("bundled:x", allowed).kind == "bundled"


def test_an_empty_setting_is_the_default_list(app):
    assert policy("", app) == policy(None, app) == policy(" , \n", app)


def test_scrub_takes_paths_out_of_messages(app):
    ref = ModelRef("models/tiny", "folder", str(app / "models" / "tiny"))
    message = (f"Model 'models/tiny': cannot read {app}/models/tiny/config.json; see /usr/lib/python3/x.py "
               f"and {Path.home()}/.cache, 1/2 of google-bert/bert-base-uncased")
    out = scrub(message, ref)
    assert str(app) not in out and "/usr" not in out and str(Path.home()) not in out
    assert "models/tiny/config.json" in out and "1/2 of google-bert/bert-base-uncased" in out


@given(st.text(max_size=300))
def test_fuzz_any_typed_name_resolves_inside_or_is_refused(name):
    try:
        ref = resolve(name, policy(None, REPO), REPO)
    except ModelLoadError as err:
        assert "Fix:" in str(err) and str(REPO) not in str(err)
    else:
        assert ref.kind in ("bundled", "hub") or Path(ref.source).is_relative_to(REPO / "models")
        assert ref.kind != "hub" or ref.name in model_names.OFFERED_HUB_IDS


def test_resolving_never_opens_a_file(app, monkeypatch):
    opened = []
    real_open = os.open
    monkeypatch.setattr(os, "open", lambda *a, **k: opened.append(a) or real_open(*a, **k))
    for name in PROBES:
        try:
            resolve(name, policy(None, app), app)
        except ModelLoadError:
            pass
    assert opened == []
