"""core.text: every bad input gets a message that says what to type; hypothesis text may only ever raise
InputError; emoji, other scripts and markup pass through unchanged (escaping is the page's job)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core.text import (
    MAX_CHARS,
    MAX_MASKS,
    CheckedText,
    InputError,
    check_sentence,
    find_masks,
    split_sentences,
    unknown_notice,
    unknown_tokens,
)

SETTINGS = settings(max_examples=200, deadline=None)
SCRIPT = "<script>alert(1)</script> and </script>"


# ---------------------------------------------------------------------------------------------
# check_sentence


def test_plain_sentence_is_stripped():
    c = check_sentence("  The cat sat on the mat.\n")
    assert c == CheckedText(text="The cat sat on the mat.", original_chars=26, truncated=False, notices=())


@pytest.mark.parametrize("text", ["", None])
def test_empty_says_what_to_type(text):
    with pytest.raises(InputError, match="empty") as err:
        check_sentence(text)
    assert "e.g. 'The cat sat on the mat.'" in str(err.value)


@pytest.mark.parametrize("text", [" ", "   \t\n  ", "\u00a0\u2003", "\u200b\u200b", "\x00\x01"])
def test_only_spaces_or_invisible_characters(text):
    with pytest.raises(InputError, match="only spaces") as err:
        check_sentence(text)
    assert "Type some words" in str(err.value)


def test_what_names_the_field():
    with pytest.raises(InputError, match="The target word is empty"):
        check_sentence("", what="target word")


def test_not_text():
    with pytest.raises(InputError, match="must be text"):
        check_sentence(42)


def test_a_10000_character_paste_is_cut_visibly():
    paste = ("attention is all you need " * 400)[:10_000]
    c = check_sentence(paste)
    assert c.truncated and c.original_chars == 10_000
    assert 0.8 * MAX_CHARS <= len(c.text) <= MAX_CHARS
    assert paste.startswith(c.text) and not c.text.endswith(" ")
    assert paste[len(c.text)] == " "  # cut between words, not inside one
    assert len(c.notices) == 1 and "10,000 characters" in c.notices[0] and f"{len(c.text):,}" in c.notices[0]


def test_one_long_word_is_cut_hard():
    c = check_sentence("a" * 5000, max_chars=100)
    assert c.truncated and c.text == "a" * 100


def test_exactly_max_chars_is_not_cut():
    assert not check_sentence("b" * MAX_CHARS).truncated


@pytest.mark.parametrize("text", ["I love 🤗 and 🐈‍⬛!", "日本語の文", "Привет, мир", "مرحبا بالعالم", "naïve café"])
def test_emoji_and_other_scripts_are_kept(text):
    c = check_sentence(text)
    assert c.text == text and not c.notices


def test_script_tags_pass_through_unchanged():
    assert check_sentence(SCRIPT).text == SCRIPT
    search = find_masks(SCRIPT + " [MASK]")
    assert search.text == SCRIPT + " [MASK]"


def test_split_sentences():
    sentences, notices = split_sentences("The cat sat.\n\n   \nA dog lay.\r\n")
    assert sentences == ["The cat sat.", "A dog lay."] and notices == ()
    sentences, notices = split_sentences("\n".join(f"sentence {i}" for i in range(20)), max_sentences=3)
    assert sentences == ["sentence 0", "sentence 1", "sentence 2"] and "20 sentences" in notices[0]
    _, notices = split_sentences("short\n" + "x " * 3000)
    assert notices[0].startswith("Sentence 2 has 5,999 characters; only the first")
    for blank in ["", "  \n \n", None]:
        with pytest.raises(InputError, match="one sentence per line"):
            split_sentences(blank)


# ---------------------------------------------------------------------------------------------
# find_masks


def test_one_mask():
    s = find_masks("The cat [MASK] on the mat.")
    assert s.count == 1 and s.spans == ((8, 14),) and s.glued == () and s.notices == ()
    assert s.text[8:14] == "[MASK]"


def test_several_masks_in_order():
    s = find_masks("[MASK] cat [MASK] on the [MASK].")
    assert s.count == 3 and [s.text[a:b] for a, b in s.spans] == ["[MASK]"] * 3
    assert s.spans[0][0] == 0 and s.glued == ()  # punctuation beside a mask is not a word


def test_no_mask_says_where_to_put_one():
    with pytest.raises(InputError) as err:
        find_masks("The cat sat on the mat.")
    assert "no [MASK]" in str(err.value) and "'The cat [MASK] on the mat.'" in str(err.value)


@pytest.mark.parametrize("variant", ["[mask]", "[Mask]", "<mask>", "<MASK>"])
def test_case_variants_are_normalised(variant):
    s = find_masks(f"The cat {variant} on the mat.")
    assert s.text == "The cat [MASK] on the mat." and s.count == 1
    assert len(s.notices) == 1 and repr(variant) in s.notices[0] and "[MASK]" in s.notices[0]


def test_the_tokenizer_mask_token_is_used():
    s = find_masks("The cat [MASK] on the <mask>.", mask_token="<mask>")
    assert s.text == "The cat <mask> on the <mask>." and s.count == 2
    with pytest.raises(InputError, match="no <mask>"):
        find_masks("nothing here", mask_token="<mask>")


def test_normalising_shifts_the_spans():
    s = find_masks("<mask> x <mask>", mask_token="[MASK]")
    assert s.text == "[MASK] x [MASK]" and s.spans == ((0, 6), (9, 15))


@pytest.mark.parametrize("text, word", [("It was un[MASK]able.", "un[MASK]able"), ("hello[MASK] there", "hello[MASK]"),
                                        ("[MASK]s are nice", "[MASK]s")])
def test_mask_glued_inside_a_word(text, word):
    s = find_masks(text)
    assert s.glued == (1,) and s.text == text
    (notice,) = s.notices
    assert word in notice and "spaces around [MASK]" in notice and "one whole word piece" in notice


def test_glued_reads_the_pieces():
    (notice,) = find_masks("un[MASK]able").notices
    assert "'un [MASK] able'" in notice


def test_mask_between_cjk_characters_is_not_glued():
    assert find_masks("我[MASK]你").glued == ()


def test_too_many_masks():
    find_masks(" ".join(["[MASK]"] * MAX_MASKS))
    with pytest.raises(InputError) as err:
        find_masks(" ".join(["[MASK]"] * (MAX_MASKS + 1)))
    assert f"{MAX_MASKS + 1} masks" in str(err.value) and f"at most {MAX_MASKS}" in str(err.value)


# ---------------------------------------------------------------------------------------------
# [UNK]


def test_unknown_tokens():
    tokens = ["[CLS]", "i", "love", "[UNK]", "and", "[UNK]", "[SEP]"]
    assert unknown_tokens(tokens) == 2 and unknown_tokens(tokens, "<unk>") == 0
    assert "2 tokens are [UNK] (of 7)" in unknown_notice(tokens)
    assert "1 token is [UNK]" in unknown_notice(["[UNK]"])
    assert unknown_notice(["[CLS]", "[SEP]"]) is None


# ---------------------------------------------------------------------------------------------
# fuzzing: anything typed gives a result or an InputError, never another exception


@SETTINGS
@given(st.text(max_size=300), st.integers(min_value=1, max_value=400))
def test_check_sentence_only_raises_input_error(text, max_chars):
    try:
        c = check_sentence(text, max_chars=max_chars)
    except InputError as e:
        assert str(e)
        return
    assert c.text and c.text == c.text.strip() and len(c.text) <= max_chars
    assert c.truncated == bool(c.notices)


MASKY = st.text(alphabet=st.sampled_from(list("ab [MASK]mask<>é🤗 \n")), max_size=80)


@SETTINGS
@given(st.one_of(st.text(max_size=200), MASKY))
def test_find_masks_only_raises_input_error(text):
    try:
        s = find_masks(text)
    except InputError as e:
        assert str(e)
        return
    assert 1 <= s.count <= MAX_MASKS
    assert all(s.text[a:b] == "[MASK]" for a, b in s.spans)
    assert s.text.count("[MASK]") == s.count


@SETTINGS
@given(st.text(max_size=300))
def test_split_sentences_only_raises_input_error(text):
    try:
        sentences, _ = split_sentences(text)
    except InputError:
        return
    assert sentences and all(s == s.strip() and s for s in sentences)
