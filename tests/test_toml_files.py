"""Reading an instructor's TOML file safely (exercises/toml_files.py): every kind of bad file is refused
with a message naming the file, what is wrong and how to fix it; nothing blocks or raises anything else."""

from __future__ import annotations

import os
import threading

import pytest

from exercises import toml_files
from exercises.toml_files import MAX_BYTES, TomlFileError, nesting

GOOD = b'title = "Week 1"\n[[exercise]]\nfamily = "softmax_row"\n'


def refused(path, folder=None) -> str:
    with pytest.raises(TomlFileError) as err:
        toml_files.read(path, folder)
    message = str(err.value)
    assert message.startswith(path.name + ":") and "Fix:" in message
    return message


def test_a_good_file_reads():
    assert toml_files.loads(GOOD.decode(), "a.toml")["exercise"] == [{"family": "softmax_row"}]


def test_a_named_pipe_is_never_opened(tmp_path):
    pipe = tmp_path / "x.toml"
    os.mkfifo(pipe)
    out: list[str] = []
    reader = threading.Thread(target=lambda: out.append(refused(pipe, tmp_path)), daemon=True)
    reader.start()
    reader.join(timeout=10)
    assert not reader.is_alive(), "reading a named pipe blocked"
    assert "named pipe" in out[0]


@pytest.mark.parametrize("make, words", [
    (lambda p: p.mkdir(), "is a folder"),
    (lambda p: p.symlink_to("/dev/zero"), "outside the assignments folder"),
    (lambda p: p.symlink_to("/etc/hostname"), "outside the assignments folder"),
    (lambda p: p.write_bytes(b"#" * (MAX_BYTES + 1)), "at most 1,000,000"),
    (lambda p: p.write_bytes(b"\xef\xbb\xbf" + GOOD), "byte-order mark"),
    (lambda p: p.write_bytes(b'title = "Caf\xe9"\n'), "not UTF-8 text (line 1 has the byte 0xE9"),
    (lambda p: p.write_text("x = " + "[" * 5000 + "]" * 5000), "nested more than 16 deep"),
    (lambda p: p.write_text("x = " + "{a = " * 3000 + "1" + "}" * 3000), "nested more than 16 deep"),
    (lambda p: p.write_text("title = "), "not valid TOML"),
])
def test_bad_files_are_refused_with_what_to_fix(tmp_path, make, words):
    path = tmp_path / "x.toml"
    make(path)
    assert words in refused(path, tmp_path)


def test_a_device_is_refused_without_a_read(tmp_path):
    assert "is a device" in refused(type(tmp_path)("/dev/zero"))


def test_a_link_inside_the_folder_is_followed(tmp_path):
    (tmp_path / "real.toml").write_bytes(GOOD)
    (tmp_path / "link.toml").symlink_to(tmp_path / "real.toml")
    assert toml_files.read(tmp_path / "link.toml", tmp_path)["title"] == "Week 1"


def test_a_broken_link_and_an_unreadable_file(tmp_path):
    (tmp_path / "gone.toml").symlink_to(tmp_path / "nowhere.toml")
    assert "cannot be opened" in refused(tmp_path / "gone.toml", tmp_path)
    locked = tmp_path / "locked.toml"
    locked.write_bytes(GOOD)
    locked.chmod(0)
    if os.access(locked, os.R_OK):  # root reads anything
        pytest.skip("running as root")
    assert "may read it" in refused(locked, tmp_path)


def test_exactly_the_limit_is_fine(tmp_path):
    path = tmp_path / "big.toml"
    path.write_bytes(b"#" * MAX_BYTES)
    assert toml_files.read(path, tmp_path) == {}


@pytest.mark.parametrize("text, depth", [
    ('a = "[[[[" # ]]]]', 0),
    ("a = '{{{'", 0),
    ('a = """\n[[[\n"""', 0),
    (r'a = "\"[["', 0),
    ("[[exercise]]\nfamily = 'x'", 2),
    ("a = [[1], [2, [3]]]", 3),
    ("a = {b = {c = [1]}}", 3),
])
def test_nesting_ignores_brackets_in_strings_and_comments(text, depth):
    assert nesting(text) == depth


def test_a_file_swapped_for_a_pipe_after_the_check_is_not_read(tmp_path, monkeypatch):
    """The race: os.stat saw a regular file, then the name became a pipe. O_NONBLOCK opens it at once and
    the check on the open descriptor refuses it, without a read that would block."""
    regular = tmp_path / "regular"
    regular.write_bytes(GOOD)
    pipe = tmp_path / "x.toml"
    os.mkfifo(pipe)
    real_stat = os.stat
    monkeypatch.setattr(toml_files.os, "stat", lambda p, *a, **k: real_stat(regular) if p == pipe else real_stat(p))
    out: list[str] = []
    reader = threading.Thread(target=lambda: out.append(refused(pipe, tmp_path)), daemon=True)
    reader.start()
    reader.join(timeout=10)
    assert not reader.is_alive() and "named pipe" in out[0]
