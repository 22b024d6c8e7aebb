"""AppTest: app/sso.py through the real pages (page 6 and the dashboard), with AppTest's own secrets and
st.user standing for what st.login leaves after a sign-in. The sign-in itself, through a real OpenID
Connect provider, is tests/browser/test_sso.py's."""

from __future__ import annotations

import textwrap

import pytest
from streamlit.testing.v1 import AppTest

from tests.apptest import APP
from tests.apptest import texts as shown

PAGE = "app/exercises_page.py"
DASH = "app/instructor.py"
AUTH = {"redirect_uri": "http://127.0.0.1:8501/oauth2callback", "cookie_secret": "a-secret-the-page-never-shows",
        "client_id": "attention-lab", "client_secret": "client-secret-never-shown",
        "server_metadata_url": "https://accounts.google.com/.well-known/openid-configuration"}
ADA = {"is_logged_in": True, "email": "Ada@Uni.Example", "email_verified": True, "name": "Ada"}
PROF = {"is_logged_in": True, "email": "prof@uni.example", "email_verified": True}


@pytest.fixture(autouse=True)
def env(tmp_path, monkeypatch):
    folder = tmp_path / "assignments"
    folder.mkdir()
    (folder / "practice.toml").write_text(textwrap.dedent("""
        id = "practice"
        [[exercise]]
        family = "softmax_row"
    """))
    monkeypatch.setenv("ATTENTION_LAB_ASSIGNMENTS", str(folder))
    monkeypatch.setenv("ATTENTION_LAB_DB", str(tmp_path / "gradebook.sqlite3"))
    for name in ("DATABASE_URL", "ATTENTION_LAB_CLASS_CODE", "ATTENTION_LAB_INSTRUCTOR_PASSWORD",
                 "ATTENTION_LAB_INSTRUCTORS", "ATTENTION_LAB_STUDENT_ID_CLAIM", "ATTENTION_LAB_SSO_PROVIDER_NAME"):
        monkeypatch.delenv(name, raising=False)


def open_page(page: str, user: dict | None = None, **secrets) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=120)
    at.secrets.update(secrets)
    if user is not None:
        at.user = user
    at.run()
    at.switch_page(page).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def everything(at: AppTest) -> str:
    return " ".join([shown(at.markdown), shown(at.error), shown(at.warning), shown(at.info), shown(at.caption),
                     " ".join(b.label for b in at.button)])


def test_without_auth_page_6_asks_for_a_typed_id():
    at = open_page(PAGE)
    assert [t.label for t in at.text_input] == ["Student id"]
    assert not any(b.label.startswith("Sign in with") for b in at.button)


def test_with_auth_page_6_offers_the_providers_button_and_no_typed_id():
    at = open_page(PAGE, user={"is_logged_in": False}, auth=AUTH)
    assert [b.label for b in at.button] == ["Sign in with Google", "Practice without signing in"]
    assert not at.text_input
    named = open_page(PAGE, user={"is_logged_in": False}, auth=AUTH, sso_provider_name="Example University")
    assert [b.label for b in named.button] == ["Sign in with Example University", "Practice without signing in"]
    several = open_page(PAGE, user={"is_logged_in": False},
                        auth={"redirect_uri": AUTH["redirect_uri"], "cookie_secret": "x" * 32,
                              "microsoft": {k: AUTH[k] for k in ("client_id", "client_secret")}
                              | {"server_metadata_url": "https://login.microsoftonline.com/t/v2.0/.well-known/"
                                                        "openid-configuration"},
                              "okta": {k: AUTH[k] for k in ("client_id", "client_secret")}
                              | {"server_metadata_url": "https://uni.okta.com/.well-known/openid-configuration"}})
    assert [b.label for b in several.button] == ["Sign in with Microsoft", "Sign in with Okta",
                                                 "Practice without signing in"]


def test_a_signed_in_student_is_the_verified_id_of_the_claim():
    at = open_page(PAGE, user=ADA, auth=AUTH)
    assert "Signed in as **ada@uni.example**" in shown(at.markdown)
    assert not at.text_input or at.text_input[0].label.startswith("Your answer")
    other = open_page(PAGE, user={**ADA, "preferred_username": "ALovelace"}, auth=AUTH,
                      student_id_claim="preferred_username")
    assert "Signed in as **alovelace**" in shown(other.markdown)


@pytest.mark.parametrize("user, message", [
    ({"is_logged_in": True, "sub": "42"}, "did not send your e-mail address"),
    ({"is_logged_in": True, "email": "𝐚𝐝𝐚@uni.example"}, "look-alike letters are not read as plain ones"),
    ({"is_logged_in": True, "email": "ada@uni.example", "email_verified": False}, "not verified"),
    ({"is_logged_in": True, "email": "a" * 65 + "@uni.example"}, "characters long"),
])
def test_claims_that_give_no_id_are_refused_with_a_message_and_a_sign_out(user, message):
    at = open_page(PAGE, user=user, auth=AUTH)
    assert message in shown(at.error)
    assert [b.label for b in at.button] == ["Sign out", "Practice without signing in"]
    assert "Signed in as" not in shown(at.markdown)


@pytest.mark.parametrize("auth, lacks", [
    ({k: v for k, v in AUTH.items() if k != "cookie_secret"}, "cookie_secret"),
    ({k: v for k, v in AUTH.items() if k != "client_secret"}, "client_secret in [auth]"),
    ({"redirect_uri": AUTH["redirect_uri"], "cookie_secret": "x"}, "client_id, client_secret and server_metadata_url"),
    ({**AUTH, "redirect_uri": "http://127.0.0.1:8501/"}, "must end with /oauth2callback"),
])
def test_an_incomplete_auth_section_is_a_message_that_shows_no_secret(auth, lacks):
    at = open_page(PAGE, user={"is_logged_in": False}, auth=auth)
    assert lacks in shown(at.error)
    assert not at.text_input  # no fallback to unverified typed ids
    assert "never shows" not in everything(at) and "never-shown" not in everything(at)


def test_a_bad_claim_setting_is_a_message():
    at = open_page(PAGE, user=ADA, auth=AUTH, student_id_claim="e mail")
    assert "student_id_claim setting" in shown(at.error)


def test_an_instructor_on_the_list_opens_the_dashboard_without_a_password(monkeypatch):
    at = open_page(DASH, user=PROF, auth=AUTH, instructors=["Prof@Uni.Example"])
    assert [t.label for t in at.tabs] == ["Roster", "Live", "Mistakes", "CSV export", "Preview"]
    assert "Sign out" in [b.label for b in at.button]
    assert not any(t.label == "Password" for t in at.text_input)
    monkeypatch.setenv("ATTENTION_LAB_INSTRUCTORS", "ta1, prof@uni.example")  # the environment's list wins
    assert open_page(DASH, user=PROF, auth=AUTH, instructors=["nobody"]).tabs


def test_a_student_does_not_open_the_dashboard():
    at = open_page(DASH, user=ADA, auth=AUTH, instructors=["prof@uni.example"])
    assert "ada@uni.example, who is not listed as an instructor" in shown(at.info)
    assert not at.tabs
    assert [b.label for b in at.button] == ["Sign out"]


def test_signed_out_the_dashboard_offers_the_sign_in_and_the_password_only_if_set(monkeypatch):
    at = open_page(DASH, user={"is_logged_in": False}, auth=AUTH, instructors=["prof@uni.example"])
    assert [b.label for b in at.button] == ["Sign in with Google"]
    assert not at.text_input and not at.tabs
    monkeypatch.setenv("ATTENTION_LAB_INSTRUCTOR_PASSWORD", "s3cret")
    at = open_page(DASH, user={"is_logged_in": False}, auth=AUTH)
    assert [t.label for t in at.text_input] == ["Password"]
