"""exercises/lti/launch.py's hand-off and claims mapping (the launches themselves, signed by a real
platform, are in tests/browser/test_lti.py): a hand-off token works once and for HANDOFF_S only, is kept
hashed, and the LMS's claims map to a student id checked like a typed one."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from exercises.lti import config, launch, tables
from exercises.store import Store
from tests.postgres import new_postgres_database


@pytest.fixture(params=["sqlite", "postgresql"])
def engine(request, tmp_path):
    store = Store(f"sqlite:///{tmp_path / 'gradebook.sqlite3'}" if request.param == "sqlite"
                  else new_postgres_database(request.getfixturevalue("postgres_url")))
    yield tables.ensure(store.engine)
    store.close()


def test_a_handoff_is_redeemed_once_and_stored_hashed(engine):
    handoff = launch._hand_off(engine, "alice@uni.example", "student", "resource", "practice", 1, None,
                               {"sub": "u1"}, "/exercises")
    assert len(handoff.token) >= 40 and handoff.path == "/exercises"
    with engine.connect() as conn:
        stored = conn.execute(select(tables.handoffs.c.token_hash)).scalars().all()
    assert handoff.token not in stored and len(stored) == 1
    assert launch.peek(engine, handoff.token).student_id == "alice@uni.example"  # looking does not spend it
    got = launch.redeem(engine, handoff.token)
    assert (got.student_id, got.role, got.assignment_id, got.position, got.payload) == \
        ("alice@uni.example", "student", "practice", 1, {"sub": "u1"})
    assert launch.redeem(engine, handoff.token) is None and launch.peek(engine, handoff.token) is None


@pytest.mark.parametrize("token", [None, "", "short", "x" * 43, "x" * 500])
def test_an_unknown_token_redeems_nothing(engine, token):
    assert launch.redeem(engine, token) is None


def test_an_old_handoff_redeems_nothing(engine, monkeypatch):
    monkeypatch.setattr(launch, "HANDOFF_S", -1.0)
    handoff = launch._hand_off(engine, "bob", "student", "resource", None, None, None, {}, "/exercises")
    assert launch.redeem(engine, handoff.token) is None


@pytest.mark.parametrize("body, sid", [
    ({"email": " Ada@Uni.Example ", "sub": "1", "iss": "https://lms.example"}, "ada@uni.example"),
    ({"sub": "9f2c-41", "iss": "https://canvas.example"}, "9f2c-41@canvas.example"),
    ({"email": "𝐚𝐝𝐚@uni.example", "sub": "77", "iss": "https://lms.example"}, "77@lms.example"),
])
def test_claims_map_to_a_student_id(body, sid):
    assert launch._student_id(body) == sid


def test_claims_without_a_usable_id_are_refused():
    with pytest.raises(launch.LaunchRefused, match="neither a usable e-mail"):
        launch._student_id({"sub": "a b", "iss": "https://lms.example"})


@pytest.mark.parametrize("body, want", [
    ({launch.CUSTOM_CLAIM: {"assignment": "lecture8", "exercise": "3"}}, ("lecture8", 2)),
    ({launch.TARGET_CLAIM: "https://tool/lti/launch?assignment=lecture9"}, ("lecture9", None)),
    ({launch.CUSTOM_CLAIM: {"assignment": "a", "exercise": "zero"}}, ("a", None)),
    ({}, (None, None)),
])
def test_the_target_comes_from_custom_parameters_or_the_link(body, want):
    assert launch._target(body) == want


class _Assignment:
    id, size = "practice", 3


def test_a_relaunch_keeps_the_link_and_the_line_item_it_found(engine):
    reg = {"iss": "https://lms.example", "client_id": "c1", "deployment_id": "d1"}
    ags = {"scope": ["https://purl.imsglobal.org/spec/lti-ags/scope/score"], "lineitems": "https://lms.example/li"}
    body = {launch.AGS_CLAIM: ags, launch.CONTEXT_CLAIM: {"id": "course-1"}}
    first = launch._link(engine, reg, body, _Assignment, None)
    with engine.begin() as conn:  # the worker found or made the line item
        conn.execute(tables.links.update().values(lineitem_url="https://lms.example/li/7"))
    assert launch._link(engine, reg, body, _Assignment, None) == first  # re-launch: same row
    one = launch._link(engine, reg, body, _Assignment, 1)  # a link to exercise 2 alone: a row of its own
    with engine.connect() as conn:
        got = dict(conn.execute(select(tables.links.c.id, tables.links.c.lineitem_url)).all())
        maxima = dict(conn.execute(select(tables.links.c.assignment_id, tables.links.c.score_maximum)).all())
    assert got == {first: "https://lms.example/li/7", one: None}
    assert maxima == {"practice": 3.0, "practice#2": 1.0}
    assert launch._link(engine, reg, {}, _Assignment, None) is None  # no AGS claim: no passback


@pytest.mark.parametrize("reason, title", [
    ("Invalid Nonce.", "This launch was already used"),
    ("State not found", "This launch did not start here"),
    ("Missing state param", "This launch did not start here"),
    ("Can't decode id_token: Signature has expired", "This launch has expired"),
    ("Can't decode id_token: Signature verification failed", "This launch's signature is not valid"),
    ("Unable to find public key", "This launch's signature is not valid"),
    ("Client id not registered for this issuer", "This LMS is not registered here"),
    ('The deployment ID "9" is not recognised.', "This LMS deployment is not registered here"),
    ("Unrecognized message type", "This launch cannot be used"),
])
def test_each_refusal_has_a_page_that_says_what_to_do(reason, title):
    refused = launch._refusal(Exception(reason))
    assert refused.title == title and str(refused).strip()
    assert "Open the assignment again" in str(refused) or "instructor" in str(refused)


PLATFORM = config.Platform("Test LMS", "https://lms.example", "abc", ("d1",), "https://lms.example/auth",
                           "https://lms.example/token", "https://lms.example/jwks")


@pytest.mark.parametrize("params", [
    {},  # nothing
    {"iss": "https://evil.example", "login_hint": "x", "target_link_uri": "http://x"},  # an issuer not registered
    {"iss": "https://lms.example", "login_hint": "x", "target_link_uri": "http://x", "client_id": "other"},
    {"iss": "<script>", "login_hint": "<b>", "target_link_uri": "javascript:alert(1)"},
])
def test_a_login_from_an_unregistered_or_broken_request_is_refused_not_an_error(engine, params):
    with pytest.raises(launch.LaunchRefused) as refused:
        launch.login(params, {}, False, "http://127.0.0.1/lti/launch", engine, [PLATFORM])
    assert refused.value.title == "This sign-in cannot start" and "ATTENTION_LAB_LTI_PLATFORMS" in str(refused.value)


def test_a_registered_login_redirects_to_the_platform_with_the_tools_own_launch_url(engine):
    url, cookies = launch.login({"iss": "https://lms.example", "login_hint": "x", "client_id": "abc",
                                 "target_link_uri": "https://evil.example/x"}, {}, False,
                                "http://127.0.0.1/lti/launch", engine, [PLATFORM])
    assert url.startswith("https://lms.example/auth?") and "evil" not in url
    assert "redirect_uri=http%3A%2F%2F127.0.0.1%2Flti%2Flaunch" in url and cookies
