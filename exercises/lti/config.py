"""The LMS platforms the tool trusts, and the tool's own key pair.

ATTENTION_LAB_LTI_PLATFORMS names a TOML file, one [[platform]] table per registration (an LMS's
issuer and the client id it gave the tool; several may share an issuer):

    [[platform]]
    name = "Canvas (university)"                                    # shown in messages
    issuer = "https://canvas.instructure.com"                       # the id token's iss
    client_id = "10000000000001"                                    # the developer key's id: the token's aud
    deployment_ids = ["1:a8b3c..."]                                 # launches from other deployments are refused
    auth_login_url = "https://sso.canvaslms.com/api/lti/authorize_redirect"   # the platform's OIDC authorization
    auth_token_url = "https://sso.canvaslms.com/login/oauth2/token"          # its OAuth2 token endpoint (AGS)
    key_set_url = "https://sso.canvaslms.com/api/lti/security/jwks"          # its public keys
    auth_audience = ""                                              # optional: the token endpoint's aud, if not its URL

The tool's private key (RSA 2048, PEM) is ATTENTION_LAB_LTI_KEY when set, else lti_tool_key.pem next to
the SQLite gradebook (the app's folder with PostgreSQL). It is generated on first start, readable by
its owner only, never committed (.gitignore); every app process of a class server must read the same
file. Its public half is the tool's JWKS (/lti/jwks), keyed by a kid derived from it.

This module never imports streamlit.
"""

from __future__ import annotations

import functools
import os
from dataclasses import dataclass
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from pylti1p3.registration import Registration

from core.errors import UserError
from exercises import toml_files
from exercises.store.connect import DEFAULT_SQLITE_PATH

KEY_FILE = "lti_tool_key.pem"
_FIELDS = ("issuer", "client_id", "auth_login_url", "auth_token_url", "key_set_url")


class LtiConfigError(UserError):
    """A platforms file that cannot be used; str(error) names the file and what to fix."""


@dataclass(frozen=True)
class Platform:
    name: str
    issuer: str
    client_id: str
    deployment_ids: tuple[str, ...]
    auth_login_url: str
    auth_token_url: str
    key_set_url: str
    auth_audience: str | None = None


def platforms_path() -> Path | None:
    value = os.environ.get("ATTENTION_LAB_LTI_PLATFORMS")
    return Path(value) if value else None


def entry_script() -> str:
    """What `streamlit run` starts: lti_app.py (st.App with the LTI routes) when LTI is set up, else
    streamlit_app.py (run_app.sh and the class server both ask)."""
    return "lti_app.py" if platforms_path() else "streamlit_app.py"


def parse_platforms(data: dict, name: str) -> list[Platform]:
    """The [[platform]] tables of a parsed TOML, checked."""
    tables = data.get("platform")
    if not isinstance(tables, list) or not tables:
        raise LtiConfigError(f"{name} registers no platform. Fix: add a [[platform]] table per LMS registration "
                             f"(README, 'Inside an LMS').")
    found, seen = [], set()
    for i, table in enumerate(tables, start=1):
        where = f"{name}, platform {i}"
        if not isinstance(table, dict):
            raise LtiConfigError(f"{where} is not a table. Fix: write it as [[platform]] followed by key = value lines.")
        for field in _FIELDS:
            if not isinstance(table.get(field), str) or not table[field].strip():
                raise LtiConfigError(f"{where} has no {field}. Fix: copy it from the LMS's registration of the tool.")
        deployments = table.get("deployment_ids")
        if (not isinstance(deployments, list) or not deployments
                or not all(isinstance(d, str) and d.strip() for d in deployments)):
            raise LtiConfigError(f"{where} has no deployment_ids. Fix: list the deployment ids the LMS shows, like "
                                 f'deployment_ids = ["1"].')
        for field in ("auth_login_url", "auth_token_url", "key_set_url"):
            if not table[field].startswith(("https://", "http://")):
                raise LtiConfigError(f"{where}: {field} must be a web address (https://...).")
        key = (table["issuer"], table["client_id"])
        if key in seen:
            raise LtiConfigError(f"{where} registers issuer {table['issuer']} with client id {table['client_id']} "
                                 f"a second time. Fix: keep one table per issuer and client id.")
        seen.add(key)
        found.append(Platform(str(table.get("name") or table["issuer"]), table["issuer"], table["client_id"],
                              tuple(deployments), table["auth_login_url"], table["auth_token_url"],
                              table["key_set_url"], table.get("auth_audience") or None))
    return found


def load_platforms(path: Path | None = None) -> list[Platform]:
    """The platforms registered in `path` (default ATTENTION_LAB_LTI_PLATFORMS); [] when none is set."""
    path = path or platforms_path()
    if path is None:
        return []
    try:
        data = toml_files.read(path)
    except toml_files.TomlFileError as err:
        raise LtiConfigError(str(err)) from err
    return parse_platforms(data, path.name)


def key_path() -> Path:
    if value := os.environ.get("ATTENTION_LAB_LTI_KEY"):
        return Path(value)
    db = os.environ.get("ATTENTION_LAB_DB")
    folder = Path(db).expanduser().resolve().parent if db and not os.environ.get("DATABASE_URL") else DEFAULT_SQLITE_PATH.parent
    return folder / KEY_FILE


@functools.lru_cache(maxsize=4)
def _load_or_create(path: str) -> str:
    p = Path(path)
    if not p.exists():
        pem = rsa.generate_private_key(public_exponent=65537, key_size=2048).private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
        tmp = p.with_name(f".{p.name}.{os.getpid()}")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as f:
            f.write(pem)
        try:
            os.link(tmp, p)  # atomic: of several processes starting at once, one key wins
        except FileExistsError:
            pass
        finally:
            tmp.unlink()
    return p.read_text()


def private_key() -> str:
    """The tool's private key (PEM), generated on first use."""
    return _load_or_create(str(key_path()))


def public_pem() -> str:
    """The public half of the tool's key (PEM)."""
    key = serialization.load_pem_private_key(private_key().encode(), password=None)
    return key.public_key().public_bytes(serialization.Encoding.PEM,
                                         serialization.PublicFormat.SubjectPublicKeyInfo).decode()


def jwks() -> dict:
    """The tool's JWKS: its public key as pylti1p3 signs with it (kid: the key's RFC 7638 thumbprint)."""
    return {"keys": [dict(Registration.get_jwk(public_pem()))]}


def tool_conf_dict(platforms: list[Platform]) -> dict:
    """pylti1p3's ToolConfDict data: issuer -> [registration, ...]."""
    conf: dict[str, list] = {}
    for p in platforms:
        conf.setdefault(p.issuer, []).append({
            "default": not conf.get(p.issuer), "client_id": p.client_id, "auth_login_url": p.auth_login_url,
            "auth_token_url": p.auth_token_url, "auth_audience": p.auth_audience, "key_set_url": p.key_set_url,
            "deployment_ids": list(p.deployment_ids)})
    return conf
