"""Typed sentences checked before a model sees them: a message that says what to type, never a traceback.

    check_sentence(text)   strip; refuse empty or blank text; cut a very long paste to max_chars (and say so)
    split_sentences(text)  one sentence per line, blank lines dropped, at most max_sentences
    find_masks(text)       where the [MASK]s are; refuse none or too many; accept [mask] and say so;
                           warn about a [MASK] glued inside a word ("un[MASK]able")
    unknown_tokens(tokens) how many tokens came out as [UNK] (emoji, rare scripts), and unknown_notice()

Emoji and other scripts are valid text and pass through: the tokenizer turns what its vocabulary
lacks into [UNK], and unknown_notice() says how many. Markup such as <script> passes through unchanged
too: these messages and texts are plain text, and escaping them is the page's job.

Plain Python, no torch: any page (and any exercise) may import it.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from core.errors import UserError

MAX_CHARS = 2000   # a sentence page keeps this many characters of a paste
MAX_MASKS = 8      # the masked-LM page predicts at most this many [MASK]s at once
MAX_SENTENCES = 12  # the similarity page compares at most this many sentences
MASK_TOKEN = "[MASK]"
EXAMPLE_MASKED = "The cat [MASK] on the mat."


class InputError(UserError):
    """Text that cannot be used. The message says what is wrong and what to type instead."""


@dataclass(frozen=True)
class CheckedText:
    text: str                  # stripped and, if it was too long, cut: what the model gets
    original_chars: int        # characters typed, before stripping
    truncated: bool            # True: only the first max_chars characters are used
    notices: tuple[str, ...]   # plain-text messages to show beside the result (e.g. the truncation)


@dataclass(frozen=True)
class MaskSearch:
    text: str                      # the text with every mask spelled as the tokenizer's mask token
    spans: tuple[tuple[int, int], ...]  # (start, end) of each mask in text, in reading order
    glued: tuple[int, ...]         # 1-based numbers of masks with letters or digits right beside them
    notices: tuple[str, ...]       # plain-text messages: normalised spellings, glued masks

    @property
    def count(self) -> int:
        return len(self.spans)


def _visible(ch: str) -> bool:
    """A character that is neither blank nor a control/format/unassigned code point."""
    return not ch.isspace() and unicodedata.category(ch)[0] != "C"


def _shorten(text: str, width: int = 40) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def _subject(what: str) -> str:
    """'The sentence', but 'Sentence 2' for a numbered one."""
    return what[:1].upper() + what[1:] if any(ch.isdigit() for ch in what) else f"The {what}"


def check_sentence(text: str | None, *, max_chars: int = MAX_CHARS, what: str = "sentence") -> CheckedText:
    """The text to use, or InputError with a message that says what to type.

    Leading and trailing blanks are removed. A text longer than max_chars is cut there (at the last
    space in the final fifth, so no word is split when one can be avoided); truncated and a notice say so."""
    if text is None:
        text = ""
    if not isinstance(text, str):
        raise InputError(f"{_subject(what)} must be text; got {type(text).__name__}.")
    original = len(text)
    stripped = text.strip()
    if not text:
        raise InputError(f"{_subject(what)} is empty. Type a {what}, e.g. 'The cat sat on the mat.'")
    if not any(_visible(ch) for ch in stripped):
        raise InputError(f"{_subject(what)} has only spaces (or other invisible characters) in it. "
                         f"Type some words, e.g. 'The cat sat on the mat.'")
    notices = []
    truncated = len(stripped) > max_chars
    if truncated:
        cut = stripped[:max_chars]
        space = cut.rfind(" ")
        if space >= max_chars * 0.8:
            cut = cut[:space]
        cut = cut.rstrip()
        notices.append(f"{_subject(what)} has {len(stripped):,} characters; only the first {len(cut):,} are used "
                       f"(up to '…{cut[-30:]}'). Shorten it to see all of it.")
        stripped = cut
    return CheckedText(text=stripped, original_chars=original, truncated=truncated, notices=tuple(notices))


def split_sentences(text: str | None, *, max_sentences: int = MAX_SENTENCES,
                    max_chars: int = MAX_CHARS) -> tuple[list[str], tuple[str, ...]]:
    """One sentence per line of text: (sentences, notices). Blank lines are dropped; each line is
    checked (and cut) like check_sentence; lines after max_sentences are left out with a notice.
    InputError when no line has text."""
    if text is None or not isinstance(text, str) or not any(_visible(ch) for ch in text):
        raise InputError("There are no sentences. Type one sentence per line, e.g.\n"
                         "The cat sat on the mat.\nA dog lay on the rug.")
    lines = [line for line in text.splitlines() if any(_visible(ch) for ch in line)]
    notices: list[str] = []
    if len(lines) > max_sentences:
        notices.append(f"There are {len(lines)} sentences; only the first {max_sentences} are compared.")
        lines = lines[:max_sentences]
    sentences = []
    for number, line in enumerate(lines, start=1):
        checked = check_sentence(line, max_chars=max_chars, what=f"sentence {number}")
        sentences.append(checked.text)
        notices += checked.notices
    return sentences, tuple(notices)


# ---------------------------------------------------------------------------------------------
# [MASK]


def _is_cjk(ch: str) -> bool:
    """CJK ideographs: BERT's tokenizer splits them one per token, so a mask between two of them
    is a whole token, not glued inside a word (the ranges of BERT's _is_chinese_char)."""
    cp = ord(ch)
    return (0x4E00 <= cp <= 0x9FFF or 0x3400 <= cp <= 0x4DBF or 0x20000 <= cp <= 0x2A6DF
            or 0x2A700 <= cp <= 0x2B73F or 0x2B740 <= cp <= 0x2B81F or 0x2B820 <= cp <= 0x2CEAF
            or 0xF900 <= cp <= 0xFAFF or 0x2F800 <= cp <= 0x2FA1F)


def _glued(ch: str) -> bool:
    return ch.isalnum() and not _is_cjk(ch)


def find_masks(text: str, mask_token: str = MASK_TOKEN, *, max_masks: int = MAX_MASKS) -> MaskSearch:
    """Find the masks in text (already checked by check_sentence), or InputError.

    [MASK], [mask], <mask> and the tokenizer's own mask_token are all read as a mask, in any
    letter case; each is rewritten as mask_token (the tokenizer recognises only its exact spelling),
    with a notice when the spelling changed. No mask, or more than max_masks, is an InputError.
    A mask with a letter or digit right beside it ("un[MASK]able") stays, with a notice: the
    tokenizer cuts it out as a token of its own, so the model predicts one whole word piece there."""
    spellings = sorted({mask_token, MASK_TOKEN, "<mask>"}, key=len, reverse=True)
    pattern = re.compile("|".join(re.escape(s) for s in spellings), re.IGNORECASE)
    found = list(pattern.finditer(text))
    if not found:
        raise InputError(f"There is no {mask_token} in the sentence. Add {mask_token} where a word should be "
                         f"predicted, e.g. '{EXAMPLE_MASKED.replace(MASK_TOKEN, mask_token)}'")
    if len(found) > max_masks:
        raise InputError(f"The sentence has {len(found)} masks; at most {max_masks} are predicted at once. "
                         f"Replace some {mask_token} with the words they stand for.")
    notices, spans, glued, parts, end = [], [], [], [], 0
    respelled = sorted({m.group(0) for m in found if m.group(0) != mask_token})
    if respelled:
        notices.append(f"Read {', '.join(repr(s) for s in respelled)} as the mask token {mask_token}: the "
                       f"tokenizer only knows it spelled exactly that way.")
    for number, m in enumerate(found, start=1):
        parts.append(text[end:m.start()])
        start = sum(len(p) for p in parts)
        parts.append(mask_token)
        spans.append((start, start + len(mask_token)))
        before = text[m.start() - 1] if m.start() > 0 else ""
        after = text[m.end()] if m.end() < len(text) else ""
        if (before and _glued(before)) or (after and _glued(after)):
            glued.append(number)
            word_start = m.start()
            while word_start > 0 and _glued(text[word_start - 1]):
                word_start -= 1
            word_end = m.end()
            while word_end < len(text) and _glued(text[word_end]):
                word_end += 1
            left, right = text[word_start:m.start()], text[m.end():word_end]
            pieces = " ".join(p for p in (left, mask_token, right) if p)
            notices.append(
                f"Mask {number} is glued to the letters beside it ('{_shorten(left + mask_token + right)}'). "
                f"The tokenizer cuts {mask_token} out as a token of its own, so the model reads '{pieces}' and "
                f"predicts one whole word piece for the gap, not the missing part of one word. "
                f"To predict a word, put spaces around {mask_token}.")
        end = m.end()
    parts.append(text[end:])
    return MaskSearch(text="".join(parts), spans=tuple(spans), glued=tuple(glued), notices=tuple(notices))


# ---------------------------------------------------------------------------------------------
# [UNK]


def unknown_tokens(tokens, unk_token: str = "[UNK]") -> int:
    """How many of the tokens are the unknown token."""
    return sum(1 for t in tokens if t == unk_token)


def unknown_notice(tokens, unk_token: str = "[UNK]") -> str | None:
    """A plain-text notice when some tokens are unknown, else None."""
    n = unknown_tokens(tokens, unk_token)
    if not n:
        return None
    which = "1 token is" if n == 1 else f"{n} tokens are"
    return (f"{which} {unk_token} (of {len(tokens)}): the vocabulary has no word piece for some characters, "
            f"often emoji or rare scripts, so the model sees each of them as the same unknown token.")
