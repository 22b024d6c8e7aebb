"""Single sign-on end to end in a real browser: the app (its own SQLite gradebook, assignment file and a
secrets.toml in a temporary folder, read through Streamlit's secrets.files option) signs people in
through a real OpenID Connect provider (oidc-provider, tests/oidc_provider.py) on 127.0.0.1.

A student signs in through the provider's login page, solves an exercise on page 6 and signs out; another
student signs in and sees none of the first one's work; an instructor on the list reaches the dashboard
with no password, a student does not; a sign-in whose claims give no id gets a message, not a page."""

from __future__ import annotations

import re
import textwrap
import time

import pytest
from playwright.sync_api import expect

from exercises import assignments as assignment_files
from exercises import practice
from exercises.families import softmax_row
from exercises.store import Store
from tests.browser import harness
from tests.browser.harness import wait_settled
from tests.oidc_provider import oidc_provider, secrets_toml

pytestmark = pytest.mark.browser

ASSIGNMENT = textwrap.dedent("""
    id = "practice"
    title = "Practice: softmax"
    tries = 3

    [[exercise]]
    family = "softmax_row"
    count = 2
""")
ACCOUNTS = {  # the provider's users: login -> the claims it vouches for
    "ada": {"email": "Ada@Uni.Example", "email_verified": True, "name": "Ada Lovelace"},
    "grace": {"email": "grace@uni.example", "email_verified": True, "name": "Grace Hopper"},
    "prof": {"email": "prof@uni.example", "email_verified": True, "name": "The Professor"},
    "nomail": {"name": "No E-mail"},
    "lookalike": {"email": "\U0001d41a\U0001d41d\U0001d41a@uni.example", "email_verified": True},  # 𝐚𝐝𝐚
}
BUTTON = "Sign in with Example University"
SETTINGS = {"instructors": ["Prof@uni.example"], "sso_provider_name": "Example University"}  # secrets.toml's
SIGN_IN_SECONDS: list[tuple[float, float]] = []  # (back at the app, its page drawn)


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    folder = tmp_path_factory.mktemp("sso")
    (folder / "assignments").mkdir()
    (folder / "assignments" / "practice.toml").write_text(ASSIGNMENT)
    port, spare_port = harness.free_port(), harness.free_port()  # the spare: for an app restarted by a test
    url = f"http://127.0.0.1:{port}"
    redirect_uri = f"{url}/oauth2callback"
    spare_uri = f"http://127.0.0.1:{spare_port}/oauth2callback"
    with oidc_provider(folder, harness.free_port(), [redirect_uri, spare_uri], ACCOUNTS) as provider:
        secrets_file = folder / "secrets.toml"
        secrets_file.write_text(secrets_toml(provider, redirect_uri, **SETTINGS))
        db = folder / "gradebook.sqlite3"
        env = {"ATTENTION_LAB_DB": str(db), "ATTENTION_LAB_ASSIGNMENTS": str(folder / "assignments"),
               "ATTENTION_LAB_INSTRUCTOR_PASSWORD": "", "ATTENTION_LAB_CLASS_CODE": "", "DATABASE_URL": "",
               "ATTENTION_LAB_INSTRUCTORS": "", "ATTENTION_LAB_STUDENT_ID_CLAIM": "",
               "ATTENTION_LAB_SSO_PROVIDER_NAME": ""}
        log_path = folder / "server.log"
        with open(log_path, "wb") as log:
            proc = harness.start_streamlit("streamlit_app.py", harness.REPO, port, log, env=env,
                                           extra_args=("--secrets.files", str(secrets_file)))
        try:
            harness.wait_healthy(url, proc)
            yield {"url": url, "db": db, "folder": folder / "assignments", "issuer": provider.issuer, "env": env,
                   "provider": provider, "spare_port": spare_port}
        finally:
            harness.stop(proc)
            text = log_path.read_text(errors="replace")
            assert "Traceback" not in text, text[-4000:]
    if SIGN_IN_SECONDS:  # shown with pytest -s
        back, shown = zip(*SIGN_IN_SECONDS, strict=True)
        print(f"\nsign-in through the provider, {len(back)} times: from the click to the app's redirect "
              f"{min(back):.2f}-{max(back):.2f} s, to the home page drawn {min(shown):.2f}-{max(shown):.2f} s")


@pytest.fixture
def page(chromium):
    """A fresh page in its own offline context (its own cookies, at the app and at the provider)."""
    blocked: list[str] = []
    context = harness.offline_context(chromium, blocked)
    page = context.new_page()
    page.set_default_timeout(30_000)
    yield page
    context.close()
    # nothing from the internet, but the web font that oidc-provider's development login page asks for
    assert all(u.startswith("https://fonts.googleapis.com/") for u in blocked), blocked


def sign_in(page, server, login: str, path: str = "exercises", url: str | None = None) -> None:
    """From page `path`: the sign-in button, the provider's login page, back to the app, then `path` again
    (st.login returns to the home page). `url`: another app than the module's server."""
    server = {**server, "url": url or server["url"]}
    page.goto(f"{server['url']}/{path}")
    started = time.monotonic()
    page.get_by_role("button", name=BUTTON).click()
    page.wait_for_url(f"{server['issuer']}/**")
    page.locator('input[name="login"]').fill(login)
    page.locator('input[name="password"]').fill("any password")
    page.get_by_role("button", name="Sign-in").click()
    page.wait_for_url(f"{server['url']}/")
    back = time.monotonic() - started
    wait_settled(page, quiet=0.5)
    SIGN_IN_SECONDS.append((back, time.monotonic() - started - 0.5))
    page.goto(f"{server['url']}/{path}")
    wait_settled(page)


def alert(page, text: str):
    return page.locator('[data-testid="stAlert"]', has_text=text)


def test_sign_in_solve_sign_out_and_another_student_sees_nothing(page, server, monkeypatch):
    monkeypatch.setenv("ATTENTION_LAB_ASSIGNMENTS", str(server["folder"]))
    assignment = next(a for a in assignment_files.load()[0] if a.id == "practice")
    answer = softmax_row.solve(practice.exercise("ada@uni.example", assignment, 0).params)

    page.goto(f"{server['url']}/exercises")
    expect(page.get_by_role("button", name=BUTTON)).to_be_visible()
    expect(page.get_by_label("Student id")).to_have_count(0)  # with single sign-on, no id is typed

    sign_in(page, server, "ada")
    expect(page.get_by_text("Signed in as ada@uni.example")).to_be_visible()
    page.get_by_label(re.compile(r"^Your answer")).fill(answer)
    page.get_by_role("button", name="Submit").click()
    expect(alert(page, "Correct.")).to_be_visible()
    expect(page.get_by_text("1 of 2")).to_be_visible()

    page.get_by_role("button", name="Sign out").click()  # st.logout: the provider's sign-out, then home
    page.wait_for_url(f"{server['issuer']}/**")
    page.get_by_role("button", name="Yes, sign me out").click()
    page.wait_for_url(f"{server['url']}/")
    page.goto(f"{server['url']}/exercises")
    expect(page.get_by_role("button", name=BUTTON)).to_be_visible()
    expect(page.get_by_text("Signed in as")).to_have_count(0)

    sign_in(page, server, "grace")
    expect(page.get_by_text("Signed in as grace@uni.example")).to_be_visible()
    expect(page.get_by_text("0 of 2")).to_be_visible()
    content = page.content()
    assert "ada@uni.example" not in content and answer not in content and "Correct." not in content

    store = Store(f"sqlite:///{server['db']}")
    try:
        assert [(a.student_id, a.score) for a in store.attempts("ada@uni.example", "practice")] == \
            [("ada@uni.example", 1.0)]
        assert store.attempts("grace@uni.example", "practice") == []
    finally:
        store.close()


def test_an_instructor_on_the_list_reaches_the_dashboard_without_a_password(page, server):
    page.goto(f"{server['url']}/instructor")
    expect(page.get_by_role("button", name=BUTTON)).to_be_visible()
    expect(page.get_by_label("Password", exact=True)).to_have_count(0)  # no shared password is set
    sign_in(page, server, "prof", path="instructor")
    expect(page.get_by_role("tab", name="Roster")).to_be_visible()
    expect(page.get_by_label("Password", exact=True)).to_have_count(0)


def test_a_student_does_not_reach_the_dashboard(page, server):
    sign_in(page, server, "grace", path="instructor")
    expect(alert(page, "not listed as an instructor")).to_be_visible()
    expect(page.get_by_role("tab", name="Roster")).to_have_count(0)
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()


@pytest.mark.parametrize("login, message", [("nomail", "did not send your e-mail address"),
                                            ("lookalike", "look-alike letters are not read as plain ones")])
def test_a_sign_in_whose_claims_give_no_id_is_refused_with_a_message(page, server, login, message):
    sign_in(page, server, login)
    expect(alert(page, message)).to_be_visible()
    expect(page.get_by_text("Signed in as")).to_have_count(0)
    expect(page.get_by_role("button", name="Submit")).to_have_count(0)
    page.get_by_role("button", name="Sign out").click()  # and they can sign out to try another account
    page.wait_for_url(f"{server['issuer']}/**")



def test_a_sign_in_holds_on_another_app_process_only_with_the_same_cookie_secret(page, server, tmp_path):
    """A class server's processes behind one address (here: one after another on one port): the sign-in
    cookie made by one is good on another with the same [auth] cookie_secret, and on none with another."""
    port = server["spare_port"]
    url = f"http://127.0.0.1:{port}"

    def app(cookie_secret: str, name: str):
        secrets_file = tmp_path / f"{name}.toml"
        secrets_file.write_text(secrets_toml(server["provider"], f"{url}/oauth2callback", cookie_secret, **SETTINGS))
        with open(tmp_path / f"{name}.log", "wb") as log:
            proc = harness.start_streamlit("streamlit_app.py", harness.REPO, port, log, env=server["env"],
                                           extra_args=("--secrets.files", str(secrets_file)))
        harness.wait_healthy(url, proc)
        return proc

    shared = "5e" * 32
    for name, secret in [("first", shared), ("same secret", shared), ("another secret", "0" * 64)]:
        proc = app(secret, name)
        try:
            if name == "first":
                sign_in(page, server, "ada", url=url)
            else:
                page.goto(f"{url}/exercises")
                wait_settled(page)
            if name == "another secret":
                expect(page.get_by_role("button", name=BUTTON)).to_be_visible()
                expect(page.get_by_text("Signed in as")).to_have_count(0)
            else:
                expect(page.get_by_text("Signed in as ada@uni.example")).to_be_visible()
        finally:
            harness.stop(proc)
        assert "Traceback" not in (tmp_path / f"{name}.log").read_text(errors="replace")
