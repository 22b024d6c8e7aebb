"""Single sign-on through Streamlit's own st.login / st.user / st.logout (OpenID Connect, Authlib),
configured in `.streamlit/secrets.toml` `[auth]` (any OIDC provider: Google, Microsoft Entra ID,
Okta, Auth0, Keycloak, a university's). An id that comes from here is verified: the provider vouched
for it. The claim -> id rules are exercises/sso_claims.py's.

Settings (an environment variable, else a top-level key of secrets.toml):

    ATTENTION_LAB_STUDENT_ID_CLAIM   student_id_claim    the claim that is the student id (default email)
    ATTENTION_LAB_INSTRUCTORS        instructors         ids or e-mails of the instructors (a TOML list,
                                                         or one string separated by commas)
    ATTENTION_LAB_SSO_PROVIDER_NAME  sso_provider_name   the name on the button ("Sign in with NAME")

    configured()     an [auth] section is set, so st.login is on (typed ids are then not offered)
    identity()       who is signed in through st.login, or None (signed out, or refused)
    login_button()   "Sign in with <provider>" (st.login); when the person signed in but their claims
                     give no id, why, and a Sign out button instead
    logout()         st.logout: forgets the sign-in cookie and signs out at the provider too
"""

from __future__ import annotations

import importlib.util
import logging
import os
from collections.abc import Mapping
from urllib.parse import urlsplit

import streamlit as st

from app.plain import plain
from exercises import sso_claims
from exercises.sso_claims import ClaimError, Identity

__all__ = ["Identity", "configured", "identity", "login_button", "logout"]

log = logging.getLogger(__name__)

_PROVIDER_KEYS = ("client_id", "client_secret", "server_metadata_url")
_KNOWN_HOSTS = {"accounts.google.com": "Google", "login.microsoftonline.com": "Microsoft",
                "okta.com": "Okta", "auth0.com": "Auth0"}


def _secret(key: str):
    try:
        return st.secrets.get(key)
    except Exception:  # no secrets file, or one that cannot be read: unset
        return None


def _setting(env: str, secret: str):
    return os.environ.get(env) or _secret(secret) or None


def _auth_section() -> Mapping | None:
    section = _secret("auth")
    return section if isinstance(section, Mapping) and section else None


def configured() -> bool:
    """True when secrets.toml has an [auth] section: sign-in goes through the provider."""
    return _auth_section() is not None


def _providers(section: Mapping) -> dict[str, Mapping]:
    """st.login's provider names -> their settings: 'default' when [auth] itself names a client,
    and every [auth.NAME] subsection that does."""
    found = {"default": section} if any(k in section for k in _PROVIDER_KEYS) else {}
    found.update({name: sub for name, sub in section.items()
                  if isinstance(sub, Mapping) and any(k in sub for k in _PROVIDER_KEYS)})
    return found


def _label(name: str, settings: Mapping) -> str:
    if chosen := _setting("ATTENTION_LAB_SSO_PROVIDER_NAME", "sso_provider_name"):
        return str(chosen)
    host = urlsplit(str(settings.get("server_metadata_url", ""))).hostname or ""
    for known, label in _KNOWN_HOSTS.items():
        if host == known or host.endswith("." + known):
            return label
    return name.capitalize() if name != "default" else "your institution's account"


def _problem(section: Mapping) -> str | None:
    """What keeps st.login from working, said without any secret's value; None when nothing does."""
    missing = [k for k in ("redirect_uri", "cookie_secret") if not section.get(k)]
    providers = _providers(section)
    if not providers:
        missing.append("client_id, client_secret and server_metadata_url (or an [auth.NAME] section with them)")
    for name, settings in providers.items():
        where = "[auth]" if name == "default" else f"[auth.{name}]"
        missing += [f"{k} in {where}" for k in _PROVIDER_KEYS if not settings.get(k)]
        if "_" in name:
            return f"The sign-in provider [auth.{name}] has an underscore in its name (st.login refuses it): rename it."
    if missing:
        return f"Sign-in is not set up completely: secrets.toml's [auth] lacks {', '.join(missing)}."
    if not str(section.get("redirect_uri")).rstrip("/").endswith("/oauth2callback"):
        return "Sign-in is not set up completely: [auth] redirect_uri must end with /oauth2callback."
    if importlib.util.find_spec("authlib") is None:
        return "Sign-in needs the Authlib package: install requirements.txt into the app's environment."
    return None


def _claims() -> dict | None:
    """The signed-in person's claims (st.user), or None when nobody is signed in."""
    try:
        if not st.user.is_logged_in:
            return None
        return st.user.to_dict()
    except Exception:  # st.user outside a session, or an unreadable cookie: not signed in
        log.warning("st.user could not be read", exc_info=True)
        return None


def _identity(claims: Mapping) -> Identity:
    claim = sso_claims.claim_name(_setting("ATTENTION_LAB_STUDENT_ID_CLAIM", "student_id_claim"))
    instructors = sso_claims.instructor_list(_setting("ATTENTION_LAB_INSTRUCTORS", "instructors"))
    return sso_claims.identity(claims, claim, instructors)


def identity() -> Identity | None:
    """The person signed in through st.login (their id verified by the provider), or None when
    single sign-on is off, nobody is signed in, or their claims give no student id (login_button
    then says why)."""
    if not configured() or (claims := _claims()) is None:
        return None
    try:
        return _identity(claims)
    except ClaimError as err:
        log.info("single sign-on refused: %s", err)
        return None


def login_button() -> None:
    """The "Sign in with <provider>" button (one per provider in [auth]); it calls st.login. When
    someone is signed in whose claims give no id, says why and offers Sign out instead."""
    section = _auth_section()
    if section is None:
        return
    if (claims := _claims()) is not None:
        try:
            _identity(claims)
        except ClaimError as err:
            st.error(plain(err), icon=":material/person_alert:")
            if st.button("Sign out", key="sso_refused_sign_out"):
                logout()
        return
    if problem := _problem(section):
        st.error(plain(problem) + " The instructor can fix it in .streamlit/secrets.toml and restart the app.",
                 icon=":material/settings:")
        return
    for name, settings in _providers(section).items():
        if st.button(f"Sign in with {_label(name, settings)}", type="primary", key=f"sso_login_{name}"):
            try:
                st.login(name)
            except Exception as err:  # StreamlitAuthError: a setting st.login refuses
                log.warning("st.login(%r) failed", name, exc_info=True)
                st.error(plain(f"Sign-in could not start ({type(err).__name__}); the instructor can check [auth] in "
                               f".streamlit/secrets.toml."), icon=":material/settings:")


def logout() -> None:
    """Sign out: st.logout forgets the sign-in cookie, and signs out at the provider when it offers that."""
    st.logout()
