"""A real LTI 1.3 platform for the tests, on 127.0.0.1: the PyPI package lti1p3platform (an LTI 1.3
Advantage platform implementation: OIDC preflight checks, launch messages with the AGS and deep linking
claims signed RS256 with the platform's key pair, the client-credentials token endpoint checking the
tool's signed assertion against the tool's JWKS, the deep linking response check), served by uvicorn
with the small course a test needs around it: line items and the scores posted to them.

    with lti_platform(tool_url) as lms:     # tool_url: the app, e.g. http://127.0.0.1:8601
        lms.config_toml()                   # what ATTENTION_LAB_LTI_PLATFORMS holds for it
        lms.launch_url("alice", assignment="practice")   # open in the browser: the LMS's launch
        lms.scores, lms.lineitems           # what the tool sent
        lms.down(); lms.up()                # the platform stops answering, and comes back

Launch variants (launch_url(..., variant=...)), each built with the library and then changed in the one
way the tool must refuse: "bad_signature" (signed by another key under the platform's kid), "wrong_aud"
(another client id as audience), "expired" (exp in the past), "unknown_deployment"; "replay" is the
last launch form posted again (replay_url()).
"""

from __future__ import annotations

import itertools
import json
import secrets
import threading
import time
import typing as t
from collections.abc import Iterator
from contextlib import contextmanager
from html import escape
from urllib.parse import urlencode

import uvicorn
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from lti1p3platform.ltiplatform import LTI1P3PlatformConfAbstract
from lti1p3platform.message_launch import LTIAdvantageMessageLaunchAbstract
from lti1p3platform.oidc_login import OIDCLoginAbstract
from lti1p3platform.registration import Registration
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from tests.browser.harness import free_port

CLIENT_ID = "attention-lab-tool"
DEPLOYMENT_ID = "deployment-1"
CONTEXT_ID = "course-101"
LTI_SCOPES = ["https://purl.imsglobal.org/spec/lti-ags/scope/lineitem",
              "https://purl.imsglobal.org/spec/lti-ags/scope/result.readonly",
              "https://purl.imsglobal.org/spec/lti-ags/scope/score"]
ROLES = {"student": ["http://purl.imsglobal.org/vocab/lis/v2/membership#Learner"],
         "instructor": ["http://purl.imsglobal.org/vocab/lis/v2/membership#Instructor"]}


def _pem_pair() -> tuple[str, str]:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    private = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption()).decode()
    public = key.public_key().public_bytes(serialization.Encoding.PEM,
                                           serialization.PublicFormat.SubjectPublicKeyInfo).decode()
    return private, public


class _Conf(LTI1P3PlatformConfAbstract):
    def init_platform_config(self, **kwargs):
        self._registration = kwargs["registration"]

    def get_registration_by_params(self, **kwargs):
        return self._registration


class _Login(OIDCLoginAbstract):
    def set_lti_message_hint(self, **kwargs):
        self._lti_message_hint = kwargs["hint"]

    def get_redirect(self, url):
        return RedirectResponse(url, status_code=302)


class _Launch(LTIAdvantageMessageLaunchAbstract):
    variant: str | None = None
    other_key: str = ""

    def get_preflight_response(self):
        return self._request

    def render_launch_form(self, launch_data, **kwargs):
        return launch_data

    def generate_launch_request(self):
        if self.variant != "bad_signature":
            return super().generate_launch_request()
        message, state = self.get_launch_data()  # signed by another key, under the platform's own kid
        token = Registration.encode_and_sign(message, self.other_key, {"kid": self._registration.get_kid()},
                                             expiration=self.id_token_expiration)
        return {"state": state, "id_token": token}


class Platform:
    def __init__(self, tool_url: str, port: int):
        self.tool_url, self.port = tool_url.rstrip("/"), port
        self.url = f"http://127.0.0.1:{port}"
        private, public = _pem_pair()
        self.other_private, _ = _pem_pair()
        self.registration = (Registration().set_iss(self.url).set_client_id(CLIENT_ID)
                             .set_deployment_id(DEPLOYMENT_ID).set_oidc_login_url(f"{self.tool_url}/lti/login")
                             .set_launch_url(f"{self.tool_url}/lti/launch")
                             .set_deeplink_launch_url(f"{self.tool_url}/lti/launch")
                             .set_platform_private_key(private).set_platform_public_key(public)
                             .set_tool_key_set_url(f"{self.tool_url}/lti/jwks"))
        self.pending: dict[str, dict] = {}  # lti_message_hint -> the launch to make
        self.lineitems: dict[str, dict] = {}  # id (its URL) -> line item
        self.links: dict[str, str] = {}  # resource link id -> its line item (made by deep linking)
        self.link_items: dict[str, dict] = {}  # resource link id -> the content item it was made from
        self.scores: list[dict] = []  # (line item, score) as posted, in order
        self.token_requests = 0
        self.deep_link_items: list[dict] = []
        self.last_form: str = ""
        self.launch_started: dict[str, float] = {}
        self._ids = itertools.count(1)
        self._lock = threading.Lock()
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None

    # --- what a test uses ---------------------------------------------------------------------

    def config_toml(self) -> str:
        return (f'[[platform]]\nname = "Test LMS"\nissuer = "{self.url}"\nclient_id = "{CLIENT_ID}"\n'
                f'deployment_ids = ["{DEPLOYMENT_ID}"]\nauth_login_url = "{self.url}/auth"\n'
                f'auth_token_url = "{self.url}/token"\nkey_set_url = "{self.url}/jwks"\n')

    def launch_url(self, user: str, *, role: str = "student", assignment: str | None = None,
                   resource_link: str | None = None, variant: str | None = None, deep_link: bool = False,
                   email: str | None = None) -> str:
        """The URL that starts a launch (the LMS's "open this activity" link)."""
        hint = secrets.token_urlsafe(8)
        self.pending[hint] = {"user": user, "role": role, "assignment": assignment, "variant": variant,
                              "resource_link": resource_link or f"link-{assignment}", "deep_link": deep_link,
                              "email": f"{user}@uni.example" if email is None else email}
        return f"{self.url}/start?hint={hint}"

    def replay_url(self) -> str:
        return f"{self.url}/replay"

    def scores_for(self, user: str) -> list[dict]:
        return [s for s in self.scores if s["userId"] == user]

    # --- the platform's endpoints -------------------------------------------------------------

    async def start(self, request: Request):
        hint = request.query_params["hint"]
        self.launch_started[hint] = time.perf_counter()
        launch = self.pending[hint]
        login = _Login(request, _Conf(registration=self.registration))
        login.set_lti_message_hint(hint=hint)
        if launch["deep_link"]:
            login.set_deeplinking_launch_url()
        else:
            login.set_launch_url(f"{self.tool_url}/lti/launch?assignment={launch['assignment']}")
        return login.initiate_login(launch["user"])

    async def auth(self, request: Request):
        """The OIDC authorization endpoint: the tool's redirect back, answered with the launch form."""
        params = dict(request.query_params)
        launch = self.pending[params["lti_message_hint"]]
        message = _Launch(params, _Conf(registration=self.registration))
        message.variant, message.other_key = launch["variant"], self.other_private
        message.set_user_data(launch["user"], ROLES[launch["role"]], full_name=launch["user"].title(),
                              email_address=launch["email"] or None)
        message.set_launch_context_claim(CONTEXT_ID, context_title="Attention 101")
        if launch["deep_link"]:
            message.set_dl(f"{self.url}/deep_link_return", title="Add an activity", accept_types={"ltiResourceLink"})
        else:
            item = self.link_items.get(launch["resource_link"])
            if item is not None:  # a link made by deep linking: its URL and custom parameters
                message.set_launch_url(item["url"])
                message.set_custom_parameters_claim(item.get("custom") or {})
            else:
                message.set_launch_url(f"{self.tool_url}/lti/launch?assignment={launch['assignment']}")
            message.set_resource_link_claim(launch["resource_link"])
            message.set_ags(f"{self.url}/lineitems", self.links.get(launch["resource_link"]))
        extra: dict[str, t.Any] = {}
        if launch["variant"] == "wrong_aud":
            extra.update({"aud": "someone-else", "azp": "someone-else"})
        if launch["variant"] == "unknown_deployment":
            extra["https://purl.imsglobal.org/spec/lti/claim/deployment_id"] = "deployment-999"
        if launch["variant"] == "expired":
            message.set_id_token_expiration(-120)
        if extra:
            message.set_extra_claims(extra)
        data = message.lti_launch()
        self.last_form = (f'<!DOCTYPE html><html><body><form method="POST" action="{escape(data["launch_url"])}" id="f">'
                          f'<input type="hidden" name="id_token" value="{escape(data["id_token"])}">'
                          f'<input type="hidden" name="state" value="{escape(data["state"])}"></form>'
                          f'<script>document.getElementById("f").submit()</script></body></html>')
        return HTMLResponse(self.last_form)

    async def replay(self, request: Request):
        return HTMLResponse(self.last_form)

    async def jwks(self, request: Request):
        return JSONResponse(_Conf(registration=self.registration).get_jwks())

    async def token(self, request: Request):
        conf = _Conf(registration=self.registration)
        conf.get_registration()
        try:
            body = conf.get_access_token(dict(await request.form()))
        except Exception as err:
            return JSONResponse({"error": "invalid_client", "error_description": str(err)}, status_code=400)
        self.token_requests += 1
        return JSONResponse(body)

    def _authorized(self, request: Request) -> bool:
        auth = request.headers.get("authorization", "")
        conf = _Conf(registration=self.registration)
        conf.get_registration()
        try:
            return auth.startswith("Bearer ") and conf.validate_token(auth[7:], LTI_SCOPES)
        except Exception:
            return False

    async def lineitems_route(self, request: Request):
        if not self._authorized(request):
            return Response(status_code=401)
        if request.method == "GET":
            return JSONResponse(list(self.lineitems.values()))
        item = json.loads(await request.body())
        return JSONResponse(self._new_lineitem(item), status_code=201)

    def _new_lineitem(self, item: dict) -> dict:
        with self._lock:
            item = {**item, "id": f"{self.url}/lineitems/{next(self._ids)}"}
            self.lineitems[item["id"]] = item
        return item

    async def lineitem_route(self, request: Request):
        if not self._authorized(request):
            return Response(status_code=401)
        item_id = f"{self.url}/lineitems/{request.path_params['n']}"
        if item_id not in self.lineitems:
            return Response(status_code=404)
        if request.url.path.endswith("/scores"):
            score = json.loads(await request.body())
            self.scores.append({**score, "lineitem": item_id})
            return Response(status_code=204)
        return JSONResponse(self.lineitems[item_id])

    async def deep_link_return(self, request: Request):
        conf = _Conf(registration=self.registration)
        conf.get_registration()
        try:
            items = conf.validate_deeplinking_resp(dict(await request.form()))
        except Exception as err:
            return HTMLResponse(f"<h1>Deep linking refused</h1><p>{escape(str(err))}</p>", status_code=400)
        for item in items:
            self.deep_link_items.append(item)
            if "lineItem" in item:  # the LMS makes the line item with the link, as Canvas and Moodle do
                link = f"dl-{len(self.deep_link_items)}"
                self.links[link] = self._new_lineitem(item["lineItem"])["id"]
                self.link_items[link] = item
                item["resource_link"] = link
        titles = ", ".join(escape(i.get("title") or "") for i in items)
        return HTMLResponse(f"<h1>Activity added</h1><p id='added'>{titles}</p>")

    def app(self) -> Starlette:
        return Starlette(routes=[
            Route("/start", self.start), Route("/auth", self.auth), Route("/replay", self.replay),
            Route("/jwks", self.jwks), Route("/token", self.token, methods=["POST"]),
            Route("/lineitems", self.lineitems_route, methods=["GET", "POST"]),
            Route("/lineitems/{n:int}", self.lineitem_route),
            Route("/lineitems/{n:int}/scores", self.lineitem_route, methods=["POST"]),
            Route("/deep_link_return", self.deep_link_return, methods=["POST"])])

    # --- up and down ----------------------------------------------------------------------------

    def up(self, timeout: float = 20.0) -> None:
        config = uvicorn.Config(self.app(), host="127.0.0.1", port=self.port, log_level="warning", lifespan="off")
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._server.run, daemon=True)
        self._thread.start()
        deadline = time.monotonic() + timeout
        while not self._server.started:
            if time.monotonic() > deadline or not self._thread.is_alive():
                raise RuntimeError(f"the LTI platform did not start on port {self.port}")
            time.sleep(0.02)

    def down(self) -> None:
        if self._server is not None:
            self._server.should_exit = True
            self._thread.join(timeout=10)
            self._server = None


@contextmanager
def lti_platform(tool_url: str, port: int | None = None) -> Iterator[Platform]:
    platform = Platform(tool_url, port or free_port())
    platform.up()
    try:
        yield platform
    finally:
        platform.down()


def launch_query(**params) -> str:
    return urlencode(params)
