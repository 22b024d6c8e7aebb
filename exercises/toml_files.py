"""Reading one TOML file an instructor wrote, safely: a file that is not a regular file, too big, not
UTF-8, starts with a byte-order mark, nests too deeply or is not valid TOML is refused with a message
that names the file, says what is wrong and how to fix it. Never blocks and never raises anything else.

A named pipe is never opened (it would block until someone writes to it): the file is checked with
os.stat first, then opened with O_NONBLOCK and checked again on the open descriptor, so a file swapped
for a pipe or a device between the two checks is refused too, without a read.
"""

from __future__ import annotations

import os
import stat
import tomllib
from pathlib import Path

from core.errors import UserError

MAX_BYTES = 1_000_000
MAX_DEPTH = 16  # arrays and inline tables inside one another; assignments need 0
_BOM = b"\xef\xbb\xbf"
_SAVE_UTF8 = ("Fix: save it as UTF-8 (in most editors: Save As, or the encoding shown in the status bar, "
              "then 'UTF-8', not 'UTF-8 with BOM').")


class TomlFileError(UserError):
    """A file that cannot be read as TOML; str(error) starts with the file's name."""


def _kind(mode: int) -> str | None:
    """What a file that is not a regular file is, in words (None for a regular file)."""
    if stat.S_ISREG(mode):
        return None
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISFIFO(mode):
        return "a named pipe"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not a regular file"


def _not_regular(name: str, kind: str) -> TomlFileError:
    return TomlFileError(f"{name}: is {kind}, not a text file, so it was not read. "
                         f"Fix: remove it from the assignments folder, or replace it by a plain .toml text file.")


def read_bytes(path: Path, folder: Path | None = None, limit: int = MAX_BYTES) -> bytes:
    """The bytes of a regular file of at most `limit` bytes. A symbolic link is followed only when it
    points to a regular file inside `folder` (when given)."""
    name = path.name
    try:
        if folder is not None and path.is_symlink():
            target = Path(os.path.realpath(path))
            if not target.is_relative_to(Path(os.path.realpath(folder))):
                raise TomlFileError(
                    f"{name}: is a link to a file outside the assignments folder, so it was not read. "
                    "Fix: copy the file itself into the folder instead of linking to it.")
        kind = _kind(os.stat(path).st_mode)
        if kind:
            raise _not_regular(name, kind)
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOCTTY", 0))
    except OSError as e:
        raise TomlFileError(f"{name}: cannot be opened ({e.strerror or type(e).__name__}). "
                            "Fix: check that the file exists and the app's user may read it.") from None
    try:
        info = os.fstat(fd)
        kind = _kind(info.st_mode)
        if kind:  # swapped for something else after the first check
            raise _not_regular(name, kind)
        if info.st_size > limit:
            raise _too_big(name, info.st_size, limit)
        with os.fdopen(fd, "rb", closefd=False) as f:
            data = f.read(limit + 1)
    except OSError as e:
        raise TomlFileError(f"{name}: cannot be read ({e.strerror or type(e).__name__}). "
                            "Fix: check that the app's user may read it.") from None
    finally:
        os.close(fd)
    if len(data) > limit:
        raise _too_big(name, len(data), limit)
    return data


def _too_big(name: str, size: int, limit: int) -> TomlFileError:
    return TomlFileError(f"{name}: is {size:,} bytes or more; an assignment file may have at most {limit:,}. "
                         "Fix: split it into several files, or remove what is not an assignment.")


def decode(data: bytes, name: str) -> str:
    """UTF-8 text without a byte-order mark."""
    if data.startswith(_BOM):
        raise TomlFileError(f"{name}: starts with a byte-order mark (BOM), which TOML does not allow. " + _SAVE_UTF8)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as e:
        line = data[:e.start].count(b"\n") + 1
        raise TomlFileError(f"{name}: is not UTF-8 text (line {line} has the byte 0x{data[e.start]:02X}, which "
                            "UTF-8 does not allow; the file was probably saved as Latin-1 or Windows-1252). "
                            + _SAVE_UTF8) from None


def nesting(text: str) -> int:
    """How deeply arrays and inline tables nest, brackets inside strings and comments not counted."""
    depth = deepest = 0
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if c == "#":
            i = text.find("\n", i)
            i = n if i < 0 else i
        elif c in "\"'":
            quote = c * 3 if text.startswith(c * 3, i) else c
            j = i + len(quote)
            while j < n and not text.startswith(quote, j) and not (len(quote) == 1 and text[j] == "\n"):
                j += 2 if c == '"' and text[j] == "\\" else 1
            i = j + len(quote) - 1
        elif c in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif c in "]}":
            depth = max(depth - 1, 0)
        i += 1
    return deepest


def loads(text: str, name: str) -> dict:
    """TOML text as a dict, or TomlFileError saying where it is wrong."""
    if nesting(text) > MAX_DEPTH:
        raise TomlFileError(f"{name}: has arrays or tables nested more than {MAX_DEPTH} deep. Fix: an assignment "
                            "needs no nesting: write each exercise as an [[exercise]] table with plain values.")
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        raise TomlFileError(f"{name}: not valid TOML ({e}). Fix: correct that line; "
                            "text values need quotes, e.g. family = \"softmax_row\".") from None
    except RecursionError:
        raise TomlFileError(f"{name}: is nested too deeply to read. Fix: an assignment needs no nesting.") from None


def read(path: Path, folder: Path | None = None) -> dict:
    """One TOML file as a dict; TomlFileError for anything that keeps it from being read."""
    return loads(decode(read_bytes(path, folder), path.name), path.name)
