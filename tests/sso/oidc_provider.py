"""A real OpenID Connect provider for the tests: the npm package ``oidc-provider`` run by Node
(tests/sso/provider/, installed by ``npm ci`` there; .ci/run does it), on a free port of
127.0.0.1. Two applications are registered, as a region's provider would hold them: Nastavnik
(``nastavnik``) and another application of the region (``other-app``), both allowed to return
to Nastavnik's regional callback, so that a code or a token issued to the other application can
be played against Nastavnik."""

from __future__ import annotations

import json
import re
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urljoin, urlsplit

import pytest
import requests

PROVIDER_DIR = Path(__file__).resolve().parent / "provider"
CLIENT_ID = "nastavnik"
CLIENT_SECRET = "nastavnik-test-client-secret-0123456789abcdef"
OTHER_CLIENT_ID = "other-app"
OTHER_CLIENT_SECRET = "other-app-test-client-secret-0123456789abcdef"


@dataclass
class Provider:
    issuer: str
    accounts_file: Path
    process: subprocess.Popen[bytes]
    people: dict[str, dict[str, Any]] = field(default_factory=dict)

    def add_person(self, login: str, **claims: Any) -> None:
        """A person the provider knows (``login`` is their subject unless ``sub`` is given)."""
        self.people[login] = claims
        self.accounts_file.write_text(json.dumps(self.people), encoding="utf-8")

    def settings(self) -> dict[str, Any]:
        """Nastavnik's OIDC settings for this provider (what docs/sso.md tells a region)."""
        return {
            "OIDC_OP_ISSUER": self.issuer,
            "OIDC_OP_AUTHORIZATION_ENDPOINT": f"{self.issuer}/auth",
            "OIDC_OP_TOKEN_ENDPOINT": f"{self.issuer}/token",
            "OIDC_OP_USER_ENDPOINT": f"{self.issuer}/me",
            "OIDC_OP_JWKS_ENDPOINT": f"{self.issuer}/jwks",
            "OIDC_OP_LOGOUT_ENDPOINT": f"{self.issuer}/session/end",
            "OIDC_RP_CLIENT_ID": CLIENT_ID,
            "OIDC_RP_CLIENT_SECRET": CLIENT_SECRET,
            "OIDC_RP_SIGN_ALGO": "RS256",
            "OIDC_RP_SCOPES": "openid email profile groups",
        }


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def running_provider(regional_origins: list[str]) -> Iterator[Provider]:
    """Start the provider; Nastavnik's regional host is reachable at ``regional_origins``."""
    node = shutil.which("node")
    if node is None:
        pytest.fail("Node.js is not installed: the SSO tests need it (apt-get install nodejs)")
    installed = PROVIDER_DIR / "node_modules" / "oidc-provider"
    if not installed.is_dir() and shutil.which("npm"):
        # .ci/run installs it; a checkout that has not yet does it here (package-lock.json)
        subprocess.run(
            ["npm", "ci", "--no-audit", "--no-fund", "--loglevel=error"],
            cwd=PROVIDER_DIR,
            check=False,
            timeout=300,
        )
    if not installed.is_dir():
        pytest.fail(f"oidc-provider is not installed: run `npm ci` in {PROVIDER_DIR}")
    callbacks = [f"{origin}/oidc/callback/" for origin in regional_origins]
    signed_out = [f"{origin}/oidc/signed-out/" for origin in regional_origins]
    clients = [
        {
            "client_id": client_id,
            "client_secret": secret,
            "redirect_uris": callbacks,
            "post_logout_redirect_uris": signed_out,
            "grant_types": ["authorization_code"],
            "response_types": ["code"],
            "token_endpoint_auth_method": "client_secret_basic",
        }
        for client_id, secret in (
            (CLIENT_ID, CLIENT_SECRET),
            (OTHER_CLIENT_ID, OTHER_CLIENT_SECRET),
        )
    ]
    with tempfile.TemporaryDirectory(prefix="oidc-provider-") as tmp:
        clients_file = Path(tmp) / "clients.json"
        clients_file.write_text(json.dumps(clients), encoding="utf-8")
        accounts_file = Path(tmp) / "accounts.json"
        accounts_file.write_text("{}", encoding="utf-8")
        log = (Path(tmp) / "provider.log").open("wb")
        port = _free_port()
        process = subprocess.Popen(
            [node, str(PROVIDER_DIR / "provider.mjs")],
            cwd=PROVIDER_DIR,
            env={
                "PATH": "/usr/bin:/bin",
                "PORT": str(port),
                "CLIENTS_FILE": str(clients_file),
                "ACCOUNTS_FILE": str(accounts_file),
                "NODE_ENV": "test",
            },
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        issuer = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 60  # a loaded machine starts Node slowly
            while True:
                try:
                    if requests.get(f"{issuer}/.well-known/openid-configuration", timeout=1).ok:
                        break
                except requests.ConnectionError:
                    pass
                if process.poll() is not None or time.monotonic() > deadline:
                    log.flush()
                    output = (Path(tmp) / "provider.log").read_text(errors="replace")
                    pytest.fail(f"the OIDC provider did not start:\n{output}")
                time.sleep(0.1)
            yield Provider(issuer=issuer, accounts_file=accounts_file, process=process)
        finally:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
            log.close()


class ProviderBrowser:
    """The provider's side of a sign-in without a browser: a person's cookies at the provider
    and its development sign-in form (login and any password)."""

    def __init__(self, provider: Provider) -> None:
        self.provider = provider
        self.http = requests.Session()

    def authorize(self, authorization_url: str, login: str) -> str:
        """Follow the authorization request, signing in as ``login`` when asked; return the
        URL the provider sends the browser back to (the callback with code and state)."""
        url = authorization_url
        for _ in range(10):
            response = self.http.get(url, allow_redirects=False, timeout=10)
            if response.status_code == 200 and 'name="login"' in response.text:
                action = re.search(r'action="([^"]+)"', response.text)
                assert action is not None, response.text
                response = self.http.post(
                    urljoin(url, action.group(1)),
                    data={"prompt": "login", "login": login, "password": "any"},
                    allow_redirects=False,
                    timeout=10,
                )
            assert response.status_code in (302, 303), (response.status_code, response.text)
            url = urljoin(url, response.headers["Location"])
            if not url.startswith(self.provider.issuer):
                return url
        raise AssertionError("the provider kept redirecting")

    def token_for(self, *, login: str, client_id: str, secret: str, redirect_uri: str) -> Any:
        """The token response the provider gives ``client_id`` for a code of its own (its own
        authorization request, with its own PKCE verifier)."""
        import base64
        import hashlib
        import secrets
        from urllib.parse import urlencode

        verifier = secrets.token_urlsafe(48)
        challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest())
        params = {
            "response_type": "code",
            "client_id": client_id,
            "redirect_uri": redirect_uri,
            "scope": "openid email",
            "state": secrets.token_urlsafe(16),
            "nonce": "nonce-of-the-other-app",
            "code_challenge": challenge.decode().rstrip("="),
            "code_challenge_method": "S256",
        }
        callback = self.authorize(f"{self.provider.issuer}/auth?{urlencode(params)}", login)
        code = parse_qs(urlsplit(callback).query)["code"][0]
        response = requests.post(
            f"{self.provider.issuer}/token",
            data={
                "grant_type": "authorization_code",
                "code": code,
                "redirect_uri": redirect_uri,
                "code_verifier": verifier,
            },
            auth=(client_id, secret),
            timeout=10,
        )
        response.raise_for_status()
        return response.json()
