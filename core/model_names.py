"""Which models a server may load, and what a typed model name points to. No torch here: the pages
check a name before core.models (and torch) is imported.

A class server must not let the model box probe its files (any readable folder loading as a model,
'/etc/shadow' answering "is a file", '~' or a relative name showing where the app lives). So the
server loads only what a setting allows; by default

    bundled:all-MiniLM-L6-v2                      the bundled model
    bert-base-uncased, distilbert-base-uncased    the hub ids the pages name (with their org/ forms)
    ./models                                      any folder under models/ next to the app

The setting (ATTENTION_LAB_MODELS, else the `models` key of .streamlit/secrets.toml) replaces that list:
entries separated by commas or new lines, each `bundled:...`, a hub id, a folder (starting with '/' for an
absolute path or './' for one relative to the app's folder; it allows the folder and every folder under
it) or `*` for anything: any hub id and any folder the app's user can read, as before. `*` is for a
self-learner running the app on their own computer; it is never the default, because the same app on
a shared server would then show its files to everybody.

Anything else is refused with one message that does not depend on the name or on the server's files.
Names are checked for length and characters before any of them touches the file system; a folder
name is resolved lexically first (so '..' cannot climb out) and then with its links followed (so a link
in models/ cannot point out of it).
"""

from __future__ import annotations

import os
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from core.errors import UserError

APP_FOLDER = Path(__file__).resolve().parent.parent
BUNDLED = "bundled:all-MiniLM-L6-v2"
BUNDLED_PREFIX = "bundled:"
OFFERED_HUB_IDS = ("bert-base-uncased", "google-bert/bert-base-uncased", "distilbert-base-uncased",
                   "distilbert/distilbert-base-uncased")
DEFAULT_SETTING = ", ".join((BUNDLED,) + OFFERED_HUB_IDS + ("./models",))
SETTING = "ATTENTION_LAB_MODELS"
MAX_NAME = 200  # hub ids are at most 96 characters; a folder name longer than this is a paste gone wrong
HUB_ID = re.compile(r"^[A-Za-z0-9][\w.-]*(/[\w.-]+)?$")


class ModelLoadError(UserError):
    """A model could not be loaded. The message names the model, the reason and the fix."""


@dataclass(frozen=True)
class ModelRef:
    """A model name, checked: what to load and how."""

    name: str    # as typed, what messages show
    kind: str    # "bundled", "hub" or "folder"
    source: str  # the bundled name, the hub id, or the folder's absolute path


@dataclass(frozen=True)
class Policy:
    anything: bool                # '*': every hub id and readable folder
    names: frozenset[str]         # bundled names and hub ids allowed exactly
    folders: tuple[Path, ...]     # allowed folders (absolute, normalized), each with everything under it
    shown: str                    # the allowed list, as a refusal shows it

    def refusal(self) -> ModelLoadError:
        return ModelLoadError(f"This server does not offer that model. Fix: pick one of {self.shown}, or ask "
                              f"the instructor to add it to the server's {SETTING} setting.")


def policy(setting: str | None = None, app_folder: Path = APP_FOLDER) -> Policy:
    """The allowed models from the setting's text (None or blank: the default list)."""
    entries = [e.strip() for e in re.split(r"[,\n]", setting or "") if e.strip()] or \
        [e.strip() for e in DEFAULT_SETTING.split(",")]
    names, folders, shown = set(), [], []
    for entry in entries:
        if entry == "*":
            return Policy(True, frozenset(), (), "any hub id or folder")
        if entry.startswith(("/", "./")):
            folder = Path(os.path.normpath(app_folder / entry))
            folders.append(folder)
            inside = folder.is_relative_to(app_folder) and folder != app_folder
            shown.append(f"a folder under {folder.relative_to(app_folder)}/" if inside else f"a folder under {entry}")
        else:
            names.add(entry)
            shown.append(entry)
    return Policy(False, frozenset(names), tuple(folders), ", ".join(shown) or "none")


ANYTHING = Policy(True, frozenset(), (), "any hub id or folder")


def _check_text(name: str) -> str:
    name = str(name).strip()
    if not name:
        raise ModelLoadError(f"No model named. Fix: give a hub id, a folder, or {BUNDLED}.")
    if len(name) > MAX_NAME:
        raise ModelLoadError(f"That model name is {len(name):,} characters long; names have at most {MAX_NAME}. "
                             f"Fix: type a hub id such as bert-base-uncased, a folder, or {BUNDLED}.")
    if any(unicodedata.category(c)[0] == "C" for c in name):  # NUL, other control, format and surrogates
        raise ModelLoadError("That model name contains a control character (such as NUL) or an invisible one. "
                             "Fix: retype the name using letters, digits, '-', '_', '.' and '/'.")
    return name


def _looks_like_path(name: str) -> bool:
    return (name.startswith(("/", "./", "../", "~", ".\\")) or "\\" in name or name.count("/") > 1
            or name in {".", ".."} or not HUB_ID.match(name))


def _inside(path: Path, folders: tuple[Path, ...]) -> bool:
    return any(path == f or path.is_relative_to(f) for f in folders)


def resolve(name: str, allowed: Policy = ANYTHING, app_folder: Path = APP_FOLDER) -> ModelRef:
    """What `name` points to, if `allowed` lets this server load it; else ModelLoadError (the same
    message for every refused name, whether or not such a file exists)."""
    name = _check_text(name)
    if name.startswith(BUNDLED_PREFIX):
        if allowed.anything or name in allowed.names:
            return ModelRef(name, "bundled", name)
        raise allowed.refusal()
    if allowed.anything:
        if Path(name).expanduser().exists() or _looks_like_path(name):
            return ModelRef(name, "folder", str(Path(name).expanduser().absolute()))
        return ModelRef(name, "hub", name)
    if name in allowed.names and HUB_ID.match(name):
        return ModelRef(name, "hub", name)
    if name.startswith("~") or "\\" in name or not allowed.folders:
        raise allowed.refusal()
    lexical = Path(os.path.normpath(app_folder / name))  # '..' folded away before any file is looked at
    if not _inside(lexical, allowed.folders):
        raise allowed.refusal()
    real = Path(os.path.realpath(lexical))  # links followed: one that leads out of the folders is refused
    if not _inside(real, tuple(Path(os.path.realpath(f)) for f in allowed.folders)):
        raise allowed.refusal()
    return ModelRef(name, "folder", str(real))


_ABSOLUTE = re.compile(r"(?<![\w.~-])/(?:[\w.@+~-]+/)*[\w.@+~-]+/?")


def scrub(message: str, ref: ModelRef | None = None) -> str:
    """A message with the server's paths taken out: the model's own folder becomes the name as typed,
    any other absolute path '…'."""
    if ref is not None and ref.kind == "folder":
        message = message.replace(ref.source, ref.name)
    for path in (str(APP_FOLDER), str(Path.home())):
        message = message.replace(path, "…")
    return _ABSOLUTE.sub("…", message)
