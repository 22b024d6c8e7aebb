"""A real OpenID Connect provider for the single sign-on tests: panva's oidc-provider (npm), run by
Node on 127.0.0.1 with tests/oidc/provider.mjs as its configuration. ./run_tests.sh installs it
(scripts/install_test_oidc.sh: `npm ci` in tests/oidc from its lock file); without it the tests fail,
not skip.

`oidc_provider(folder, port, redirect_uris, accounts)` starts one for a client whose redirect URIs are
the apps' /oauth2callback and yields a Provider; `secrets_toml(...)` writes the `[auth]` section of
a .streamlit/secrets.toml that points Streamlit's st.login at it. Its sign-in page is oidc-provider's
development one: a login (the account id) and any password.
"""

from __future__ import annotations

import json
import secrets
import shutil
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent / "oidc"
CLIENT_ID = "attention-lab"


@dataclass(frozen=True)
class Provider:
    issuer: str  # http://127.0.0.1:PORT
    client_id: str
    client_secret: str
    log: Path

    @property
    def metadata_url(self) -> str:
        return f"{self.issuer}/.well-known/openid-configuration"


@contextmanager
def oidc_provider(folder: Path, port: int, redirect_uris: list[str], accounts: dict[str, dict],
                  timeout: float = 30.0) -> Iterator[Provider]:
    """oidc-provider on 127.0.0.1:port for one client (its redirect URIs, each also a post-logout
    redirect URI), with the accounts' claims (login -> claims); stopped on exit."""
    node = shutil.which("node")
    if node is None or not (HERE / "node_modules" / "oidc-provider").is_dir():
        raise FileNotFoundError("oidc-provider is not installed: run ./scripts/install_test_oidc.sh "
                                "(./run_tests.sh does) to install it from the npm registry")
    provider = Provider(f"http://127.0.0.1:{port}", CLIENT_ID, secrets.token_hex(16), folder / "oidc-provider.log")
    config = folder / "oidc-provider.json"
    config.write_text(json.dumps({"port": port, "client_id": provider.client_id,
                                  "client_secret": provider.client_secret, "redirect_uris": redirect_uris,
                                  "accounts": accounts}))
    with open(provider.log, "wb") as log:
        proc = subprocess.Popen([node, str(HERE / "provider.mjs"), str(config)], cwd=HERE, stdout=log,
                                stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
    try:
        _wait_serving(provider, proc, timeout)
        yield provider
    finally:
        if proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


def _wait_serving(provider: Provider, proc: subprocess.Popen, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"oidc-provider exited with code {proc.returncode}:\n{provider.log.read_text()[-3000:]}")
        try:
            with urllib.request.urlopen(provider.metadata_url, timeout=2) as r:
                if json.load(r).get("issuer") == provider.issuer:
                    return
        except OSError:
            pass
        time.sleep(0.05)
    raise TimeoutError(f"oidc-provider did not serve {provider.metadata_url} within {timeout:.0f} s")


def secrets_toml(provider: Provider, redirect_uri: str, cookie_secret: str | None = None, **top_level) -> str:
    """A secrets.toml for the app: top-level settings (e.g. instructors=[...]) and an [auth] section
    for st.login. prompt=login: the provider asks for a login at every sign-in (oidc-provider does not
    know Streamlit's default prompt, select_account)."""
    lines = [f"{key} = {json.dumps(value)}" for key, value in top_level.items()]
    lines += ["", "[auth]", f"redirect_uri = {json.dumps(redirect_uri)}",
              f"cookie_secret = {json.dumps(cookie_secret or secrets.token_hex(32))}", f"client_id = {json.dumps(provider.client_id)}",
              f"client_secret = {json.dumps(provider.client_secret)}",
              f"server_metadata_url = {json.dumps(provider.metadata_url)}", 'client_kwargs = { prompt = "login" }']
    return "\n".join(lines) + "\n"
