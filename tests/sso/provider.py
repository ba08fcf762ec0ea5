"""A small but real OpenID Connect provider for the tests, on loopback.

It speaks HTTP on 127.0.0.1 (a thread of the test process) and does what an identity provider
does for the authorization code flow, strictly: a discovery document, its signing keys (JWKS),
an authorization endpoint that approves the one person "signed in" at the provider
(`provider.person`), a token endpoint that authenticates the client, redeems a code once, checks
the redirect URI and the PKCE verifier (S256 only) and issues an RS256-signed ID token with the
nonce it was given, a user info endpoint, and an end-session endpoint (RP-initiated logout).

Nothing of the exchange is mocked: cxkeeper's client reaches it over HTTP like any provider.
Tests can make it misbehave the ways a forged or broken answer would (`provider.tamper`):
a wrong nonce, a signature by another key, another audience or issuer.
"""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlencode, urlsplit

from joserfc import jwt
from joserfc.jwk import KeySet, RSAKey

CLIENT_ID = "cxkeeper-tests"
CLIENT_SECRET = "provider-test-secret"  # noqa: S105 - the test provider's own client secret


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


@dataclass
class Provider:
    client_id: str = CLIENT_ID
    client_secret: str = CLIENT_SECRET
    # The claims of the person signed in at the provider; None = nobody (authorize refuses).
    person: dict | None = None
    tamper: set = field(default_factory=set)  # {"nonce", "signature", "audience", "issuer"}
    end_session: bool = True
    # What the provider saw, for the tests to check: authorization requests, token requests, logouts.
    authorizations: list = field(default_factory=list)
    token_requests: list = field(default_factory=list)
    logouts: list = field(default_factory=list)

    def __post_init__(self):
        self.key = RSAKey.generate_key(2048, parameters={"kid": "test-key", "use": "sig", "alg": "RS256"})
        self.other_key = RSAKey.generate_key(2048, parameters={"kid": "test-key", "use": "sig", "alg": "RS256"})
        self._codes: dict[str, dict] = {}
        self._tokens: dict[str, dict] = {}
        self._lock = threading.Lock()
        self._server = None
        self._thread = None

    # ---------------------------------------------------------------- lifecycle

    def start(self) -> Provider:
        provider = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):  # quiet
                pass

            def do_GET(self):  # noqa: N802 - http.server's name
                provider._handle(self, "GET")

            def do_POST(self):  # noqa: N802
                provider._handle(self, "POST")

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, name="test-openid-provider", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._thread.join(timeout=5)

    @property
    def issuer(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def metadata(self) -> dict:
        document = {
            "issuer": self.issuer,
            "authorization_endpoint": f"{self.issuer}/authorize",
            "token_endpoint": f"{self.issuer}/token",
            "userinfo_endpoint": f"{self.issuer}/userinfo",
            "jwks_uri": f"{self.issuer}/jwks",
            "response_types_supported": ["code"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "code_challenge_methods_supported": ["S256"],
            "token_endpoint_auth_methods_supported": ["client_secret_basic"],
            "scopes_supported": ["openid", "email", "profile", "groups"],
        }
        if self.end_session:
            document["end_session_endpoint"] = f"{self.issuer}/logout"
        return document

    # ---------------------------------------------------------------- HTTP

    def _handle(self, handler: BaseHTTPRequestHandler, method: str) -> None:
        url = urlsplit(handler.path)
        query = {k: v[0] for k, v in parse_qs(url.query).items()}
        body = {}
        if method == "POST":
            length = int(handler.headers.get("Content-Length") or 0)
            body = {k: v[0] for k, v in parse_qs(handler.rfile.read(length).decode()).items()}
        routes = {
            ("GET", "/.well-known/openid-configuration"): lambda: (200, self.metadata()),
            ("GET", "/jwks"): lambda: (200, KeySet([self.key]).as_dict(private=False)),
            ("GET", "/authorize"): lambda: self._authorize(query),
            ("POST", "/token"): lambda: self._token(handler.headers, body),
            ("GET", "/userinfo"): lambda: self._userinfo(handler.headers),
            ("GET", "/logout"): lambda: self._logout(query),
        }
        route = routes.get((method, url.path))
        status, answer = route() if route else (404, {"error": "not_found"})
        if isinstance(answer, str):  # a redirect
            handler.send_response(status)
            handler.send_header("Location", answer)
            handler.send_header("Content-Length", "0")
            handler.end_headers()
            return
        data = json.dumps(answer).encode()
        handler.send_response(status)
        handler.send_header("Content-Type", "application/json")
        handler.send_header("Cache-Control", "no-store")
        handler.send_header("Content-Length", str(len(data)))
        handler.end_headers()
        handler.wfile.write(data)

    def _authorize(self, query: dict):
        self.authorizations.append(dict(query))
        redirect_uri = query.get("redirect_uri", "")
        if query.get("client_id") != self.client_id or not redirect_uri.startswith(("http://127.0.0.1:", "http://localhost:",
                                                                                      "http://testserver/")):
            return 400, {"error": "invalid_request", "error_description": "unknown client or redirect URI"}

        def back(**params):
            params["state"] = query.get("state", "")
            return 302, f"{redirect_uri}?{urlencode(params)}"

        if query.get("response_type") != "code" or "openid" not in query.get("scope", "").split():
            return back(error="unsupported_response_type")
        if query.get("code_challenge_method") != "S256" or not query.get("code_challenge"):
            return back(error="invalid_request", error_description="PKCE with S256 is required")
        if self.person is None:
            return back(error="access_denied")
        code = secrets.token_urlsafe(24)
        with self._lock:
            self._codes[code] = {"redirect_uri": redirect_uri, "nonce": query.get("nonce"),
                                 "challenge": query["code_challenge"], "person": dict(self.person),
                                 "at": time.time()}
        return back(code=code)

    def _client_authenticated(self, headers, body) -> bool:
        header = headers.get("Authorization", "")
        if header.startswith("Basic "):
            client_id, _, secret = base64.b64decode(header[6:]).decode().partition(":")
        else:
            client_id, secret = body.get("client_id", ""), body.get("client_secret", "")
        from urllib.parse import unquote

        return unquote(client_id) == self.client_id and secrets.compare_digest(unquote(secret), self.client_secret)

    def _token(self, headers, body: dict):
        self.token_requests.append(dict(body))
        if not self._client_authenticated(headers, body):
            return 401, {"error": "invalid_client"}
        if body.get("grant_type") != "authorization_code":
            return 400, {"error": "unsupported_grant_type"}
        with self._lock:
            grant = self._codes.pop(body.get("code", ""), None)  # a code is good once
        if grant is None or time.time() - grant["at"] > 60:
            return 400, {"error": "invalid_grant", "error_description": "unknown, used or expired code"}
        if body.get("redirect_uri") != grant["redirect_uri"]:
            return 400, {"error": "invalid_grant", "error_description": "redirect_uri differs"}
        verifier = body.get("code_verifier", "")
        if not verifier or _b64(hashlib.sha256(verifier.encode()).digest()) != grant["challenge"]:
            return 400, {"error": "invalid_grant", "error_description": "PKCE verification failed"}
        access_token = secrets.token_urlsafe(24)
        with self._lock:
            self._tokens[access_token] = grant["person"]
        now = int(time.time())
        claims = {**grant["person"], "iss": self.issuer, "aud": self.client_id, "iat": now, "exp": now + 300,
                  "nonce": grant["nonce"],
                  "at_hash": _b64(hashlib.sha256(access_token.encode()).digest()[:16])}
        if "nonce" in self.tamper:
            claims["nonce"] = "a-nonce-from-another-sign-in"
        if "audience" in self.tamper:
            claims["aud"] = "another-client"
        if "issuer" in self.tamper:
            claims["iss"] = "http://127.0.0.1:1"
        key = self.other_key if "signature" in self.tamper else self.key
        id_token = jwt.encode({"alg": "RS256", "kid": "test-key"}, claims, key)
        return 200, {"access_token": access_token, "token_type": "Bearer", "expires_in": 300,
                     "id_token": id_token, "scope": "openid email profile"}

    def _userinfo(self, headers):
        token = headers.get("Authorization", "").removeprefix("Bearer ").strip()
        with self._lock:
            person = self._tokens.get(token)
        if person is None:
            return 401, {"error": "invalid_token"}
        return 200, dict(person)

    def _logout(self, query: dict):
        self.logouts.append(dict(query))
        target = query.get("post_logout_redirect_uri")
        if target:
            return 302, f"{target}?{urlencode({'state': query.get('state', '')})}"
        return 200, {"signed_out": True}
