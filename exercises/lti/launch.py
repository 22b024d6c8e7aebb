"""Login initiation and launch, through pylti1p3, and the one-time hand-off to the Streamlit page.

How the identity reaches the Streamlit session: the launch route validates the id token, then stores
a hand-off in the gradebook (tables.handoffs: who, role, assignment, where scores go) under the SHA-256
of a random 256-bit token, and redirects the browser to /exercises?lti=<token> (an instructor: to
/instructor?lti=<token>). The page redeems the token once: it must be unused and under HANDOFF_S old.
Why a token in the URL and not a cookie: in an LMS the tool runs in an iframe of another site, where
browsers drop third-party cookies, and Streamlit's session lives on its websocket, not on a cookie; a
URL token survives the iframe. Nothing guessable sits in the URL (256 random bits, stored hashed), a
token works once, and a token seen later in a log or the browser history is already spent or expired.

A launch that fails validation (a bad signature, a wrong audience, an expired token, a replayed nonce,
an unknown deployment, an unknown platform) raises LaunchRefused and stores nothing. Never imports
streamlit.
"""

from __future__ import annotations

import functools
import hashlib
import json
import secrets
import time
from dataclasses import dataclass
from urllib.parse import parse_qs, urlparse

from pylti1p3.exception import LtiException, OIDCException, ToolConfException
from pylti1p3.message_launch import MessageLaunch
from pylti1p3.oidc_login import OIDCLogin
from pylti1p3.tool_config import ToolConfDict
from sqlalchemy import select, update
from sqlalchemy.engine import Engine

from core.errors import UserError
from exercises.identity import SignInError, normalize_student_id
from exercises.lti import config, tables
from exercises.lti.storage import Cookies, TimeoutSession, ToolRequest, purge_expired, session_service

HANDOFF_S = 120.0
AGS_CLAIM = "https://purl.imsglobal.org/spec/lti-ags/claim/endpoint"
CUSTOM_CLAIM = "https://purl.imsglobal.org/spec/lti/claim/custom"
CONTEXT_CLAIM = "https://purl.imsglobal.org/spec/lti/claim/context"
RESOURCE_CLAIM = "https://purl.imsglobal.org/spec/lti/claim/resource_link"
TARGET_CLAIM = "https://purl.imsglobal.org/spec/lti/claim/target_link_uri"
DEPLOYMENT_CLAIM = "https://purl.imsglobal.org/spec/lti/claim/deployment_id"
DEEP_LINK_CLAIM = "https://purl.imsglobal.org/spec/lti-dl/claim/deep_linking_settings"


class LaunchRefused(UserError):
    """A login or launch the tool refuses; str(error) says why and what to do. `title`: the page's heading."""

    def __init__(self, title: str, message: str):
        super().__init__(message)
        self.title = title


@dataclass(frozen=True)
class Handoff:
    token: str  # the one-time token for the page's URL
    path: str  # where the browser goes: /exercises, /instructor or /lti/deep-link


@dataclass(frozen=True)
class Redeemed:
    student_id: str
    role: str  # student or instructor
    kind: str  # resource or deep_link
    assignment_id: str | None
    position: int | None
    link_id: int | None
    payload: dict


def _refusal(err: Exception) -> LaunchRefused:
    """pylti1p3's reason, as a page a person can act on."""
    text = str(err)
    again = "Open the assignment again from your course page in the LMS."
    if "Nonce" in text:
        return LaunchRefused("This launch was already used",
                             f"The LMS's sign-in message for this launch has been used once already (a replayed or "
                             f"reloaded launch), so it cannot sign anyone in again. {again}")
    if "State not found" in text or "Missing state" in text:
        return LaunchRefused("This launch did not start here",
                             f"The launch does not match a sign-in this browser started, or it took over 5 minutes. "
                             f"{again} If it happens every time, your browser may block cookies inside the LMS's "
                             f"page: your instructor can set the activity to open in a new window.")
    if "expired" in text.lower():
        return LaunchRefused("This launch has expired",
                             f"The LMS's sign-in message is past its expiry time (or this server's clock is off). "
                             f"{again}")
    if "Signature" in text or "public key" in text or "decode" in text:
        return LaunchRefused("This launch's signature is not valid",
                             "The sign-in message is not signed by a key the LMS publishes for this registration, so "
                             "it was not sent by your LMS. If it keeps happening, your instructor "
                             "checks the platform's key_set_url in the LTI registration.")
    if "Client id" in text or "not found in settings" in text or "egistration" in text:
        return LaunchRefused("This LMS is not registered here",
                             "The launch comes from an LMS, or names a client id (its audience), that this Attention "
                             "Lab does not know. Your instructor adds its issuer and client id to the platforms file "
                             "(ATTENTION_LAB_LTI_PLATFORMS).")
    if "deployment" in text.lower():
        return LaunchRefused("This LMS deployment is not registered here",
                             f"{text} Your instructor adds the deployment id to deployment_ids in the platforms file "
                             f"(ATTENTION_LAB_LTI_PLATFORMS).")
    return LaunchRefused("This launch cannot be used", f"The LMS's launch is not valid ({text}). {again}")


@functools.lru_cache(maxsize=8)
def _tool_conf(platforms: tuple[config.Platform, ...]) -> ToolConfDict:
    conf = ToolConfDict(config.tool_conf_dict(list(platforms)))
    for p in platforms:
        conf.set_private_key(p.issuer, config.private_key(), client_id=p.client_id)
        conf.set_public_key(p.issuer, config.public_pem(), client_id=p.client_id)
    return conf


def tool_conf(platforms: list[config.Platform]) -> ToolConfDict:
    return _tool_conf(tuple(platforms))


class _Login(OIDCLogin):
    def _get_request_param(self, key):
        return self._request.get_param(key)

    def get_redirect(self, url):
        return url

    def get_response(self, html):
        return html

    def get_cookies_allowed_js_check(self):
        raise NotImplementedError


class _Launch(MessageLaunch):
    def _get_request_param(self, key):
        return self._request.get_param(key)


def login(params: dict, cookies: dict, secure: bool, launch_url: str, engine: Engine,
          platforms: list[config.Platform]) -> tuple[str, dict[str, tuple[str, int]]]:
    """OIDC login initiation: (the platform's authorization URL to redirect to, cookies to set)."""
    request = ToolRequest(params, cookies, secure)
    jar = Cookies(request)
    purge_expired(engine)
    try:
        url = _Login(request, tool_conf(platforms), session_service=session_service(request, engine),
                     cookie_service=jar).get_redirect_object(launch_url)
    except (OIDCException, LtiException, ToolConfException) as err:  # ToolConf: an issuer not registered here
        raise LaunchRefused("This sign-in cannot start", f"The LMS's login request cannot be used ({err}). The "
                            f"LMS must be registered in ATTENTION_LAB_LTI_PLATFORMS with this issuer and client id.") from err
    return url, jar.to_set


def _student_id(body: dict) -> str:
    """The LMS's e-mail claim as the student id (checked like a typed id); else sub@<the issuer's host>."""
    for candidate in (body.get("email"), f"{body.get('sub')}@{urlparse(body.get('iss', '')).hostname or 'lms'}"):
        try:
            return normalize_student_id(candidate)
        except SignInError:
            continue
    raise LaunchRefused("Who you are is not clear", "The LMS sent neither a usable e-mail address nor a user id "
                        "(sub) of plain letters and digits. Your instructor checks the LMS's privacy setting for "
                        "the tool: it must share the user's e-mail or id.")


def _target(body: dict) -> tuple[str | None, int | None]:
    """(assignment id, 0-based exercise) from the custom claim (deep linking sets it), else the target link's query."""
    custom = body.get(CUSTOM_CLAIM) or {}
    query = parse_qs(urlparse(body.get(TARGET_CLAIM) or "").query)
    aid = custom.get("assignment") or (query.get("assignment") or [None])[0]
    exercise = custom.get("exercise") or (query.get("exercise") or [None])[0]
    try:
        position = int(exercise) - 1 if exercise not in (None, "") else None
    except (TypeError, ValueError):
        position = None
    return aid, position if position is None or position >= 0 else None


def launch(params: dict, cookies: dict, secure: bool, engine: Engine, platforms: list[config.Platform],
           assignments: dict) -> Handoff:
    """Validate a launch (POST id_token, state) and hand it off. `assignments`: id -> Assignment."""
    request = ToolRequest(params, cookies, secure)
    message = _Launch(request, tool_conf(platforms), session_service=session_service(request, engine),
                      cookie_service=Cookies(request), requests_session=TimeoutSession())
    try:
        body = message.get_launch_data()  # validates: state, nonce, registration (aud), signature, expiry, deployment
    except (LtiException, OIDCException) as err:
        raise _refusal(err) from err
    except Exception as err:  # a malformed token, an unreachable key set
        raise _refusal(err) from err
    sid = _student_id(body)
    instructor = message.check_teacher_access() or message.check_teaching_assistant_access() or message.check_staff_access()
    role = "instructor" if instructor else "student"
    reg = {"iss": body["iss"], "client_id": message.get_client_id(), "deployment_id": body.get(DEPLOYMENT_CLAIM),
           "sub": body.get("sub")}
    if message.is_deep_link_launch():
        if not instructor:
            raise LaunchRefused("Only instructors add activities", "Adding Attention Lab to a course is for its "
                                "instructors and TAs; the LMS says you are a student.")
        return _hand_off(engine, sid, role, "deep_link", None, None, None,
                         {**reg, "settings": body.get(DEEP_LINK_CLAIM) or {}}, "/lti/deep-link")
    aid, position = _target(body)
    if instructor and aid is None:
        return _hand_off(engine, sid, role, "resource", None, None, None, reg, "/instructor")
    if aid not in assignments:
        raise LaunchRefused("This assignment is not here",
                            f"The LMS links to the assignment {aid!r}, which this Attention Lab does not have. Your "
                            f"instructor links the activity again (deep linking lists the assignments there are).")
    assignment = assignments[aid]
    if position is not None and position >= assignment.size:
        position = None
    link_id = _link(engine, reg, body, assignment, position if _custom_exercise(body) else None)
    return _hand_off(engine, sid, role, "resource", aid, position, link_id, {**reg, "one_exercise": _custom_exercise(body)},
                     "/instructor" if instructor else "/exercises")


def _custom_exercise(body: dict) -> bool:
    return bool((body.get(CUSTOM_CLAIM) or {}).get("exercise"))


def _link(engine: Engine, reg: dict, body: dict, assignment, position: int | None) -> int | None:
    """The lti_links row of (platform, deployment, course, assignment): where scores go. None without AGS.
    A link to one exercise (deep linking's "assignment#n") is a row of its own, out of 1 point."""
    ags = body.get(AGS_CLAIM)
    if not ags:
        return None
    context = (body.get(CONTEXT_CLAIM) or {}).get("id") or "-"
    key = {"issuer": reg["iss"], "client_id": reg["client_id"], "deployment_id": reg["deployment_id"] or "-",
           "context_id": context, "assignment_id": assignment.id + (f"#{position + 1}" if position is not None else "")}
    values = {**key, "resource_link_id": (body.get(RESOURCE_CLAIM) or {}).get("id"),
              "lineitems_url": ags.get("lineitems"), "lineitem_url": ags.get("lineitem"),
              "scopes": json.dumps(ags.get("scope") or []),
              "score_maximum": 1.0 if position is not None else float(assignment.size)}
    update_ = {"lineitems_url": values["lineitems_url"], "scopes": values["scopes"],
               "score_maximum": values["score_maximum"]}
    if values["lineitem_url"]:  # the launch names its line item: it wins; else keep the one found or created
        update_["lineitem_url"] = values["lineitem_url"]
    t = tables.links
    with tables.ensure(engine).begin() as conn:
        conn.execute(tables.insert(engine)(t).values(**values).on_conflict_do_update(
            index_elements=list(key), set_=update_))
        return conn.execute(select(t.c.id).where(*(t.c[k] == v for k, v in key.items()))).scalar_one()


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _hand_off(engine, sid, role, kind, aid, position, link_id, payload, path) -> Handoff:
    token = secrets.token_urlsafe(32)
    with tables.ensure(engine).begin() as conn:
        conn.execute(tables.handoffs.insert().values(
            token_hash=_hash(token), student_id=sid, role=role, kind=kind, assignment_id=aid, position=position,
            link_id=link_id, payload=json.dumps(payload), expires_at=time.time() + HANDOFF_S, used_at=None))
    return Handoff(token, path)


def peek(engine: Engine, token: str | None) -> Redeemed | None:
    """The hand-off under `token` if it is unused and current (not spending it), else None."""
    return _read(engine, token, spend=False)


def redeem(engine: Engine, token: str | None) -> Redeemed | None:
    """Spend the hand-off under `token`: its content the first time (within HANDOFF_S), then None."""
    return _read(engine, token, spend=True)


def _read(engine: Engine, token: str | None, spend: bool) -> Redeemed | None:
    if not isinstance(token, str) or not 20 <= len(token) <= 100:
        return None
    t, key, now = tables.handoffs, _hash(token), time.time()
    current = (t.c.token_hash == key, t.c.used_at.is_(None), t.c.expires_at > now)
    with tables.ensure(engine).begin() as conn:
        if spend and conn.execute(update(t).where(*current).values(used_at=now)).rowcount != 1:
            return None
        row = conn.execute(select(t).where(t.c.token_hash == key) if spend else select(t).where(*current)).first()
    if row is None:
        return None
    return Redeemed(row.student_id, row.role, row.kind, row.assignment_id, row.position, row.link_id,
                    json.loads(row.payload or "{}"))
