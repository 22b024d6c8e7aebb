"""exercises/sso_claims.py: a provider's claims -> the student id (normalized like a typed id, never
folded), and the instructor list."""

from __future__ import annotations

import pytest

from exercises.identity import MAX_STUDENT_ID, SignInError, normalize_student_id
from exercises.sso_claims import ClaimError, Identity, claim_name, identity, instructor_list, student_id

GOOGLE = {"iss": "https://accounts.google.com", "sub": "1094", "email": "Ada.Lovelace@Uni.Example",
          "email_verified": True, "name": "Ada Lovelace"}


def test_the_default_claim_is_the_email_normalized_like_a_typed_id():
    assert student_id(GOOGLE) == "ada.lovelace@uni.example" == normalize_student_id(GOOGLE["email"])
    assert student_id({"email": "  jdoe42@uni.example "}) == "jdoe42@uni.example"  # no email_verified: trusted


def test_another_claim_can_be_the_id():
    claims = {**GOOGLE, "preferred_username": "ALovelace", "sub": 123456}
    assert student_id(claims, "preferred_username") == "alovelace"
    assert student_id(claims, "sub") == "123456"  # a number claim is its digits
    assert identity(claims, "preferred_username").email == "ada.lovelace@uni.example"


@pytest.mark.parametrize("claims", [{}, {"email": None}, {"sub": "x", "name": "No Mail"}])
def test_a_missing_claim_is_refused_saying_which(claims):
    with pytest.raises(ClaimError, match="did not send your e-mail address"):
        student_id(claims)
    with pytest.raises(ClaimError, match="'preferred_username' claim"):
        student_id(claims, "preferred_username")


@pytest.mark.parametrize("value", ["", "   ", ["ada@uni.example"], {"a": 1}, True, 1.5])
def test_an_empty_or_unusable_claim_is_refused(value):
    with pytest.raises(ClaimError):
        student_id({"email": value})


@pytest.mark.parametrize("value", ["ada lovelace@uni.example", "ada<script>@uni.example", "-ada@uni.example",
                                   "ada@uni.example\x00", "ada\n@uni.example", "ada%40uni", "ada+tag@uni.example"])
def test_bad_characters_are_refused(value):
    with pytest.raises(ClaimError, match="not a student id"):
        student_id({"email": value})


@pytest.mark.parametrize("value", ["𝐚𝐥𝐢𝐜𝐞@uni.example", "аlice@uni.example",  # mathematical bold; Cyrillic а
                                   "ａｌｉｃｅ@uni.example", "alice@uni.example\u200b", "alıce@uni.example",
                                   "ﬁona@uni.example", "alice@uni\uff0eexample"])
def test_look_alike_unicode_is_refused_not_folded(value):
    with pytest.raises(ClaimError, match="look-alike"):
        student_id({"email": value})
    with pytest.raises(ClaimError, match="look-alike"):
        student_id({"preferred_username": value}, "preferred_username")


def test_too_long_is_refused_and_the_longest_id_is_kept():
    longest = "a" * (MAX_STUDENT_ID - len("@uni.example")) + "@uni.example"
    assert student_id({"email": longest}) == longest
    with pytest.raises(ClaimError, match=f"{MAX_STUDENT_ID + 1} characters long"):
        student_id({"email": "a" + longest})
    with pytest.raises(ClaimError, match="characters long"):
        student_id({"email": "a" * 10_000})


@pytest.mark.parametrize("verified", [False, "false", "False"])
def test_an_email_the_provider_did_not_verify_is_refused(verified):
    with pytest.raises(ClaimError, match="not verified"):
        student_id({**GOOGLE, "email_verified": verified})
    # another claim is still the id; the unverified e-mail is just not used
    who = identity({**GOOGLE, "email_verified": verified, "preferred_username": "ada"}, "preferred_username",
                   instructor_list("ada.lovelace@uni.example"))
    assert who == Identity("ada", False, None)


def test_claim_errors_are_sign_in_errors():
    assert issubclass(ClaimError, SignInError)


def test_claim_name_defaults_to_email_and_refuses_what_no_provider_sends():
    assert claim_name(None) == claim_name("  ") == "email"
    assert claim_name(" preferred_username ") == "preferred_username"
    with pytest.raises(ClaimError):
        claim_name(42)  # a number in secrets.toml: a message, no traceback
    assert claim_name("https://lab.example/claims/student_id") == "https://lab.example/claims/student_id"
    for bad in ["e mail", "em\nail", "email\n\n:", "<b>", "é", "x" * 300]:
        with pytest.raises(ClaimError, match="student_id_claim"):
            claim_name(bad)


# ---------------------------------------------------------------------------------------------
# instructors


def test_the_instructor_list_reads_commas_spaces_lines_and_toml_lists():
    assert instructor_list("Prof@Uni.Example, ta1 ;ta2\nta3") == {"prof@uni.example", "ta1", "ta2", "ta3"}
    assert instructor_list(["Prof@Uni.Example", " ta1 "]) == {"prof@uni.example", "ta1"}
    assert instructor_list(None) == instructor_list("") == instructor_list([]) == frozenset()
    assert instructor_list(12345) == {"12345"}  # a number in secrets.toml: its digits, no error


def test_an_entry_that_could_not_be_an_id_is_left_out(caplog):
    assert instructor_list("prof@uni.example, 𝐩𝐫𝐨𝐟@uni.example, <b>") == {"prof@uni.example"}
    assert "ignored" in caplog.text


def test_an_instructor_is_listed_by_id_or_by_verified_email():
    staff = instructor_list("prof@uni.example, ta1")
    assert identity(GOOGLE, instructors=staff).instructor is False
    assert identity({**GOOGLE, "email": "PROF@uni.example"}, instructors=staff) == \
        Identity("prof@uni.example", True, "prof@uni.example")
    by_username = {"preferred_username": "ta1", "email": "someone@uni.example"}
    assert identity(by_username, "preferred_username", staff).instructor is True
    by_email = {"sub": "42", "email": "prof@uni.example", "email_verified": True}
    assert identity(by_email, "sub", staff) == Identity("42", True, "prof@uni.example")


def test_an_unverified_or_look_alike_email_does_not_make_an_instructor():
    staff = instructor_list("prof@uni.example")
    assert identity({"sub": "42", "email": "prof@uni.example", "email_verified": False}, "sub", staff).instructor is False
    assert identity({"sub": "42", "email": "prоf@uni.example"}, "sub", staff).instructor is False  # Cyrillic о
    assert identity({"sub": "prof@uni.example"}, "sub", frozenset()).instructor is False  # an empty list
