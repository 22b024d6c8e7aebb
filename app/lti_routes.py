"""The LTI 1.3 endpoints that are not Streamlit pages, as Starlette routes for st.App (lti_app.py):

    GET|POST /lti/login       OIDC login initiation: the LMS sends iss, login_hint, target_link_uri
    POST     /lti/launch      the launch (form_post id_token + state): validated, then a one-time hand-off
                              to /exercises or /instructor (exercises/lti/launch.py says why a token)
    GET      /lti/jwks        the tool's public key, for the LMS
    GET|POST /lti/deep-link   deep linking: the instructor picks an assignment or exercise; the signed
                              response is posted back to the LMS

ATTENTION_LAB_LTI_URL is the public address the LMS reaches the app at (behind HAProxy or a TLS proxy,
e.g. https://attention.example.edu); without it, the address of the request. A refused launch is a
plain page saying what is wrong and what to do, with status 403, and nothing stored.
"""

from __future__ import annotations

import functools
import logging
import os
from html import escape

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse
from starlette.routing import Route

from exercises import assignments as assignment_files
from exercises.lti import config, deep_link, launch, tables
from exercises.lti.outbox import Worker
from exercises.store import Store, resolve_url

log = logging.getLogger(__name__)


@functools.lru_cache(maxsize=4)
def _store(url: str) -> Store:
    return Store(url)


def engine():
    return _store(resolve_url()).engine


def base_url(request: Request) -> str:
    return (os.environ.get("ATTENTION_LAB_LTI_URL") or str(request.base_url)).rstrip("/")


def page(title: str, body: str, status: int = 200) -> HTMLResponse:
    """A small plain page (everything in it escaped by the caller)."""
    return HTMLResponse(f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{title}</title>'
                        f'<meta name="viewport" content="width=device-width, initial-scale=1"><style>body{{font-family:'
                        f'sans-serif;max-width:40rem;margin:2rem auto;padding:0 1rem;line-height:1.5}}</style></head>'
                        f"<body><h1>{title}</h1>{body}</body></html>", status_code=status)


def refused(err: launch.LaunchRefused) -> HTMLResponse:
    return page(escape(err.title), f"<p>{escape(str(err))}</p><p>Nothing was stored.</p>", 403)


def _platforms():
    try:
        found = config.load_platforms()
    except config.LtiConfigError as err:  # the reason names the server's file: the log, not the page
        log.error("the LTI platforms file cannot be used: %s", err)
        raise launch.LaunchRefused("LTI is not set up here", "The server's list of LMS platforms cannot be read, "
                                   "so no launch can be checked. The administrator finds why in the server's log "
                                   "and fixes ATTENTION_LAB_LTI_PLATFORMS.") from err
    if not found:
        raise launch.LaunchRefused("LTI is not set up here", "No LMS is registered: set ATTENTION_LAB_LTI_PLATFORMS "
                                   "to a platforms file (README, 'Inside an LMS').")
    return found


async def _params(request: Request) -> dict[str, str]:
    params = dict(request.query_params)
    if request.method == "POST":
        params.update({k: v for k, v in (await request.form()).items() if isinstance(v, str)})
    return params


async def login_route(request: Request):
    params, cookies = await _params(request), dict(request.cookies)
    secure = base_url(request).startswith("https://")
    try:
        url, to_set = await run_in_threadpool(launch.login, params, cookies, secure, base_url(request) + "/lti/launch",
                                              engine(), _platforms())
    except launch.LaunchRefused as err:
        return refused(err)
    response = RedirectResponse(url, status_code=302)
    for name, (value, max_age) in to_set.items():
        # in the LMS's iframe the tool is a third party: over HTTPS the state cookie is SameSite=None and
        # partitioned (CHIPS), which browsers that block third-party cookies still keep for this frame
        response.set_cookie(name, value, max_age=max_age, path="/", httponly=True, secure=secure,
                            samesite="none" if secure else "lax", partitioned=secure)
    return response


def _launch(params, cookies, secure):
    found, _ = assignment_files.load()
    return launch.launch(params, cookies, secure, engine(), _platforms(), {a.id: a for a in found})


async def launch_route(request: Request):
    params, cookies = await _params(request), dict(request.cookies)
    try:
        handoff = await run_in_threadpool(_launch, params, cookies, base_url(request).startswith("https://"))
    except launch.LaunchRefused as err:
        return refused(err)
    sep = "&" if "?" in handoff.path else "?"
    return RedirectResponse(f"{handoff.path}{sep}lti={handoff.token}", status_code=303)


async def jwks_route(request: Request):
    return JSONResponse(await run_in_threadpool(config.jwks))


def _deep_link_page(token: str, choice: str | None, launch_url: str):
    found, _ = assignment_files.load()
    by_id = {a.id: a for a in found}
    if choice is None:
        handoff = launch.peek(engine(), token)
        if handoff is None or handoff.kind != "deep_link":
            return None, "This link has expired. Start again from the LMS's 'add external tool' dialog."
        options = "".join(f'<p><label><input type="radio" name="choice" value="{escape(v)}"{" checked" if i == 0 else ""}>'
                          f" {escape(label)}</label></p>" for i, (v, label) in enumerate(deep_link.choices(found)))
        if not options:
            return None, "There are no assignments yet: add assignment files first (README, 'Assignments')."
        form = (f'<form method="post" action="/lti/deep-link"><input type="hidden" name="token" value="{escape(token)}">'
                f'<fieldset><legend>Add to the course</legend>{options}</fieldset>'
                f'<p><button type="submit">Add</button></p></form>')
        return form, None
    handoff = launch.redeem(engine(), token)
    if handoff is None or handoff.kind != "deep_link":
        return None, "This link has expired or was used. Start again from the LMS's 'add external tool' dialog."
    try:
        item = deep_link.content_item(by_id, choice, launch_url)
    except KeyError:
        return None, "That assignment is no longer here. Start again from the LMS's 'add external tool' dialog."
    url, jwt_value = deep_link.response(_platforms(), handoff.payload, item)
    form = (f'<form id="dl" method="post" action="{escape(url)}"><input type="hidden" name="JWT" '
            f'value="{escape(jwt_value)}"><noscript><button type="submit">Continue to the LMS</button></noscript>'
            f'</form><p>Returning to the LMS…</p><script>document.getElementById("dl").submit()</script>')
    return form, None


async def deep_link_route(request: Request):
    params = await _params(request)
    choice = params.get("choice") if request.method == "POST" else None
    try:
        body, problem = await run_in_threadpool(_deep_link_page, params.get("token") or params.get("lti") or "", choice,
                                                base_url(request) + "/lti/launch")
    except launch.LaunchRefused as err:
        return refused(err)
    if problem:
        return page("Cannot add an activity", f"<p>{escape(problem)}</p>", 400)
    return page("Attention Lab: add an activity", body)


def routes() -> list[Route]:
    return [Route("/lti/login", login_route, methods=["GET", "POST"]),
            Route("/lti/launch", launch_route, methods=["POST"]),
            Route("/lti/jwks", jwks_route, methods=["GET"]),
            Route("/lti/deep-link", deep_link_route, methods=["GET", "POST"])]


def start_outbox_worker() -> None:
    """The worker that sends queued scores (exercises/lti/outbox.py), at start-up: rows left by a
    process that stopped are sent too."""
    try:
        Worker.start(tables.ensure(engine()))
    except Exception:  # the gradebook cannot be reached yet: the first enqueue starts it
        log.exception("the LTI outbox worker could not start")
