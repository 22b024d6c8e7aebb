"""pylti1p3's framework adapters for a plain request (a Starlette route hands over its parameters and
cookies), with its state kept in the gradebook's database (tables.cache), so every app process behind
a load balancer sees the same states and nonces. Never imports streamlit.
"""

from __future__ import annotations

import json
import time
from datetime import datetime, timedelta

import requests
from pylti1p3.cookie import CookieService
from pylti1p3.launch_data_storage.base import LaunchDataStorage
from pylti1p3.request import Request
from pylti1p3.service_connector import ServiceConnector
from pylti1p3.session import SessionService
from sqlalchemy import delete, select
from sqlalchemy.engine import Engine

from exercises.lti import tables

HTTP_TIMEOUT_S = 10.0  # every call to a platform: a platform that hangs must not hold a worker forever


class ToolRequest(Request):
    """A request's parameters (query or form), cookies and whether it came over HTTPS."""

    def __init__(self, params: dict[str, str], cookies: dict[str, str], secure: bool):
        self._params, self._cookies, self._secure = dict(params), dict(cookies), secure

    @property
    def session(self):
        return {}

    def get_param(self, key: str):
        return self._params.get(key)

    def get_cookie(self, key: str):
        return self._cookies.get(key)

    def is_secure(self) -> bool:
        return self._secure


class Cookies(CookieService):
    """Reads the request's cookies; collects the ones to set (`to_set`: name -> (value, max_age))."""

    def __init__(self, request: ToolRequest):
        self._request = request
        self.to_set: dict[str, tuple[str, int]] = {}

    def _key(self, name: str) -> str:
        return f"{self._cookie_prefix}-{name}"

    def get_cookie(self, name: str):
        return self._request.get_cookie(self._key(name))

    def set_cookie(self, name, value, exp=3600):
        self.to_set[self._key(name)] = (str(value), int(exp or 3600))


class DatabaseStorage(LaunchDataStorage):
    """pylti1p3's launch data, states and nonces in tables.cache. A nonce is taken when checked: the
    launch that uses it deletes it, so a replayed id token finds no nonce and is refused."""

    def __init__(self, engine: Engine):
        super().__init__()
        self.engine = tables.ensure(engine)

    def get_session_cookie_name(self):
        return None  # keys are random (state-<uuid>, nonce-<uuid>): no session id in front of them

    def can_set_keys_expiration(self) -> bool:
        return True

    def get_value(self, key: str):
        key = self._prepare_key(key)
        with self.engine.connect() as conn:
            value = conn.execute(select(tables.cache.c.value).where(
                tables.cache.c.key == key, tables.cache.c.expires_at > time.time())).scalar()
        return None if value is None else json.loads(value)

    def set_value(self, key: str, value, exp=None) -> None:
        key = self._prepare_key(key)
        row = {"key": key, "value": json.dumps(value), "expires_at": time.time() + (exp or 600)}
        stmt = tables.insert(self.engine)(tables.cache).values(**row)
        with self.engine.begin() as conn:
            conn.execute(stmt.on_conflict_do_update(index_elements=["key"], set_={"value": row["value"],
                                                                                  "expires_at": row["expires_at"]}))

    def check_value(self, key: str) -> bool:
        key = self._prepare_key(key)
        with self.engine.begin() as conn:
            if "-nonce-" in key:  # one use only
                gone = conn.execute(delete(tables.cache).where(tables.cache.c.key == key,
                                                               tables.cache.c.expires_at > time.time()))
                return gone.rowcount == 1
            return conn.execute(select(tables.cache.c.key).where(
                tables.cache.c.key == key, tables.cache.c.expires_at > time.time())).first() is not None


def purge_expired(engine: Engine) -> None:
    """Delete expired states, nonces, launch data and hand-offs."""
    now = time.time()
    with tables.ensure(engine).begin() as conn:
        conn.execute(delete(tables.cache).where(tables.cache.c.expires_at < now))
        conn.execute(delete(tables.handoffs).where(tables.handoffs.c.expires_at < now - 3600))


def session_service(request: ToolRequest, engine: Engine, lifetime_s: int = 600) -> SessionService:
    service = SessionService(request)
    service.set_data_storage(DatabaseStorage(engine))
    service.set_launch_data_lifetime(lifetime_s)
    return service


class TimeoutSession(requests.Session):
    """A requests session whose every call has a timeout."""

    def request(self, *args, **kwargs):
        kwargs.setdefault("timeout", HTTP_TIMEOUT_S)
        return super().request(*args, **kwargs)


class Connector(ServiceConnector):
    """pylti1p3's service connector with the access tokens kept in this process (one per issuer and
    scopes, until they expire)."""

    tokens: dict[str, tuple[str, datetime]] = {}

    def __init__(self, registration):
        super().__init__(registration, TimeoutSession())

    def _get_cached_access_token(self, scope_key: str):
        token = self.tokens.get(scope_key)
        return token[0] if token and token[1] > datetime.now() else None

    def _cache_access_token(self, scope_key: str, access_token: str, expires_in: float):
        self.tokens[scope_key] = (access_token, datetime.now() + timedelta(seconds=max(0.0, expires_in - 30)))
